/**
 * The record shape flowing through a stream: the fields a step receives (starting with the
 * source topic's schema), and whether they are checked. A stream whose topic has no schema
 * already has an error; its columns are then not checked, to report nothing twice.
 */
import type * as I from "../../types.js";
import { type SqlError, readSql } from "../../expressions.js";
import { type Ctx, err, errAt, unknownColumn } from "../context.js";

export interface Shape {
  /** The fields, in order. */
  readonly fields: readonly I.Field[];
  /** Whether unknown columns are errors (the source topic has a schema). */
  readonly checked: boolean;
}

/** The shape with other fields. */
export const withFields = (shape: Shape, fields: readonly I.Field[]): Shape => ({
  fields,
  checked: shape.checked,
});

/** The field called `column`; a PG304 (when checked) if there is none. `where` names the record. */
export function need(
  ctx: Ctx,
  shape: Shape,
  pointer: string,
  column: string,
  where: string,
): I.Field | undefined {
  const f = shape.fields.find((x) => x.name === column);
  if (!f && shape.checked)
    unknownColumn(
      ctx,
      pointer,
      column,
      shape.fields.map((c) => c.name),
      where,
    );
  return f;
}

/** An event-time column: a field of the shape, of type timestamp (`rule` says why; PG307 otherwise). */
export function needTimestamp(
  ctx: Ctx,
  shape: Shape,
  pointer: string,
  column: string,
  where: string,
  rule: string,
) {
  const f = need(ctx, shape, pointer, column, where);
  if (f && f.type !== "timestamp")
    err(
      ctx,
      "PG307",
      pointer,
      `${rule}; '${f.name}' is ${f.type}`,
      'name a timestamp column, or derive one: derive: {at: {expr: "to_timestamp(...)", type: timestamp}}',
    );
}

/**
 * The expression is one Spark's parser reads (PG309 otherwise, at the character where it breaks
 * off) and every column it uses is a field of the shape. False when it does not parse.
 */
export function checkExpr(
  ctx: Ctx,
  shape: Shape,
  pointer: string,
  expr: string,
  where: string,
): boolean {
  const e = readSql(expr);
  if (e.error) sqlError(ctx, pointer, e.error);
  for (const u of e.columns) need(ctx, shape, pointer, u.name, where);
  return !e.error;
}

/** PG309: what Spark's parser would refuse in the expression at `pointer`. */
export function sqlError(ctx: Ctx, pointer: string, e: SqlError) {
  errAt(ctx, "PG309", pointer, e.offset, e.message, e.hint);
}
