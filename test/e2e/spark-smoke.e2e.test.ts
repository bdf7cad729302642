// Toolchain smoke test for the Spark jobs: real Kafka, PostgreSQL and MariaDB, and a
// hand-written PySpark Structured Streaming job (engines/spark/smoke_job.py) run by
// spark-submit from the Spark venv with the connector jars. Needs
//   bash test/e2e/install.sh && bash test/e2e/engines/spark/install.sh &&
//   bash test/e2e/engines/databases/install.sh
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { startMariadb, type Mariadb } from "./harness/mariadb.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { describeRun } from "./harness/python.js";
import {
  describeSparkJob,
  runSparkJob,
  runSparkVenvPython,
  SPARK_ENGINE_DIR,
  sparkPaths,
  startSparkJob,
  type SparkJobResult,
} from "./harness/spark.js";

const TOPIC = "smoke.orders";
const MESSAGES = 1000;
const PARTITIONS = 2;

// Creates the topic and produces MESSAGES JSON records, keyed by id, waiting for every ack.
const PRODUCE = `
import json, sys
from datetime import datetime, timedelta, timezone
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic, n, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
admin = AdminClient({"bootstrap.servers": bootstrap})
admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])[topic].result()
producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True, "linger.ms": 5})
failed = []
def report(err, msg):
    if err is not None:
        failed.append(str(err))
start = datetime(2026, 1, 1, tzinfo=timezone.utc)
for i in range(1, n + 1):
    ts = (start + timedelta(seconds=i)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    value = {"id": i, "name": f"customer-{i}", "amount": round(i * 1.25, 2), "ts": ts}
    producer.produce(topic, key=str(i), value=json.dumps(value), on_delivery=report)
    producer.poll(0)
left = producer.flush(30)
if failed or left:
    sys.exit(f"{len(failed)} failed deliveries ({failed[:3]}), {left} not flushed")
print(n)
`;

// The same table in both databases; the primary key makes a replayed row fail the job.
const PG_DDL = `CREATE TABLE orders (
  id BIGINT PRIMARY KEY, name TEXT, amount DOUBLE PRECISION, ts TIMESTAMP,
  kafka_partition INT NOT NULL, kafka_offset BIGINT NOT NULL)`;
const MYSQL_DDL = `CREATE TABLE orders (
  id BIGINT PRIMARY KEY, name VARCHAR(200), amount DOUBLE, ts DATETIME(3),
  kafka_partition INT NOT NULL, kafka_offset BIGINT NOT NULL)`;

// The expected aggregates: count, distinct ids, sum of amounts, first and last timestamp.
const expected = {
  count: String(MESSAGES),
  ids: String(MESSAGES),
  amount: ((1.25 * MESSAGES * (MESSAGES + 1)) / 2).toFixed(2), // round(i * 1.25, 2) summed
  first: "2026-01-01 00:00:01",
  last: "2026-01-01 00:16:40",
};

describe("spark smoke: Kafka -> PySpark (availableNow, foreachBatch) -> PostgreSQL + MariaDB over JDBC", () => {
  let kafka: KafkaBroker | undefined;
  let pg: Postgres | undefined;
  let maria: Mariadb | undefined;
  let workDir = "";

  beforeAll(async () => {
    sparkPaths(); // fail fast with the install hint
    workDir = await mkdtemp(join(tmpdir(), "pipegen-spark-smoke-"));
    const t0 = Date.now();
    const took: Record<string, number> = {};
    const timed = <T>(name: string, p: Promise<T>) =>
      p.finally(() => (took[name] = Date.now() - t0));
    const started = await Promise.allSettled([
      timed("kafka", startKafka()),
      timed("postgres", startPostgres()),
      timed("mariadb", startMariadb()),
    ]);
    [kafka, pg, maria] = started.map((s) => (s.status === "fulfilled" ? s.value : undefined)) as [
      KafkaBroker | undefined,
      Postgres | undefined,
      Mariadb | undefined,
    ];
    const failed = started.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed.length) throw new Error(failed.map((f) => String(f.reason)).join("\n"));
    console.log(
      `[spark-smoke] kafka, postgres ${pg!.version}, mariadb ${maria!.version} up (ms, started together): ${JSON.stringify(took)}`,
    );
  });

  afterAll(async () => {
    await Promise.allSettled([kafka?.stop(), pg?.stop(), maria?.stop()]);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const runJob = (checkpoint: string): Promise<SparkJobResult> =>
    runSparkJob(
      join(SPARK_ENGINE_DIR, "smoke_job.py"),
      [
        "--bootstrap-servers",
        kafka!.bootstrap,
        "--topic",
        TOPIC,
        "--checkpoint",
        checkpoint,
        "--max-offsets-per-trigger",
        "400",
        "--pg-url",
        pg!.jdbcUrl,
        "--pg-user",
        pg!.user,
        "--pg-table",
        "orders",
        "--mysql-url",
        maria!.jdbcUrl,
        "--mysql-user",
        maria!.user,
        "--mysql-table",
        "orders",
      ],
      { env: { PG_PASSWORD: pg!.password, MYSQL_PASSWORD: maria!.password }, timeoutMs: 240_000 },
    );

  const pgAggregates = async () =>
    (
      await pg!.query(
        `SELECT count(*), count(DISTINCT id), to_char(sum(amount), 'FM999999990.00'),
                to_char(min(ts), 'YYYY-MM-DD HH24:MI:SS'), to_char(max(ts), 'YYYY-MM-DD HH24:MI:SS')
         FROM orders`,
      )
    )[0];
  const mysqlAggregates = async () =>
    (
      await maria!.query(
        `SELECT count(*), count(DISTINCT id), CAST(ROUND(sum(amount), 2) AS DECIMAL(20,2)),
                DATE_FORMAT(min(ts), '%Y-%m-%d %H:%i:%s'), DATE_FORMAT(max(ts), '%Y-%m-%d %H:%i:%s')
         FROM orders`,
      )
    )[0];
  const want = [expected.count, expected.ids, expected.amount, expected.first, expected.last];

  it("moves every message into both databases, and a rerun from the checkpoint adds nothing", async () => {
    const produced = await runSparkVenvPython(
      PRODUCE,
      [kafka!.bootstrap, TOPIC, String(MESSAGES), String(PARTITIONS)],
      {
        timeoutMs: 60_000,
      },
    );
    expect(produced.code, describeRun("producing test data", produced)).toBe(0);

    await pg!.query(PG_DDL);
    await maria!.query(MYSQL_DDL);

    const checkpoint = join(workDir, "checkpoint");
    const first = await runJob(checkpoint);
    console.log(`[spark-smoke] first run: ${first.wallMs} ms, ${first.stdout.trim()}`);
    if (process.env.PIPEGEN_E2E_VERBOSE === "1") console.log(first.stderr);
    expect(first.code, describeSparkJob("smoke_job.py", first)).toBe(0);
    const summary = JSON.parse(first.stdout.trim().split("\n").pop()!) as {
      batches: number;
      rows: number;
    };
    expect(summary.rows).toBe(MESSAGES);
    // maxOffsetsPerTrigger=400 over 1000 offsets: availableNow still splits into batches.
    expect(summary.batches).toBeGreaterThanOrEqual(3);

    expect(await pgAggregates()).toEqual(want);
    expect(await mysqlAggregates()).toEqual(want);
    // Every (partition, offset) once, both partitions used.
    expect(
      await pg!.query(
        "SELECT count(DISTINCT (kafka_partition, kafka_offset)), count(DISTINCT kafka_partition) FROM orders",
      ),
    ).toEqual([[String(MESSAGES), String(PARTITIONS)]]);

    // Same checkpoint: the offsets are committed, nothing is read or written again (a replayed
    // row would hit the primary key and fail the job).
    const second = await runJob(checkpoint);
    console.log(`[spark-smoke] rerun: ${second.wallMs} ms, ${second.stdout.trim()}`);
    expect(second.code, describeSparkJob("smoke_job.py (rerun)", second)).toBe(0);
    expect(JSON.parse(second.stdout.trim().split("\n").pop()!)).toEqual({ batches: 0, rows: 0 });
    expect(await pgAggregates()).toEqual(want);
    expect(await mysqlAggregates()).toEqual(want);
  });

  it("kill() ends a running job at once: the driver JVM and its Python process", async () => {
    const script = join(workDir, "sleep_job.py");
    await writeFile(
      script,
      [
        "import os, time",
        "from pyspark.sql import SparkSession",
        "spark = SparkSession.builder.getOrCreate()",
        "spark.range(10).count()",
        "print('ready', os.getpid(), flush=True)",
        "time.sleep(600)",
      ].join("\n"),
    );
    const job = await startSparkJob(script, [], { timeoutMs: 120_000 });
    const started = Date.now();
    const deadline = Date.now() + 90_000;
    let pythonPid = 0;
    while (!pythonPid && Date.now() < deadline) {
      pythonPid = Number(/ready (\d+)/.exec(job.output().stdout)?.[1] ?? 0);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(pythonPid, job.output().stderr).toBeGreaterThan(0);
    const killedAt = Date.now();
    console.log(`[spark-smoke] trivial job ready after ${killedAt - started} ms; killing it`);
    job.kill();
    const result = await job.done;
    expect(result.signal).toBe("SIGKILL");
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    // The Python driver is the JVM's child: orphaned by the kill, it is reaped by init shortly.
    const goneBy = Date.now() + 5_000;
    while ((alive(pythonPid) || alive(-job.child.pid!)) && Date.now() < goneBy) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive(pythonPid)).toBe(false);
    expect(alive(-job.child.pid!)).toBe(false); // nothing left in the job's process group
  });
});
