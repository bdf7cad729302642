import { createRequire } from "node:module";
import type { Field, RecordSchema } from "../../ir/types.js";

const require = createRequire(import.meta.url);
const checked = new Set<string>();
const checkedRecords = new WeakSet<RecordSchema>();

/** Avro record and field names (an enum symbol too). */
const avroName = /^[A-Za-z_][A-Za-z0-9_]*$/;

function avroType(f: Field): unknown {
  switch (f.type) {
    case "decimal":
      return {
        type: "bytes",
        logicalType: "decimal",
        precision: f.precision ?? 38,
        scale: f.scale ?? 0,
      };
    case "timestamp":
      return { type: "long", logicalType: "timestamp-millis" };
    case "date":
      return { type: "int", logicalType: "date" };
    case "unknown":
      throw new Error(`field '${f.name}' has no known type`);
    default:
      return f.type;
  }
}

/** How a record schema becomes Avro; the defaults give the schema registered for a topic. */
export interface AvroOptions {
  /** The record's and the fields' docs (enum values listed in the field's doc). Default true. */
  docs?: boolean;
  /** Enum fields as Avro enums, when every value is an Avro name (NiFi's ValidateRecord checks them). */
  enums?: boolean;
  /** Every field optional (documents mapped onto the record). */
  relaxed?: boolean;
}

function fieldDoc(f: Field): string {
  return [f.doc, f.enum ? `One of: ${f.enum.join(", ")}.` : undefined].filter(Boolean).join(" ");
}

function build(rec: RecordSchema, namespace: string, opts: AvroOptions): Record<string, unknown> {
  const docs = opts.docs ?? true;
  return {
    type: "record",
    name: rec.name,
    namespace,
    ...(docs && rec.doc ? { doc: rec.doc } : {}),
    fields: rec.fields.map((f) => {
      const doc = docs ? fieldDoc(f) : "";
      const required = f.required && !opts.relaxed;
      const type =
        opts.enums && f.enum && f.enum.every((s) => avroName.test(s))
          ? { type: "enum", name: `pipegen_${f.name}_enum`, symbols: [...f.enum] }
          : avroType(f);
      return {
        name: f.name,
        type: required ? type : ["null", type],
        ...(doc ? { doc } : {}),
        ...(required ? {} : { default: null }),
      };
    }),
  };
}

/** Throws on anything Avro would refuse (names, logical types, defaults); each distinct shape is checked once. */
function check(rec: RecordSchema, namespace: string): void {
  // A pipeline's record is built into several files: checked once (the shape leaves the
  // namespace out, so another namespace never needs another check).
  if (checkedRecords.has(rec)) return;
  const schema = build(rec, namespace, {});
  const shape = JSON.stringify({ ...schema, namespace: undefined });
  if (!checked.has(shape)) {
    const avsc = require("avsc") as typeof import("avsc");
    avsc.Type.forSchema(schema as never, { logicalTypes: {}, assertLogicalTypes: true });
    checked.add(shape);
  }
  checkedRecords.add(rec);
}

/**
 * The Avro record schema of a record schema, in Avro's conventional key order (the one place
 * pipegen builds Avro: the registry's schemas, Spark's decoders and NiFi's record schemas).
 * Optional fields are unions with null first and default null, so readers with an older
 * schema can skip them (BACKWARD compatible additions). Checked by the avsc parser.
 */
export function avroRecord(
  rec: RecordSchema,
  namespace: string,
  opts: AvroOptions = {},
): Record<string, unknown> {
  check(rec, namespace);
  return build(rec, namespace, opts);
}

/** An Avro schema as one line of JSON, for a value inside another file (a property, a program). */
export function avroText(rec: RecordSchema, namespace: string, opts: AvroOptions = {}): string {
  return JSON.stringify(avroRecord(rec, namespace, opts));
}
