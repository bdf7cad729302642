import type { FilesConnection, S3Connection, Sink, Stream, ValueRef } from "../../ir/types.js";
import { sparkNames } from "../../ir/names.js";
import { cassandraInsert, createCassandraTable, createKeyspace } from "./cql.js";

export type SinkOf<K extends Sink["kind"]> = Extract<Sink, { kind: K }>;

/** The stream's sinks of one kind, in spec order. */
export function sinksOf<K extends Sink["kind"]>(s: Stream, kind: K): Array<SinkOf<K>> {
  return s.sinks.filter((x): x is SinkOf<K> => x.kind === kind);
}

/** Where a files or s3 connection keeps `path`. */
export function filePath(c: S3Connection | FilesConnection, path: string): ValueRef {
  if (c.type === "s3") return { kind: "literal", value: `s3a://${c.bucket}/${c.prefix}${path}` };
  const base = c.path;
  const join = (s: string) => `${s.replace(/\/+$/, "")}/${path}`;
  if (base.kind === "literal") return { kind: "literal", value: join(base.value) };
  if (base.kind === "template") return { kind: "template", parts: [...base.parts, `/${path}`] };
  return { kind: "template", parts: [base, `/${path}`] };
}

/** What a Cassandra sink's writer needs: where the cluster is, and the insert. */
export function cassandraSinkData(s: Stream, x: SinkOf<"cassandra">) {
  return {
    settingsFn: sparkNames.cassandraConnectionFn(x.connection.name),
    cql: cassandraInsert(
      x.connection,
      x,
      s.output.map((f) => f.name),
    ),
    // At start-up, before the queries: the keyspace and the table, as ddl/<connection>.cql has them.
    prepareCql: [createKeyspace(x.connection), createCassandraTable(x.connection, x, s.output)].map(
      (q) => q.replace(/;$/, ""),
    ),
  };
}

/** Each Cassandra connection a stream writes to, once, with where its cluster is. */
export function cassandraConnections(s: Stream) {
  const conns = new Map(sinksOf(s, "cassandra").map((x) => [x.connection.name, x.connection]));
  return [...conns.values()].map((c) => ({
    fn: sparkNames.cassandraConnectionFn(c.name),
    contactPoints: c.contactPoints,
    port: c.port,
    // A literal port is written as a number; a reference is read and converted at run time.
    portNumber:
      c.port.kind === "literal" && /^\d+$/.test(c.port.value) ? Number(c.port.value) : null,
    localDc: c.localDatacenter,
    user: c.user,
    password: c.password,
  }));
}
