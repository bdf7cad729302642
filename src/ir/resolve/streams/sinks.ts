/**
 * `streams.<name>.to`: where a stream's records go: a Kafka topic, or a connection (a SQL or
 * Cassandra table, a MongoDB collection, files on S3 or in a folder). Keys and partition columns
 * are columns of the stream's output; a table sink needs every column typed.
 */
import type * as S from "../../../schema/spec.gen.js";
import type * as I from "../../types.js";
import { type Ctx, type Refs, err } from "../context.js";
import { type Shape, need } from "./shape.js";
import { defaults } from "../defaults.js";

type SinkSpec = NonNullable<S.PipegenSpec["streams"]>[string]["to"][number];

/** Where a sink is, and what it needs to resolve: the output shape, the stream's name, the lookups. */
interface SinkAt {
  ctx: Ctx;
  refs: Refs;
  pointer: string;
  stream: string;
  shape: Shape;
}

/** The sinks of stream `name` (at pointer `p`), given the shape of its output. */
export function resolveSinks(
  ctx: Ctx,
  refs: Refs,
  p: string,
  name: string,
  given: readonly SinkSpec[],
  shape: Shape,
): I.Sink[] {
  const sinks: I.Sink[] = [];
  given.forEach((t, i) => {
    const sink = resolveSink({ ctx, refs, pointer: `${p}/to/${i}`, stream: name, shape }, t);
    if (sink) sinks.push(sink);
  });
  checkTypedSinks(ctx, p, sinks, shape);
  checkOneS3(ctx, p, sinks);
  return sinks;
}

/** S3A's settings (endpoint, region, credentials) are the job's: one s3 connection per stream. */
function checkOneS3(ctx: Ctx, p: string, sinks: readonly I.Sink[]) {
  const s3 = [
    ...new Set(sinks.flatMap((k) => (k.kind === "files" && k.connection.type === "s3" ? [k] : []))),
  ];
  const first = s3[0]?.connection.name;
  const other = s3.find((k) => k.connection.name !== first);
  if (other)
    err(
      ctx,
      "PG305",
      `${p}/to/${sinks.indexOf(other)}/connection`,
      `a stream writes to one s3 connection at most ('${first}' and '${other.connection.name}' here): the S3 settings are the Spark job's`,
      "write both sinks through one s3 connection (a different 'path' each), or split the stream",
    );
}

/** Every key column is a column of the stream's output. */
function keyCheck(at: SinkAt, key: readonly string[]) {
  key.forEach((c, j) => need(at.ctx, at.shape, `${at.pointer}/key/${j}`, c, "the stream's output"));
}

/**
 * A table's key columns make its primary key (the Cassandra partition and clustering key): a
 * row whose key is null fails its micro-batch on every retry, so a key column that can be null
 * is refused. A column is non-null when its field is required or a `notNull` rule covers it.
 */
function nonNullKey(at: SinkAt, key: readonly string[], what: string) {
  key.forEach((c, j) => {
    const f = at.shape.fields.find((x) => x.name === c);
    if (f && !f.required && at.shape.checked)
      err(
        at.ctx,
        "PG305",
        `${at.pointer}/key/${j}`,
        `key column '${c}' can be null, but it is part of the ${what}'s primary key: one null would fail the micro-batch on every retry`,
        `add the quality rule 'notNull: [${c}]' to the stream (null rows then go to onInvalid), or mark the field 'required: true' in its schema`,
      );
  });
}

/** One sink: a Kafka topic, or what its connection's type makes (`connectionSink`). */
function resolveSink(at: SinkAt, t: SinkSpec): I.Sink | undefined {
  if (t.topic !== undefined) return kafkaSink(at, t, t.topic);
  if (t.connection === undefined) {
    err(
      at.ctx,
      "PG204",
      at.pointer,
      "a sink needs 'topic' or 'connection'",
      "write '{topic: <topic>}' for Kafka, or '{connection: <name>, table: <table>}' for a store",
      "key",
    );
    return undefined;
  }
  const conn = at.refs.connRef(
    `${at.pointer}/connection`,
    t.connection,
    ["postgres", "mysql", "cassandra", "mongodb", "s3", "files"],
    "a sink",
  );
  if (!conn) return undefined;
  return connectionSink(at, t, conn);
}

/** A Kafka sink takes a topic and (optionally) the one column of the record key. */
function kafkaSink(at: SinkAt, t: SinkSpec, name: string): I.Sink | undefined {
  const tp = at.pointer;
  const extra = [
    "connection",
    "table",
    "collection",
    "path",
    "mode",
    "format",
    "partitionBy",
  ].filter((k) => (t as Record<string, unknown>)[k] !== undefined);
  if (extra.length)
    err(
      at.ctx,
      "PG305",
      tp,
      `a Kafka sink takes 'topic' and 'key' only, not ${extra.join(", ")}`,
      `remove ${extra.join(", ")}: a Kafka sink writes each record as JSON to its topic`,
    );
  const topic = at.refs.topicRef(`${tp}/topic`, name);
  if (t.key && t.key.length !== 1)
    err(
      at.ctx,
      "PG305",
      `${tp}/key`,
      "a Kafka sink's key is one column",
      "name the one column whose value becomes the Kafka record key, e.g. key: customer_id",
    );
  if (t.key) keyCheck(at, t.key);
  return topic ? { kind: "kafka", topic, key: t.key?.[0] ?? null } : undefined;
}

/** The sink a connection of type T makes. */
type ConnectionSink<T extends I.Connection["type"]> = (
  at: SinkAt,
  t: SinkSpec,
  conn: I.ConnectionOf<T>,
) => I.Sink | undefined;

/** A table in Postgres, MySQL (append or upsert) or Cassandra (always upsert). */
const tableSink: ConnectionSink<"postgres" | "mysql" | "cassandra"> = (at, t, conn) => {
  const tp = at.pointer;
  if (!t.table) {
    err(
      at.ctx,
      "PG204",
      tp,
      `a ${conn.type} sink needs 'table'`,
      "name the table to write, e.g. table: orders_per_minute",
      "key",
    );
    return undefined;
  }
  const mode = t.mode ?? (conn.type === "cassandra" ? "upsert" : "append");
  const key = t.key ?? [];
  if (mode === "upsert" && key.length === 0)
    err(
      at.ctx,
      "PG204",
      tp,
      `an upsert into ${conn.type} needs 'key'`,
      "list the columns that identify a row, e.g. key: [customer_id, window_start]",
      "key",
    );
  if (conn.type === "cassandra" && mode === "append")
    err(
      at.ctx,
      "PG305",
      `${tp}/mode`,
      "Cassandra writes are always upserts by primary key",
      "remove 'mode' or write 'mode: upsert'",
    );
  keyCheck(at, key);
  nonNullKey(at, key, `${conn.type} table`);
  if (conn.type === "cassandra")
    return { kind: "cassandra", connection: conn, table: t.table, mode: "upsert", key };
  return { kind: "jdbc", connection: conn, table: t.table, mode, key };
};

/** A MongoDB collection; the key columns make the document's _id. */
const mongoSink: ConnectionSink<"mongodb"> = (at, t, conn) => {
  if (!t.collection) {
    err(
      at.ctx,
      "PG204",
      at.pointer,
      "a MongoDB sink needs 'collection'",
      "name the collection to write, e.g. collection: profiles",
      "key",
    );
    return undefined;
  }
  const key = t.key ?? [];
  if (key.length === 0)
    err(
      at.ctx,
      "PG204",
      at.pointer,
      "a MongoDB sink needs 'key': the columns its _id is made of",
      "list the columns that identify a document, e.g. key: [user_id]",
      "key",
    );
  keyCheck(at, key);
  return { kind: "mongodb", connection: conn, collection: t.collection, key };
};

/** Files on S3 or in a folder, under a path named after the stream unless given. */
const filesSink: ConnectionSink<"s3" | "files"> = (at, t, conn) => {
  const partitionBy = t.partitionBy ?? [];
  partitionBy.forEach((c, j) =>
    need(at.ctx, at.shape, `${at.pointer}/partitionBy/${j}`, c, "the stream's output"),
  );
  return {
    kind: "files",
    connection: conn,
    path: t.path ?? at.stream,
    format: t.format ?? defaults.fileFormat,
    partitionBy,
  };
};

/** The sink each type of connection makes. */
function connectionSink(at: SinkAt, t: SinkSpec, conn: I.Connection): I.Sink | undefined {
  switch (conn.type) {
    case "postgres":
    case "mysql":
    case "cassandra":
      return tableSink(at, t, conn);
    case "mongodb":
      return mongoSink(at, t, conn);
    case "s3":
    case "files":
      return filesSink(at, t, conn);
  }
}

/** A table sink creates typed columns: none of the output's columns may have an unknown type. */
function checkTypedSinks(ctx: Ctx, p: string, sinks: readonly I.Sink[], shape: Shape) {
  const typed = sinks.some((k) => k.kind === "jdbc" || k.kind === "cassandra");
  if (typed && shape.checked)
    for (const f of shape.fields)
      if (f.type === "unknown")
        err(
          ctx,
          "PG308",
          `${p}/to`,
          `column '${f.name}' reaches a table sink but its type is unknown`,
          "give the step that makes it a type (derive: {col: {expr, type}}) or drop the column before the sink",
        );
}
