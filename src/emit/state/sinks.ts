/**
 * The state of a pipeline's sinks: per store object (table, collection, topic, path) its
 * columns with their store types, key and mode, and the ids its exactly-once writes use.
 */
import { sparkNames } from "../../ir/names.js";
import type { Field, Pipeline, Sink, Stream } from "../../ir/types.js";
import { cassandraKey, cqlType } from "../spark/cql.js";
import { dialectOf } from "../spark/jdbc.js";
import { filePath } from "../spark/sinks.js";
import { sqlType } from "../spark/sql.js";
import { at } from "./pointers.js";
import type { SinkColumn, SinkState } from "./types.js";
import { typeText, valueText } from "./values.js";

/** The store object a sink writes, as "<connection>/<object>" ("kafka/<topic>" for topics). */
function objectKey(x: Sink): string {
  switch (x.kind) {
    case "jdbc":
      return `${x.connection.name}/${x.table}`;
    case "cassandra":
      return `${x.connection.name}/${x.connection.keyspace}.${x.table}`;
    case "mongodb":
      return `${x.connection.name}/${x.collection}`;
    case "kafka":
      return `kafka/${x.topic.name}`;
    case "files":
      return `${x.connection.name}/${x.path}`;
  }
}

/**
 * The key of a stream's sink in the state: its store object; a Kafka topic (which several
 * streams often write) with the stream, and another object with the stream when two write it.
 */
export function sinkKey(p: Pipeline, s: Stream, index: number): string {
  const x = s.sinks[index]!;
  const key = objectKey(x);
  if (x.kind === "kafka") return `${key} <- ${s.name}`;
  const shared = p.streams.flatMap((t) => t.sinks).filter((y) => objectKey(y) === key).length > 1;
  return shared ? `${key} <- ${s.name}` : key;
}

function storeType(x: Sink, f: Field): string | null {
  if (f.type === "unknown") return null;
  if (x.kind === "jdbc") return sqlType(f, dialectOf(x.connection), x.key.includes(f.name));
  if (x.kind === "cassandra") return cqlType(f);
  return null;
}

function columns(x: Sink, output: readonly Field[]): SinkColumn[] {
  return output.map((f) => ({
    name: f.name,
    type: typeText(f),
    required: f.required,
    storeType: storeType(x, f),
  }));
}

function sinkState(p: Pipeline, s: Stream, x: Sink, i: number): SinkState {
  const base = { at: at.sink(s.name, i), stream: s.name, columns: columns(x, s.output) };
  const none = { batchMarker: null, stage: null };
  switch (x.kind) {
    case "jdbc":
      return {
        ...base,
        kind: "jdbc",
        dialect: dialectOf(x.connection),
        connection: x.connection.name,
        object: x.table,
        mode: x.mode,
        key: [...x.key],
        batchMarker: sparkNames.sinkId(p.name, s.name, i, x.table),
        stage: sparkNames.stageTable(p.name, s.name, i),
      };
    case "cassandra":
      return {
        ...base,
        ...none,
        kind: "cassandra",
        dialect: "cassandra",
        connection: x.connection.name,
        object: `${x.connection.keyspace}.${x.table}`,
        mode: "upsert",
        key: [...x.key],
        primaryKey: cassandraKey(x.key, s.output),
      };
    case "mongodb":
      return {
        ...base,
        ...none,
        kind: "mongodb",
        dialect: "mongodb",
        connection: x.connection.name,
        object: x.collection,
        mode: "upsert",
        key: [...x.key],
      };
    case "kafka":
      return {
        ...base,
        ...none,
        kind: "kafka",
        dialect: "kafka",
        connection: null,
        object: x.topic.name,
        mode: "append",
        key: x.key === null ? [] : [x.key],
      };
    case "files":
      return {
        ...base,
        ...none,
        kind: "files",
        dialect: x.format,
        connection: x.connection.name,
        object: valueText(filePath(x.connection, x.path)),
        mode: "append",
        key: [],
      };
  }
}

export function sinkStates(p: Pipeline): Record<string, SinkState> {
  const out: Record<string, SinkState> = {};
  for (const s of p.streams)
    s.sinks.forEach((x, i) => (out[sinkKey(p, s, i)] = sinkState(p, s, x, i)));
  return out;
}
