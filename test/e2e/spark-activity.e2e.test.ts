// The user_activity example's generated Spark jobs on real servers:
//   generated/user_activity/spark/user_actions_hourly.py — Avro from Kafka, quality rules with
//     onInvalid: drop, dedupe on event_id, 1-hour windows with a 30-minute watermark, written to
//     Apache Cassandra 5.0 (python cassandra-driver in foreachPartition; the generated CQL applied
//     first) and to a MongoDB-wire server, FerretDB 1.24 (mongo-spark-connector, replace/upsert
//     by _id), both upserts by key;
//   generated/user_activity/spark/activity_daily.py — the archive, JSON partitioned by dt, to
//     s3a:// on MinIO (hadoop-aws + the AWS SDK bundle, credentials from the environment).
// The expected rows are computed in test/e2e/spark/activity-data.ts, not by Spark; what the
// servers hold is read back with their own clients (cassandra-driver, pymongo, plain S3).
// Every job here runs on a Python without pipegen-runtime installed: the runtime reaches the
// driver and the executors (the Cassandra writer runs there) through --py-files alone, as
// the zip that `python -m pipegen_runtime.pyfiles` writes.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCassandra, type Cassandra } from "./harness/cassandra.js";
import { deleteTopics, startKafka, type KafkaBroker } from "./harness/kafka.js";
import { startMongo, type Mongo } from "./harness/mongo.js";
import { REPO_ROOT } from "./harness/paths.js";
import { describeRun, run } from "./harness/python.js";
import { kafkaApply, pythonWithoutRuntime, runtimeZip } from "./harness/runtime.js";
import { s3aConf, s3aEnv, s3aJars, startS3, type S3Server } from "./harness/s3.js";
import {
  describeSparkJob,
  runSparkJob,
  sparkPaths,
  startSparkJob,
  type SparkJobOptions,
  type SparkJobResult,
} from "./harness/spark.js";
import {
  ACTIONS,
  activity,
  archived,
  expectedHourly,
  sortHourly,
  type Activity,
  type HourlyRow,
} from "./spark/activity-data.js";

const gen = path.join(REPO_ROOT, "generated", "user_activity");
const work = mkdtempSync(path.join(tmpdir(), "pipegen-spark-activity-"));
const KEYSPACE = "activity";
const TABLE = "user_actions_hourly";
const MONGO_DB = "profiles";
const MONGO_COLL = "user_actions_hourly";
const BUCKET = "activity-archive";

let kafka: KafkaBroker;
let cassandra: Cassandra;
let mongo: Mongo;
let s3: S3Server;
let env: Record<string, string>;
let hourlyJob: string;
/** The runtime's zip and a Python without the runtime (see above). */
let shipped: { zip: string; python: string };

/** How every job of this file is submitted: the servers' settings, the runtime by --py-files. */
function submit(opts: SparkJobOptions = {}): SparkJobOptions {
  return {
    timeoutMs: 480_000,
    ...opts,
    env: {
      ...env,
      ...opts.env,
      PYSPARK_PYTHON: shipped.python,
      PYSPARK_DRIVER_PYTHON: shipped.python,
    },
    submitArgs: ["--py-files", shipped.zip],
  };
}

/** The job as generated, run byte for byte. */
const generatedHourly = path.join(gen, "spark", "user_actions_hourly.py");

async function produce(records: Activity["records"], name: string): Promise<void> {
  const file = path.join(work, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      topic: "activity.events",
      format: "avro",
      schema: path.join(gen, "kafka", "schemas", "activity.events.avsc"),
      records,
    }),
  );
  const r = await run(sparkPaths().python, [
    path.join(REPO_ROOT, "test/e2e/spark/produce.py"),
    "--bootstrap-servers",
    kafka.bootstrap,
    file,
  ]);
  expect(r.code, describeRun("produce", r)).toBe(0);
  expect(Number(r.stdout.trim())).toBe(records.length);
}

async function applyTopics(): Promise<void> {
  const apply = await kafkaApply(path.join(gen, "kafka", "topics.json"), [
    "--bootstrap-servers",
    kafka.bootstrap,
  ]);
  expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
}

/** What Cassandra holds, in the shape of HourlyRow, sorted. */
async function cassandraRows(): Promise<HourlyRow[]> {
  const rows = await cassandra.cql(
    `SELECT user_id, action, window_start, window_end, events, total_duration_ms FROM "${KEYSPACE}"."${TABLE}"`,
  );
  return sortHourly(
    rows.map((r) => ({
      user_id: r.user_id as string,
      action: r.action as string,
      window_start: r.window_start as string,
      window_end: r.window_end as string,
      events: r.events as number,
      total_duration_ms: (r.total_duration_ms ?? null) as number | null,
    })),
  );
}

/** What FerretDB holds, in the shape of HourlyRow, sorted; checks each _id against its fields. */
async function mongoRows(): Promise<HourlyRow[]> {
  const docs = await mongo.find(MONGO_DB, MONGO_COLL);
  const date = (v: unknown) => {
    const d = (v as { $date: string | { $numberLong: string } }).$date;
    return new Date(typeof d === "string" ? d : Number(d.$numberLong)).toISOString();
  };
  return sortHourly(
    docs.map((d) => {
      const id = d._id as Record<string, unknown>;
      // _id is the key columns, in the sink's key order
      expect(Object.keys(id)).toEqual(["user_id", "action", "window_start"]);
      expect([id.user_id, id.action, date(id.window_start)]).toEqual([
        d.user_id,
        d.action,
        date(d.window_start),
      ]);
      return {
        user_id: d.user_id as string,
        action: d.action as string,
        window_start: date(d.window_start),
        window_end: date(d.window_end),
        events: Number(d.events),
        total_duration_ms: d.total_duration_ms === null ? null : Number(d.total_duration_ms),
      };
    }),
  );
}

const jobArgs = (checkpoints: string, extra: string[] = []) => [
  "--bootstrap-servers",
  kafka.bootstrap,
  "--checkpoint-root",
  checkpoints,
  "--available-now",
  ...extra,
];

/** Committed micro-batches of a query's checkpoint (its commits/ log). */
function commits(checkpoint: string): number {
  const dir = path.join(checkpoint, "commits");
  return existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+$/.test(f)).length : 0;
}

const timings: Record<string, number> = {};

beforeAll(async () => {
  const t = Date.now();
  [kafka, cassandra, mongo, s3] = await Promise.all([
    startKafka(),
    // The spec's keyspace replicates to dc1: the node is in dc1.
    startCassandra({ datacenter: "dc1" }),
    startMongo(),
    startS3({ buckets: [BUCKET] }),
  ]);
  timings.serversStartMs = Date.now() - t;
  env = {
    KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
    CASSANDRA_HOST: cassandra.host,
    CASSANDRA_PORT: String(cassandra.port),
    PROFILES_MONGO_URI: mongo.uri,
  };
  await applyTopics();
  shipped = {
    zip: await runtimeZip(path.join(work, "py-files")),
    python: await pythonWithoutRuntime(path.join(work, "venv-without-runtime")),
  };
  // No CQL applied by hand: the job creates its keyspace and table at start-up, as
  // ddl/warehouse.cql declares them (checked after the first run).
  hourlyJob = generatedHourly;
});

afterAll(async () => {
  writeFileSync(path.join(work, "timings.json"), JSON.stringify(timings, null, 2));
  console.log(`spark-activity timings (ms): ${JSON.stringify(timings)}`);
  await Promise.allSettled([kafka?.stop(), cassandra?.stop(), mongo?.stop(), s3?.stop()]);
  if (process.env.PIPEGEN_E2E_KEEP !== "1") rmSync(work, { recursive: true, force: true });
});

describe("user_activity: user_actions_hourly on real Spark, Cassandra and FerretDB", () => {
  const data = activity(1, 2500);
  const checkpoints = path.join(work, "checkpoints");

  it("needs pipegen-runtime: without --py-files the job stops at its first import", async () => {
    const { submitArgs: _, ...without } = submit({ timeoutMs: 120_000 });
    const r = await runSparkJob(hourlyJob, jobArgs(path.join(work, "no-runtime")), without);
    expect(r.code, describeSparkJob("user_actions_hourly without the runtime", r)).not.toBe(0);
    // spark-submit hands the Python driver's stderr to its stdout.
    expect(r.stdout + r.stderr).toContain("ModuleNotFoundError: No module named 'pipegen_runtime'");
  });

  it("a run writes exactly the expected hourly windows to both stores; duplicates and invalid records do not count", async () => {
    const before = await cassandra.cql(
      `SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = '${KEYSPACE}'`,
    );
    expect(before).toEqual([]);
    await produce(data.records, "phase1");
    const r = await runSparkJob(hourlyJob, jobArgs(checkpoints), submit());
    timings.hourlyFirstRunMs = r.wallMs;
    expect(r.code, describeSparkJob("user_actions_hourly", r)).toBe(0);
    const expected = expectedHourly(data.counted);
    timings.firstRunRecords = data.records.length;
    timings.firstRunRows = expected.length;
    expect(expected.length).toBeGreaterThan(150);
    expect(expected.some((x) => x.total_duration_ms === null)).toBe(true);
    const inCassandra = await cassandraRows();
    expect(inCassandra.length).toBe(expected.length);
    expect(inCassandra).toEqual(expected);
    const inMongo = await mongoRows();
    expect(inMongo.length).toBe(expected.length);
    expect(inMongo).toEqual(expected);
    // every counted event once: the duplicates (same event_id) were not counted again
    expect(inCassandra.reduce((n, x) => n + x.events, 0)).toBe(data.counted.length);
    // no window of a rule breaker (action outside the enum)
    expect([...new Set(inCassandra.map((x) => x.action))].sort()).toEqual([...ACTIONS].sort());
  });

  it("the first run made the keyspace and table exactly as the generated CQL declares them", async () => {
    expect(cassandra.version).toMatch(/^5\.0\./);
    const ks = await cassandra.cql(
      `SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = '${KEYSPACE}'`,
    );
    expect(ks[0]!.replication).toMatchObject({
      class: "org.apache.cassandra.locator.NetworkTopologyStrategy",
      dc1: "3",
    });
    const cols = await cassandra.cql(
      `SELECT column_name, kind, type FROM system_schema.columns WHERE keyspace_name = '${KEYSPACE}' AND table_name = '${TABLE}'`,
    );
    const byName = Object.fromEntries(cols.map((c) => [c.column_name, [c.kind, c.type]]));
    expect(byName).toEqual({
      user_id: ["partition_key", "text"],
      action: ["partition_key", "text"],
      window_start: ["clustering", "timestamp"],
      window_end: ["regular", "timestamp"],
      events: ["regular", "bigint"],
      total_duration_ms: ["regular", "bigint"],
    });
  });

  it("a second run from the checkpoint adds only the new events (upserts of the windows they change)", async () => {
    // Later events in the last hour and the next: on time for the 30-minute watermark.
    const more = activity(2, 300, {
      start: Date.parse(data.counted.at(-1)!.occurred_at) - 1_200_000,
      hours: 1,
    });
    await produce(more.records, "phase2");
    const r = await runSparkJob(hourlyJob, jobArgs(checkpoints), submit());
    timings.hourlySecondRunMs = r.wallMs;
    expect(r.code, describeSparkJob("user_actions_hourly (2nd)", r)).toBe(0);
    const expected = expectedHourly([...data.counted, ...more.counted]);
    timings.secondRunRecords = more.records.length;
    timings.secondRunRows = expected.length;
    expect(await cassandraRows()).toEqual(expected);
    expect(await mongoRows()).toEqual(expected);
  });
});

describe("user_activity: fault tolerance", () => {
  it("SIGKILL in the middle of a run, then a restart from the checkpoint: zero lost, zero duplicated rows in both stores", async () => {
    // Event time must not run behind the 30-minute watermark between micro-batches: a fresh
    // topic gets the events in event-time order.
    await deleteTopics(kafka.bootstrap, ["activity.events"]);
    await applyTopics();
    const data = activity(3, 3000, { sorted: true, hours: 4 });
    await produce(data.records, "sorted");
    timings.faultRecords = data.records.length;
    await cassandra.cql(`TRUNCATE "${KEYSPACE}"."${TABLE}"`);
    await mongo.command(MONGO_DB, { drop: MONGO_COLL }).catch(() => undefined);
    const fresh = path.join(work, "checkpoints-fault");
    const sinks = path.join(fresh, "user_activity", "user_actions_hourly", "sinks");
    const args = jobArgs(fresh, ["--max-offsets-per-trigger", "400"]);
    const t = Date.now();
    const first = await startSparkJob(hourlyJob, args, submit());
    // Kill once a few micro-batches are committed (the next one is then being written).
    const deadline = Date.now() + 400_000;
    let ended: SparkJobResult | null = null;
    first.done.then((x) => (ended = x));
    while (Date.now() < deadline && commits(sinks) < 3 && ended === null)
      await new Promise((res) => setTimeout(res, 200));
    expect(ended, ended ? describeSparkJob("fault run ended by itself", ended) : "").toBeNull();
    expect(commits(sinks)).toBeGreaterThanOrEqual(3);
    first.kill("SIGKILL");
    const killed = await first.done;
    timings.faultRunUntilKillMs = Date.now() - t;
    expect(killed.signal).toBe("SIGKILL");
    const expected = expectedHourly(data.counted);
    const partial = await cassandraRows();
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(expected.length);
    timings.rowsAtKill = partial.length;
    timings.commitsAtKill = commits(sinks);

    const again = await runSparkJob(hourlyJob, args, submit({ timeoutMs: 600_000 }));
    timings.faultRestartMs = again.wallMs;
    writeFileSync(path.join(work, "restart.log"), `${again.stdout}\n---\n${again.stderr}`);
    expect(again.code, describeSparkJob("restart after SIGKILL", again)).toBe(0);
    const inCassandra = await cassandraRows();
    expect(inCassandra).toEqual(expected);
    const inMongo = await mongoRows();
    expect(inMongo).toEqual(expected);
    // No duplicates: one row per key in each store, and each event counted once.
    const keys = (rows: HourlyRow[]) =>
      new Set(rows.map((x) => `${x.user_id}|${x.action}|${x.window_start}`)).size;
    expect(keys(inCassandra)).toBe(inCassandra.length);
    expect(keys(inMongo)).toBe(inMongo.length);
    expect((await mongo.command(MONGO_DB, { count: MONGO_COLL })).n).toBe(expected.length);
    expect(inMongo.reduce((n, x) => n + x.events, 0)).toBe(data.counted.length);
    timings.faultRows = expected.length;
    timings.faultBatches = commits(sinks);
  });
});

describe("user_activity: activity_daily archive to S3 (MinIO) on real Spark", () => {
  it("writes every decodable record of the topic as JSON under s3a://activity-archive/events/dt=.../", async () => {
    // The topic now holds the fault test's records (it was recreated for it).
    const data = activity(3, 3000, { sorted: true, hours: 4 });
    const before = new Date().toISOString().slice(0, 10);
    const job = path.join(work, "activity_daily.py");
    copyFileSync(path.join(gen, "spark", "activity_daily.py"), job);
    const r = await runSparkJob(
      job,
      [
        "--bootstrap-servers",
        kafka.bootstrap,
        "--checkpoint-root",
        path.join(work, "checkpoints-archive"),
      ],
      submit({
        // Credentials only from the environment; endpoint etc. as spark.hadoop.fs.s3a.* conf.
        env: s3aEnv(s3),
        conf: {
          ...s3aConf(s3),
          // hadoop-aws + the AWS SDK bundle on the driver's class path (local mode: the driver
          // is the executor), without adding 560 MB to every other job's --jars.
          "spark.driver.extraClassPath": s3aJars().join(":"),
        },
      }),
    );
    timings.archiveRunMs = r.wallMs;
    expect(r.code, describeSparkJob("activity_daily", r)).toBe(0);
    const after = new Date().toISOString().slice(0, 10);

    const objects = await s3.list(BUCKET, "events/");
    const jsonParts = objects.filter((o) => /^events\/dt=[^/]+\/part-.*\.json$/.test(o.key));
    expect(jsonParts.length).toBeGreaterThan(0);
    // The file sink's own log of committed files lives beside the data.
    expect(objects.some((o) => o.key.startsWith("events/_spark_metadata/"))).toBe(true);
    const got: Array<Record<string, unknown>> = [];
    const dts = new Set<string>();
    for (const o of jsonParts) {
      const dt = /dt=([^/]+)\//.exec(o.key)![1]!;
      dts.add(dt);
      for (const line of (await s3.get(BUCKET, o.key)).toString("utf8").split("\n"))
        if (line.trim()) got.push(JSON.parse(line));
    }
    // dt comes from the Kafka record timestamp (the topic uses LogAppendTime: the broker's clock).
    expect(
      [...dts].every((d) => d >= before && d <= after),
      [...dts].join(","),
    ).toBe(true);
    const want = archived(data.records).map((v) => {
      // Spark's JSON writer leaves out null fields.
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== null) o[k] = x;
      return o;
    });
    const key = (o: Record<string, unknown>) => JSON.stringify(Object.entries(o).sort());
    expect(got.length).toBe(want.length);
    expect(got.map(key).sort()).toEqual(want.map(key).sort());
    // The undecodable values are kept as Parquet under _undecodable/.
    const bad = objects.filter((o) => /^events\/_undecodable\/part-.*\.parquet$/.test(o.key));
    expect(bad.length).toBeGreaterThan(0);
    timings.archivedRecords = got.length;
    timings.archiveObjects = objects.length;
  });
});
