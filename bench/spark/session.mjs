// What a Spark benchmark run (bench/spark/run.mjs, run-iot.mjs) does alike: the common options,
// the jobs to compare, the log and its failures, the Python helpers and one timed spark-submit.
import path from "node:path";
import { benchSparkDir, e2ePython, exec, sparkPaths, sparkSubmit } from "./services.mjs";
import { fmt, tail } from "./stats.mjs";

/** parseArgs options every Spark benchmark takes (each adds its data size). */
export const COMMON_OPTIONS = {
  reps: { type: "string", default: "3" },
  job: { type: "string", multiple: true, default: [] },
  "driver-memory": { type: "string", default: "2g" },
  "quiet-wait": { type: "string", default: "60" },
  "quiet-share": { type: "string", default: "0.25" },
  keep: { type: "boolean", default: false },
};

/** The jobs of --jobs, then those of --job=NAME=PATH (added to `scripts`, name -> path). */
export function selectJobs(opt, scripts) {
  const jobs = opt.jobs.split(",").filter(Boolean);
  for (const j of opt.job) {
    const [name, file] = [j.slice(0, j.indexOf("=")), j.slice(j.indexOf("=") + 1)];
    if (!name || !file) throw new Error(`--job wants NAME=PATH, got ${j}`);
    scripts[name] = path.resolve(file);
    if (!jobs.includes(name)) jobs.push(name);
  }
  for (const j of jobs)
    if (!scripts[j]) throw new Error(`unknown job ${j} (one of ${Object.keys(scripts)})`);
  return jobs;
}

/** A log on stderr with the seconds since the start, and the failures it has recorded. */
export function benchLog(tag) {
  const t0 = performance.now();
  const log = (s) =>
    process.stderr.write(`[${tag} ${((performance.now() - t0) / 1000).toFixed(0)}s] ${s}\n`);
  const failures = [];
  const fail = (what, detail) => {
    failures.push({ what, detail });
    log(`FAILED ${what}: ${detail}`);
  };
  return { t0, log, fail, failures };
}

/** Runs a Python script of the Spark venv; its stdout, or rejects with its stderr. */
export async function py(script, args, timeoutMs = 300_000) {
  const r = await exec(sparkPaths().python, [script, ...args], { timeoutMs });
  if (r.code !== 0) throw new Error(`${path.basename(script)} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

/** bench/spark/kafka_tool.py's JSON answer (offsets, digest). */
export const kafkaTool = (bootstrap, args) =>
  py(path.join(benchSparkDir, "kafka_tool.py"), ["--bootstrap-servers", bootstrap, ...args]).then(
    (out) => JSON.parse(out.trim().split("\n").pop()),
  );

/** Creates the topics of a generated topics.json with pipegen-runtime's apply program. */
export async function applyTopics(topicsJson, bootstrap) {
  const apply = await exec(e2ePython(), [
    "-m",
    "pipegen_runtime.kafka_apply",
    topicsJson,
    "--bootstrap-servers",
    bootstrap,
  ]);
  if (apply.code !== 0) throw new Error(`kafka_apply failed:\n${apply.stdout}${apply.stderr}`);
}

/**
 * One spark-submit of `script` wrapped in bench/spark/timed.py: the run's record ({job, kind,
 * rep, code, wallS, busyBefore} and timed.py's figures), `failed` (and a failure) when it did
 * not end well.
 */
export async function timedSubmit({ job, kind, rep, script, args, env, opt, busyBefore, fail }) {
  const r = await sparkSubmit(path.join(benchSparkDir, "timed.py"), [script, ...args], {
    driverMemory: opt["driver-memory"],
    env,
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("PIPEGEN_BENCH "));
  const timing = line ? JSON.parse(line.slice("PIPEGEN_BENCH ".length)) : null;
  const result = { job, kind, rep, code: r.code, wallS: r.wallMs / 1000, busyBefore, ...timing };
  if (r.code !== 0 || !timing || timing.queryWallS == null) {
    fail(`${job} ${kind} run ${rep}`, `exit ${r.code}\n${tail(r.stdout, 10)}\n${tail(r.stderr)}`);
    result.failed = true;
  }
  return result;
}

/** The start of a run's log line: its times and how busy the machine was. */
export const runLine = (r) =>
  `${r.job.padEnd(12)} ${r.kind} #${r.rep}: in-query ${fmt(r.queryWallS)} s (cpu ${fmt(r.queryCpuS, 1)} s, ` +
  `others used ${fmt(100 * r.othersCpuShare, 0)}% of the machine), wall ${fmt(r.wallS)} s`;
