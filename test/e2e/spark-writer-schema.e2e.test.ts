// A Spark job reads each Avro record with the schema it was written with, on real Kafka 4.1.2,
// Apicurio Registry 3.3.3 (the Confluent API) and Spark 4.0.0: records of version 1 of a
// subject, then a compatible version 2 (an optional field added) registered with
// pipegen-runtime's registration and records of it; the job built from version 2 asks the
// registry for the subject's versions at start and writes every record to its sink, version 1's
// with the new field's default (null). A record not in the wire format is still a dead letter;
// a record whose schema id the registry did not have at start fails the job, with its place and
// id named, and nothing after it is written.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import {
  applyTopics,
  buildVersion,
  changeOf,
  planBetween,
  registerSchema,
  type Version,
} from "./harness/plan.js";
import { startRegistry, type SchemaRegistry } from "./harness/registry.js";
import { describeSparkJob, runSparkJob } from "./harness/spark.js";
import { countRecords, produceRecords } from "./spark/topic-io.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-writer-schema-"));
const lake = path.join(work, "lake");
let kafka: KafkaBroker;
let registry: SchemaRegistry;

beforeAll(async () => {
  [kafka, registry] = await Promise.all([startKafka(), startRegistry()]);
});

afterAll(async () => {
  await Promise.allSettled([kafka?.stop(), registry?.stop()]);
});

const spec = (extra: string, topic = "ws.events", topicSetting = "") => `pipegen: 1
pipeline: ${topic.replace(".", "_")}
platform:
  spark: {checkpointRoot: "${path.join(work, "ckpt")}"}
connections:
  lake: {type: files, path: "${lake}"}
schemas:
  event:
    fields:
      id: {type: long, required: true}
      name: {type: string}${extra}
topics:
  ${topic}: {schema: event, partitions: 1${topicSetting}}
  ${topic}.dlq: {partitions: 1}
streams:
  mirror:
    from: {topic: ${topic}}
    onInvalid: {deadLetter: ${topic}.dlq}
    to:
      - {connection: lake, path: ${topic}, format: json}
    trigger: {availableNow: true, schedule: "@hourly"}
`;

interface Produced {
  id?: number;
  name?: string | null;
  extra?: string | null;
  qty?: number;
  raw_hex?: string;
}

const produce = (v: Version, schemaId: number, records: Produced[], topic = "ws.events") =>
  produceRecords(kafka.bootstrap, work, {
    topic,
    format: "avro",
    schema: path.join(v.gen, "kafka", "schemas", `${topic}.avsc`),
    schema_id: schemaId,
    records: records.map(({ raw_hex, ...value }) => ({ key: null, value, raw_hex })),
  });

/** The job of a build, run to the end of the topic with the real registry. */
const runJob = (v: Version) =>
  runSparkJob(path.join(v.gen, "spark", "mirror.py"), ["--available-now"], {
    env: { KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap, SCHEMA_REGISTRY_URL: registry.ccompatUrl },
    timeoutMs: 400_000,
  });

/** The rows the files sink wrote (JSON lines; Spark leaves null fields out), by id. */
function sinkRows(topic = "ws.events"): Array<Record<string, unknown>> {
  const out = path.join(lake, topic);
  const rows = readdirSync(out, { recursive: true, encoding: "utf8" })
    .filter((f) => /part-.*\.json$/.test(f))
    .flatMap((f) => readFileSync(path.join(out, f), "utf8").split("\n").filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

const deadLetters = (topic = "ws.events") => countRecords(kafka.bootstrap, `${topic}.dlq`);

describe("records of two versions of a subject, read by the job built from the second", () => {
  let v1: Version;
  let v2: Version;
  const ids: number[] = [];

  beforeAll(async () => {
    v1 = buildVersion(path.join(work, "spec"), "v1", spec(""));
    v2 = buildVersion(path.join(work, "spec"), "v2", spec("\n      extra: {type: string}"));
    expect((await applyTopics(v2, kafka.bootstrap)).code).toBe(0);
    for (const v of [v1, v2]) {
      const r = await registerSchema(registry.ccompatUrl, v, "ws.events", "BACKWARD");
      expect(r.status, r.body).toBe(200);
      ids.push(Number(r.body));
    }
  });

  it("the registry gave the versions two ids", () => {
    expect(new Set(ids).size).toBe(2);
  });

  it("every record reaches the sink: version 1's with the new field's default", async () => {
    await produce(v1, ids[0]!, [
      { id: 1, name: "a" },
      { id: 2, name: null },
      { raw_hex: "0100000001020304" },
    ]);
    await produce(v2, ids[1]!, [
      { id: 3, name: "c", extra: "x" },
      { id: 4, name: null, extra: null },
    ]);
    await produce(v1, ids[0]!, [{ id: 5, name: "e" }]);
    const r = await runJob(v2);
    expect(r.code, describeSparkJob("mirror v2", r)).toBe(0);
    expect(sinkRows()).toEqual([
      { id: 1, name: "a" },
      { id: 2 },
      { id: 3, name: "c", extra: "x" },
      { id: 4 },
      { id: 5, name: "e" },
    ]);
    // The record not in the wire format is the one dead letter.
    expect(await deadLetters()).toBe(1);
  });

  it("a record of a schema id the registry did not have at start fails the job, naming it", async () => {
    await produce(v2, 999_999, [{ id: 6, name: "f", extra: "y" }]);
    await produce(v2, ids[1]!, [{ id: 7, name: "g", extra: "z" }]);
    const r = await runJob(v2);
    expect(r.code, describeSparkJob("mirror v2, unknown id", r)).not.toBe(0);
    expect(`${r.stdout}\n${r.stderr}`).toMatch(
      /ws\.events\/0@6 carries schema id 999999, which was not a version of subject ws\.events-value when the job started \(ids known: \d+, \d+\)/,
    );
    // Nothing skipped, nothing dead-lettered: the record and the one after it wait.
    expect(sinkRows().map((x) => x.id)).toEqual([1, 2, 3, 4, 5]);
    expect(await deadLetters()).toBe(1);
  });
});

describe("a new schema that cannot read an earlier version (plan: SPARK_DECODER_CANNOT_READ_EARLIER)", () => {
  const topic = "ws.late";
  const forward = ", compatibility: FORWARD";
  it("plan says breaking, and the earlier version's records go to the dead-letter topic", async () => {
    const dir = path.join(work, "spec-late");
    const v1 = buildVersion(dir, "v1", spec("", topic, forward));
    const v2 = buildVersion(
      dir,
      "v2",
      spec("\n      qty: {type: int, required: true}", topic, forward),
    );
    const change = changeOf(planBetween(v1, v2), "SPARK_DECODER_CANNOT_READ_EARLIER");
    expect(change.class).toBe("breaking");
    expect((await applyTopics(v2, kafka.bootstrap)).code).toBe(0);
    const ids: number[] = [];
    for (const v of [v1, v2]) {
      const r = await registerSchema(registry.ccompatUrl, v, topic, "FORWARD");
      expect(r.status, r.body).toBe(200);
      ids.push(Number(r.body));
    }
    await produce(
      v1,
      ids[0]!,
      [
        { id: 1, name: "a" },
        { id: 2, name: "b" },
      ],
      topic,
    );
    await produce(v2, ids[1]!, [{ id: 3, name: "c", qty: 5 }], topic);
    const r = await runJob(v2);
    expect(r.code, describeSparkJob("mirror, required field added", r)).toBe(0);
    expect(sinkRows(topic)).toEqual([{ id: 3, name: "c", qty: 5 }]);
    expect(await deadLetters(topic)).toBe(2);
  });
});
