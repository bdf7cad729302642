/**
 * The record shape flowing through a stream: the fields a step receives (starting with the
 * source topic's schema), and whether they are checked. A stream whose topic has no schema
 * already has an error; its columns are then not checked, to report nothing twice.
 */
import type * as I from "../../types.js";
import { columnsUsed } from "../../expressions.js";
import { type Ctx, err, unknownColumn } from "../context.js";

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
  if (f && f.type !== "timestamp") err(ctx, "PG307", pointer, `${rule}; '${f.name}' is ${f.type}`);
}

/** Every column the expression uses is a field of the shape. */
export function checkExpr(ctx: Ctx, shape: Shape, pointer: string, expr: string, where: string) {
  for (const u of columnsUsed(expr)) need(ctx, shape, pointer, u.name, where);
}
