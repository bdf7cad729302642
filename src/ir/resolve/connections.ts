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
    const settings: Record<string, I.Connection["settings"][string]> = {};
    const base = raw.connections?.[name];
    for (const [k, v] of Object.entries(c)) {
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
        continue;
      }
      settings[k] =
        typeof v === "string"
          ? valueRef(v)
          : Array.isArray(v)
            ? v.map((x) => valueRef(String(x)))
            : (v as number | boolean | Record<string, unknown>);
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
    connections.set(name, { name, type: c.type, settings });
  }
  return connections;
}

/** Looks a connection up by name for a `role` that accepts only some connection `types`. */
export function connectionLookup(
  ctx: Ctx,
  connections: ReadonlyMap<string, I.Connection>,
): Refs["connRef"] {
  return (pointer, name, types, role) => {
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
    if (!types.includes(c.type)) {
      err(
        ctx,
        "PG305",
        pointer,
        `connection '${name}' is ${c.type}; ${role} needs ${types.join(" or ")}`,
      );
      return undefined;
    }
    return c;
  };
}
