import { sparkPaths } from "../../ir/names.js";
import type { Pipeline } from "../../ir/types.js";
import { headerLines } from "../shared/header.js";
import type { GeneratedFile } from "../shared/types.js";
import { createCassandraTable, createKeyspace } from "./cql.js";
import { dialectOf } from "./jdbc.js";
import { createBatchTable, createTable, type Dialect } from "./sql.js";

/** A DDL file: the header and what it holds as SQL comments, then the statements. */
function ddlFile(p: Pipeline, path: string, what: string, statements: string[]): GeneratedFile {
  return {
    path,
    content: `-- ${headerLines(p).join("\n-- ")}\n-- ${what}\n\n${statements.join("\n\n")}\n`,
  };
}

/** Per table connection (postgres, mysql) the batch table and the sink tables of its streams. */
function sqlFiles(p: Pipeline): GeneratedFile[] {
  const byConn = new Map<string, { dialect: Dialect; statements: string[] }>();
  for (const s of p.streams)
    for (const sink of s.sinks) {
      if (sink.kind !== "jdbc") continue;
      const dialect = dialectOf(sink.connection);
      const entry = byConn.get(sink.connection.name) ?? {
        dialect,
        statements: [createBatchTable(dialect)],
      };
      entry.statements.push(
        `-- stream ${s.name}, ${sink.mode}\n${createTable(sink.table, s.output, sink.key, dialect)}`,
      );
      byConn.set(sink.connection.name, entry);
    }
  return [...byConn.entries()].map(([conn, e]) =>
    ddlFile(
      p,
      sparkPaths.ddl(p.name, conn),
      `Tables of connection ${conn} (${e.dialect}) written by this pipeline's Spark jobs.`,
      e.statements,
    ),
  );
}

/** Per Cassandra connection its keyspace and the tables of its streams. */
function cqlFiles(p: Pipeline): GeneratedFile[] {
  const cql = new Map<string, string[]>();
  for (const s of p.streams)
    for (const sink of s.sinks) {
      if (sink.kind !== "cassandra") continue;
      const entry = cql.get(sink.connection.name) ?? [createKeyspace(sink.connection)];
      entry.push(`-- stream ${s.name}\n${createCassandraTable(sink.connection, sink, s.output)}`);
      cql.set(sink.connection.name, entry);
    }
  return [...cql.entries()].map(([conn, statements]) =>
    ddlFile(
      p,
      sparkPaths.cql(p.name, conn),
      `Keyspace and tables of connection ${conn} (Cassandra) written by this pipeline's Spark jobs.`,
      statements,
    ),
  );
}

/** The DDL of the tables the pipeline's Spark jobs write: Cassandra's, then the SQL databases'. */
export function ddlFiles(p: Pipeline): GeneratedFile[] {
  return [...cqlFiles(p), ...sqlFiles(p)];
}
