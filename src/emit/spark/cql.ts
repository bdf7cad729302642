import type { CassandraConnection, Field, Sink } from "../../ir/types.js";
import { sqlIdent, sqlStr } from "../shared/escape.js";

const q = (n: string) => sqlIdent(n, "cql");

export function cqlType(f: Field): string {
  switch (f.type) {
    case "string":
      return "text";
    case "int":
      return "int";
    case "long":
      return "bigint";
    case "float":
      return "float";
    case "double":
      return "double";
    case "boolean":
      return "boolean";
    case "decimal":
      return "decimal";
    case "timestamp":
      return "timestamp";
    case "date":
      return "date";
    case "bytes":
      return "blob";
    case "unknown":
      throw new Error(`column ${f.name} has no known type`);
  }
}

/**
 * Primary key of a Cassandra sink: time columns of the key (timestamps, such as window_start)
 * cluster rows inside a partition; the other key columns partition them.
 */
export function cassandraKey(
  key: readonly string[],
  cols: readonly Field[],
): { partition: string[]; clustering: string[] } {
  const isTime = (c: string) => cols.find((f) => f.name === c)?.type === "timestamp";
  const partition = key.filter((c) => !isTime(c));
  const clustering = key.filter(isTime);
  return partition.length ? { partition, clustering } : { partition: [...key], clustering: [] };
}

export function keyspaceOf(c: CassandraConnection): string {
  return c.keyspace;
}

function replication(c: CassandraConnection): string {
  const r = c.replication;
  if (r.class === "NetworkTopologyStrategy") {
    const dcs = Object.entries(r.datacenters);
    return `{${[`'class': 'NetworkTopologyStrategy'`, ...dcs.map(([dc, n]) => `${sqlStr(dc, "cql")}: ${n}`)].join(", ")}}`;
  }
  return `{'class': 'SimpleStrategy', 'replication_factor': ${r.factor ?? 1}}`;
}

export function createKeyspace(c: CassandraConnection): string {
  return `CREATE KEYSPACE IF NOT EXISTS ${q(keyspaceOf(c))} WITH replication = ${replication(c)};`;
}

export function createCassandraTable(
  c: CassandraConnection,
  sink: Extract<Sink, { kind: "cassandra" }>,
  cols: readonly Field[],
): string {
  const { partition, clustering } = cassandraKey(sink.key, cols);
  const lines = cols.map((f) => `  ${q(f.name)} ${cqlType(f)}`);
  const pk = `(${partition.map(q).join(", ")})${clustering.length ? `, ${clustering.map(q).join(", ")}` : ""}`;
  lines.push(`  PRIMARY KEY (${pk})`);
  return `CREATE TABLE IF NOT EXISTS ${q(keyspaceOf(c))}.${q(sink.table)} (\n${lines.join(",\n")}\n);`;
}

export function cassandraInsert(
  c: CassandraConnection,
  sink: Extract<Sink, { kind: "cassandra" }>,
  cols: readonly string[],
): string {
  return `INSERT INTO ${q(keyspaceOf(c))}.${q(sink.table)} (${cols.map(q).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`;
}
