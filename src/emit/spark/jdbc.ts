import { sparkNames } from "../../ir/names.js";
import type { JdbcConnection, Pipeline, Stream, ValueRef } from "../../ir/types.js";
import { sinksOf, type SinkOf } from "./sinks.js";
import {
  createBatchTable,
  createTable,
  markStatement,
  mergeStatement,
  stageStatement,
  type Dialect,
} from "./sql.js";

const jdbcDrivers: Record<Dialect, string> = {
  postgres: "org.postgresql.Driver",
  mysql: "org.mariadb.jdbc.Driver",
};

export const dialectOf = (c: JdbcConnection): Dialect =>
  c.type === "postgres" ? "postgres" : "mysql";

type Part = string | { kind: "env" | "secret"; name: string };

/** A value's parts in a URL: literal text percent-encoded when asked, references as they are. */
function urlParts(r: ValueRef, encode = false): Part[] {
  const text = (t: string) => (encode ? encodeURIComponent(t) : t);
  if (r.kind === "literal") return [text(r.value)];
  if (r.kind === "template") return r.parts.map((x) => (typeof x === "string" ? text(x) : x));
  return [{ kind: r.kind, name: r.name }];
}

/**
 * The JDBC URL of a postgres or mysql connection as a ValueRef (references resolved at run
 * time). The connection's JDBC options are the URL's parameters, so the Spark writer, the
 * lookups and the job's own connections all honour them, as NiFi's pool does.
 */
export function jdbcUrl(c: JdbcConnection): ValueRef {
  // MySQL and MariaDB: the MariaDB driver, with the jdbc:mysql: scheme (permitMysqlScheme) so
  // that Spark picks its MySQL dialect; it has none for jdbc:mariadb:.
  const parts: Part[] = [
    c.type === "postgres" ? "jdbc:postgresql://" : "jdbc:mysql://",
    ...urlParts(c.host),
    ":",
    ...urlParts(c.port),
    "/",
    ...urlParts(c.database),
  ];
  const params: Part[][] = c.type === "mysql" ? [["permitMysqlScheme"]] : [];
  for (const [k, v] of Object.entries(c.options))
    params.push([`${encodeURIComponent(k)}=`, ...urlParts(v, true)]);
  params.forEach((x, i) => parts.push(i === 0 ? "?" : "&", ...x));
  const merged: Part[] = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (typeof p === "string" && typeof last === "string") merged[merged.length - 1] = last + p;
    else merged.push(p);
  }
  return merged.length === 1 && typeof merged[0] === "string"
    ? { kind: "literal", value: merged[0] }
    : { kind: "template", parts: merged };
}

/** The stream's lookup joins, each with the name of its lookup function. */
export function lookups(s: Stream) {
  return s.steps.flatMap((x, i) =>
    x.kind === "join" ? [{ step: x, name: sparkNames.lookup(i) }] : [],
  );
}

/** The JDBC connections a stream's job opens: its table sinks', then its lookup joins'. */
export function jdbcConnections(s: Stream): JdbcConnection[] {
  const jdbc = sinksOf(s, "jdbc");
  const connections = [...new Map(jdbc.map((x) => [x.connection.name, x.connection])).values()];
  for (const l of lookups(s))
    if (!connections.some((c) => c.name === l.step.connection.name))
      connections.push(l.step.connection);
  return connections;
}

/** A JDBC connection's settings function in the job. */
export function connectionData(c: JdbcConnection) {
  return {
    fn: sparkNames.jdbcConnectionFn(c.name),
    url: jdbcUrl(c),
    user: c.user,
    password: c.password ?? { kind: "literal", value: "" },
    driver: jdbcDrivers[dialectOf(c)],
  };
}

function groupCoveredBy(s: Stream, key: readonly string[]): boolean {
  const agg = [...s.steps].reverse().find((x) => x.kind === "aggregate");
  if (!agg || agg.kind !== "aggregate") return false;
  const group = [...(agg.window ? ["window_start"] : []), ...agg.groupBy];
  const after = s.steps.slice(s.steps.indexOf(agg) + 1);
  return (
    after.every((x) => x.kind === "filter" || x.kind === "drop") &&
    group.every((c) => key.includes(c))
  );
}

/** Columns flow into table sinks in this order; upserts need their key. */
export function jdbcSinkData(p: Pipeline, s: Stream, sink: SinkOf<"jdbc">, i: number) {
  const dialect = dialectOf(sink.connection);
  const cols = s.output.map((f) => f.name);
  const stage = sparkNames.stageTable(p.name, s.name, i);
  return {
    connectionFn: sparkNames.jdbcConnectionFn(sink.connection.name),
    sinkId: sparkNames.sinkId(p.name, s.name, i, sink.table),
    stage,
    upsert: sink.mode === "upsert",
    // An upsert batch must hold each key once; an aggregation's update-mode output already does
    // when the key covers its group (window start and group columns).
    dedupeBatch: sink.mode === "upsert" && !groupCoveredBy(s, sink.key),
    key: sink.key,
    // At start-up, before the queries: the marker table, the sink table (the DDL file's
    // statements, so a database needs nothing applied by hand) and the staging table.
    prepareSql: [
      createBatchTable(dialect),
      createTable(sink.table, s.output, sink.key, dialect),
      stageStatement(sink.table, stage, dialect),
    ].map((x) => x.replace(/;$/, "")),
    mergeSql: mergeStatement(sink, stage, cols, dialect),
    markSql: markStatement(dialect),
  };
}
