// The shop_orders example's generated Spark jobs on real Spark, Kafka and PostgreSQL:
// generated/shop_orders/spark/orders_per_minute.py (Avro in, quality rules, dead letters,
// filter, typed derive, 1-minute windows with a watermark, idempotent JDBC upsert, a Kafka sink)
// and generated/shop_orders/spark/orders_daily.py (the archive, Parquet read back).
// The expected table is computed in test/e2e/spark/orders-data.ts, not by Spark.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteTopics, startKafka, type KafkaBroker } from "./harness/kafka.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { describeRun, run } from "./harness/python.js";
import { kafkaApply } from "./harness/runtime.js";
import {
  describeSparkJob,
  runSparkJob,
  runSparkVenvPython,
  sparkPaths,
  startSparkJob,
} from "./harness/spark.js";
import { expectedWindows, orders, type Produced } from "./spark/orders-data.js";

const gen = path.join(REPO_ROOT, "generated", "shop_orders");
const job = path.join(gen, "spark", "orders_per_minute.py");
const archiveJob = path.join(gen, "spark", "orders_daily.py");
const work = mkdtempSync(path.join(tmpdir(), "pipegen-spark-orders-"));

let kafka: KafkaBroker;
let pg: Postgres;
let env: Record<string, string>;

async function produce(p: Produced, name: string) {
  const file = path.join(work, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      topic: "orders.raw",
      format: "avro",
      schema: path.join(gen, "kafka", "schemas", "orders.raw.avsc"),
      records: p.records,
    }),
  );
  const r = await run(sparkPaths().python, [
    path.join(REPO_ROOT, "test/e2e/spark/produce.py"),
    "--bootstrap-servers",
    kafka.bootstrap,
    file,
  ]);
  expect(r.code, describeRun("produce", r)).toBe(0);
  expect(Number(r.stdout.trim())).toBe(p.records.length);
}

async function consume(
  topic: string,
): Promise<Array<{ key: string | null; value_hex: string; headers: Record<string, string> }>> {
  const r = await run(sparkPaths().python, [
    path.join(REPO_ROOT, "test/e2e/spark/consume.py"),
    "--bootstrap-servers",
    kafka.bootstrap,
    topic,
  ]);
  expect(r.code, describeRun(`consume ${topic}`, r)).toBe(0);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function tableRows(): Promise<Array<Record<string, unknown>>> {
  const rows = await pg.query(
    "SELECT customer_id, to_char(window_start, 'YYYY-MM-DD HH24:MI:SS'), orders, revenue, largest FROM orders_per_minute ORDER BY customer_id, window_start",
  );
  return rows.map(([customer_id, window_start, n, revenue, largest]) => ({
    customer_id,
    window_start,
    orders: Number(n),
    revenue,
    largest,
  }));
}

const jobArgs = (checkpoints: string, extra: string[] = []) => [
  "--bootstrap-servers",
  kafka.bootstrap,
  "--checkpoint-root",
  checkpoints,
  "--available-now",
  ...extra,
];

beforeAll(async () => {
  kafka = await startKafka();
  pg = await startPostgres({ user: "spark", database: "analytics" });
  env = {
    ANALYTICS_DB_HOST: "127.0.0.1",
    ANALYTICS_DB_PORT: String(pg.port),
    ANALYTICS_PASSWORD: pg.password,
    KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
  };
  // Topics by the generated apply program, tables by the generated DDL.
  const apply = await kafkaApply(path.join(gen, "kafka", "topics.json"), [
    "--bootstrap-servers",
    kafka.bootstrap,
  ]);
  expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
  await pg.query(readFileSync(path.join(gen, "spark", "ddl", "analytics.sql"), "utf8"));
});

afterAll(async () => {
  await Promise.allSettled([kafka?.stop(), pg?.stop()]);
});

describe("shop_orders: orders_per_minute on real Spark", () => {
  const phase1 = orders(1, 1, 3000);
  const phase2 = orders(2, 100_000, 200);
  const checkpoints = path.join(work, "checkpoints");

  it("a first run writes exactly the expected windows, and the bad records to the dead-letter topic", async () => {
    await produce(phase1, "phase1");
    const r = await runSparkJob(job, jobArgs(checkpoints), { env, timeoutMs: 400_000 });
    expect(r.code, describeSparkJob("orders_per_minute", r)).toBe(0);
    const expected = expectedWindows(phase1.counted);
    expect(expected.length).toBeGreaterThan(500);
    expect(await tableRows()).toEqual(expected);

    const dead = await consume("orders.dlq");
    expect(dead.length).toBe(phase1.deadLetters.length);
    for (const d of phase1.deadLetters) {
      const got = dead.filter((x) => x.key === d.key);
      expect(got.length, `dead letter for key ${d.key}`).toBe(1);
      expect(got[0]!.headers["pipegen.reason"]).toMatch(d.reason);
      expect(got[0]!.headers["pipegen.source.topic"]).toBe("orders.raw");
      expect(got[0]!.headers["pipegen.stream"]).toBe("shop_orders.orders_per_minute");
      expect(Number(got[0]!.headers["pipegen.source.offset"])).toBeGreaterThanOrEqual(0);
      if (d.raw) expect(got[0]!.value_hex).toBe(d.raw);
    }
    // The per-minute topic got the windows as JSON, keyed by customer.
    const perMinute = await consume("orders.per_minute");
    expect(perMinute.length).toBeGreaterThanOrEqual(expected.length);
    const first = JSON.parse(Buffer.from(perMinute[0]!.value_hex, "hex").toString());
    expect(Object.keys(first).sort()).toEqual([
      "customer_id",
      "largest",
      "orders",
      "revenue",
      "window_end",
      "window_start",
    ]);
    expect(perMinute[0]!.key).toBe(first.customer_id);
    console.log(
      `orders run 1: ${phase1.records.length} records -> ${expected.length} windows (equal to the ` +
        `expected table), ${dead.length} dead letters, ${perMinute.length} orders.per_minute records`,
    );
  });

  it("a second run from the checkpoint adds only new orders; orders later than the watermark are dropped", async () => {
    await produce(phase2, "phase2");
    const r = await runSparkJob(job, jobArgs(checkpoints), { env, timeoutMs: 400_000 });
    expect(r.code, describeSparkJob("orders_per_minute (2nd)", r)).toBe(0);
    const want = expectedWindows([...phase1.counted, ...phase2.counted]);
    expect(await tableRows()).toEqual(want);
    console.log(`orders run 2: +${phase2.records.length} records -> ${want.length} windows`);
    // no new dead letters: the late orders are valid, just late
    expect((await consume("orders.dlq")).length).toBe(phase1.deadLetters.length);
  });
});

describe("shop_orders: orders_daily archive on real Spark", () => {
  it("writes every decodable record as Parquet partitioned by dt, and keeps the undecodable ones", async () => {
    const out = path.join(work, "archive");
    const r = await runSparkJob(
      archiveJob,
      [
        "--bootstrap-servers",
        kafka.bootstrap,
        "--checkpoint-root",
        path.join(work, "checkpoints-archive"),
        "--output-path",
        out,
      ],
      { env, timeoutMs: 400_000 },
    );
    expect(r.code, describeSparkJob("orders_daily", r)).toBe(0);
    const read = await runSparkVenvPython(
      [
        "import json, sys",
        "from pyspark.sql import SparkSession",
        "spark = SparkSession.builder.master('local[1]').config('spark.ui.enabled', 'false').getOrCreate()",
        "df = spark.read.parquet(sys.argv[1])",
        "bad = spark.read.parquet(sys.argv[1] + '/_undecodable')",
        "ids = sorted(r.order_id for r in df.select('order_id').collect())",
        "print(json.dumps({'columns': df.columns, 'ids': ids, 'dts': sorted({str(r.dt) for r in df.select('dt').collect()}), 'bad': bad.count(), 'amounts': {str(r.order_id): str(r.amount) for r in df.where('order_id <= 5').collect()}}))",
      ].join("\n"),
      [out],
      {
        env: {
          JAVA_HOME: process.env.PIPEGEN_JAVA17_HOME ?? "/usr/lib/jvm/java-17-openjdk-amd64",
          SPARK_LOCAL_IP: "127.0.0.1",
        },
        timeoutMs: 300_000,
      },
    );
    expect(read.code, describeRun("read parquet", read)).toBe(0);
    const got = JSON.parse(read.stdout.trim().split("\n").pop()!);
    const all = [...orders(1, 1, 3000).records, ...orders(2, 100_000, 200).records];
    const decodable = all.filter((x) => x.value !== null && !(x.raw_hex && x.raw_hex.length));
    expect(got.ids).toEqual(decodable.map((x) => Number(x.value!.order_id)).sort((a, b) => a - b));
    expect(got.columns).toEqual([
      "order_id",
      "customer_id",
      "amount",
      "currency",
      "status",
      "updated_at",
      "dt",
    ]);
    expect(got.dts.length).toBeGreaterThanOrEqual(1);
    expect(got.bad).toBe(all.length - decodable.length);
    for (const x of decodable.filter((d) => Number(d.value!.order_id) <= 5))
      expect(got.amounts[String(x.value!.order_id)]).toBe(String(x.value!.amount));
    console.log(
      `orders_daily archive: ${got.ids.length} records read back from Parquet in ` +
        `${got.dts.length} dt partitions, ${got.bad} undecodable kept`,
    );
  });

  it("a new checkpoint over the archive's output is refused (Spark's file sink would skip its batches silently)", async () => {
    const out = path.join(work, "archive");
    const before = readdirSync(out, { recursive: true }).length;
    const r = await runSparkJob(
      archiveJob,
      [
        "--bootstrap-servers",
        kafka.bootstrap,
        "--checkpoint-root",
        path.join(work, "checkpoints-archive-new"),
        "--output-path",
        out,
      ],
      { env, timeoutMs: 400_000 },
    );
    expect(r.code, describeSparkJob("orders_daily on a new checkpoint", r)).toBe(1);
    // spark-submit passes the Python program's stderr on as its own stdout.
    expect(r.stdout + r.stderr).toContain("holds files a file sink wrote under another checkpoint");
    expect(readdirSync(out, { recursive: true }).length).toBe(before);
    console.log(
      "orders_daily on a new checkpoint over its output: refused, exit 1, nothing written",
    );
  });
});

describe("shop_orders: fault tolerance", () => {
  it("SIGKILL in the middle of a run, then a restart from the checkpoint: zero lost, zero duplicated rows", async () => {
    // Event time must not run backwards by more than the watermark between micro-batches, or
    // Spark rightly drops records as late: a fresh topic gets the orders in event-time order.
    await deleteTopics(kafka.bootstrap, ["orders.raw"]);
    const apply = await kafkaApply(path.join(gen, "kafka", "topics.json"), [
      "--bootstrap-servers",
      kafka.bootstrap,
    ]);
    expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
    const sorted = orders(1, 1, 3000);
    sorted.records.sort((x, y) =>
      String(x.value?.updated_at ?? "").localeCompare(String(y.value?.updated_at ?? "")),
    );
    await produce(sorted, "sorted");
    await pg.query(["TRUNCATE orders_per_minute", "TRUNCATE pipegen_batches"]);
    const fresh = path.join(work, "checkpoints-fault");
    const args = jobArgs(fresh, ["--max-offsets-per-trigger", "300"]);
    const first = await startSparkJob(job, args, { env, timeoutMs: 400_000 });
    // Kill once a few micro-batches have committed to PostgreSQL.
    const deadline = Date.now() + 300_000;
    let committed = 0;
    while (Date.now() < deadline) {
      committed = Number((await pg.query("SELECT count(*) FROM pipegen_batches"))[0]![0]);
      if (committed >= 3) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(
      committed,
      describeSparkJob(
        "fault run",
        await Promise.race([
          first.done,
          Promise.resolve({
            code: -1,
            stdout: first.output().stdout,
            stderr: first.output().stderr,
            signal: null,
            wallMs: 0,
          }),
        ]),
      ),
    ).toBeGreaterThanOrEqual(3);
    first.kill("SIGKILL");
    const killed = await first.done;
    expect(killed.signal).toBe("SIGKILL");
    const partial = await tableRows();
    const all = expectedWindows(sorted.counted);
    expect(partial.length).toBeLessThan(all.length);

    const again = await runSparkJob(job, args, { env, timeoutMs: 600_000 });
    writeFileSync(path.join(work, "restart.log"), `${again.stdout}\n---\n${again.stderr}`);
    expect(again.code, describeSparkJob("restart after SIGKILL", again)).toBe(0);
    expect(await tableRows()).toEqual(all);
    // every batch id committed exactly once
    const ids = await pg.query("SELECT batch_id FROM pipegen_batches ORDER BY batch_id");
    const seen = ids.map((r) => Number(r[0]));
    expect(new Set(seen).size).toBe(seen.length);
    console.log(
      `orders fault test: ${sorted.records.length} records; SIGKILL after ${committed} committed ` +
        `batches with ${partial.length} of ${all.length} windows; after the restart ${all.length} ` +
        `windows equal to the expected table, ${seen.length} batch ids each committed once`,
    );
  });

  it("a new checkpoint (lost, deleted or another --checkpoint-root) re-reads the topic and still writes every window", async () => {
    // The table and the batch markers are those of the fault test's checkpoint. Its batch ids
    // start at 0 again under a new checkpoint: recorded under the old query's id, they must not
    // make the new query skip its batches (they did: the new orders' windows were never written).
    const sorted = orders(1, 1, 3000);
    const later = orders(2, 100_000, 200);
    await produce(later, "after-reset");
    const markersBefore = Number((await pg.query("SELECT count(*) FROM pipegen_batches"))[0]![0]);
    const reset = path.join(work, "checkpoints-reset");
    const r = await runSparkJob(job, jobArgs(reset, ["--max-offsets-per-trigger", "300"]), {
      env,
      timeoutMs: 600_000,
    });
    expect(r.code, describeSparkJob("run on a new checkpoint", r)).toBe(0);
    const want = expectedWindows([...sorted.counted, ...later.counted]);
    expect(await tableRows()).toEqual(want);
    const sinks = await pg.query("SELECT DISTINCT sink FROM pipegen_batches ORDER BY sink");
    expect(sinks.length).toBe(2);
    for (const [sink] of sinks)
      expect(String(sink)).toMatch(
        /^shop_orders\.orders_per_minute\.0\.orders_per_minute@[0-9a-f-]{36}$/,
      );
    const markers = Number((await pg.query("SELECT count(*) FROM pipegen_batches"))[0]![0]);
    console.log(
      `orders checkpoint reset: +${later.records.length} records, a new checkpoint re-read all ` +
        `${sorted.records.length + later.records.length}: ${want.length} windows equal to the expected ` +
        `table; batch markers ${markersBefore} -> ${markers} under 2 query ids`,
    );
  });
});
