import type { Field, Sink } from "../../ir/types.js";
import { sqlIdent } from "../shared/escape.js";

export type Dialect = "postgres" | "mysql";

/** Quotes identifiers for a dialect: "x" for PostgreSQL, `x` for MySQL. */
const quoter = (dialect: Dialect) => (n: string) => sqlIdent(n, dialect);

/**
 * Column type of a record field in a sink table. String keys are VARCHAR in MySQL (TEXT cannot be
 * a key) with a binary collation: keys are equal when Spark finds them equal, byte for byte (a
 * case- or accent-insensitive collation makes 'e' and 'é' one key and fails the batch forever).
 */
export function sqlType(f: Field, dialect: Dialect, isKey: boolean): string {
  const pg = dialect === "postgres";
  switch (f.type) {
    case "string":
      return pg
        ? "TEXT"
        : isKey
          ? "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
          : "TEXT";
    case "int":
      return pg ? "INTEGER" : "INT";
    case "long":
      return "BIGINT";
    case "float":
      return pg ? "REAL" : "FLOAT";
    case "double":
      return pg ? "DOUBLE PRECISION" : "DOUBLE";
    case "boolean":
      return "BOOLEAN";
    case "decimal":
      return `${pg ? "NUMERIC" : "DECIMAL"}(${f.precision ?? 38}, ${f.scale ?? 0})`;
    case "timestamp":
      return pg ? "TIMESTAMP" : "DATETIME(6)";
    case "date":
      return "DATE";
    case "bytes":
      return pg ? "BYTEA" : "LONGBLOB";
    case "unknown":
      throw new Error(`column ${f.name} has no known type`);
  }
}

/** Splits 'schema.table' into quoted parts. */
export function qualified(table: string, dialect: Dialect): string {
  return table.split(".").map(quoter(dialect)).join(".");
}

/** The table that records which micro-batches a sink has committed: what makes replays write nothing twice. */
export const batchTable = "pipegen_batches";

export function createTable(
  table: string,
  cols: readonly Field[],
  key: readonly string[],
  dialect: Dialect,
): string {
  const q = quoter(dialect);
  const lines = cols.map((f) => {
    const isKey = key.includes(f.name);
    return `  ${q(f.name)} ${sqlType(f, dialect, isKey)}${isKey || f.required ? " NOT NULL" : ""}`;
  });
  if (key.length) lines.push(`  PRIMARY KEY (${key.map(q).join(", ")})`);
  return `CREATE TABLE IF NOT EXISTS ${qualified(table, dialect)} (\n${lines.join(",\n")}\n);`;
}

export function createBatchTable(dialect: Dialect): string {
  const q = quoter(dialect);
  return (
    `CREATE TABLE IF NOT EXISTS ${q(batchTable)} (\n` +
    `  ${q("sink")} VARCHAR(200) NOT NULL,\n` +
    `  ${q("batch_id")} BIGINT NOT NULL,\n` +
    `  ${q("committed_at")} ${dialect === "postgres" ? "TIMESTAMP NOT NULL DEFAULT now()" : "DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"},\n` +
    `  PRIMARY KEY (${q("sink")}, ${q("batch_id")})\n);`
  );
}

/** SQL that moves one staged micro-batch into the sink table, inside the batch's transaction. */
export function mergeStatement(
  sink: Extract<Sink, { kind: "jdbc" }>,
  stage: string,
  cols: readonly string[],
  dialect: Dialect,
): string {
  const q = quoter(dialect);
  const list = cols.map(q).join(", ");
  const insert = `INSERT INTO ${qualified(sink.table, dialect)} (${list}) SELECT ${list} FROM ${q(stage)}`;
  if (sink.mode === "append") return insert;
  const rest = cols.filter((c) => !sink.key.includes(c));
  if (dialect === "postgres") {
    const action = rest.length
      ? `DO UPDATE SET ${rest.map((c) => `${q(c)} = EXCLUDED.${q(c)}`).join(", ")}`
      : "DO NOTHING";
    return `${insert} ON CONFLICT (${sink.key.map(q).join(", ")}) ${action}`;
  }
  const set = (rest.length ? rest : [sink.key[0]!])
    .map((c) => `${q(c)} = VALUES(${q(c)})`)
    .join(", ");
  return `${insert} ON DUPLICATE KEY UPDATE ${set}`;
}

/** Records a batch as committed; affects 0 rows when it already was (a replay). Parameters: sink, batch id. */
export function markStatement(dialect: Dialect): string {
  const q = quoter(dialect);
  const cols = `${q(batchTable)} (${q("sink")}, ${q("batch_id")}) VALUES (?, ?)`;
  return dialect === "postgres"
    ? `INSERT INTO ${cols} ON CONFLICT DO NOTHING`
    : `INSERT IGNORE INTO ${cols}`;
}

/** Creates the staging table as an exact copy of the sink table's columns, so no type is left to Spark's JDBC mapping. */
export function stageStatement(table: string, stage: string, dialect: Dialect): string {
  const q = quoter(dialect);
  return dialect === "postgres"
    ? `CREATE UNLOGGED TABLE IF NOT EXISTS ${q(stage)} (LIKE ${qualified(table, dialect)})`
    : `CREATE TABLE IF NOT EXISTS ${q(stage)} LIKE ${qualified(table, dialect)}`;
}
