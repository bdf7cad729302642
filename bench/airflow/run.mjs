#!/usr/bin/env node
// Airflow DAG parse-time benchmark: pipegen's generated DAG files vs dag-factory YAML.
//
//   node bench/airflow/run.mjs [--sizes=1,10,100] [--reps=3] [--keep]
//
// For each N: builds N copies of specs/shop_orders.yaml (pipeline p_0001..p_N) with
// `node bin/pipegen.js build`, uses <out>/*/airflow as one dags folder (a); writes one
// dag-factory YAML per pipeline describing the same DAG ids, task ids, dependencies and
// schedules (EmptyOperator stand-ins) plus one loader .py calling load_yaml_dags (b).
// Each repetition is a fresh Python process timing DagBag(dag_folder=..., include_examples=False)
// with the same Airflow 3.2.2 (venv-airflow for a, venv-airflow-dagfactory for b), the median is
// reported. Needs `bash test/e2e/engines/airflow/install.sh`. Prints a table and writes
// bench/airflow/out/results.json. Exit code 1 on import errors or mismatched DAGs.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  copyFileSync,
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
    keep: { type: "boolean", default: false },
  },
});
const sizes = opt.sizes.split(",").map(Number);
const reps = Number(opt.reps);
const cache = process.env.PIPEGEN_CACHE || path.join(os.homedir(), ".cache/pipegen");
const PY = {
  pipegen: path.join(cache, "venv-airflow/bin/python"),
  dagfactory: path.join(cache, "venv-airflow-dagfactory/bin/python"),
};
for (const p of Object.values(PY))
  if (!existsSync(p)) throw new Error(`${p} missing: run bash test/e2e/engines/airflow/install.sh`);

const tmp = mkdtempSync(path.join(os.tmpdir(), "pipegen-bench-airflow-"));
const home = path.join(tmp, "airflow-home");
mkdirSync(home);
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
});

const py = (which, script, ...args) =>
  JSON.parse(
    execFileSync(PY[which], [path.join(here, script), ...args], {
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 1 << 28,
    })
      .trim()
      .split("\n")
      .pop(),
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pad = (s, n) => String(s).padStart(n);

// (a) pipegen: N specs -> pipegen build -> one flat dags folder with every <pipeline>/airflow/*.py
function buildPipegen(n, dir) {
  const specs = path.join(dir, "specs");
  mkdirSync(specs, { recursive: true });
  const src = readFileSync(path.join(root, "specs/shop_orders.yaml"), "utf8");
  if (!/^pipeline: shop_orders$/m.test(src))
    throw new Error("specs/shop_orders.yaml: no `pipeline: shop_orders` line");
  for (let i = 1; i <= n; i++) {
    const name = `p_${String(i).padStart(4, "0")}`;
    writeFileSync(
      path.join(specs, `${name}.yaml`),
      src.replace(/^pipeline: shop_orders$/m, `pipeline: ${name}`),
    );
  }
  const out = path.join(dir, "out");
  execFileSync(
    process.execPath,
    [path.join(root, "bin/pipegen.js"), "build", specs, "--out", out],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const dags = path.join(dir, "dags-pipegen");
  mkdirSync(dags);
  for (const p of readdirSync(out)) {
    const af = path.join(out, p, "airflow");
    if (!existsSync(af)) continue;
    for (const f of readdirSync(af))
      if (f.endsWith(".py")) copyFileSync(path.join(af, f), path.join(dags, f));
  }
  return { dags, files: readdirSync(dags).length };
}

// (b) dag-factory: one YAML per pipeline (JSON text, which is YAML) + one loader .py
function buildDagFactory(described, dir) {
  const dags = path.join(dir, "dags-dagfactory");
  mkdirSync(dags);
  const perPipeline = new Map();
  for (const [dagId, d] of Object.entries(described)) {
    const pipeline = dagId.match(/^p_\d{4}/)[0];
    const groups = {};
    const local = new Map(); // full task id -> dag-factory task name
    for (const t of d.tasks) {
      const parts = t.task_id.split(".");
      if (parts.length > 2) throw new Error(`nested task group in ${dagId}.${t.task_id}`);
      local.set(t.task_id, parts.at(-1));
      if (parts.length === 2) groups[parts[0]] = { tooltip: parts[0] };
    }
    if (new Set(local.values()).size !== local.size) throw new Error(`task name clash in ${dagId}`);
    const conf = {
      schedule: d.schedule,
      start_date: "2025-01-01",
      catchup: d.catchup,
      max_active_runs: d.max_active_runs,
      tags: d.tags,
      default_args: { owner: "data-platform@example.com", retries: 2 },
      ...(Object.keys(groups).length ? { task_groups: groups } : {}),
      tasks: d.tasks.map((t) => {
        const parts = t.task_id.split(".");
        return {
          task_id: parts.at(-1),
          operator: "airflow.providers.standard.operators.empty.EmptyOperator",
          ...(parts.length === 2 ? { task_group_name: parts[0] } : {}),
          ...(t.upstream.length ? { dependencies: t.upstream.map((u) => local.get(u)) } : {}),
        };
      }),
    };
    if (!perPipeline.has(pipeline)) perPipeline.set(pipeline, {});
    perPipeline.get(pipeline)[dagId] = conf;
  }
  for (const [p, conf] of perPipeline)
    writeFileSync(path.join(dags, `${p}.yaml`), JSON.stringify(conf, null, 1) + "\n");
  writeFileSync(
    path.join(dags, "load_dagfactory_dags.py"),
    `# airflow dag loader (DagBag's safe mode needs the words "airflow" and "dag" in the file)\nimport os\n\nfrom dagfactory import load_yaml_dags\n\nload_yaml_dags(globals_dict=globals(), dags_folder=os.path.dirname(os.path.abspath(__file__)), suffix=[".yaml"])\n`,
  );
  return { dags, files: readdirSync(dags).length };
}

const results = [];
let ok = true;
for (const n of sizes) {
  const dir = path.join(tmp, `n${n}`);
  mkdirSync(dir);
  const a = buildPipegen(n, dir);
  const described = py("pipegen", "describe_dags.py", a.dags).dags;
  const b = buildDagFactory(described, dir);
  const row = { n };
  for (const [which, f] of [
    ["pipegen", a],
    ["dagfactory", b],
  ]) {
    const runs = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      const res = py(which, "time_dagbag.py", f.dags);
      res.process_s = (performance.now() - t0) / 1000;
      runs.push(res);
    }
    const last = runs.at(-1);
    const parse = median(runs.map((x) => x.parse_s));
    const errors = Object.keys(last.import_errors).length;
    if (errors) {
      ok = false;
      console.error(`${which} N=${n}: import errors`, last.import_errors);
    }
    row[which] = {
      dags_folder_files: f.files,
      py_files: readdirSync(f.dags).filter((x) => x.endsWith(".py")).length,
      dags: last.dags,
      tasks: last.tasks,
      import_errors: errors,
      shape_sha256: last.shape_sha256,
      parse_s_median: parse,
      parse_s_runs: runs.map((x) => x.parse_s),
      process_s_median: median(runs.map((x) => x.process_s)),
      import_airflow_s_median: median(runs.map((x) => x.import_airflow_s)),
      per_dag_s: parse / last.dags,
      per_py_file_s: parse / readdirSync(f.dags).filter((x) => x.endsWith(".py")).length,
    };
  }
  row.dags_match =
    row.pipegen.dags === row.dagfactory.dags &&
    row.pipegen.shape_sha256 === row.dagfactory.shape_sha256;
  if (!row.dags_match) {
    ok = false;
    console.error(`N=${n}: DAGs differ between pipegen and dag-factory`);
  }
  row.ratio_pipegen_over_dagfactory = row.pipegen.parse_s_median / row.dagfactory.parse_s_median;
  results.push(row);
  console.error(`N=${n} done`);
}

const f3 = (x) => x.toFixed(3);
const ms = (x) => (x * 1000).toFixed(1);
const head = [
  "N",
  "DAGs",
  "tasks",
  "pg files",
  "pg parse s",
  "pg ms/file",
  "pg ms/DAG",
  "df parse s",
  "df ms/DAG",
  "errors",
  "match",
  "pg/df",
];
const rows = results.map((r) => [
  r.n,
  r.pipegen.dags,
  r.pipegen.tasks,
  r.pipegen.py_files,
  f3(r.pipegen.parse_s_median),
  ms(r.pipegen.per_py_file_s),
  ms(r.pipegen.per_dag_s),
  f3(r.dagfactory.parse_s_median),
  ms(r.dagfactory.per_dag_s),
  `${r.pipegen.import_errors}/${r.dagfactory.import_errors}`,
  r.dags_match ? "yes" : "NO",
  r.ratio_pipegen_over_dagfactory.toFixed(2),
]);
const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
console.log(
  `Airflow DagBag parse time, median of ${reps} fresh processes (pg = pipegen DAG files, df = dag-factory YAML + 1 loader .py)`,
);
for (const r of [head, ...rows]) console.log(r.map((c, i) => pad(c, w[i])).join("  "));
console.log(
  `process wall (python start + import airflow + parse), median s: ` +
    results
      .map(
        (r) =>
          `N=${r.n} pg ${f3(r.pipegen.process_s_median)} / df ${f3(r.dagfactory.process_s_median)}`,
      )
      .join("; "),
);

const outDir = path.join(here, "out");
mkdirSync(outDir, { recursive: true });
const airflowVersion = execFileSync(
  PY.pipegen,
  ["-c", "import airflow;print(airflow.__version__)"],
  { env, encoding: "utf8" },
)
  .trim()
  .split("\n")
  .pop();
const dfVersion = execFileSync(
  PY.dagfactory,
  ["-c", "import importlib.metadata as m;print(m.version('dag-factory'))"],
  { env, encoding: "utf8" },
)
  .trim()
  .split("\n")
  .pop();
writeFileSync(
  path.join(outDir, "results.json"),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      airflow: airflowVersion,
      dag_factory: dfVersion,
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
