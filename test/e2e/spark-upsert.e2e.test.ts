// An upsert stream without aggregation on real Spark, Kafka and PostgreSQL: a micro-batch that
// holds a key several times must leave the key's LATEST record in the table, wherever the
// micro-batches end (found by the random-spec test: the job kept an arbitrary one).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/api/index.js";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { describeRun, run } from "./harness/python.js";
import { kafkaApply } from "./harness/runtime.js";
import { describeSparkJob, runSparkJob, sparkPaths } from "./harness/spark.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-spark-upsert-"));
const SPEC = `pipegen: 1
pipeline: upserts
connections:
  pg: {type: postgres, host: "\${env:PG_HOST}", port: "\${env:PG_PORT}", database: items, user: spark, password: "\${secret:PG_PASSWORD}"}
schemas:
  item:
    key: [id]
    fields:
      id: {type: long, required: true}
      name: {type: string}
      version: {type: long, required: true}
topics:
  items: {schema: item, partitions: 2}
streams:
  latest_items:
    from: {topic: items}
    onInvalid: drop
    steps:
      - select: [id, version, name]
    to:
      - {connection: pg, table: latest_items, mode: upsert, key: [id]}
    trigger: {availableNow: true, schedule: "@hourly"}
`;

let kafka: KafkaBroker;
let pg: Postgres;
const gen = path.join(work, "generated", "upserts");

beforeAll(async () => {
  [kafka, pg] = await Promise.all([
    startKafka(),
    startPostgres({ user: "spark", database: "items" }),
  ]);
  const specFile = path.join(work, "upserts.yaml");
  writeFileSync(specFile, SPEC);
  const r = build([specFile], { out: path.join(work, "generated") });
  expect(r.diagnostics).toEqual([]);
  const apply = await kafkaApply(path.join(gen, "kafka", "topics.json"), [
    "--bootstrap-servers",
    kafka.bootstrap,
  ]);
  expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
});

afterAll(async () => {
  await Promise.allSettled([kafka?.stop(), pg?.stop()]);
});

describe("upserts: the latest record of a key wins within a micro-batch", () => {
  it("three versions of each of 60 items in one micro-batch: the table holds version 3 of each", async () => {
    // Versions in order per key (one key, one partition); keys spread over both partitions.
    const records = [1, 2, 3].flatMap((version) =>
      Array.from({ length: 60 }, (_, i) => ({
        key: `item-${i + 1}`,
        value: { id: i + 1, name: `v${version} of ${i + 1}`, version },
      })),
    );
    const file = path.join(work, "records.json");
    writeFileSync(
      file,
      JSON.stringify({
        topic: "items",
        format: "avro",
        schema: path.join(gen, "kafka", "schemas", "items.avsc"),
        records,
      }),
    );
    const produced = await run(sparkPaths().python, [
      path.join(REPO_ROOT, "test/e2e/spark/produce.py"),
      "--bootstrap-servers",
      kafka.bootstrap,
      file,
    ]);
    expect(produced.code, describeRun("produce", produced)).toBe(0);
    const job = path.join(gen, "spark", "latest_items.py");
    const env = {
      PG_HOST: "127.0.0.1",
      PG_PORT: String(pg.port),
      PG_PASSWORD: pg.password,
      KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
    };
    const args = ["--checkpoint-root", path.join(work, "checkpoints"), "--available-now"];
    const r = await runSparkJob(job, args, { env, timeoutMs: 400_000 });
    expect(r.code, describeSparkJob("latest_items", r)).toBe(0);
    const rows = await pg.query("SELECT id, version, name FROM latest_items ORDER BY id");
    expect(rows.length).toBe(60);
    expect(rows.map(([id, version, name]) => `${id}:${version}:${name}`)).toEqual(
      Array.from({ length: 60 }, (_, i) => `${i + 1}:3:v3 of ${i + 1}`),
    );
    const batches = await pg.query("SELECT count(*) FROM pipegen_batches");
    console.log(
      `upserts: ${records.length} records (3 versions of 60 keys) in ${batches[0]![0]} ` +
        "micro-batch(es) -> 60 rows, each key's latest version",
    );
  });
});
