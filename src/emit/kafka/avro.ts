import { createRequire } from "node:module";
import type { Field, RecordSchema } from "../../ir/types.js";

const require = createRequire(import.meta.url);
const checked = new Set<string>();

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

/**
 * The Avro record schema of a record schema, in Avro's conventional key order.
 * Optional fields are unions with null first and default null, so readers with an older
 * schema can skip them (BACKWARD compatible additions). Checked by the avsc parser.
 */
export function avroSchema(
  rec: RecordSchema,
  namespace: string,
  header: string,
): Record<string, unknown> {
  const schema: Record<string, unknown> = {
    $comment: header,
    type: "record",
    name: rec.name,
    namespace,
    ...(rec.doc ? { doc: rec.doc } : {}),
    fields: rec.fields.map((f) => {
      const doc = [f.doc, f.enum ? `One of: ${f.enum.join(", ")}.` : undefined]
        .filter(Boolean)
        .join(" ");
      return {
        name: f.name,
        type: f.required ? avroType(f) : ["null", avroType(f)],
        ...(doc ? { doc } : {}),
        ...(f.required ? {} : { default: null }),
      };
    }),
  };
  // Throws on anything Avro would refuse (names, logical types, defaults); each distinct shape is checked once.
  const shape = JSON.stringify({ ...schema, $comment: undefined, namespace: undefined });
  if (!checked.has(shape)) {
    const avsc = require("avsc") as typeof import("avsc");
    avsc.Type.forSchema(schema as never, { logicalTypes: {}, assertLogicalTypes: true });
    checked.add(shape);
  }
  return schema;
}
