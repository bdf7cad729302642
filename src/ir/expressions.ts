/**
 * The SQL expressions of a spec (stream filters, quality checks, derived columns, aggregates),
 * as Spark reads them: parsed with Spark's grammar (ir/sql/), so the columns they use and the
 * types they have come from the parse tree, and an expression Spark's parser would refuse is
 * refused at build time (`sqlError`) rather than when the job starts.
 */
import { readSql } from "./sql/index.js";
import type { Field, FieldType } from "./types.js";

export { readAggregate, readSql } from "./sql/index.js";
export type { SqlAggregate, SqlError, SqlExpr, StringLiteral } from "./sql/index.js";

export interface ColumnUse {
  name: string;
  /** Offset in the expression string. */
  offset: number;
}

/** What Spark's parser would refuse in `expr`, with its offset; undefined when Spark reads it. */
export const sqlError = (expr: string) => readSql(expr).error;

/**
 * The columns `expr` reads, in order: the first name of each path (`a` of `a.b`), not function
 * names, aliases, lambda variables, struct fields or literals. None when `expr` does not parse.
 */
export function columnsUsed(expr: string): ColumnUse[] {
  return readSql(expr).columns.map((c) => ({ ...c }));
}

/**
 * The type of a derived column, when it follows from the expression without guessing:
 * a bare column keeps its type; comparisons and logic are boolean; arithmetic on whole
 * numbers is long, with any float or double (or division) it is double. Anything else,
 * decimal arithmetic included (whose precision Spark widens), needs an explicit type.
 */
export function inferType(expr: string, cols: readonly Field[]): FieldType | undefined {
  return readSql(expr).type(cols);
}

/**
 * The field a derived column is, as `inferType`, but a bare column keeps all of its type:
 * a decimal its precision and scale.
 */
export function inferField(name: string, expr: string, cols: readonly Field[]): Field | undefined {
  const e = readSql(expr);
  const same = e.bare !== undefined ? cols.find((c) => c.name === e.bare) : undefined;
  if (same) {
    const { type, precision, scale } = same;
    return { name, type, required: false, ...(type === "decimal" ? { precision, scale } : {}) };
  }
  const type = e.type(cols);
  return type && { name, type, required: false };
}
