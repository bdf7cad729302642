#!/usr/bin/env node
// Spark Structured Streaming benchmark (issue 3): events per second through the generated job
// generated/shop_orders/spark/orders_per_minute.py against the same logic written by hand with
// built-in functions (bench/spark/hand_written.py) and with Python UDFs (bench/spark/udf_job.py).
//
//   node bench/spark/run.mjs [--orders=200000] [--reps=3] [--baseline-reps=2]
//                            [--jobs=generated,hand_written,udf] [--job=NAME=PATH ...]
//                            [--driver-memory=2g] [--quiet-wait=60] [--keep]
//
// --jobs may also name hand_written_once: hand_written.py with the generated job's decode-once
// guard (BENCH_DECODE_ONCE=1), to tell that guard's gain from the rest of the generated job.
//
// One real Kafka broker and PostgreSQL (from the e2e install cache), topics from the generated
// topics.json (pipegen-runtime's apply program), tables from the generated DDL. After one unmeasured warm-up run (page cache,
// broker), every job runs on the empty topic (the fixed cost: JVM, session, query start and
// stop), then --orders orders are produced once and
// every job runs --reps times on them, in rotating order, each from a fresh checkpoint and
// empty tables, with --available-now, in spark-submit --master local[2].
//
// Time measured per run: (1) in-query time, from the job's first writeStream.start() to its
// spark.stop() after all queries ended (bench/spark/timed.py wraps the unchanged job script;
// JVM and session start are excluded), and (2) spark-submit wall time, spawn to exit. Reported:
// events/s = N / median in-query time, and N / (median wall - median empty-topic wall).
// Both moments also sample CPU time: of the job's process tree, and of the whole machine, so the
// report gives events per CPU-second too, and how much of the machine other processes used
// during each run (a shared machine makes wall times noisy; CPU time much less so). With
// --quiet-wait=S (default 60; 0: off) the benchmark waits up to S seconds before each run until
// other processes use less than --quiet-share (default 0.25) of the machine.
// Each run's result is checked: the PostgreSQL table against the expected rows computed by
// produce_orders.py, and the dead-letter and orders.per_minute records it wrote against every
// other run's. Writes bench/spark/out/results.json (and out/plans/<job>.txt: the executed plans).
// --job=NAME=PATH adds another job script (same command line as the generated job), e.g. a
// candidate template change: node bench/spark/run.mjs --jobs=generated,hand_written --job=new=/tmp/x.py
// Goals are reported, not asserted: the exit code is 0 unless a run failed or a check failed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { benchSparkDir, repoRoot, sparkPaths, startKafka, startPostgres } from "./services.mjs";
import { avroSchemaOf, registerSchema, startRegistry } from "./registry.mjs";
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
import {
  fmt,
  fmtInt,
  ratiosOf,
  reportLines,
  reportPhases,
  reportTimes,
  rotate,
  summarize,
  waitQuiet,
} from "./stats.mjs";

const { values: opt } = parseArgs({
  options: {
    orders: { type: "string", default: "200000" },
    "baseline-reps": { type: "string", default: "2" },
    jobs: { type: "string", default: "generated,hand_written,udf" },
    ...COMMON_OPTIONS,
  },
});
const N = Number(opt.orders);
const reps = Math.max(1, Number(opt.reps) || 3);
const baselineReps = Math.max(0, Number(opt["baseline-reps"]));
const GOAL = { vsHandWritten: 0.95 };
const gen = path.join(repoRoot, "generated", "shop_orders");
const JOBS = {
  generated: path.join(gen, "spark", "orders_per_minute.py"),
  hand_written: path.join(benchSparkDir, "hand_written.py"),
  udf: path.join(benchSparkDir, "udf_job.py"),
  hand_written_once: path.join(benchSparkDir, "hand_written.py"),
};
/** Environment variables of a job's runs. */
const JOB_ENV = { hand_written_once: { BENCH_DECODE_ONCE: "1" } };
const jobs = selectJobs(opt, JOBS);
const outDir = path.join(benchSparkDir, "out");
const plansDir = path.join(outDir, "plans");
const work = mkdtempSync(path.join(os.tmpdir(), "pipegen-bench-spark-"));
const SINK_TOPICS = ["orders.dlq", "orders.per_minute"];
const { t0, log, fail, failures } = benchLog("bench:spark");

rmSync(plansDir, { recursive: true, force: true });
mkdirSync(plansDir, { recursive: true });
log(`starting Kafka, PostgreSQL and the schema registry (work dir ${work})`);
const [kafka, pg, registry] = await Promise.all([startKafka(), startPostgres(), startRegistry()]);
const cleanup = async () => {
  await Promise.allSettled([kafka.stop(), pg.stop(), registry.stop()]);
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
};
process.once("SIGINT", () => cleanup().then(() => process.exit(130)));

const TABLE_DIGEST = `SELECT count(*), coalesce(md5(string_agg(customer_id || ',' ||
  to_char(window_start, 'YYYY-MM-DD HH24:MI:SS') || ',' || orders || ',' || revenue || ',' ||
  largest, E'\\n' ORDER BY customer_id, window_start)), '') FROM orders_per_minute`;

/** One spark-submit of a job from a fresh checkpoint and empty tables. */
async function runJob(job, kind, rep, explain) {
  const checkpoints = path.join(work, `ckpt-${kind}-${job}-${rep}`);
  await pg.query(["TRUNCATE orders_per_minute", "TRUNCATE pipegen_batches"]);
  const before = await kafkaTool(kafka.bootstrap, ["offsets", ...SINK_TOPICS]);
  const explainFile = explain ? path.join(plansDir, `${job}.txt`) : undefined;
  const busyBefore = await waitQuiet(opt["quiet-wait"], opt["quiet-share"]);
  const env = {
    ANALYTICS_DB_HOST: "127.0.0.1",
    ANALYTICS_DB_PORT: String(pg.port),
    ANALYTICS_PASSWORD: pg.password,
    KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
    SCHEMA_REGISTRY_URL: registry.ccompatUrl,
    BENCH_EXPLAIN_FILE: explainFile,
    ...JOB_ENV[job],
  };
  const args = ["--bootstrap-servers", kafka.bootstrap, "--checkpoint-root", checkpoints];
  args.push("--available-now");
  const [script, ids] = [JOBS[job], { job, kind, rep }];
  const result = await timedSubmit({ ...ids, script, args, env, opt, busyBefore, fail });
  if (result.failed) return result;
  const [[rows, md5]] = await pg.query(TABLE_DIGEST);
  result.table = { rows: Number(rows), md5 };
  result.sinks = await kafkaTool(kafka.bootstrap, [
    "digest",
    "--since",
    JSON.stringify(before),
    ...SINK_TOPICS,
  ]);
  result.inputRows = Object.fromEntries(result.queries.map((q) => [q.name, q.inputRows]));
  rmSync(checkpoints, { recursive: true, force: true });
  log(
    `${runLine(result)}, table ${result.table.rows} rows, ` +
      `dlq ${result.sinks["orders.dlq"].count}, per_minute ${result.sinks["orders.per_minute"].count}`,
  );
  return result;
}

const runs = [];
let expected;
try {
  await applyTopics(path.join(gen, "kafka", "topics.json"), kafka.bootstrap);
  await pg.query(readFileSync(path.join(gen, "spark", "ddl", "analytics.sql"), "utf8"));
  // the jobs read the writer schemas of orders.raw-value from the registry when they start
  const avsc = path.join(gen, "kafka", "schemas", "orders.raw.avsc");
  const schemaId = await registerSchema(
    registry.ccompatUrl,
    "orders.raw-value",
    avroSchemaOf(readFileSync(avsc, "utf8")),
  );

  // warm-up: the first spark-submit reads the jars and Python from disk, the broker is cold
  const warm = await runJob(jobs.at(-1), "warm-up", 0, false);
  runs.push(warm);
  for (let rep = 1; rep <= baselineReps; rep++)
    for (const job of rotate(jobs, rep)) runs.push(await runJob(job, "empty", rep, false));

  log(`producing ${fmtInt(N)} orders to orders.raw`);
  const expectedFile = path.join(work, "expected.json");
  const tp = performance.now();
  await py(
    path.join(benchSparkDir, "produce_orders.py"),
    [
      "--bootstrap-servers",
      kafka.bootstrap,
      "--orders",
      String(N),
      "--schema",
      avsc,
      "--schema-id",
      String(schemaId),
      "--expected",
      expectedFile,
    ],
    900_000,
  );
  expected = JSON.parse(readFileSync(expectedFile, "utf8"));
  log(
    `produced in ${fmt((performance.now() - tp) / 1000, 1)} s: ${fmtInt(expected.windows)} expected windows, ${expected.deadLetters} dead letters`,
  );

  for (let rep = 1; rep <= reps; rep++) {
    // rotate the order so that no job always runs first (page cache, broker warm-up)
    for (const job of rotate(jobs, rep)) runs.push(await runJob(job, "full", rep, rep === reps));
  }
} catch (e) {
  fail("benchmark", e.stack ?? String(e));
} finally {
  await cleanup();
}

// ---------------------------------------------------------------------------------------------
const full = runs.filter((r) => r.kind === "full" && !r.failed);

// correctness: every full run against the expected table, and the sinks against each other
if (expected) {
  for (const r of full) {
    if (r.table.md5 !== expected.tableMd5 || r.table.rows !== expected.windows)
      fail(
        `${r.job} run ${r.rep} table`,
        `${r.table.rows} rows md5 ${r.table.md5}, expected ${expected.windows} rows md5 ${expected.tableMd5}`,
      );
    if (r.sinks["orders.dlq"].count !== expected.deadLetters)
      fail(
        `${r.job} run ${r.rep} dead letters`,
        `${r.sinks["orders.dlq"].count}, expected ${expected.deadLetters}`,
      );
  }
}
const sameAcross = (topic) => {
  const digests = new Set(full.map((r) => r.sinks[topic].sha256));
  if (digests.size > 1)
    fail(
      `${topic} records differ between runs`,
      full
        .map(
          (r) => `${r.job}#${r.rep}: ${r.sinks[topic].count} ${r.sinks[topic].sha256.slice(0, 12)}`,
        )
        .join(", "),
    );
  return digests.size === 1;
};
const dlqSame = full.length > 0 && sameAcross("orders.dlq");
const perMinuteSame = full.length > 0 && sameAcross("orders.per_minute");

const summary = summarize(jobs, runs, N);
const ratios = ratiosOf(jobs, summary);

// report --------------------------------------------------------------------------------------
const out = reportLines();
const { lines, p } = out;
const cpus = os.cpus();
p("pipegen Spark benchmark: shop_orders.orders_per_minute (issue 3)");
p(
  `Spark ${sparkPaths().version}, local[2], driver ${opt["driver-memory"]}; ${cpus.length} x ${cpus[0]?.model ?? "?"}; ` +
    `node ${process.version}; ${new Date().toISOString()}`,
);
if (expected)
  p(
    `input: ${fmtInt(N)} records in orders.raw (6 partitions, zstd), ${expected.deadLetters} dead letters, ` +
      `${fmtInt(expected.cancelled)} cancelled, ${fmtInt(expected.counted)} counted into ${fmtInt(expected.windows)} windows; ` +
      `maxOffsetsPerTrigger 100,000, availableNow, 16 shuffle partitions`,
  );
p(
  `runs: ${reps} per job on the data (rotating order), ${baselineReps} per job on the empty topic; medians`,
);
p();
reportTimes(out, {
  runs,
  jobs,
  summary,
  ratios,
  baseline: "hand_written",
  goal: GOAL.vsHandWritten,
});
p();
p("same results:");
if (expected) {
  for (const job of jobs) {
    const f = full.filter((r) => r.job === job);
    const good = f.filter(
      (r) =>
        r.table.md5 === expected.tableMd5 && r.sinks["orders.dlq"].count === expected.deadLetters,
    );
    p(
      `  ${job.padEnd(12)} table == expected (${fmtInt(expected.windows)} rows, md5 ${expected.tableMd5.slice(0, 12)}) ` +
        `and ${expected.deadLetters} dead letters in ${good.length}/${f.length} runs`,
    );
  }
}
p(
  `  orders.dlq records (key, bytes, headers) identical across all runs: ${dlqSame ? "yes" : "NO"}`,
);
p(`  orders.per_minute records identical across all runs: ${perMinuteSame ? "yes" : "NO"}`);
p();
reportPhases(out, jobs, summary);
if (failures.length) {
  p();
  p(`FAILURES (${failures.length}):`);
  for (const f of failures) p(`  ${f.what}: ${f.detail.split("\n")[0]}`);
}
p();
p(`total benchmark time ${fmt((performance.now() - t0) / 1000, 0)} s`);

const report = lines.join("\n");
process.stdout.write(report + "\n");
writeFileSync(path.join(outDir, "report.txt"), report + "\n");
writeFileSync(
  path.join(outDir, "results.json"),
  JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      environment: {
        spark: sparkPaths().version,
        master: "local[2]",
        driverMemory: opt["driver-memory"],
        cpus: cpus.length,
        cpuModel: cpus[0]?.model,
        node: process.version,
      },
      options: { orders: N, reps, baselineReps, jobs },
      goal: GOAL,
      expected,
      ratios,
      summary,
      checks: { dlqIdenticalAcrossRuns: dlqSame, perMinuteIdenticalAcrossRuns: perMinuteSame },
      failures,
      runs,
    },
    null,
    2,
  ) + "\n",
);
process.exit(failures.length ? 1 : 0);
