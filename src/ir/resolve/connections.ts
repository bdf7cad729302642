/**
 * `connections:`: databases, object stores and folders the pipeline reads and writes. Their
 * settings become value references (literal, ${env:...}, ${secret:...}); an environment overlay
 * may only set the keys a connection of that type has.
 */
import { didYouMean } from "../../diagnostics/suggest.js";
import { pointerOf } from "../../load/load.js";
import type * as S from "../../schema/spec.gen.js";
import type * as I from "../types.js";
import { valueRef } from "../values.js";
import { type Ctx, type Refs, err, unknownRef } from "./context.js";
import { defaults } from "./defaults.js";

/** The settings each connection type has (beyond `type` and `doc`). */
const connectionKeys: Record<string, Record<string, true>> = {
  postgres: { host: true, port: true, database: true, user: true, password: true, options: true },
  mysql: { host: true, port: true, database: true, user: true, password: true, options: true },
  mongodb: { uri: true, database: true },
  cassandra: {
    contactPoints: true,
    port: true,
    localDatacenter: true,
    keyspace: true,
    replication: true,
    user: true,
    password: true,
  },
  s3: {
    bucket: true,
    prefix: true,
    endpoint: true,
    region: true,
    pathStyle: true,
    accessKey: true,
    secretKey: true,
  },
  files: { path: true },
};

/** A connection of the spec as the schema validated it, with the overlay applied. */
type ConnectionSpec = NonNullable<S.PipegenSpec["connections"]>[string];
type Spec<T extends I.Connection["type"]> = Extract<ConnectionSpec, { type: T }>;

/** A port: a number or an ${env:...} reference, with the type's default. */
const port = (v: number | string | undefined, fallback: number): I.ValueRef =>
  v === undefined ? { kind: "literal", value: String(fallback) } : valueRef(String(v));

const optional = (v: string | undefined): I.ValueRef | null =>
  v === undefined ? null : valueRef(v);

const jdbcConnection = (name: string, c: Spec<"postgres" | "mysql">): I.JdbcConnection => ({
  name,
  type: c.type,
  host: valueRef(c.host),
  port: port(c.port, defaults.ports[c.type]),
  database: valueRef(c.database),
  user: valueRef(c.user),
  password: optional(c.password),
  options: Object.fromEntries(
    Object.entries(c.options ?? {})
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, valueRef(String(v))]),
  ),
});

/** The local datacenter: given, else the only one the replication names, else Cassandra's default. */
function cassandraConnection(name: string, c: Spec<"cassandra">): I.CassandraConnection {
  const r = c.replication ?? {};
  const datacenters = Object.fromEntries(
    Object.entries(r.datacenters ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  const dcs = Object.keys(datacenters);
  return {
    name,
    type: "cassandra",
    contactPoints: c.contactPoints.map((x) => valueRef(String(x))),
    port: port(c.port, defaults.ports.cassandra),
    localDatacenter: valueRef(c.localDatacenter ?? (dcs.length === 1 ? dcs[0]! : "datacenter1")),
    keyspace: c.keyspace,
    replication: {
      class:
        r.class === "NetworkTopologyStrategy" || r.datacenters
          ? "NetworkTopologyStrategy"
          : "SimpleStrategy",
      factor: r.factor ?? null,
      datacenters,
    },
    user: optional(c.user),
    password: optional(c.password),
  };
}

const s3Connection = (name: string, c: Spec<"s3">): I.S3Connection => ({
  name,
  type: "s3",
  bucket: c.bucket,
  prefix: c.prefix ?? "",
  endpoint: optional(c.endpoint),
  region: optional(c.region),
  pathStyle: c.pathStyle === true,
  accessKey: optional(c.accessKey),
  secretKey: optional(c.secretKey),
});

/** Each connection type's typed settings, with their defaults. */
function typedConnection(name: string, c: ConnectionSpec): I.Connection {
  switch (c.type) {
    case "postgres":
    case "mysql":
      return jdbcConnection(name, c);
    case "mongodb":
      return { name, type: "mongodb", uri: valueRef(c.uri), database: valueRef(c.database) };
    case "cassandra":
      return cassandraConnection(name, c);
    case "s3":
      return s3Connection(name, c);
    case "files":
      return { name, type: "files", path: valueRef(c.path) };
  }
}

/**
 * The connections of `s` (the spec with its overlay applied) by name. `raw` is the spec without
 * the overlay: a key the overlay adds must be a setting of the connection's type.
 */
export function resolveConnections(
  ctx: Ctx,
  s: S.PipegenSpec,
  raw: S.PipegenSpec,
  env: string | null,
): Map<string, I.Connection> {
  const connections = new Map<string, I.Connection>();
  for (const [name, c] of Object.entries(s.connections ?? {})) {
    const base = raw.connections?.[name];
    const valid = { ...c } as Record<string, unknown>;
    for (const k of Object.keys(c)) {
      if (k === "type" || k === "doc") continue;
      if (base && !(k in base) && !(k in (connectionKeys[c.type] ?? {}))) {
        err(
          ctx,
          "PG305",
          pointerOf("environments", env ?? "", "connections", name, k),
          `'${k}' is not a setting of a ${c.type} connection`,
          didYouMean(k, Object.keys(connectionKeys[c.type] ?? {}), "settings"),
          "key",
        );
        delete valid[k];
      }
    }
    if (c.type === "cassandra" && !("replication" in c))
      err(
        ctx,
        "PG204",
        pointerOf("connections", name),
        `cassandra connection '${name}' needs 'replication': how many copies of each row the keyspace keeps, and where`,
        "e.g. replication: {class: NetworkTopologyStrategy, datacenters: {dc1: 3}} (one copy on one node, SimpleStrategy with factor 1, loses data with that node)",
        "key",
      );
    if (c.type === "cassandra" && c.replication) checkReplication(ctx, name, c.replication);
    connections.set(name, typedConnection(name, valid as unknown as ConnectionSpec));
  }
  return connections;
}

/** A replication says how many copies: SimpleStrategy a factor, NetworkTopologyStrategy its datacenters. */
function checkReplication(
  ctx: Ctx,
  name: string,
  r: NonNullable<Spec<"cassandra">["replication"]>,
) {
  const p = pointerOf("connections", name, "replication");
  const nts = r.class === "NetworkTopologyStrategy" || r.datacenters !== undefined;
  if (nts && Object.keys(r.datacenters ?? {}).length === 0)
    err(
      ctx,
      "PG204",
      p,
      "NetworkTopologyStrategy needs 'datacenters': the copies each datacenter keeps",
      "e.g. datacenters: {dc1: 3}",
    );
  if (nts && r.factor !== undefined)
    err(
      ctx,
      "PG305",
      `${p}/factor`,
      "'factor' is SimpleStrategy's; NetworkTopologyStrategy counts copies per datacenter",
      "remove 'factor' and give 'datacenters: {dc1: 3}', or use 'class: SimpleStrategy'",
    );
  if (!nts && r.factor === undefined)
    err(
      ctx,
      "PG204",
      p,
      "SimpleStrategy needs 'factor': how many copies of each row",
      "e.g. factor: 3 (with 1, a row is lost with its node)",
    );
}

/** Looks a connection up by name for a `role` that accepts only some connection `types`. */
export function connectionLookup(
  ctx: Ctx,
  connections: ReadonlyMap<string, I.Connection>,
): Refs["connRef"] {
  return <T extends I.Connection["type"]>(
    pointer: string,
    name: string,
    types: readonly T[],
    role: string,
  ): I.ConnectionOf<T> | undefined => {
    const c = connections.get(name);
    if (!c) {
      unknownRef(
        ctx,
        pointer,
        "connection",
        name,
        connections.keys(),
        "declare it under 'connections:'",
      );
      return undefined;
    }
    if (!(types as readonly string[]).includes(c.type)) {
      err(
        ctx,
        "PG305",
        pointer,
        `connection '${name}' is ${c.type}; ${role} needs ${types.join(" or ")}`,
        `name a ${types.join(" or ")} connection here, or declare one under 'connections:'`,
      );
      return undefined;
    }
    return c as I.ConnectionOf<T>;
  };
}
