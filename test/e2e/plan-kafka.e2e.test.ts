// `pipegen plan` against a real Kafka broker and a real schema registry (Apicurio 3.3.3, the
// Confluent API): for each breaking Kafka and registry rule, the old artifacts are applied, the
// plan is made, the new ones are applied, and the engine refuses as the plan said; a sample of
// safe changes goes through with nothing lost.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incompatibility } from "../../src/plan/avro.js";
import { describeTopics, REPO_ROOT, startKafka, type KafkaBroker } from "./harness/kafka.js";
import {
  applyTopics,
  buildVersion,
  changeOf,
  planBetween,
  registerSchema,
  rulesOf,
} from "./harness/plan.js";
import { describeRun, run, runPythonCode } from "./harness/python.js";
import { startRegistry, type SchemaRegistry } from "./harness/registry.js";
import { sparkPaths } from "./harness/spark.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-plan-kafka-"));
let kafka: KafkaBroker;
let registry: SchemaRegistry;

beforeAll(async () => {
  [kafka, registry] = await Promise.all([startKafka(), startRegistry()]);
});

afterAll(async () => {
  await Promise.allSettled([kafka?.stop(), registry?.stop()]);
});

/** A one-topic pipeline; `topic` is the topic's settings in flow YAML, `fields` the record's. */
const spec = (
  name: string,
  topic: string,
  fields = "id: {type: long, required: true}",
  dlq = "",
) => `pipegen: 1
pipeline: ${name}
schemas:
  rec:
    fields:
      ${fields.split("\n").join("\n      ")}
topics:
  ${name}.t: {schema: rec, ${topic}}
  ${name}.dlq: {partitions: 1${dlq}}
streams:
  s:
    from: {topic: ${name}.t}
    onInvalid: {deadLetter: ${name}.dlq}
    to: [{topic: ${name}.dlq}]
    trigger: {availableNow: true, schedule: "@hourly"}
`;

/** Produces one record (key null when not given); exit 0 when the broker took it. */
const PRODUCE = `
import sys
from confluent_kafka import Producer
errors = []
p = Producer({"bootstrap.servers": sys.argv[1], "acks": "all", "message.send.max.retries": 0})
key = sys.argv[3] if len(sys.argv) > 3 else None
p.produce(sys.argv[2], value=b"{}", key=key, on_delivery=lambda err, msg: errors.append(err))
p.flush(30)
if errors and errors[0] is not None:
    print(errors[0].str())
    sys.exit(1)
print("delivered")
`;

describe("Kafka topics", () => {
  it("KAFKA_PARTITIONS_DECREASED: the apply program refuses, and nothing changes", async () => {
    const dir = path.join(work, "partitions");
    const v1 = buildVersion(dir, "v1", spec("shrink", "partitions: 4"));
    expect((await applyTopics(v1, kafka.bootstrap)).code).toBe(0);
    const v2 = buildVersion(dir, "v2", spec("shrink", "partitions: 2, retention: 1d"));
    const changes = planBetween(v1, v2);
    expect(changeOf(changes, "KAFKA_PARTITIONS_DECREASED").class).toBe("breaking");
    const apply = await applyTopics(v2, kafka.bootstrap);
    expect(apply.code, describeRun("apply", apply)).toBe(1);
    expect(apply.stderr).toContain("Kafka cannot remove partitions");
    const t = (await describeTopics(kafka.bootstrap, ["shrink.t"]))["shrink.t"]!;
    expect(t.partitions).toBe(4);
    // "changes nothing at all": the retention of the same manifest was not set either
    expect(t.configs["retention.ms"]!.value).not.toBe("86400000");
  });

  it("KAFKA_REPLICATION_FACTOR_CHANGED: the apply program refuses to change it", async () => {
    const dir = path.join(work, "replication");
    const v1 = buildVersion(dir, "v1", spec("rf", "partitions: 1, replicationFactor: 1"));
    expect((await applyTopics(v1, kafka.bootstrap)).code).toBe(0);
    const v2 = buildVersion(dir, "v2", spec("rf", "partitions: 1, replicationFactor: 2"));
    expect(changeOf(planBetween(v1, v2), "KAFKA_REPLICATION_FACTOR_CHANGED").class).toBe(
      "breaking",
    );
    const apply = await applyTopics(v2, kafka.bootstrap);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("changing it needs a partition reassignment");
  });

  it("KAFKA_COMPACT_KEYLESS_WRITER: the compacted topic refuses the keyless records its writer sends", async () => {
    const dir = path.join(work, "compact");
    const v1 = buildVersion(dir, "v1", spec("cmp", "partitions: 1"));
    expect((await applyTopics(v1, kafka.bootstrap)).code).toBe(0);
    const before = await runPythonCode(PRODUCE, [kafka.bootstrap, "cmp.dlq"]);
    expect(before.stdout).toContain("delivered");
    const v2 = buildVersion(
      dir,
      "v2",
      spec("cmp", "partitions: 1", undefined, ", cleanupPolicy: compact"),
    );
    const c = changeOf(planBetween(v1, v2), "KAFKA_COMPACT_KEYLESS_WRITER");
    expect(c.class).toBe("breaking");
    expect(c.message).toContain("Spark stream s");
    expect((await applyTopics(v2, kafka.bootstrap)).code).toBe(0);
    const keyless = await runPythonCode(PRODUCE, [kafka.bootstrap, "cmp.dlq"]);
    expect(keyless.code, describeRun("keyless produce", keyless)).toBe(1);
    expect(keyless.stdout).toMatch(/failed to validate record|INVALID_RECORD/i);
    const keyed = await runPythonCode(PRODUCE, [kafka.bootstrap, "cmp.dlq", "k1"]);
    expect(keyed.stdout).toContain("delivered");
  });

  it("safe: KAFKA_CONFIG_CHANGED (a longer retention) is applied and the records stay", async () => {
    const dir = path.join(work, "config");
    const v1 = buildVersion(dir, "v1", spec("cfg", "partitions: 1, retention: 1d"));
    expect((await applyTopics(v1, kafka.bootstrap)).code).toBe(0);
    expect((await runPythonCode(PRODUCE, [kafka.bootstrap, "cfg.t", "a"])).code).toBe(0);
    const v2 = buildVersion(dir, "v2", spec("cfg", "partitions: 1, retention: 30d"));
    const changes = planBetween(v1, v2);
    expect(rulesOf(changes)).toEqual(["KAFKA_CONFIG_CHANGED"]);
    expect(changes[0]!.class).toBe("safe");
    expect((await applyTopics(v2, kafka.bootstrap)).code).toBe(0);
    const t = (await describeTopics(kafka.bootstrap, ["cfg.t"]))["cfg.t"]!;
    expect(t.configs["retention.ms"]!.value).toBe(String(30 * 86_400_000));
    const consumed = await run(sparkPaths().python, [
      path.join(REPO_ROOT, "test/e2e/spark/consume.py"),
      "--bootstrap-servers",
      kafka.bootstrap,
      "cfg.t",
    ]);
    expect(consumed.stdout.trim().split("\n")).toHaveLength(1);
  });
});

describe("registry subjects", () => {
  const fields = {
    v1: "id: {type: long, required: true}\namount: {type: decimal, precision: 10, scale: 2}",
    required:
      "id: {type: long, required: true}\namount: {type: decimal, precision: 10, scale: 2}\nqty: {type: int, required: true}",
    optional:
      "id: {type: long, required: true}\namount: {type: decimal, precision: 10, scale: 2}\nqty: {type: int}",
    scale3: "id: {type: long, required: true}\namount: {type: decimal, precision: 10, scale: 3}",
  };

  it("SCHEMA_INCOMPATIBLE: the registry answers 409 at BACKWARD, for the field plan names", async () => {
    const dir = path.join(work, "incompatible");
    const v1 = buildVersion(
      dir,
      "v1",
      spec("inc", "partitions: 1, compatibility: BACKWARD", fields.v1),
    );
    expect((await registerSchema(registry.ccompatUrl, v1, "inc.t", "BACKWARD")).status).toBe(200);
    const v2 = buildVersion(
      dir,
      "v2",
      spec("inc", "partitions: 1, compatibility: BACKWARD", fields.required),
    );
    const c = changeOf(planBetween(v1, v2), "SCHEMA_INCOMPATIBLE");
    expect(c.class).toBe("breaking");
    expect(c.message).toContain("field 'qty'");
    const r = await registerSchema(registry.ccompatUrl, v2, "inc.t", "BACKWARD");
    expect(r.status, r.body).toBe(409);
    // the near miss: the same field, optional, is registered
    const v3 = buildVersion(
      dir,
      "v3",
      spec("inc", "partitions: 1, compatibility: BACKWARD", fields.optional),
    );
    const near = planBetween(v1, v3);
    expect(rulesOf(near)).not.toContain("SCHEMA_INCOMPATIBLE");
    expect(changeOf(near, "SCHEMA_CHANGED_COMPATIBLE").class).toBe("safe");
    expect((await registerSchema(registry.ccompatUrl, v3, "inc.t", "BACKWARD")).status).toBe(200);
  });

  it("_TRANSITIVE: plan's offline check and the registry agree on every earlier version", async () => {
    // v1 has a string 'legacy', v2 drops it, v3 brings it back as an optional int: fine against
    // v2 alone, not against v1.
    const base = "id: {type: long, required: true}";
    const versions = [
      `${base}\nlegacy: {type: string, required: true}`,
      base,
      `${base}\nlegacy: {type: int}`,
    ];
    for (const level of ["BACKWARD", "BACKWARD_TRANSITIVE"]) {
      const name = level === "BACKWARD" ? "tb" : "tt";
      const dir = path.join(work, name);
      const built = versions.map((f, i) =>
        buildVersion(dir, `v${i + 1}`, spec(name, `partitions: 1, compatibility: ${level}`, f)),
      );
      for (const v of built.slice(0, 2))
        expect((await registerSchema(registry.ccompatUrl, v, `${name}.t`, level)).status).toBe(200);
      const schemas = built.map((v) => {
        const s = JSON.parse(
          readFileSync(path.join(v.gen, "kafka", "schemas", `${name}.t.avsc`), "utf8"),
        );
        delete s.$comment;
        return s;
      });
      const offline = incompatibility(
        level,
        schemas[2],
        schemas.slice(0, 2).map((schema, i) => ({ schema, from: `v${i + 1}` })),
      );
      const answer = await registerSchema(registry.ccompatUrl, built[2]!, `${name}.t`, level);
      if (level === "BACKWARD") {
        expect(offline).toBeNull();
        expect(answer.status, answer.body).toBe(200);
      } else {
        expect(offline?.problem).toContain("field 'legacy'");
        expect(offline?.against).toBe("v1");
        expect(answer.status, answer.body).toBe(409);
      }
    }
  });

  it("SCHEMA_LOGICAL_TYPE_CHANGED: the registry accepts the new scale, and earlier values read 10 times smaller", async () => {
    const dir = path.join(work, "logical");
    const v1 = buildVersion(
      dir,
      "v1",
      spec("lt", "partitions: 1, compatibility: FULL_TRANSITIVE", fields.v1),
    );
    expect((await registerSchema(registry.ccompatUrl, v1, "lt.t", "FULL_TRANSITIVE")).status).toBe(
      200,
    );
    const v2 = buildVersion(
      dir,
      "v2",
      spec("lt", "partitions: 1, compatibility: FULL_TRANSITIVE", fields.scale3),
    );
    const changes = planBetween(v1, v2);
    expect(changeOf(changes, "SCHEMA_LOGICAL_TYPE_CHANGED").class).toBe("breaking");
    expect(rulesOf(changes)).not.toContain("SCHEMA_INCOMPATIBLE");
    expect((await registerSchema(registry.ccompatUrl, v2, "lt.t", "FULL_TRANSITIVE")).status).toBe(
      200,
    );
    const reread = path.join(dir, "reread.py");
    writeFileSync(
      reread,
      `import io, json, sys
from decimal import Decimal
import fastavro
load = lambda p: fastavro.parse_schema({k: v for k, v in json.load(open(p)).items() if k != "$comment"})
old, new = load(sys.argv[1]), load(sys.argv[2])
buf = io.BytesIO()
fastavro.schemaless_writer(buf, old, {"id": 1, "amount": Decimal("12.50")})
buf.seek(0)
print(fastavro.schemaless_reader(buf, new, new)["amount"])
`,
    );
    const avsc = (v: typeof v1) => path.join(v.gen, "kafka", "schemas", "lt.t.avsc");
    const r = await run(sparkPaths().python, [reread, avsc(v1), avsc(v2)]);
    expect(r.code, describeRun("reread", r)).toBe(0);
    expect(r.stdout.trim()).toBe("1.250");
  });
});
