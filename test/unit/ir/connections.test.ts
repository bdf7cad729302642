// src/ir/resolve/connections.ts: typed connections, defaulted once; replication spelled out.
import { describe, expect, it } from "vitest";
import { compile } from "../../../src/api/index.js";
import type { Connection } from "../../../src/ir/types.js";
import { sparkJobPlans } from "../../../src/emit/spark/submit.js";
import { env, files, pipeline, s3, stream } from "../ir-builder.js";

const head = "pipegen: 1\npipeline: p\n";

function resolveText(text: string) {
  return compile([{ file: "t.yaml", text: head + text }]);
}

function connection(yaml: string): Connection {
  const r = resolveText(`connections:\n  c: ${yaml}\n`);
  expect(r.diagnostics).toEqual([]);
  return r.pipelines[0]!.connections[0]!;
}

describe("typed connections with their defaults", () => {
  it.each([
    [
      "postgres: port 5432, no password, options sorted as references",
      "{type: postgres, host: h, database: d, user: u, options: {sslmode: require, ApplicationName: '${env:APP}'}}",
      {
        name: "c",
        type: "postgres",
        host: { kind: "literal", value: "h" },
        port: { kind: "literal", value: "5432" },
        database: { kind: "literal", value: "d" },
        user: { kind: "literal", value: "u" },
        password: null,
        options: {
          ApplicationName: { kind: "env", name: "APP" },
          sslmode: { kind: "literal", value: "require" },
        },
      },
    ],
    [
      "mysql: port 3306, a port from the environment stays a reference",
      "{type: mysql, host: h, port: '${env:P}', database: d, user: u}",
      {
        name: "c",
        type: "mysql",
        host: { kind: "literal", value: "h" },
        port: { kind: "env", name: "P" },
        database: { kind: "literal", value: "d" },
        user: { kind: "literal", value: "u" },
        password: null,
        options: {},
      },
    ],
    [
      "cassandra: port 9042, the local datacenter from the only replicated one",
      "{type: cassandra, contactPoints: [a, b], keyspace: ks, replication: {datacenters: {west: 3}}}",
      {
        name: "c",
        type: "cassandra",
        contactPoints: [
          { kind: "literal", value: "a" },
          { kind: "literal", value: "b" },
        ],
        port: { kind: "literal", value: "9042" },
        localDatacenter: { kind: "literal", value: "west" },
        keyspace: "ks",
        replication: { class: "NetworkTopologyStrategy", factor: null, datacenters: { west: 3 } },
        user: null,
        password: null,
      },
    ],
    [
      "s3: no prefix is '', path style off",
      "{type: s3, bucket: lake}",
      {
        name: "c",
        type: "s3",
        bucket: "lake",
        prefix: "",
        endpoint: null,
        region: null,
        pathStyle: false,
        accessKey: null,
        secretKey: null,
      },
    ],
  ])("%s", (_name, yaml, want) => {
    expect(connection(yaml)).toEqual(want);
  });
});

describe("Cassandra replication is spelled out", () => {
  it.each([
    ["none at all", "{type: cassandra, contactPoints: [a], keyspace: ks}", "needs 'replication'"],
    [
      "SimpleStrategy without a factor",
      "{type: cassandra, contactPoints: [a], keyspace: ks, replication: {class: SimpleStrategy}}",
      "SimpleStrategy needs 'factor'",
    ],
    [
      "NetworkTopologyStrategy without datacenters",
      "{type: cassandra, contactPoints: [a], keyspace: ks, replication: {class: NetworkTopologyStrategy}}",
      "needs 'datacenters'",
    ],
    [
      "a factor with datacenters",
      "{type: cassandra, contactPoints: [a], keyspace: ks, replication: {factor: 2, datacenters: {dc1: 3}}}",
      "'factor' is SimpleStrategy's",
    ],
  ])("%s", (_name, yaml, message) => {
    const r = resolveText(`connections:\n  c: ${yaml}\n`);
    expect(r.diagnostics.map((d) => d.message).join("\n")).toContain(message);
    expect(r.outputs).toEqual([]);
  });
});

describe("a stream's files sinks on S3", () => {
  const sink = (connection: ReturnType<typeof s3> | ReturnType<typeof files>, path: string) => ({
    kind: "files" as const,
    connection,
    path,
    format: "parquet" as const,
    partitionBy: [],
  });

  it("get hadoop-aws and the connection's S3A settings in the job's plan", () => {
    const lake = s3({ endpoint: env("S3_ENDPOINT"), pathStyle: true, accessKey: env("AK") });
    const p = pipeline({ streams: [stream({ sinks: [sink(lake, "a")] })] });
    const plan = sparkJobPlans(p).get("events_out")!;
    expect(plan.packages.some((x) => x.startsWith("org.apache.hadoop:hadoop-aws:"))).toBe(true);
    expect(plan.s3).toEqual({
      endpoint: env("S3_ENDPOINT"),
      region: null,
      pathStyle: true,
      accessKey: env("AK"),
      secretKey: null,
    });
    expect(plan.environment).toEqual(expect.arrayContaining(["S3_ENDPOINT", "AK"]));
  });

  it("a local folder needs neither", () => {
    const p = pipeline({ streams: [stream({ sinks: [sink(files(), "a")] })] });
    const plan = sparkJobPlans(p).get("events_out")!;
    expect(plan.packages.some((x) => x.includes("hadoop-aws"))).toBe(false);
    expect(plan.s3).toBeUndefined();
  });

  it("two s3 connections in one stream are refused (S3A's settings are the job's)", () => {
    const r = resolveText(`connections:
  a: {type: s3, bucket: aaa}
  b: {type: s3, bucket: bbb}
schemas:
  e: {fields: {id: {type: long, required: true}}}
topics:
  t: {schema: e, partitions: 1}
streams:
  s:
    from: {topic: t}
    onInvalid: drop
    to:
      - {connection: a, path: x}
      - {connection: b, path: y}
`);
    expect(r.diagnostics.map((d) => `${d.code} ${d.line}:${d.col} ${d.message}`)).toEqual([
      expect.stringMatching(/^PG305 16:\d+ a stream writes to one s3 connection at most/),
    ]);
  });
});
