import type { Connection, Sink, Stream, ValueRef } from "../../ir/types.js";
import { cassandraInsert } from "./cql.js";

export type SinkOf<K extends Sink["kind"]> = Extract<Sink, { kind: K }>;

/** The stream's sinks of one kind, in spec order. */
export function sinksOf<K extends Sink["kind"]>(s: Stream, kind: K): Array<SinkOf<K>> {
  return s.sinks.filter((x): x is SinkOf<K> => x.kind === kind);
}

/** Where a files or s3 connection keeps `path`. */
export function filePath(c: Connection, path: string): ValueRef {
  if (c.type === "s3") {
    const bucket = (c.settings.bucket as ValueRef & { kind: "literal" }).value;
    const prefix = c.settings.prefix
      ? (c.settings.prefix as ValueRef & { kind: "literal" }).value
      : "";
    return { kind: "literal", value: `s3a://${bucket}/${prefix}${path}` };
  }
  const base = c.settings.path as ValueRef;
  const join = (s: string) => `${s.replace(/\/+$/, "")}/${path}`;
  if (base.kind === "literal") return { kind: "literal", value: join(base.value) };
  if (base.kind === "template") return { kind: "template", parts: [...base.parts, `/${path}`] };
  return { kind: "template", parts: [base, `/${path}`] };
}

/**
 * The datacenter the Cassandra writer's DCAwareRoundRobinPolicy treats as local: the connection's
 * localDatacenter, else the only datacenter its NetworkTopologyStrategy replication names (a
 * keyspace replicated to dc1 alone lives on dc1's nodes), else Cassandra's default "datacenter1".
 */
function cassandraLocalDc(c: Connection): ValueRef {
  if (c.settings.localDatacenter) return c.settings.localDatacenter as ValueRef;
  const r = (c.settings.replication ?? {}) as { datacenters?: Record<string, number> };
  const dcs = Object.keys(r.datacenters ?? {});
  return { kind: "literal", value: dcs.length === 1 ? dcs[0]! : "datacenter1" };
}

/** What a Cassandra sink's writer needs: where the cluster is, and the insert. */
export function cassandraSinkData(s: Stream, x: SinkOf<"cassandra">) {
  const port = x.connection.settings.port;
  return {
    contactPoints: x.connection.settings.contactPoints,
    port:
      port === undefined
        ? { kind: "literal", value: "9042" }
        : typeof port === "number"
          ? { kind: "literal", value: String(port) }
          : port,
    localDc: cassandraLocalDc(x.connection),
    user: x.connection.settings.user ?? null,
    password: x.connection.settings.password ?? null,
    cql: cassandraInsert(
      x.connection,
      x,
      s.output.map((f) => f.name),
    ),
  };
}
