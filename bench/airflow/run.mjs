#!/usr/bin/env node
// Airflow DAG parse-time benchmark: pipegen's generated DAG files vs dag-factory YAML vs the
// floor (hand-written static DAG files), all building the same DAGs with the same operators.
//
//   node bench/airflow/run.mjs [--sizes=1,10,100] [--reps=3] [--no-report] [--keep]
//
// For each N: builds N copies of specs/shop_orders.yaml (pipeline p_0001..p_N) with
// `node bin/pipegen.js build` and uses <out>/*/airflow as one dags folder (pipegen); writes
// N copies of floor/*.py (hand-written, one file per DAG file pipegen writes) and N copies of
// dagfactory/shop_orders.yaml plus dag-factory's loader (dagfactory/load_dagfactory_dags.py;
// the task callables in dagfactory/pipegen_bench_tasks.py on PYTHONPATH), each with the
// pipeline's name. shape.py describes every DAG (settings, deadline alerts, tasks, operators,
// callables, notifiers, assets, Spark arguments): the three must describe the same, else exit 1.
// pipegen_runtime is this checkout's (runtime/src on PYTHONPATH), not the venvs' copy.
// Each repetition is a fresh Python process timing DagBag(dag_folder=...) with the same
// Airflow 3.2.2 (venv-airflow; venv-airflow-dagfactory for dag-factory); the three run
// interleaved within a repetition (the machine is shared) and the median is reported, wall
// and CPU time, with the load average. At the largest N, `airflow dags report` gives the
// per-file times. Needs `bash test/e2e/engines/airflow/install.sh`. Prints a table and
// writes bench/airflow/out/results.json.
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const { values: opt } = parseArgs({
  options: {
    sizes: { type: "string", default: "1,10,100" },
    reps: { type: "string", default: "3" },
    "no-report": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const sizes = opt.sizes.split(",").map(Number);
const reps = Number(opt.reps);
const cache = process.env.PIPEGEN_CACHE || path.join(os.homedir(), ".cache/pipegen");
const VENV = {
  pipegen: path.join(cache, "venv-airflow"),
  floor: path.join(cache, "venv-airflow"),
  dagfactory: path.join(cache, "venv-airflow-dagfactory"),
};
const KINDS = ["pipegen", "dagfactory", "floor"];
for (const v of Object.values(VENV))
  if (!existsSync(path.join(v, "bin/python")))
    throw new Error(`${v} missing: run bash test/e2e/engines/airflow/install.sh`);

const tmp = mkdtempSync(path.join(os.tmpdir(), "pipegen-bench-airflow-"));
const home = path.join(tmp, "airflow-home");
mkdirSync(home);
const lib = path.join(tmp, "lib"); // dag-factory's task callables
mkdirSync(lib);
copyFileSync(
  path.join(here, "dagfactory/pipegen_bench_tasks.py"),
  path.join(lib, "pipegen_bench_tasks.py"),
);
// Quiet and offline: drop the caller's AIRFLOW* variables and DEV, no examples, no telemetry.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith("AIRFLOW") && k !== "DEV"),
);
Object.assign(env, {
  AIRFLOW_HOME: home,
  AIRFLOW__CORE__LOAD_EXAMPLES: "False",
  AIRFLOW__CORE__UNIT_TEST_MODE: "False",
  AIRFLOW__LOGGING__LOGGING_LEVEL: "ERROR",
  AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(home, "airflow.db")}`,
  AIRFLOW__DAG_FACTORY__ENABLE_TELEMETRY: "False",
  DO_NOT_TRACK: "1",
  SCARF_NO_ANALYTICS: "true",
  PYTHONDONTWRITEBYTECODE: "1",
  PYTHONWARNINGS: "ignore",
  // This checkout's pipegen-runtime ahead of the one installed in the venvs.
  PYTHONPATH: [lib, path.join(root, "runtime/src")].join(path.delimiter),
});

const lastJson = (out) => JSON.parse(out.trim().split("\n").pop());
const exec = (file, args, extraEnv = {}) =>
  execFileSync(file, args, {
    env: { ...env, ...extraEnv },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 28,
  });
const timeBag = (kind, dags, ...flags) =>
  lastJson(
    exec(path.join(VENV[kind], "bin/python"), [path.join(here, "time_dagbag.py"), dags, ...flags]),
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load1 = () => Number(os.loadavg()[0].toFixed(2));

// pipegen: N specs -> pipegen build -> one flat dags folder with every <pipeline>/airflow/*.py
function buildPipegen(names, dir) {
  const specs = path.join(dir, "specs");
  mkdirSync(specs, { recursive: true });
  const src = readFileSync(path.join(root, "specs/shop_orders.yaml"), "utf8");
  if (!/^pipeline: shop_orders$/m.test(src))
    throw new Error("specs/shop_orders.yaml: no `pipeline: shop_orders` line");
  for (const name of names)
    writeFileSync(
      path.join(specs, `${name}.yaml`),
      src.replace(/^pipeline: shop_orders$/m, `pipeline: ${name}`),
    );
  const out = path.join(dir, "out");
  execFileSync(
    process.execPath,
    [path.join(root, "bin/pipegen.js"), "build", specs, "--out", out],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const dags = path.join(dir, "dags-pipegen");
  mkdirSync(dags);
  for (const p of readdirSync(out)) {
    const af = path.join(out, p, "airflow");
    if (!existsSync(af)) continue;
    for (const f of readdirSync(af))
      if (f.endsWith(".py")) copyFileSync(path.join(af, f), path.join(dags, f));
  }
  return dags;
}

// floor / dag-factory: the hand-written shop_orders files, one copy per pipeline name.
function copyTemplates(names, fromDir, toDir, exts, extra = []) {
  mkdirSync(toDir);
  for (const f of readdirSync(fromDir).filter((x) => exts.some((e) => x.endsWith(e)))) {
    const text = readFileSync(path.join(fromDir, f), "utf8");
    for (const name of names)
      writeFileSync(
        path.join(toDir, f.replaceAll("shop_orders", name)),
        text.replaceAll("shop_orders", name),
      );
  }
  for (const f of extra) copyFileSync(path.join(fromDir, f), path.join(toDir, f));
  return toDir;
}

// `airflow dags report` (needs a migrated DB: the e2e harness's template when there is one).
function dagsReport(kind, dags) {
  const db = path.join(home, "airflow.db");
  if (!existsSync(db)) {
    const tdir = path.join(cache, "airflow-db-template");
    const templates = existsSync(tdir)
      ? readdirSync(tdir)
          .filter((f) => /^3\.2\.2-.*\.db$/.test(f))
          .map((f) => path.join(tdir, f))
          .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
      : [];
    if (templates.length) copyFileSync(templates[0], db);
    else exec(path.join(VENV.pipegen, "bin/python"), ["-m", "airflow", "db", "migrate"]);
  }
  const out = exec(
    path.join(VENV[kind], "bin/python"),
    ["-m", "airflow", "dags", "report", "-o", "json"],
    {
      AIRFLOW__CORE__DAGS_FOLDER: dags,
    },
  );
  const rows = JSON.parse(out.slice(out.indexOf("[{")).trim().split("\n")[0]);
  const secs = (d) => d.split(":").reduce((a, x) => a * 60 + Number(x), 0);
  const byKind = {};
  for (const r of rows) {
    const k = r.file.match(/_(ingestion|processing|archival|monitoring)\.py$/)?.[1] ?? r.file;
    (byKind[k] ??= []).push(secs(r.duration));
  }
  return Object.fromEntries(
    Object.entries(byKind).map(([k, xs]) => [
      k,
      { files: xs.length, median_ms: median(xs) * 1000, total_s: xs.reduce((a, b) => a + b, 0) },
    ]),
  );
}

const results = [];
let ok = true;
for (const n of sizes) {
  const dir = path.join(tmp, `n${n}`);
  mkdirSync(dir);
  const names = Array.from({ length: n }, (_, i) => `p_${String(i + 1).padStart(4, "0")}`);
  const folders = {
    pipegen: buildPipegen(names, dir),
    floor: copyTemplates(names, path.join(here, "floor"), path.join(dir, "dags-floor"), [".py"]),
    dagfactory: copyTemplates(
      names,
      path.join(here, "dagfactory"),
      path.join(dir, "dags-dagfactory"),
      [".yaml"],
      ["load_dagfactory_dags.py"],
    ),
  };
  // One untimed run each with the audit: files read and Variable/Connection lookups at parse.
  const audits = Object.fromEntries(KINDS.map((k) => [k, timeBag(k, folders[k], "--audit").audit]));
  const runs = Object.fromEntries(KINDS.map((k) => [k, []]));
  const loads = [load1()];
  for (let r = 0; r < reps; r++)
    for (const kind of [...KINDS.slice(r % 3), ...KINDS.slice(0, r % 3)]) {
      const t0 = performance.now();
      const res = timeBag(kind, folders[kind]);
      res.process_s = (performance.now() - t0) / 1000;
      runs[kind].push(res);
      loads.push(load1());
    }
  const row = { n, load1: loads };
  for (const kind of KINDS) {
    const last = runs[kind].at(-1);
    const errors = Object.keys(last.import_errors).length;
    if (errors) {
      ok = false;
      console.error(`${kind} N=${n}: import errors`, last.import_errors);
    }
    const parse = median(runs[kind].map((x) => x.parse_s));
    const cpu = median(runs[kind].map((x) => x.parse_cpu_s));
    const pyFiles = readdirSync(folders[kind]).filter((x) => x.endsWith(".py")).length;
    row[kind] = {
      py_files: pyFiles,
      dags: last.dags,
      tasks: last.tasks,
      import_errors: errors,
      shape_sha256: last.shape_sha256,
      parse_s_median: parse,
      parse_s_runs: runs[kind].map((x) => x.parse_s),
      parse_cpu_s_median: cpu,
      process_s_median: median(runs[kind].map((x) => x.process_s)),
      import_airflow_s_median: median(runs[kind].map((x) => x.import_airflow_s)),
      per_dag_ms: (parse / last.dags) * 1000,
      per_dag_cpu_ms: (cpu / last.dags) * 1000,
      parse_files_read: audits[kind].opened.length,
      parse_lookups: audits[kind].lookups.length,
    };
  }
  row.dags_match = KINDS.every(
    (k) => row[k].dags === row.pipegen.dags && row[k].shape_sha256 === row.pipegen.shape_sha256,
  );
  if (!row.dags_match) {
    ok = false;
    console.error(`N=${n}: the DAGs differ (shape.py) between pipegen, dag-factory and the floor`);
  }
  for (const [key, other] of [
    ["over_dagfactory", "dagfactory"],
    ["over_floor", "floor"],
  ]) {
    row[`pipegen_${key}`] = row.pipegen.parse_s_median / row[other].parse_s_median;
    row[`pipegen_${key}_cpu`] = row.pipegen.parse_cpu_s_median / row[other].parse_cpu_s_median;
  }
  if (n === Math.max(...sizes) && !opt["no-report"])
    row.dags_report = Object.fromEntries(KINDS.map((k) => [k, dagsReport(k, folders[k])]));
  results.push(row);
  console.error(`N=${n} done`);
}

printTable(results);
const version = (kind, code) =>
  exec(path.join(VENV[kind], "bin/python"), ["-c", code]).trim().split("\n").pop();
const outDir = path.join(here, "out");
mkdirSync(outDir, { recursive: true });
writeFileSync(
  path.join(outDir, "results.json"),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      airflow: version("pipegen", "import airflow;print(airflow.__version__)"),
      dag_factory: version(
        "dagfactory",
        "import importlib.metadata as m;print(m.version('dag-factory'))",
      ),
      node: process.version,
      cpus: os.cpus().length,
      reps,
      results,
    },
    null,
    2,
  ) + "\n",
);
console.log(
  `wrote ${path.relative(root, path.join(outDir, "results.json"))}${opt.keep ? `; kept ${tmp}` : ""}`,
);
if (!opt.keep) rmSync(tmp, { recursive: true, force: true });
process.exit(ok ? 0 : 1);

function printTable(results) {
  const f3 = (x) => x.toFixed(3);
  const f1 = (x) => x.toFixed(1);
  const head = [
    "N",
    "DAGs",
    "tasks",
    "pg s",
    "df s",
    "floor s",
    "pg ms/DAG",
    "df ms/DAG",
    "floor ms/DAG",
    "pg/df",
    "pg/floor",
    "pg/df cpu",
    "pg/floor cpu",
    "match",
    "load1",
  ];
  const rows = results.map((r) => [
    r.n,
    r.pipegen.dags,
    r.pipegen.tasks,
    f3(r.pipegen.parse_s_median),
    f3(r.dagfactory.parse_s_median),
    f3(r.floor.parse_s_median),
    f1(r.pipegen.per_dag_ms),
    f1(r.dagfactory.per_dag_ms),
    f1(r.floor.per_dag_ms),
    r.pipegen_over_dagfactory.toFixed(2),
    r.pipegen_over_floor.toFixed(2),
    r.pipegen_over_dagfactory_cpu.toFixed(2),
    r.pipegen_over_floor_cpu.toFixed(2),
    r.dags_match ? "yes" : "NO",
    `${Math.min(...r.load1).toFixed(1)}-${Math.max(...r.load1).toFixed(1)}`,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  console.log(
    `Airflow DagBag parse, median of ${reps} fresh processes each, interleaved (pg = pipegen, df = dag-factory YAML + loader, floor = hand-written files; same DAGs and operators)`,
  );
  for (const r of [head, ...rows])
    console.log(r.map((c, i) => String(c).padStart(w[i])).join("  "));
  for (const r of results)
    console.log(
      `N=${r.n} at parse: ` +
        KINDS.map(
          (k) =>
            `${k} reads ${r[k].parse_files_read} build files, ${r[k].parse_lookups} Variable/Connection lookups`,
        ).join("; "),
    );
  for (const r of results.filter((x) => x.dags_report)) {
    console.log(
      `airflow dags report at N=${r.n}: per-file duration, median ms (files); sum of all files`,
    );
    for (const kind of KINDS) {
      const entries = Object.entries(r.dags_report[kind]);
      const total = entries.reduce((a, [, v]) => a + v.total_s, 0);
      console.log(
        `  ${kind.padEnd(10)} ` +
          entries.map(([k, v]) => `${k} ${f1(v.median_ms)} (${v.files})`).join(", ") +
          `; sum ${f3(total)} s`,
      );
    }
  }
}
