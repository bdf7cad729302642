/**
 * The IR's rules about settings that must fit together, and the rules that keep a pipeline
 * from losing, blocking or corrupting data, each broken once.
 */
import type { Spec } from "./parts.js";
import { type Rule, put, set } from "./ir-rules.js";
import type { Breakage } from "./schema-rules.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown) => v as Obj;
const esc = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** Several changes at once; the broken place is given. */
const change = (
  rule: string,
  at: Breakage["broken"],
  ...puts: Array<[string, unknown]>
): Breakage => ({
  rule,
  apply: (s: Spec) => puts.forEach(([p, v]) => put(s, p, v)),
  broken: at,
});

/** The name of the first connection of a type, or of the first topic without a schema. */
const connOf = (s: Spec, type: string) =>
  Object.entries(obj(s.connections)).find(([, c]) => obj(c).type === type)?.[0];
const plainTopic = (s: Spec) => Object.entries(obj(s.topics)).find(([, t]) => !obj(t).schema)?.[0];

const settings: Rule[] = [
  (_, p) =>
    change(
      "settings: more in-sync replicas than replicas",
      { pointer: `/topics/${esc(p.raw)}/minInsyncReplicas`, part: "value" },
      [`/topics/${esc(p.raw)}/replicationFactor`, 1],
      [`/topics/${esc(p.raw)}/minInsyncReplicas`, 2],
    ),
  (c) => {
    const t = plainTopic(c.spec);
    return t ? set("settings: avro without schema", `/topics/${esc(t)}/format`, "avro") : undefined;
  },
  (_, p) =>
    set(
      "settings: unknown topic config",
      `/topics/${esc(p.raw)}/config`,
      { "retention.mss": "1" },
      `/topics/${esc(p.raw)}/config/retention.mss`,
    ),
  (_, p) =>
    set(
      "settings: config set twice",
      `/topics/${esc(p.raw)}/config`,
      { "retention.ms": "5" },
      `/topics/${esc(p.raw)}/config/retention.ms`,
    ),
  (_, p) =>
    p.topicSink < 0
      ? undefined
      : set(
          "settings: kafka sink with a table",
          `${p.sp}/to/${p.topicSink}/table`,
          "zq",
          `${p.sp}/to/${p.topicSink}`,
        ),
  (_, p) => {
    const w = p.steps[p.agg];
    return w && "window" in w
      ? set("settings: slide longer than size", `${p.sp}/steps/${p.agg}/window/slide`, "1h")
      : undefined;
  },
  (c, p) => {
    const step = p.steps[0];
    if (!step) return undefined;
    const [key, value] =
      "filter" in step ? ["select", [c.roles.id]] : ["filter", `${c.roles.id} > 0`];
    return set(
      "settings: a step doing two things",
      `${p.sp}/steps/0/${key}`,
      value,
      `${p.sp}/steps/0`,
    );
  },
  (c) => {
    const sql = connOf(c.spec, "postgres") ?? connOf(c.spec, "mysql");
    const a = Object.keys(obj(c.spec.archive ?? {}))[0];
    return a && sql
      ? set("settings: connection of another type", `/archive/${a}/to/connection`, sql)
      : undefined;
  },
  (c, p) => {
    const lake = connOf(c.spec, "s3");
    return p.ingest && lake
      ? set("settings: ingest from s3", `${p.ip}/from/connection`, lake)
      : undefined;
  },
  () =>
    set(
      "settings: cluster mode on a local master",
      "/platform/spark/master",
      "local[2]",
      "/platform/spark",
    ),
  () =>
    set("settings: checkpoints in a bad bucket", "/platform/spark/checkpointRoot", "s3a://ck/x"),
  () =>
    set(
      "settings: SASL without password",
      "/platform/kafka",
      { securityProtocol: "SASL_SSL" },
      "/platform/kafka",
    ),
];

const safety: Rule[] = [
  (_, p) =>
    set(
      "safety: decimal without precision",
      `/schemas/${p.schema}/fields/zq_amount`,
      { type: "decimal" },
      `/schemas/${p.schema}/fields/zq_amount`,
    ),
  (_, p) =>
    p.tableSink < 0
      ? undefined
      : set(
          "safety: upsert without key",
          `${p.sp}/to/${p.tableSink}/key`,
          undefined,
          `${p.sp}/to/${p.tableSink}`,
        ),
  (_, p) => set("safety: no word on invalid records", `${p.sp}/onInvalid`, undefined, p.sp),
  (c, p) =>
    obj(c.spec.orchestration ?? {}).schedule
      ? undefined
      : set(
          "safety: availableNow never scheduled",
          `${p.sp}/trigger`,
          { availableNow: true },
          `${p.sp}/trigger`,
        ),
  (c) => {
    const cass = connOf(c.spec, "cassandra");
    return cass
      ? set(
          "safety: cassandra without replication",
          `/connections/${cass}/replication`,
          undefined,
          `/connections/${cass}`,
        )
      : undefined;
  },
  (c, p) => {
    if (p.tableSink < 0 || p.agg < 0) return undefined;
    return change(
      "safety: nullable table key",
      { pointer: `${p.sp}/to/${p.tableSink}/key/0`, part: "value" },
      [`/schemas/${p.schema}/fields/${c.roles.group}/required`, undefined],
      [`${p.sp}/quality`, undefined],
    );
  },
  (c) => {
    const src = connOf(c.spec, "postgres") ?? connOf(c.spec, "mysql");
    return src
      ? set("safety: plaintext password", `/connections/${src}/password`, "hunter2")
      : undefined;
  },
  (c) => {
    const src = connOf(c.spec, "postgres") ?? connOf(c.spec, "mysql");
    return src
      ? set("safety: credentials in a URI", `/connections/${src}/host`, "postgres://bob:pw@db")
      : undefined;
  },
  (c, p) => {
    const lake = connOf(c.spec, "s3");
    if (!lake) return undefined;
    const job = {
      from: { topic: p.raw },
      to: { connection: lake, partitionBy: ["dt"] },
      schedule: "@daily",
    };
    return set(
      "names: a job name used twice",
      `/archive`,
      { ...obj(c.spec.archive ?? {}), [p.stream]: job },
      `/archive/${p.stream}`,
    );
  },
];

export const irSettingSets = { settings, safety };
