/**
 * `schemas:`: the record schemas topics carry. Each field gets its type, whether it is required,
 * decimal precision and scale, enum values; every key column must be a required field.
 */
import { pointerOf } from "../../load/load.js";
import type * as S from "../../schema/spec.gen.js";
import type * as I from "../types.js";
import { type Ctx, err, unknownColumn } from "./context.js";

type SchemaSpec = NonNullable<S.PipegenSpec["schemas"]>[string];

/** The record schemas of the spec by name. */
export function resolveSchemas(ctx: Ctx, s: S.PipegenSpec): Map<string, I.RecordSchema> {
  const schemas = new Map<string, I.RecordSchema>();
  for (const [name, sc] of Object.entries(s.schemas ?? {})) {
    const fields: I.Field[] = Object.entries(sc.fields).map(([fname, f]) =>
      resolveField(ctx, pointerOf("schemas", name, "fields", fname), fname, f),
    );
    const key = sc.key ?? [];
    checkKey(ctx, name, key, fields);
    schemas.set(name, { name, key, fields, ...(sc.doc ? { doc: sc.doc } : {}) });
  }
  return schemas;
}

function resolveField(
  ctx: Ctx,
  pointer: string,
  name: string,
  f: SchemaSpec["fields"][string],
): I.Field {
  const out: I.Field = { name, type: f.type, required: f.required ?? false };
  decimalSettings(ctx, out, f, pointer, "fields");
  if (f.enum) {
    if (f.type !== "string")
      err(
        ctx,
        "PG305",
        `${pointer}/enum`,
        `enum applies only to string fields, not ${f.type}`,
        "remove 'enum', or make the field 'type: string'",
      );
    out.enum = f.enum;
  }
  if (f.doc) out.doc = f.doc;
  return out;
}

/** Every key column is a field of the schema, and a required one. */
function checkKey(ctx: Ctx, name: string, key: readonly string[], fields: readonly I.Field[]) {
  key.forEach((k, i) => {
    const f = fields.find((x) => x.name === k);
    if (!f)
      unknownColumn(
        ctx,
        pointerOf("schemas", name, "key", i),
        k,
        fields.map((x) => x.name),
        `schema '${name}'`,
      );
    else if (!f.required)
      err(
        ctx,
        "PG305",
        pointerOf("schemas", name, "key", i),
        `key column '${k}' of schema '${name}' is not required`,
        `mark '${k}' with 'required: true': a key can never be null`,
      );
  });
}

/**
 * Precision and scale of a decimal field, both required: a default of (38, 0) would cut every
 * fraction off (cents gone) without a word. On any other type they are an error.
 */
export function decimalSettings(
  ctx: Ctx,
  field: I.Field,
  given: { precision?: number; scale?: number },
  pointer: string,
  noun: "fields" | "columns",
) {
  if (field.type === "decimal") {
    const missing = (["precision", "scale"] as const).filter((k) => given[k] === undefined);
    if (missing.length)
      err(
        ctx,
        "PG204",
        pointer,
        `a decimal ${noun === "fields" ? "field" : "column"} needs ${missing.map((k) => `'${k}'`).join(" and ")}`,
        "say how many digits it has and how many of them follow the point, e.g. precision: 12, scale: 2 for an amount in cents (a decimal without them would be decimal(38, 0): every fraction cut off)",
      );
    field.precision = given.precision ?? 38;
    field.scale = given.scale ?? 0;
    if (field.scale > field.precision)
      err(
        ctx,
        "PG203",
        `${pointer}/scale`,
        `scale ${field.scale} is larger than precision ${field.precision}`,
        `scale counts the digits after the point among the precision's: at most ${field.precision} here`,
      );
  } else if (given.precision !== undefined || given.scale !== undefined)
    err(
      ctx,
      "PG305",
      pointer,
      `precision and scale apply only to decimal ${noun}, not ${field.type}`,
      "remove 'precision' and 'scale', or make it 'type: decimal'",
    );
}
