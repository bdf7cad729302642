#!/usr/bin/env node
// Spark Structured Streaming benchmark of iot_sensors.site_climate (issue 18, part 4): events per
// second through the generated job generated/iot_sensors/spark/site_climate.py (Avro in, a range
// check, dedupe within the watermark, 10-minute windows sliding by 5 minutes with avg, max,
// count and approx_count_distinct, an exactly-once upsert into MariaDB) against the same stream
// written by hand with built-in functions (bench/spark/hand_written_iot.py).
//
//   node bench/spark/run-iot.mjs [--readings=150000] [--reps=3] [--baseline-reps=1]
//                                [--max-offsets-per-trigger=25000] [--jobs=generated,hand_written]
//                                [--job=NAME=PATH ...] [--driver-memory=2g] [--quiet-wait=60] [--keep]
//
// --jobs may also name hand_written_once (hand_written_iot.py with the generated job's
// decode-once guard). Kafka, Apicurio Registry and MariaDB come from the e2e install cache;
// topics from the generated topics.json, tables from the generated DDL, the reader schema
// registered as the subject's first version. The stream starts at the topic's end
// (startingOffsets: latest, in both jobs): each job first runs once on the empty topic, which
// fixes its starting offsets (0) in a checkpoint kept as a template (this run also warms the
// page cache); every later run starts from a fresh copy of that template and empty tables.
// Then --baseline-reps runs per job on the empty topic (the fixed cost), then --readings
// readings are produced once by produce_readings.py (which computes the expected table), then
// every job runs --reps times on them in rotating order, with --available-now and
// --max-offsets-per-trigger records per micro-batch (both jobs alike: several batches, so the
// watermark moves, state is evicted and the late readings are dropped), in spark-submit
// --master local[2]. Timing as in run.mjs (bench/spark/timed.py). Each run's table is checked
// against the expected rows and the other runs' tables, its dead letters (key, bytes, headers)
// against the other runs'. Writes bench/spark/out/iot/{report.txt,results.json,plans/}.
// Goals are reported, not asserted: the exit code is 0 unless a run or a check failed.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startMariadb } from "./mariadb.mjs";
import { avroSchemaOf, registerSchema, startRegistry } from "./registry.mjs";
import { benchSparkDir, exec, repoRoot, sparkPaths, startKafka } from "./services.mjs";
import {
  applyTopics,
  benchLog,
  COMMON_OPTIONS,
  kafkaTool,
  py,
  runLine,
  selectJobs,
  timedSubmit,
} from "./session.mjs";
import * as S from "./stats.mjs";

const { values: opt } = parseArgs({
  options: {
    readings: { type: "string", default: "150000" },
    "baseline-reps": { type: "string", default: "1" },
    "max-offsets-per-trigger": { type: "string", default: "25000" },
    jobs: { type: "string", default: "generated,hand_written" },
    ...COMMON_OPTIONS,
  },
});
const READINGS = Number(opt.readings);
const reps = Math.max(1, Number(opt.reps) || 3);
const baselineReps = Math.max(0, Number(opt["baseline-reps"]));
const GOAL = 1.0;
const gen = path.join(repoRoot, "generated", "iot_sensors");
const JOBS = {
  generated: path.join(gen, "spark", "site_climate.py"),
  hand_written: path.join(benchSparkDir, "hand_written_iot.py"),
  hand_written_once: path.join(benchSparkDir, "hand_written_iot.py"),
};
const JOB_ENV = { hand_written_once: { BENCH_DECODE_ONCE: "1" } };
const jobs = selectJobs(opt, JOBS);
const outDir = path.join(benchSparkDir, "out", "iot");
const plansDir = path.join(outDir, "plans");
const work = mkdtempSync(path.join(os.tmpdir(), "pipegen-bench-spark-iot-"));
const DLQ = "iot.readings.dlq";
const { t0, log, fail, failures } = benchLog("bench:spark-iot");
const uptime = async () => (await exec("uptime", [])).stdout.trim();
const loadBefore = await uptime();

rmSync(plansDir, { recursive: true, force: true });
mkdirSync(plansDir, { recursive: true });
log(`starting Kafka, MariaDB and the schema registry (work dir ${work})`);
const [kafka, db, registry] = await Promise.all([startKafka(), startMariadb(), startRegistry()]);
const cleanup = async () => {
  await Promise.allSettled([kafka.stop(), db.stop(), registry.stop()]);
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
};
process.once("SIGINT", () => cleanup().then(() => process.exit(130)));

const TABLE_ROWS =
  "SELECT site, DATE_FORMAT(window_start, '%Y-%m-%d %H:%i:%s'), DATE_FORMAT(window_end, " +
  "'%Y-%m-%d %H:%i:%s'), avg_temperature_c, max_temperature_c, readings, sensors FROM site_climate " +
  "ORDER BY site, window_start";

/** One spark-submit of a job: from a copy of `template` (or into it: the first run), empty tables. */
async function runJob(job, kind, rep, { template, explain = false }) {
  const checkpoints = kind === "init" ? template : path.join(work, `ckpt-${kind}-${job}-${rep}`);
  if (kind !== "init") cpSync(template, checkpoints, { recursive: true });
  await db.query("TRUNCATE site_climate; TRUNCATE pipegen_batches");
  const before = await kafkaTool(kafka.bootstrap, ["offsets", DLQ]);
  const busyBefore = await S.waitQuiet(opt["quiet-wait"], opt["quiet-share"]);
  const args = [
    "--bootstrap-servers",
    kafka.bootstrap,
    "--checkpoint-root",
    checkpoints,
    "--available-now",
  ];
  args.push("--max-offsets-per-trigger", opt["max-offsets-per-trigger"]);
  const env = {
    METRICS_DB_HOST: "127.0.0.1",
    METRICS_DB_PORT: String(db.port),
    METRICS_DB_PASSWORD: db.password,
    KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
    SCHEMA_REGISTRY_URL: registry.ccompatUrl,
    BENCH_EXPLAIN_FILE: explain ? path.join(plansDir, `${job}.txt`) : undefined,
    ...JOB_ENV[job],
  };
  const [script, ids] = [JOBS[job], { job, kind, rep }];
  const result = await timedSubmit({ ...ids, script, args, env, opt, busyBefore, fail });
  if (result.failed) return result;
  const rows = await db.query(TABLE_ROWS);
  result.table = { rows: rows.length, sha256: sha256(JSON.stringify(rows)) };
  result.tableRows = rows;
  result.sinks = await kafkaTool(kafka.bootstrap, [
    "digest",
    "--since",
    JSON.stringify(before),
    DLQ,
  ]);
  if (kind !== "init") rmSync(checkpoints, { recursive: true, force: true });
  log(
    `${runLine(result)}, table ${result.table.rows} rows, dead letters ${result.sinks[DLQ].count}`,
  );
  return result;
}
const sha256 = (s) => createHash("sha256").update(s).digest("hex");

/** How a run's table differs from the expected rows: [] when it does not (avg within 1e-9). */
function tableDiff(got, want) {
  const out = [];
  if (got.length !== want.length) out.push(`${got.length} rows, expected ${want.length}`);
  const close = (a, b) =>
    a === null
      ? b === null
      : b !== null && Math.abs(Number(a) - b) <= 1e-9 * Math.max(1, Math.abs(b));
  for (let i = 0; i < Math.min(got.length, want.length) && out.length < 5; i++) {
    const [site, start, end, avg, max, n, sensors] = got[i];
    const w = want[i];
    const same =
      site === w[0] &&
      start === w[1] &&
      end === w[2] &&
      close(avg, w[3]) &&
      close(max, w[4]) &&
      Number(n) === w[5] &&
      Number(sensors) === w[6];
    if (!same) out.push(`row ${i}: ${JSON.stringify(got[i])}, expected ${JSON.stringify(w)}`);
  }
  return out;
}

const runs = [];
let expected;
try {
  await applyTopics(path.join(gen, "kafka", "topics.json"), kafka.bootstrap);
  await db.query(readFileSync(path.join(gen, "spark", "ddl", "metrics.sql"), "utf8"));
  const avsc = path.join(gen, "kafka", "schemas", "iot.readings.avsc");
  const schemaId = await registerSchema(
    registry.ccompatUrl,
    "iot.readings-value",
    avroSchemaOf(readFileSync(avsc, "utf8")),
  );

  const templates = Object.fromEntries(jobs.map((j) => [j, path.join(work, `template-${j}`)]));
  for (const job of jobs) {
    const init = await runJob(job, "init", 0, { template: templates[job] });
    runs.push(init);
    if (init.failed) throw new Error(`the first run of ${job} on the empty topic failed`);
  }
  for (let rep = 1; rep <= baselineReps; rep++)
    for (const job of S.rotate(jobs, rep))
      runs.push(await runJob(job, "empty", rep, { template: templates[job] }));

  log(`producing ${S.fmtInt(READINGS)} readings to iot.readings`);
  const expectedFile = path.join(work, "expected.json");
  const tp = performance.now();
  await py(
    path.join(benchSparkDir, "produce_readings.py"),
    [
      ...["--bootstrap-servers", kafka.bootstrap, "--readings", String(READINGS)],
      ...["--schema", avsc, "--schema-id", String(schemaId), "--expected", expectedFile],
    ],
    900_000,
  );
  expected = JSON.parse(readFileSync(expectedFile, "utf8"));
  log(
    `produced ${S.fmtInt(expected.records)} records in ${S.fmt((performance.now() - tp) / 1000, 1)} s: ` +
      `${S.fmtInt(expected.windows)} expected windows, ${expected.deadLetters} dead letters`,
  );
  for (let rep = 1; rep <= reps; rep++)
    for (const job of S.rotate(jobs, rep))
      runs.push(
        await runJob(job, "full", rep, { template: templates[job], explain: rep === reps }),
      );
} catch (e) {
  fail("benchmark", e.stack ?? String(e));
} finally {
  await cleanup();
}
const loadAfter = await uptime();

// ---------------------------------------------------------------------------------------------
const full = runs.filter((r) => r.kind === "full" && !r.failed);
const tableOk = new Map();
if (expected)
  for (const r of full) {
    const diff = tableDiff(r.tableRows, expected.rows);
    tableOk.set(r, diff.length === 0);
    if (diff.length) fail(`${r.job} run ${r.rep} table`, diff.join("\n"));
    if (r.sinks[DLQ].count !== expected.deadLetters)
      fail(
        `${r.job} run ${r.rep} dead letters`,
        `${r.sinks[DLQ].count}, expected ${expected.deadLetters}`,
      );
  }
const sameAcross = (what, key) => {
  const digests = new Set(full.map(key));
  if (digests.size > 1)
    fail(
      `${what} differ between runs`,
      full.map((r) => `${r.job}#${r.rep}: ${key(r).slice(0, 12)}`).join(", "),
    );
  return full.length > 0 && digests.size === 1;
};
const tablesSame = sameAcross("site_climate tables", (r) => r.table.sha256);
const dlqSame = sameAcross(`${DLQ} records`, (r) => r.sinks[DLQ].sha256);
const N = expected?.records ?? NaN;
const summary = S.summarize(jobs, runs, N);
const ratios = S.ratiosOf(jobs, summary);

const out = S.reportLines();
const { p } = out;
const cpus = os.cpus();
p("pipegen Spark benchmark: iot_sensors.site_climate (issue 18)");
p(
  `Spark ${sparkPaths().version}, local[2], driver ${opt["driver-memory"]}; ${cpus.length} x ${cpus[0]?.model ?? "?"}; ` +
    `node ${process.version}; ${new Date().toISOString()}`,
);
p(`load before: ${loadBefore}`);
p(`load after:  ${loadAfter}`);
if (expected)
  p(
    `input: ${S.fmtInt(N)} records in iot.readings (12 partitions, lz4): ${S.fmtInt(expected.readings)} readings, ` +
      `${S.fmtInt(expected.duplicates)} duplicates, ${expected.deadLetters} dead letters, ${expected.late} late; ` +
      `${S.fmtInt(expected.validReadings)} counted into ${S.fmtInt(expected.windows)} windows; ` +
      `maxOffsetsPerTrigger ${S.fmtInt(Number(opt["max-offsets-per-trigger"]))}, availableNow, 8 shuffle partitions`,
  );
p(
  `runs: ${reps} per job on the data (rotating order), ${baselineReps} per job on the empty topic; medians`,
);
p();
S.reportTimes(out, { runs, jobs, summary, ratios, baseline: "hand_written", goal: GOAL });
p();
p("same results:");
if (expected)
  for (const job of jobs) {
    const f = full.filter((r) => r.job === job);
    const good = f.filter((r) => tableOk.get(r) && r.sinks[DLQ].count === expected.deadLetters);
    p(
      `  ${job.padEnd(12)} table == expected (${S.fmtInt(expected.windows)} rows) and ` +
        `${expected.deadLetters} dead letters in ${good.length}/${f.length} runs`,
    );
  }
p(`  site_climate tables identical across all runs: ${tablesSame ? "yes" : "NO"}`);
p(`  ${DLQ} records (key, bytes, headers) identical across all runs: ${dlqSame ? "yes" : "NO"}`);
p();
S.reportPhases(out, jobs, summary);
if (failures.length) {
  p();
  p(`FAILURES (${failures.length}):`);
  for (const f of failures) p(`  ${f.what}: ${f.detail.split("\n")[0]}`);
}
p();
p(`total benchmark time ${S.fmt((performance.now() - t0) / 1000, 0)} s`);

const report = out.lines.join("\n");
process.stdout.write(report + "\n");
mkdirSync(outDir, { recursive: true });
writeFileSync(path.join(outDir, "report.txt"), report + "\n");
for (const r of runs) delete r.tableRows;
if (expected) delete expected.rows;
writeFileSync(
  path.join(outDir, "results.json"),
  JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      environment: {
        spark: sparkPaths().version,
        master: "local[2]",
        cpus: cpus.length,
        cpuModel: cpus[0]?.model,
      },
      load: { before: loadBefore, after: loadAfter },
      options: opt,
      goal: GOAL,
      expected,
      ratios,
      summary,
      checks: { tablesIdenticalAcrossRuns: tablesSame, dlqIdenticalAcrossRuns: dlqSame },
      failures,
      runs,
    },
    null,
    2,
  ) + "\n",
);
process.exit(failures.length ? 1 : 0);
