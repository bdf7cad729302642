// `pipegen test` agrees with the real engines: three of shop_orders' example tests
// (specs/shop_orders.tests.yaml) are run by `pipegen test`, and their given records, the very
// bytes pipegen test fed the job, go through real Kafka, the committed job on real Spark
// (spark-submit, one --available-now run per given batch: one micro-batch each, as pipegen
// test feeds them) and PostgreSQL. The table, the orders.per_minute topic and the dead-letter
// topic hold what pipegen test collected, value for value.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseValue } from "../../src/ir/test-values.js";
import type { Field, TestValue } from "../../src/ir/types.js";
import { runTests, type TestRun } from "../../src/testing/index.js";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { describeRun, run } from "./harness/python.js";
import { kafkaApply } from "./harness/runtime.js";
import { describeSparkJob, java17Home, runSparkJob, sparkPaths } from "./harness/spark.js";

const gen = path.join(REPO_ROOT, "generated", "shop_orders");
const job = path.join(gen, "spark", "orders_per_minute.py");
const work = mkdtempSync(path.join(tmpdir(), "pipegen-test-agreement-"));
const TESTS = [
  "a_late_order_is_dropped_by_the_watermark",
  "invalid_orders_are_dead_lettered",
  // an upsert: the later batch replaces the table's row, the topic gets both updates
  "a_later_batch_updates_the_window",
];

let kafka: KafkaBroker;
let pg: Postgres;
let collected: TestRun;

/** A value in one canonical text, whatever form it came in (runner JSON, table, topic). */
function canon(f: Field | undefined, v: unknown): string {
  if (v === null || v === undefined) return "null";
  const r = parseValue(
    f ?? { type: "unknown" },
    (typeof v === "bigint" ? String(v) : v) as TestValue,
  );
  if (!r.ok) return `?${JSON.stringify(v)}`;
  return JSON.stringify(r.value, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}

const sortRows = (rows: string[][]) => rows.map((r) => r.join(" | ")).sort();

beforeAll(async () => {
  const home = java17Home();
  if (home) process.env.JAVA_HOME = home;
  collected = await runTests(["specs/shop_orders.yaml"], { jobs: "generated", only: TESTS });
  const statuses = collected.outcomes.map(
    (o) => `${o.name}: ${o.status}${o.error ? ` (${o.error})` : ""}`,
  );
  expect(statuses.sort()).toEqual(TESTS.map((t) => `${t}: passed`).sort());
  pg = await startPostgres({ user: "spark", database: "analytics" });
}, 900_000);

afterAll(async () => {
  await Promise.allSettled([kafka?.stop(), pg?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

/** A new broker (topics by the generated apply program) and no sink table yet. */
async function freshEngines(): Promise<Record<string, string>> {
  await kafka?.stop();
  kafka = await startKafka();
  const apply = await kafkaApply(path.join(gen, "kafka", "topics.json"), [
    "--bootstrap-servers",
    kafka.bootstrap,
  ]);
  expect(apply.code, describeRun("apply_topics", apply)).toBe(0);
  await pg.query("DROP TABLE IF EXISTS orders_per_minute, pipegen_batches CASCADE");
  return {
    ANALYTICS_DB_HOST: "127.0.0.1",
    ANALYTICS_DB_PORT: String(pg.port),
    ANALYTICS_PASSWORD: pg.password,
    KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
  };
}

async function produce(records: Array<{ key: string | null; value: string }>, name: string) {
  const file = path.join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify({ topic: "orders.raw", partition: 0, records }));
  const r = await run(sparkPaths().python, [
    path.join(REPO_ROOT, "test/e2e/spark/produce_raw.py"),
    "--bootstrap-servers",
    kafka.bootstrap,
    file,
  ]);
  expect(r.code, describeRun("produce_raw", r)).toBe(0);
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

describe("pipegen test agrees with Kafka + Spark + PostgreSQL", () => {
  it.each(TESTS)("%s", async (name) => {
    const planned = collected.planned.find((t) => t.test.name === name)!;
    const result = collected.results.find((r) => r.id === planned.runner.id)!;
    const fields = new Map(planned.stream.output.map((f) => [f.name, f]));
    const columns = planned.stream.output.map((f) => f.name);
    const env = await freshEngines();
    const checkpoints = path.join(work, `checkpoints-${name}`);
    for (const [i, batch] of planned.runner.batches.entries()) {
      await produce(batch, `${name}-${i}`);
      const r = await runSparkJob(
        job,
        [
          "--bootstrap-servers",
          kafka.bootstrap,
          "--checkpoint-root",
          checkpoints,
          "--available-now",
        ],
        { env, timeoutMs: 400_000 },
      );
      expect(r.code, describeSparkJob(`orders_per_minute, batch ${i + 1}`, r)).toBe(0);
    }

    // The upsert table: what PostgreSQL holds = what pipegen test's table holds.
    const table = await pg.query(
      `SELECT ${columns.map((c) => (c.startsWith("window_") ? `to_char(${c}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')` : c)).join(", ")} FROM orders_per_minute`,
    );
    const real = sortRows(table.map((row) => row.map((v, k) => canon(fields.get(columns[k]!), v))));
    const ours = sortRows(
      result.sinks["analytics.orders_per_minute"]!.map((row) =>
        columns.map((c) => canon(fields.get(c), row[c])),
      ),
    );
    expect(real.length).toBeGreaterThan(0);
    expect(ours).toEqual(real);

    // The Kafka sink: every record it got, as JSON values.
    const topic = (await consume("orders.per_minute")).map(
      (m) => JSON.parse(Buffer.from(m.value_hex, "hex").toString()) as Record<string, unknown>,
    );
    const kafkaReal = sortRows(
      topic.map((row) => columns.map((c) => canon(fields.get(c), row[c] ?? null))),
    );
    const kafkaOurs = sortRows(
      result.sinks["orders.per_minute"]!.map((row) =>
        columns.map((c) => canon(fields.get(c), row[c])),
      ),
    );
    expect(kafkaOurs).toEqual(kafkaReal);

    // The dead letters: reason and the original bytes.
    const dead = sortRows(
      (await consume("orders.dlq")).map((m) => [m.headers["pipegen.reason"] ?? "", m.value_hex]),
    );
    const deadOurs = sortRows(
      result.deadLetters.map((d) => [
        String(d.reason),
        Buffer.from(String(d.value), "base64").toString("hex"),
      ]),
    );
    expect(deadOurs).toEqual(dead);
    console.log(
      `${name}: ${planned.runner.batches.length} batch(es) -> ${real.length} table rows, ${kafkaReal.length} orders.per_minute records, ${dead.length} dead letters; pipegen test collected the same`,
    );
  });
});
