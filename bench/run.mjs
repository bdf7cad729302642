#!/usr/bin/env node
// pipegen compiler benchmark: `npm run bench:compiler` (builds dist/ first; `npm run bench` runs it
// first, then the Spark and Airflow benchmarks), or `node bench/run.mjs [options]`.
//
//   --sizes=1,10,100,1000   numbers of synthetic pipelines to build
//   --reps=3                cold builds per size (the median is reported)
//   --startup-runs=20       runs each of `pipegen --version` and `node -e 0`
//   --rss=time|node         how peak RSS is read: GNU `/usr/bin/time -v` (default when it works)
//                           or a preloaded hook (bench/maxrss.mjs) reading process.resourceUsage()
//   --no-profile            skip the CPU profiles of the largest build
//   --live                  run the work tree's bin/ and dist/ instead of a frozen copy of them
//   --keep                  keep the temporary specs and output (the path is printed)
//
// Prints a report and writes bench/out/results.json (and bench/out/profile/*.cpuprofile, which
// open in Chrome DevTools or VS Code). Timing goals are reported, never asserted: the exit code
// is 0 unless something crashed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  analyzeProfile,
  benchDir,
  detectRssMethod,
  fmtMb,
  fmtMs,
  freezeApp,
  generateSpecs,
  max,
  median,
  min,
  repoRoot,
  runNode,
  sameTree,
  snapshotTree,
  table,
} from "./lib.mjs";

const { values: opt } = parseArgs({
  options: {
    sizes: { type: "string", default: "1,10,100,1000" },
    reps: { type: "string", default: "3" },
    "startup-runs": { type: "string", default: "20" },
    rss: { type: "string" },
    "no-profile": { type: "boolean", default: false },
    live: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});
const sizes = opt.sizes
  .split(",")
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0)
  .sort((a, b) => a - b);
const reps = Math.max(1, Number(opt.reps) || 3);
const startupRuns = Math.max(1, Number(opt["startup-runs"]) || 20);
const largest = sizes.at(-1);

// Issue 18: 1,000 pipelines cold <= 5 s, no-op <= 0.5 s, check <= 1 s, peak RSS <= 500 MB.
const GOALS = {
  buildMs: 5000, // 1,000 pipelines
  buildN: 1000,
  exponent: 1.15, // growth exponent treated as linear
  noopMs: 500,
  checkMs: 1000,
  rssMb: 500,
  startupRatio: 2,
};

const outDir = path.join(benchDir, "out");
const profileDir = path.join(outDir, "profile");
const modelSpec = path.join(repoRoot, "specs", "shop_orders.yaml");
const failures = [];
const log = (s) => process.stderr.write(`[bench] ${s}\n`);
const fail = (what, detail) => {
  failures.push({ what, detail });
  log(`FAILED ${what}: ${detail}`);
};
const tail = (s, n = 20) => s.trim().split("\n").slice(-n).join("\n");

if (!existsSync(path.join(repoRoot, "dist", "cli", "main.js"))) {
  process.stderr.write(
    "dist/ is missing: run `npm run bench:compiler` (or `npm run build` first)\n",
  );
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const tmp = mkdtempSync(path.join(os.tmpdir(), "pipegen-bench-"));
const rss = detectRssMethod(opt.rss);
const app = opt.live
  ? { root: repoRoot, cli: path.join(repoRoot, "bin", "pipegen.js") }
  : freezeApp(path.join(tmp, "app"));
const cliPath = app.cli;

function git(args) {
  try {
    return execFileSync("git", args, { cwd: repoRoot, encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}
const dirty = git(["status", "--porcelain", "--", "src", "templates", "schema", "package.json"]);
const env = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpu: `${os.cpus()[0]?.model ?? "?"} x ${os.cpus().length}`,
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  commit: git(["rev-parse", "--short", "HEAD"]),
  uncommittedChanges: dirty === null ? null : dirty.length > 0,
  pipegenVersion: JSON.parse(readFileSync(path.join(app.root, "package.json"), "utf8")).version,
  app: opt.live ? "work tree" : "frozen copy of dist/, bin/, templates/, schema/",
  loadAvgStart: os.loadavg().map((x) => +x.toFixed(2)),
  rssMethod: rss === "time" ? "/usr/bin/time -v" : "node --import bench/maxrss.mjs",
  tmp,
};

const buildArgs = (specs, out, cmd = "build") => [cliPath, cmd, specs, "--out", out, "--quiet"];

/** Waits until the disk has written every dirty page (sync(1)), so a timed run starts on a quiet disk. */
function settleDisk() {
  try {
    execFileSync("sync", { stdio: "ignore" });
  } catch {
    // no sync(1): the run is timed as it comes
  }
}

/** Runs the CLI once; records a failure (and returns null) if it did not exit with 0. */
function cli(what, args, opts = {}) {
  const r = runNode(args, { rss, ...opts });
  if (r.status !== 0) {
    fail(what, `exit ${r.status ?? r.signal}\n${tail(r.stderr + r.stdout)}`);
    return null;
  }
  return r;
}

// ---------------------------------------------------------------- 1. builds per size
const builds = [];
for (const n of sizes) {
  const entry = {
    n,
    cold: [],
    floor: [],
    coldCpu: [],
    coldRssKb: [],
    noop: [],
    noopRssKb: [],
    check: [],
    checkRssKb: [],
  };
  builds.push(entry);
  try {
    const specs = generateSpecs(modelSpec, path.join(tmp, `specs-${n}`), n);
    // Each cold build writes into a new folder: deleting a large tree just before a build makes
    // this virtual disk slow to create files for seconds after (all folders go at the end). And
    // each cold build and floor starts once the disk has written what the one before wrote
    // (settleDisk): else a build of 1,000 pays for the last one's 150 MB still being written.
    let out = path.join(tmp, `out-${n}`);
    for (let i = 0; i < reps; i++) {
      out = path.join(tmp, `out-${n}-${i}`);
      settleDisk();
      const r = cli(`cold build N=${n}`, buildArgs(specs, out));
      if (!r) break;
      settleDisk();
      const floor = runNode([path.join(benchDir, "write-floor.mjs"), out, `${out}-floor`]);
      if (floor.status === 0) entry.floor.push(JSON.parse(floor.stdout).ms);
      entry.cold.push(r.ms);
      entry.coldCpu.push(r.cpuMs);
      entry.coldRssKb.push(r.rssKb);
      log(`build  N=${n} cold ${i + 1}/${reps}: ${fmtMs(r.ms)}, ${fmtMb(r.rssKb)}`);
      if (r.ms > 20000 && i + 1 < reps) {
        log(`build  N=${n}: slow, skipping the remaining repetitions`);
        break;
      }
    }
    if (entry.cold.length === 0) continue;
    const before = snapshotTree(out);
    entry.files = before.size;
    for (let i = 0; i < reps; i++) {
      const r = cli(`no-op rebuild N=${n}`, buildArgs(specs, out));
      if (!r) break;
      entry.noop.push(r.ms);
      entry.noopRssKb.push(r.rssKb);
      log(`build  N=${n} no-op ${i + 1}/${reps}: ${fmtMs(r.ms)}`);
    }
    entry.noopUntouched = sameTree(before, snapshotTree(out));
    if (!entry.noopUntouched)
      fail(`no-op rebuild N=${n}`, "the output tree changed (files rewritten)");
    for (let i = 0; i < reps; i++) {
      const r = cli(`check N=${n}`, buildArgs(specs, out, "check"));
      if (!r) break;
      entry.check.push(r.ms);
      entry.checkRssKb.push(r.rssKb);
      log(`check  N=${n} ${i + 1}/${reps}: ${fmtMs(r.ms)}`);
    }
  } catch (e) {
    fail(`build N=${n}`, e.stack ?? String(e));
  }
}
const med = (e, k) => (e[k].length ? median(e[k]) : null);
for (const e of builds) {
  e.coldMs = med(e, "cold");
  e.floorMs = med(e, "floor");
  e.coldCpuMs = e.coldCpu.every((x) => x != null) ? med(e, "coldCpu") : null;
  e.coldRss = med(e, "coldRssKb");
  e.noopMs = med(e, "noop");
  e.noopRss = med(e, "noopRssKb");
  e.checkMs = med(e, "check");
  e.checkRss = med(e, "checkRssKb");
  e.msPerPipeline = e.coldMs == null ? null : e.coldMs / e.n;
}

// ---------------------------------------------------------------- 2. growth
const ok = builds.filter((e) => e.coldMs != null);
for (let i = 1; i < ok.length; i++) {
  const a = ok[i - 1];
  const b = ok[i];
  b.marginalMsPerPipeline = (b.coldMs - a.coldMs) / (b.n - a.n);
  b.marginalRssKbPerPipeline =
    a.coldRss != null && b.coldRss != null ? (b.coldRss - a.coldRss) / (b.n - a.n) : null;
  b.noopMarginalMsPerPipeline =
    a.noopMs != null && b.noopMs != null ? (b.noopMs - a.noopMs) / (b.n - a.n) : null;
}
// Growth exponent k of (t(N) - t(smallest N)) between the two largest sizes: 1 is linear, 2 quadratic.
function exponent(key) {
  if (ok.length < 3) return null;
  const base = ok[0][key];
  const [a, b] = ok.slice(-2);
  if (base == null || a[key] == null || b[key] == null) return null;
  const da = a[key] - base;
  const db = b[key] - base;
  if (!(da > 0 && db > 0)) return null;
  return Math.log(db / da) / Math.log(b.n / a.n);
}
const growth = {
  coldExponent: exponent("coldMs"),
  noopExponent: exponent("noopMs"),
  between: ok.length >= 3 ? [ok.at(-2).n, ok.at(-1).n] : null,
  fixedCostMs: ok[0]?.coldMs ?? null,
};

// ---------------------------------------------------------------- 3. startup
const startup = { runs: startupRuns, version: [], nodeE0: [] };
try {
  for (let i = 0; i < 2; i++) {
    runNode([cliPath, "--version"]);
    runNode(["-e", "0"]);
  }
  for (let i = 0; i < startupRuns; i++) {
    const v = runNode([cliPath, "--version"]);
    if (v.status !== 0 || v.stdout.trim() !== env.pipegenVersion) {
      fail("pipegen --version", `exit ${v.status}, printed ${JSON.stringify(v.stdout)}`);
      break;
    }
    startup.version.push(v.ms);
    startup.nodeE0.push(runNode(["-e", "0"]).ms);
  }
  startup.versionMs = median(startup.version);
  startup.nodeE0Ms = median(startup.nodeE0);
  startup.ratio = startup.versionMs / startup.nodeE0Ms;
  const v = runNode([cliPath, "--version"], { rss });
  const z = runNode(["-e", "0"], { rss });
  startup.versionRssKb = v.rssKb;
  startup.nodeE0RssKb = z.rssKb;
  log(
    `startup: --version ${fmtMs(startup.versionMs)}, node -e 0 ${fmtMs(startup.nodeE0Ms)}, ratio ${startup.ratio.toFixed(2)}`,
  );
} catch (e) {
  fail("startup", e.stack ?? String(e));
}

// ---------------------------------------------------------------- 4. in-process breakdown
const breakdown = {};
const specsLargest = path.join(tmp, `specs-${largest}`);
for (const mode of ["api", "stages"]) {
  try {
    if (!existsSync(specsLargest)) throw new Error("no specs (the builds failed)");
    const out = path.join(tmp, `breakdown-${mode}`);
    rmSync(out, { recursive: true, force: true });
    const r = runNode([path.join(benchDir, "breakdown.mjs"), mode, specsLargest, out, app.root]);
    if (r.status !== 0) throw new Error(`exit ${r.status}\n${tail(r.stderr)}`);
    breakdown[mode] = JSON.parse(r.stdout.trim().split("\n").at(-1));
    breakdown[mode].wallMs = r.ms;
    log(`breakdown ${mode} N=${largest}: ${fmtMs(r.ms)}`);
  } catch (e) {
    fail(`in-process breakdown (${mode})`, e.stack ?? String(e));
  }
}

// ---------------------------------------------------------------- 5. CPU profiles
const profiles = {};
const stageNames = [
  "compile",
  "findSpecs",
  "loadSpec",
  "validateSchema",
  "validator",
  "resolve",
  "emitAll",
  "render",
  "build",
  "recover",
  "planWrite",
  "applyPlan",
];
if (!opt["no-profile"] && existsSync(specsLargest)) {
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  const out = path.join(tmp, "profile-out");
  rmSync(out, { recursive: true, force: true });
  for (const kind of ["cold", "noop"]) {
    try {
      const name = `build-${largest}-${kind}.cpuprofile`;
      const r = runNode([
        "--cpu-prof",
        `--cpu-prof-dir=${profileDir}`,
        `--cpu-prof-name=${name}`,
        "--cpu-prof-interval=250",
        ...buildArgs(specsLargest, out),
      ]);
      if (r.status !== 0) throw new Error(`exit ${r.status}\n${tail(r.stderr)}`);
      profiles[kind] = {
        file: path.relative(repoRoot, path.join(profileDir, name)),
        wallMs: r.ms,
        ...analyzeProfile(path.join(profileDir, name), stageNames, [app.root, repoRoot]),
      };
      log(`profile ${kind} N=${largest}: ${fmtMs(r.ms)}`);
    } catch (e) {
      fail(`cpu profile (${kind})`, e.stack ?? String(e));
    }
  }
}

// ---------------------------------------------------------------- goals
const at = (n) => builds.find((e) => e.n === n);
const bigBuild = at(GOALS.buildN);
const lastNoop = ok.at(-1);
const goals = [
  {
    goal: "1,000 pipelines build in < 5 s",
    value: bigBuild?.coldMs != null ? fmtMs(bigBuild.coldMs) : "not measured",
    status: bigBuild?.coldMs == null ? "n/a" : bigBuild.coldMs < GOALS.buildMs ? "ok" : "MISSED",
  },
  {
    goal: `linear growth (exponent <= ${GOALS.exponent})`,
    value:
      growth.coldExponent == null
        ? "not measured"
        : `k = ${growth.coldExponent.toFixed(2)} (${growth.between.join(" -> ")})`,
    status:
      growth.coldExponent == null ? "n/a" : growth.coldExponent <= GOALS.exponent ? "ok" : "MISSED",
  },
  {
    goal: `no-op rebuild <= 0.5 s (N=${lastNoop?.n ?? "?"})`,
    value: lastNoop?.noopMs != null ? fmtMs(lastNoop.noopMs) : "not measured",
    status: lastNoop?.noopMs == null ? "n/a" : lastNoop.noopMs <= GOALS.noopMs ? "ok" : "MISSED",
  },
  {
    goal: `check <= 1 s (N=${lastNoop?.n ?? "?"})`,
    value: lastNoop?.checkMs != null ? fmtMs(lastNoop.checkMs) : "not measured",
    status: lastNoop?.checkMs == null ? "n/a" : lastNoop.checkMs <= GOALS.checkMs ? "ok" : "MISSED",
  },
  {
    goal: `peak RSS of the cold build <= ${GOALS.rssMb} MB (N=${bigBuild?.n ?? GOALS.buildN})`,
    value: bigBuild?.coldRss != null ? fmtMb(bigBuild.coldRss) : "not measured",
    status:
      bigBuild?.coldRss == null ? "n/a" : bigBuild.coldRss / 1024 <= GOALS.rssMb ? "ok" : "MISSED",
  },
  {
    goal: "--version within 2x of node -e 0",
    value: startup.ratio != null ? `${startup.ratio.toFixed(2)}x` : "not measured",
    status: startup.ratio == null ? "n/a" : startup.ratio <= GOALS.startupRatio ? "ok" : "MISSED",
  },
];

// ---------------------------------------------------------------- report
env.loadAvgEnd = os.loadavg().map((x) => +x.toFixed(2));
const L = [];
const p = (s = "") => L.push(s);
const pct = (x, total) => `${((100 * x) / total).toFixed(0)}%`;
p("pipegen benchmark");
p(
  `  ${env.date}  node ${env.node}  ${env.platform}  ${env.cpu}  ${env.memoryGb} GB  ` +
    `commit ${env.commit ?? "?"}${env.uncommittedChanges ? " + uncommitted changes" : ""}`,
);
p(
  `  model spec: specs/shop_orders.yaml, copied N times as p_00001..; peak RSS via ${env.rssMethod}`,
);
p(`  cold = empty --out; every figure is the median of ${reps} runs unless noted; runs ${env.app}`);
p(
  `  load average (1 min) at start ${env.loadAvgStart[0]}, at end ${env.loadAvgEnd[0]} on ${os.cpus().length} CPUs: other work on the machine skews the times`,
);
p();
p(
  "1. Build: cold, no-op rebuild and check (child process, `pipegen <cmd> <dir> --out <tmp> --quiet`)",
);
p(`   goal: 1,000 pipelines cold <= 5 s, no-op <= 0.5 s, check <= 1 s, peak RSS <= 500 MB`);
p(
  "   (floor = the same files written again by plain writeFileSync, right after each cold build: the disk's share)",
);
p(`   (cpu = user + system time of the cold build, all threads: less sensitive to a busy machine)`);
p(
  `   (each cold build and each floor starts after sync(1): nothing an earlier run wrote is still being written)`,
);
p(
  table([
    [
      "N",
      "files",
      "cold",
      "(min-max)",
      "floor",
      "cpu",
      "peak RSS",
      "no-op",
      "peak RSS",
      "check",
      "peak RSS",
    ],
    ...builds.map((e) => [
      e.n,
      e.files ?? "-",
      fmtMs(e.coldMs),
      e.cold.length ? `${fmtMs(min(e.cold))}-${fmtMs(max(e.cold))}` : "-",
      fmtMs(e.floorMs),
      fmtMs(e.coldCpuMs),
      fmtMb(e.coldRss),
      fmtMs(e.noopMs),
      fmtMb(e.noopRss),
      fmtMs(e.checkMs),
      fmtMb(e.checkRss),
    ]),
  ]),
);
const touched = builds.filter((e) => e.noopUntouched === false).map((e) => e.n);
p(
  `   no-op rebuilds left the output untouched (same size, mtime, inode): ${touched.length ? `NO for N=${touched.join(", ")}` : "yes"}`,
);
p();
p("2. Growth (cold build)   goal: linear");
p(
  table([
    ["N", "cold", "ms/pipeline", "marginal ms/pipeline", "marginal RSS/pipeline", "no-op marginal"],
    ...builds.map((e) => [
      e.n,
      fmtMs(e.coldMs),
      e.msPerPipeline == null ? "-" : e.msPerPipeline.toFixed(2),
      e.marginalMsPerPipeline == null ? "-" : e.marginalMsPerPipeline.toFixed(2),
      e.marginalRssKbPerPipeline == null ? "-" : `${e.marginalRssKbPerPipeline.toFixed(0)} kB`,
      e.noopMarginalMsPerPipeline == null ? "-" : e.noopMarginalMsPerPipeline.toFixed(2),
    ]),
  ]),
);
p(`   fixed cost (smallest N): ${fmtMs(growth.fixedCostMs)}`);
if (growth.between)
  p(
    `   growth exponent k of (t(N) - t(${ok[0].n})) between N=${growth.between.join(" and N=")}: ` +
      `cold ${growth.coldExponent?.toFixed(2) ?? "-"}, no-op ${growth.noopExponent?.toFixed(2) ?? "-"} (1.0 = linear, 2.0 = quadratic)`,
  );
p();
p(
  `3. Startup (${startupRuns} runs each, interleaved, median)   goal: --version within 2x of node -e 0`,
);
p(
  table([
    ["command", "median", "min", "max", "peak RSS"],
    [
      "node bin/pipegen.js --version",
      fmtMs(startup.versionMs),
      fmtMs(min(startup.version)),
      fmtMs(max(startup.version)),
      fmtMb(startup.versionRssKb),
    ],
    [
      "node -e 0",
      fmtMs(startup.nodeE0Ms),
      fmtMs(min(startup.nodeE0)),
      fmtMs(max(startup.nodeE0)),
      fmtMb(startup.nodeE0RssKb),
    ],
  ]),
);
p(`   ratio: ${startup.ratio?.toFixed(2) ?? "-"}x`);
p();
p(`4. In-process breakdown, N=${largest} (dist/ API in a fresh process; one run each)`);
p(
  "   (compile() with every file in memory, then plan and write on one thread: what `check` and API callers do;",
);
p("   the CLI's build writes each spec's files from the thread that compiled it: `stage` below)");
const a = breakdown.api;
if (a) {
  const total = a.importMs + a.compileMs + a.planMs + a.applyMs;
  p(
    table([
      ["step", "time", "share"],
      ["import dist/api/index.js", fmtMs(a.importMs), pct(a.importMs, total)],
      [
        "compile() (load, validate, resolve, emit, format)",
        fmtMs(a.compileMs),
        pct(a.compileMs, total),
      ],
      ["recover + planWrite (read existing output)", fmtMs(a.planMs), pct(a.planMs, total)],
      [`applyPlan (write ${a.changes} files + manifest)`, fmtMs(a.applyMs), pct(a.applyMs, total)],
      ["total", fmtMs(total), ""],
    ]),
  );
  p(
    `   ${a.pipelines} pipelines, ${a.files} files, ${(a.bytes / 1024 / 1024).toFixed(1)} MB generated; process wall ${fmtMs(a.wallMs)}, peak RSS ${fmtMb(a.maxRssKb)}`,
  );
  if (a.compileJobsMs != null)
    p(
      `   compile() again on ${a.jobs} threads (--jobs ${a.jobs}, worker threads): ${fmtMs(a.compileJobsMs)} (${(a.compileMs / a.compileJobsMs).toFixed(2)}x the one-thread compile)`,
    );
  p(
    `   no-op rebuild in the same (now warm) process: compile ${fmtMs(a.noop.compileMs)}, planWrite ${fmtMs(a.noop.planMs)}, applyPlan ${fmtMs(a.noop.applyMs)} (${a.noop.changes} changes)`,
  );
} else p("   (not available: see failures)");
const s = breakdown.stages;
if (s) {
  const t = Object.values(s.stagesMs).reduce((x, y) => x + y, 0);
  p(`   compile() by step, summed over ${s.specs} specs (fresh process):`);
  p(
    table(
      [
        ["step", "total", "share", "per spec", "first spec"],
        ...Object.entries(s.stagesMs).map(([k, v]) => [
          k,
          fmtMs(v),
          pct(v, t),
          k === "findSpecs" ? "" : `${((v / s.specs) * 1000).toFixed(0)} us`,
          s.firstSpecMs[k] != null ? fmtMs(s.firstSpecMs[k]) : "",
        ]),
        ["total", fmtMs(t), "", "", ""],
      ],
      "     ",
    ),
  );
}
p();
if (Object.keys(profiles).length) {
  p(`5. CPU profile of the N=${largest} build (node --cpu-prof, 250 us sampling)`);
  for (const [kind, pr] of Object.entries(profiles)) {
    p(
      `   ${kind === "cold" ? "cold build" : "no-op rebuild"}: ${fmtMs(pr.totalMs)} sampled (wall ${fmtMs(pr.wallMs)}), ${pr.file}`,
    );
    p("   inclusive time of pipegen functions:");
    p(
      table(
        [
          ["function", "time", "share"],
          ...pr.inclusive
            .filter((x) => x.ms > 0)
            .sort((x, y) => y.ms - x.ms)
            .map((x) => [x.name, fmtMs(x.ms), `${x.pct.toFixed(0)}%`]),
        ],
        "     ",
      ),
    );
    p("   self time by area:");
    p(
      table(
        [
          ["area", "self", "share"],
          ...pr.byArea
            .slice(0, kind === "cold" ? 10 : 6)
            .map((x) => [x.name, fmtMs(x.ms), `${x.pct.toFixed(1)}%`]),
        ],
        "     ",
      ),
    );
    p("   top self-time functions:");
    p(
      table(
        [
          ["function  location", "self", "share"],
          ...pr.topSelf
            .slice(0, kind === "cold" ? 15 : 8)
            .map((x) => [x.name, fmtMs(x.ms), `${x.pct.toFixed(1)}%`]),
        ],
        "     ",
      ),
    );
    p();
  }
}
p("Goals (reported, not asserted)");
p(table([["goal", "measured", "status"], ...goals.map((g) => [g.goal, g.value, g.status])]));
if (failures.length) {
  p();
  p(`FAILURES (${failures.length}):`);
  for (const f of failures) p(`  ${f.what}: ${f.detail.split("\n").join("\n    ")}`);
}

const report = L.join("\n") + "\n";
process.stdout.write("\n" + report);
const results = {
  env,
  options: { sizes, reps, startupRuns },
  goals,
  builds,
  growth,
  startup,
  breakdown,
  profiles,
  failures,
};
writeFileSync(path.join(outDir, "results.json"), JSON.stringify(results, null, 2) + "\n");
writeFileSync(path.join(outDir, "report.txt"), report);
process.stdout.write(
  `\nwrote ${path.relative(repoRoot, path.join(outDir, "results.json"))} and report.txt\n`,
);

if (opt.keep) process.stdout.write(`kept ${tmp}\n`);
else rmSync(tmp, { recursive: true, force: true });
process.exitCode = failures.length ? 1 : 0;
