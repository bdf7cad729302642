/**
 * The stores of the local stack: PostgreSQL, MariaDB, Cassandra and MongoDB, each with the
 * databases, users and tables (the build's DDL) the pipelines' connections name, created by
 * the image's init scripts on the first start.
 */
import { header } from "./files.js";
import { images, stackValues as v } from "./images.js";
import { check, local, type Service } from "./services.js";
import type { SqlDatabase, Wiring } from "./wiring.js";

/** A file of the stack folder (relative to it). */
export interface StackFile {
  path: string;
  content: string;
}

/** A string literal of SQL (standard quoting). */
const sqlStr = (s: string) => `'${s.replace(/'/g, "''")}'`;
const pgIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const myIdent = (s: string) => `\`${s.replace(/`/g, "``")}\``;

/** Where the build's pipeline folders are mounted in the store containers (for their DDL). */
const BUILD = "/opt/pipegen/build";
const mounts = (dbs: readonly SqlDatabase[]) =>
  [...new Set(dbs.flatMap((d) => d.ddl.map((f) => f.split("/")[0]!)))]
    .sort()
    .map((p) => `../${p}:${BUILD}/${p}:ro`);

/** Databases by service, each database once (the first connection naming it decides its owner). */
function databasesOf(w: Wiring, service: SqlDatabase["service"]): SqlDatabase[] {
  const by = new Map<string, SqlDatabase>();
  for (const d of w.databases.filter((x) => x.service === service)) {
    const had = by.get(d.database);
    if (had) had.ddl.push(...d.ddl.filter((f) => !had.ddl.includes(f)));
    else by.set(d.database, { ...d, ddl: [...d.ddl] });
  }
  return [...by.values()].sort((a, b) => (a.database < b.database ? -1 : 1));
}

function postgresInit(dbs: readonly SqlDatabase[]): string {
  const users = new Map(dbs.map((d) => [d.user, d.password]));
  const lines = [header("--").trimEnd()];
  for (const [user, password] of [...users].sort())
    lines.push(`CREATE ROLE ${pgIdent(user)} LOGIN PASSWORD ${sqlStr(password)};`);
  for (const d of dbs) {
    lines.push(`CREATE DATABASE ${pgIdent(d.database)} OWNER ${pgIdent(d.user)};`);
    // psql runs the init scripts: \connect and \i place the build's DDL in the database, as its owner.
    for (const f of d.ddl)
      lines.push(`\\connect ${pgIdent(d.database)} ${pgIdent(d.user)}`, `\\i ${BUILD}/${f}`);
  }
  return `${lines.join("\n")}\n`;
}

function mariadbInit(dbs: readonly SqlDatabase[]): string {
  const users = new Map(dbs.map((d) => [d.user, d.password]));
  const lines = [header("--").trimEnd()];
  for (const [user, password] of [...users].sort())
    lines.push(`CREATE USER IF NOT EXISTS ${sqlStr(user)}@'%' IDENTIFIED BY ${sqlStr(password)};`);
  for (const d of dbs) {
    lines.push(`CREATE DATABASE IF NOT EXISTS ${myIdent(d.database)};`);
    lines.push(`GRANT ALL PRIVILEGES ON ${myIdent(d.database)}.* TO ${sqlStr(d.user)}@'%';`);
    for (const f of d.ddl) lines.push(`USE ${myIdent(d.database)};`, `SOURCE ${BUILD}/${f};`);
  }
  return `${lines.join("\n")}\n`;
}

export function stores(w: Wiring): { services: Record<string, Service>; files: StackFile[] } {
  const services: Record<string, Service> = {};
  const files: StackFile[] = [];
  const initdb = "/docker-entrypoint-initdb.d/10-pipegen.sql:ro";
  if (w.services.has("postgres")) {
    const dbs = databasesOf(w, "postgres");
    files.push({ path: "postgres/init.sql", content: postgresInit(dbs) });
    services.postgres = {
      environment: { POSTGRES_PASSWORD: v.password },
      healthcheck: check(["CMD-SHELL", "pg_isready -U postgres"]),
      image: images.postgres,
      ports: [local(5432, 5432)],
      volumes: [
        "postgres-data:/var/lib/postgresql/data",
        `./postgres/init.sql:${initdb}`,
        ...mounts(dbs),
      ],
    };
  }
  if (w.services.has("mariadb")) {
    const dbs = databasesOf(w, "mariadb");
    files.push({ path: "mariadb/init.sql", content: mariadbInit(dbs) });
    services.mariadb = {
      environment: { MARIADB_ROOT_PASSWORD: v.password },
      healthcheck: check(["CMD", "healthcheck.sh", "--connect", "--innodb_initialized"]),
      image: images.mariadb,
      ports: [local(3306, 3306)],
      volumes: ["mariadb-data:/var/lib/mysql", `./mariadb/init.sql:${initdb}`, ...mounts(dbs)],
    };
  }
  if (w.services.has("cassandra")) Object.assign(services, cassandra(w));
  if (w.services.has("mongodb"))
    services.mongodb = {
      healthcheck: check(["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"]),
      image: images.mongodb,
      ports: [local(27017, 27017)],
      volumes: ["mongodb-data:/data/db"],
    };
  return { services, files };
}

function cassandra(w: Wiring): Record<string, Service> {
  const dc = w.cassandraDc ?? v.cassandraDc;
  const out: Record<string, Service> = {
    cassandra: {
      environment: {
        CASSANDRA_DC: dc,
        CASSANDRA_ENDPOINT_SNITCH: "GossipingPropertyFileSnitch",
        MAX_HEAP_SIZE: "1G",
        HEAP_NEWSIZE: "200M",
      },
      healthcheck: check(["CMD", "cqlsh", "-e", "DESCRIBE KEYSPACES"], "90s"),
      image: images.cassandra,
      ports: [local(9042, 9042)],
      volumes: ["cassandra-data:/var/lib/cassandra"],
    },
  };
  const cql = [...new Set(w.cql)].sort();
  if (cql.length)
    out["cassandra-init"] = {
      command: ["-c", cql.map((f) => `cqlsh cassandra -f '${BUILD}/${f}'`).join(" && ")],
      depends_on: { cassandra: { condition: "service_healthy" } },
      entrypoint: ["/bin/bash"],
      image: images.cassandra,
      restart: "no",
      volumes: [...new Set(cql.map((f) => f.split("/")[0]!))]
        .sort()
        .map((p) => `../${p}:${BUILD}/${p}:ro`),
    };
  return out;
}
