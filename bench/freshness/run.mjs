#!/usr/bin/env node
// Freshness benchmark (issue 18, item 3): how long after its produce a record's row is visible
// in the sink, for a generated long-running stream on a 1-second processing-time trigger, on
// the real engines (Kafka 4.1, Apicurio Registry, Spark 4.0 local[2], PostgreSQL), and the
// highest input rate the job keeps up with on this machine.
//
//   node bench/freshness/run.mjs [--warmup=200:20] [--steady=500:60]
//        [--ramp=1000,2000,4000,7000,10000,14000,19000,25000] [--step-s=20] [--give-up-s=10] [--drain-s=60]
//        [--driver-memory=2g] [--keep]
//
// bench/freshness/fresh.yaml is built with this checkout's compiler (needs `npm run build`):
// shop_orders' order stream without the window, upserted into PostgreSQL, trigger every 1s.
// Topics come from the generated topics.json, the tables from the generated DDL, plus one
// column the benchmark adds after it: fresh_orders.seen_at timestamptz DEFAULT
// clock_timestamp(). The upsert names its columns, so the default fills it on insert: the
// time the row was inserted, inside the transaction that commits its micro-batch. The schema
// is registered in the registry, which the job reads when it starts. The job runs unchanged
// under progress_log.py, which keeps every StreamingQueryProgress; produce_steady.py produces
// the orders (each with its produce time in `produced_ms`) at steady rates, phase by phase: a
// warm-up (not reported), the steady phase (the latency percentiles and where the time goes)
// and the ramp (rising rates: the highest one the job keeps up with, read from the lag of the
// consumer group the job commits to). A record's freshness is the time from its produce to the
// commit of its micro-batch (see analyze.mjs: the batch's last insert); the insert time of the
// row itself is reported too. Goal: p95 <= trigger + 2 s. Goals are reported, not asserted;
// the exit code is 1 when a step failed or a row is missing.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { highestSustained, phaseFigures, sparkPhases, attribute } from "./analyze.mjs";
import { writeReport } from "./report.mjs";
import { avroSchemaOf, registerSchema, startRegistry } from "../spark/registry.mjs";
import {
  e2ePython,
  exec,
  repoRoot,
  sparkPaths,
  sparkSubmitStart,
  startKafka,
  startPostgres,
} from "../spark/services.mjs";

const { values: opt } = parseArgs({
  options: {
    warmup: { type: "string", default: "200:20" },
    steady: { type: "string", default: "500:60" },
    ramp: { type: "string", default: "1000,2000,4000,7000,10000,14000,19000,25000" },
    "step-s": { type: "string", default: "20" },
    "give-up-s": { type: "string", default: "10" },
    "drain-s": { type: "string", default: "60" },
    "driver-memory": { type: "string", default: "2g" },
    keep: { type: "boolean", default: false },
  },
});
const here = path.join(repoRoot, "bench", "freshness");
const outDir = path.join(here, "out");
const TRIGGER_S = 1; // fresh.yaml's trigger: {every: 1s}
const GROUP = "pipegen.fresh.fresh_orders";
const SINKS_QUERY = "fresh.fresh_orders.sinks";
const t0 = performance.now();
const log = (s) =>
  process.stderr.write(`[bench:freshness ${((performance.now() - t0) / 1000).toFixed(0)}s] ${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const phaseOf = (name, spec) => {
  const [rate, seconds] = spec.split(":").map(Number);
  return { name, rate, seconds };
};
const phases = [
  phaseOf("warm-up", opt.warmup),
  phaseOf("steady", opt.steady),
  ...opt.ramp
    .split(",")
    .filter(Boolean)
    .map((r) => ({
      name: `ramp ${r}/s`,
      rate: Number(r),
      seconds: Number(opt["step-s"]),
      ramp: true,
    })),
];

if (!existsSync(path.join(repoRoot, "dist", "cli", "main.js")))
  throw new Error("no dist/: run npm run build first (the benchmark builds its spec)");
const work = mkdtempSync(path.join(os.tmpdir(), "pipegen-bench-freshness-"));
const gen = path.join(work, "generated", "fresh");
const checkpoints = path.join(work, "checkpoints");
const progressFile = path.join(work, "progress.jsonl");
const producerFile = path.join(work, "producer.json");
const failures = [];
const fail = (what, detail) => {
  failures.push({ what, detail });
  log(`FAILED ${what}: ${detail}`);
};
const uptime = async () => (await exec("uptime", [])).stdout.trim();

const built = await exec(process.execPath, [
  path.join(repoRoot, "bin", "pipegen.js"),
  "build",
  path.join(here, "fresh.yaml"),
  "--out",
  path.join(work, "generated"),
]);
if (built.code !== 0) throw new Error(`pipegen build failed:\n${built.stdout}${built.stderr}`);

log(`starting Kafka, PostgreSQL and the schema registry (work dir ${work})`);
const [kafka, pg, registry] = await Promise.all([startKafka(), startPostgres(), startRegistry()]);
let job;
const cleanup = async () => {
  job?.kill("SIGKILL");
  await job?.done;
  await Promise.allSettled([kafka.stop(), pg.stop(), registry.stop()]);
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
};
process.once("SIGINT", () => cleanup().then(() => process.exit(130)));
const { python } = sparkPaths();
const py = async (script, args, timeoutMs) => {
  const r = await exec(python, [path.join(here, script), ...args], { timeoutMs });
  if (r.code !== 0) throw new Error(`${script} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
};
const readProgress = () =>
  existsSync(progressFile)
    ? readFileSync(progressFile, "utf8")
        .split("\n")
        .slice(0, -1) // a line still being written has no newline yet
        .map((l) => JSON.parse(l))
    : [];

/** Starts the job; resolves once both its queries have run a trigger (a batch, or found none). */
async function startJob() {
  job = sparkSubmitStart(
    path.join(here, "progress_log.py"),
    [
      path.join(gen, "spark", "fresh_orders.py"),
      "--bootstrap-servers",
      kafka.bootstrap,
      "--checkpoint-root",
      checkpoints,
    ],
    {
      driverMemory: opt["driver-memory"],
      timeoutMs: 1_800_000,
      env: {
        ANALYTICS_DB_HOST: "127.0.0.1",
        ANALYTICS_DB_PORT: String(pg.port),
        ANALYTICS_PASSWORD: pg.password,
        KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
        SCHEMA_REGISTRY_URL: registry.ccompatUrl,
        BENCH_PROGRESS_FILE: progressFile,
      },
    },
  );
  let ended = null;
  job.done.then((r) => (ended = r));
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (ended)
      throw new Error(`the job ended early (exit ${ended.code}):\n${ended.stderr.slice(-4000)}`);
    const events = readProgress();
    const started = events.filter((e) => e.event === "started").map((e) => e.id);
    const active = new Set(events.filter((e) => e.event !== "started").map((e) => e.id));
    if (started.length >= 2 && started.every((id) => active.has(id))) return;
    if (Date.now() > deadline) throw new Error("the job's queries made no progress in 240 s");
    await sleep(500);
  }
}

let result = null;
try {
  const apply = await exec(e2ePython(), [
    "-m",
    "pipegen_runtime.kafka_apply",
    path.join(gen, "kafka", "topics.json"),
    "--bootstrap-servers",
    kafka.bootstrap,
  ]);
  if (apply.code !== 0) throw new Error(`kafka_apply failed:\n${apply.stdout}${apply.stderr}`);
  await pg.query([
    readFileSync(path.join(gen, "spark", "ddl", "analytics.sql"), "utf8"),
    // not NOT NULL: the job's staging table is made LIKE the sink table, without defaults
    "ALTER TABLE fresh_orders ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp()",
    // the start of each commit's transaction as an instant (committed_at is a local TIMESTAMP)
    "ALTER TABLE pipegen_batches ADD COLUMN began_at timestamptz DEFAULT now()",
  ]);
  const schemaId = await registerSchema(
    registry.ccompatUrl,
    "orders.raw-value",
    avroSchemaOf(readFileSync(path.join(gen, "kafka", "schemas", "orders.raw.avsc"), "utf8")),
  );
  // the queries' first batches (empty topic) run before any record: JVM start is not measured
  const loadBefore = await uptime();
  log(`starting the job (${loadBefore})`);
  await startJob();
  log(
    `job running; producing: ${phases.map((p) => `${p.name} ${p.rate}/s x ${p.seconds}s`).join(", ")}`,
  );
  const produced = JSON.parse(
    (
      await py(
        "produce_steady.py",
        [
          "--bootstrap-servers",
          kafka.bootstrap,
          "--schema-id",
          String(schemaId),
          "--group",
          GROUP,
          "--phases",
          JSON.stringify(phases),
          "--give-up-s",
          opt["give-up-s"],
          "--drain-s",
          opt["drain-s"],
          "--out",
          producerFile,
        ],
        3_600_000,
      )
    )
      .trim()
      .split("\n")
      .pop(),
  );
  const loadAfter = await uptime();
  log(
    `produced ${produced.produced} records (drained: ${produced.drained}); stopping the job (${loadAfter})`,
  );
  job.kill("SIGTERM");
  const end = await Promise.race([job.done, sleep(90_000).then(() => null)]);
  // SIGTERM reaches the JVM too, whose shutdown may end the graceful stop early: not a failure
  if (!end) fail("job stop", "no exit 90 s after SIGTERM");
  else log(`job ended: exit ${end.code}, signal ${end.signal ?? "none"}`);
  result = await collect(JSON.parse(readFileSync(producerFile, "utf8")), { loadBefore, loadAfter });
} catch (e) {
  fail("benchmark", e.stack ?? String(e));
  if (job) log(job.output().stderr.slice(-3000));
} finally {
  await cleanup();
}

/** The rows, batches and progress of the run, attributed and summed up per phase. */
async function collect(producer, load) {
  const rows = (
    await pg.query("SELECT produced_ms, extract(epoch FROM seen_at) * 1000 FROM fresh_orders")
  ).map(([p, s]) => ({ producedMs: Number(p), seenMs: Number(s) }));
  const batches = (
    await pg.query("SELECT batch_id, extract(epoch FROM began_at) * 1000 FROM pipegen_batches")
  ).map(([b, c]) => ({ batchId: Number(b), committedMs: Number(c) }));
  const dlq = JSON.parse(
    (
      await py(
        path.join("..", "spark", "kafka_tool.py"),
        [
          "--bootstrap-servers",
          kafka.bootstrap,
          "digest",
          "--since",
          '{"orders.dlq": {"0": 0}}',
          "orders.dlq",
        ],
        120_000,
      )
    )
      .trim()
      .split("\n")
      .pop(),
  )["orders.dlq"].count;
  const progress = readProgress()
    .filter((p) => p.batchId !== undefined)
    .map((p) => ({ ...p, startMs: Date.parse(p.timestamp) }));
  const starts = new Map(
    progress.filter((p) => p.name === SINKS_QUERY).map((p) => [p.batchId, p.startMs]),
  );
  const attributed = attribute(rows, batches, starts);
  const expectedRows = producer.produced - producer.cancelled - producer.dead;
  if (rows.length !== expectedRows) fail("sink rows", `${rows.length}, expected ${expectedRows}`);
  if (dlq !== producer.dead)
    fail("dead letters", `${dlq} in orders.dlq, expected ${producer.dead}`);
  const figures = producer.phases.map((ph) => ({
    ...phaseFigures(ph, attributed, producer.lag),
    sinks: sparkPhases(progress, SINKS_QUERY, ph.startMs, ph.endMs),
    deadLetter: sparkPhases(progress, "fresh.fresh_orders.dead_letter", ph.startMs, ph.endMs),
  }));
  return {
    generatedAt: new Date().toISOString(),
    triggerS: TRIGGER_S,
    goalP95Ms: (TRIGGER_S + 2) * 1000,
    environment: {
      spark: sparkPaths().version,
      master: "local[2]",
      driverMemory: opt["driver-memory"],
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      node: process.version,
      uptimeBefore: load.loadBefore,
      uptimeAfter: load.loadAfter,
    },
    options: opt,
    counts: {
      produced: producer.produced,
      cancelled: producer.cancelled,
      dead: producer.dead,
      rows: rows.length,
      expectedRows,
      deadLetters: dlq,
      batches: batches.length,
      drained: producer.drained,
      drainedS: producer.drainedS,
    },
    figures,
    highestSustained: highestSustained(figures)?.targetRate ?? null,
    lag: producer.lag,
  };
}

mkdirSync(outDir, { recursive: true });
const report = writeReport(result, failures, outDir, (performance.now() - t0) / 1000);
process.stdout.write(report + "\n");
process.exit(failures.length ? 1 : 0);
