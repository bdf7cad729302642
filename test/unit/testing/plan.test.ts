import { describe, expect, it } from "vitest";
import { compile } from "../../../src/api/compile.js";
import { planTests } from "../../../src/testing/plan.js";
import { javaMajor, sparkJars } from "../../../src/testing/env.js";

// What the runner gets for a test: the job's path, how to tell each sink object of the job
// (the values the Spark target writes into it), how each store keeps rows, lookups, and
// placeholders for the environment the job reads.

const spec = `pipegen: 1
pipeline: shop
connections:
  db: {type: postgres, host: "\${env:DB_HOST}", database: d, user: u, password: "\${secret:DB_PW}"}
  cass: {type: cassandra, contactPoints: [c], keyspace: ks, replication: {class: SimpleStrategy, factor: 1}}
  mongo: {type: mongodb, uri: "\${secret:MONGO_URI}", database: m}
  lake: {type: files, path: /data}
schemas:
  order:
    fields:
      order_id: {type: long, required: true}
      customer: {type: string, required: true}
topics:
  orders: {schema: order, partitions: 1}
  out: {partitions: 1, format: json}
streams:
  s:
    from: {topic: orders}
    onInvalid: drop
    steps:
      - join: {connection: db, table: customers, on: [customer], select: [segment]}
      - derive: {seg: {expr: "segment", type: string}}
      - drop: [segment]
    to:
      - {connection: db, table: t_append}
      - {connection: db, table: t_upsert, mode: upsert, key: order_id}
      - {connection: cass, table: c, key: order_id}
      - {connection: mongo, collection: docs, key: order_id}
      - {topic: out}
      - {connection: lake, path: files/out, format: json}
tests:
  one:
    stream: s
    given: [{batch: [{order_id: 1, customer: a}]}, {batch: [{raw: x}]}]
    lookups: {db.customers: [{customer: a, segment: gold}]}
    expect: {sinks: {db.t_append: []}}
`;

describe("planTests", () => {
  const c = compile([{ file: "shop.yaml", text: spec }]);
  it("compiles", () => expect(c.diagnostics).toEqual([]));
  const [t] = planTests(c.pipelines, "/jobs");

  it("the job, the topic, the records in batches with their offsets", () => {
    expect(t!.runner).toMatchObject({
      id: "shop.one",
      job: "/jobs/shop/spark/s.py",
      topic: "orders",
    });
    expect(
      t!.runner.batches.map((b) => b.map((r) => [r.partition, r.offset, r.timestamp])),
    ).toEqual([[[0, 0, 1704067200000]], [[0, 1, 1704067200001]]]);
    expect(Buffer.from(t!.runner.batches[1]![0]!.value, "base64").toString()).toBe("x");
  });

  it("every sink by name, how its store keeps rows, how the job's object is told", () => {
    expect(
      t!.runner.sinks.map((x) => [
        x.name,
        x.mode,
        x.key.join("+"),
        x.match.class,
        x.match.attr,
        x.match.value,
      ]),
    ).toEqual([
      ["db.t_append", "append", "", "JdbcTableSink", "sink_id", "shop.s.0.t_append"],
      ["db.t_upsert", "upsert", "order_id", "JdbcTableSink", "sink_id", "shop.s.1.t_upsert"],
      [
        "cass.c",
        "upsert",
        "order_id",
        "CassandraSink",
        "insert",
        'INSERT INTO "ks"."c" ("order_id", "customer", "seg") VALUES (?, ?, ?)',
      ],
      ["mongo.docs", "upsert", "order_id", "MongoSink", "collection", "docs"],
      ["out", "append", "", "KafkaSink", "topic", "out"],
      ["lake.files/out", "append", "", "FileSink", "name", "shop.s.files_5"],
    ]);
  });

  it("lookups by the job's lookup name; placeholders for the job's environment", () => {
    expect(t!.runner.lookups).toEqual({
      step_1: { columns: ["customer", "segment"], rows: [{ customer: "a", segment: "gold" }] },
    });
    expect(t!.runner.env).toMatchObject({ DB_HOST: "0", DB_PW: "0", MONGO_URI: "0" });
  });

  it("--only by name or <pipeline>.<name>", () => {
    expect(planTests(c.pipelines, "/jobs", new Set(["shop.one"]))).toHaveLength(1);
    expect(planTests(c.pipelines, "/jobs", new Set(["other"]))).toHaveLength(0);
  });
});

describe("environment", () => {
  it("no Java where there is none", () => expect(javaMajor("/nonexistent/java")).toBeUndefined());
  it("jars: PIPEGEN_TEST_JARS wins; no Avro, no jar", () => {
    const old = process.env.PIPEGEN_TEST_JARS;
    try {
      process.env.PIPEGEN_TEST_JARS = "/a.jar,/b.jar";
      expect(sparkJars(true)).toEqual({ jars: ["/a.jar", "/b.jar"], packages: [] });
      delete process.env.PIPEGEN_TEST_JARS;
      expect(sparkJars(false)).toEqual({ jars: [], packages: [] });
    } finally {
      if (old === undefined) delete process.env.PIPEGEN_TEST_JARS;
      else process.env.PIPEGEN_TEST_JARS = old;
    }
  });
});
