/**
 * Record validation against a record schema: ValidateRecord (required fields, types, and the
 * enum values that are Avro names, as Avro enums), then, for enum fields with any value that
 * is not an Avro name (which an Avro schema cannot hold), a check of their values:
 * PartitionRecord sets `pipegen.enum.<field>` to the value of a record whose field is neither
 * null nor one of the values, RouteOnAttribute passes the FlowFiles without any such
 * attribute. Invalid records go one by one to the dead-letter topic with pipegen.reason
 * "invalid" and pipegen.validation.details; valid ones keep their order within a FlowFile.
 */
import type { Field, RecordSchema } from "../../ir/types.js";
import { avroText } from "../shared/avro.js";
import { literal } from "./escape.js";
import type { Endpoint, Position } from "./flow.js";
import type { IngestGroup } from "./ingest.js";

/** The attribute ValidateRecord writes its findings to (a Kafka header on dead letters). */
export const VALIDATION_DETAILS_ATTRIBUTE = "pipegen.validation.details";

/** A validation in an ingest's group: its component path, its name and where it goes. */
export interface ValidationAt {
  path: string;
  name: string;
  comments: string;
  position: () => Position;
}

/** Where records go on from a processor: the processor and the relationship. */
export interface Next {
  next: Endpoint;
  rel: string;
}

/** The Avro record schema ValidateRecord checks against: enums whose values are Avro names. */
export function validationSchemaText(x: IngestGroup, schema: RecordSchema): string {
  return avroText(schema, x.flow.namespace, { docs: false, enums: true });
}

/** An Avro name: what avroText (enums: true) requires of every value to write an Avro enum. */
const avroName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The enum fields the Avro schema cannot check: some value is not an Avro name. */
function uncheckedEnums(schema: RecordSchema): Field[] {
  return schema.fields.filter((f) => f.enum && !f.enum.every((v) => avroName.test(v)));
}

/**
 * A Java regex matching exactly the given values (with Matcher.matches): letters and digits
 * as they are, every other character as \x{hex}. So the regex holds no quote, '$', '#' or
 * line break and stands in a RecordPath string literal as it is (a backslash before 'x' is
 * kept there).
 */
export function enumRegex(values: readonly string[]): string {
  const one = (v: string) =>
    [...v]
      .map((ch) => (/[A-Za-z0-9]/.test(ch) ? ch : `\\x{${ch.codePointAt(0)!.toString(16)}}`))
      .join("");
  return `(?:${values.map(one).join("|")})`;
}

const enumAttr = (field: string) => `pipegen.enum.${field}`;

/** PartitionRecord + RouteOnAttribute: records with a value outside an enum are invalid. */
function enumCheck(x: IngestGroup, at: ValidationAt, fields: Field[], prev: Next): Next {
  const props: Record<string, string> = {
    "Record Reader": x.services.reader,
    "Record Writer": x.services.embeddedWriter,
  };
  for (const f of fields)
    props[enumAttr(f.name)] = literal(
      `/${f.name}[not(matchesRegex(., '${enumRegex(f.enum!)}'))]`,
      true,
    );
  const names = fields.map((f) => f.name).join(", ");
  const partition = x.g.processor(
    `${at.path}/enum`,
    "PartitionRecord",
    `${at.name}: find values outside enums`,
    {
      position: at.position(),
      comments: `Records whose ${names} is neither null nor one of its values get it in pipegen.enum.<field> (one FlowFile per such value).`,
      retry: x.retry,
      // The partitions hold every record of the original.
      autoTerminated: ["original"],
      properties: props,
    },
  );
  x.g.connect(prev.next, [prev.rel], partition);
  x.onFailure(partition, ["failure"], "failure", `${at.path}/enum`);
  const valid = fields.map((f) => `${enumAttr(f.name)}:isNull()`);
  const router = x.g.processor(`${at.path}/enum/route`, "RouteOnAttribute", `${at.name}: enums`, {
    position: at.position(),
    comments: "valid: no value outside its enum; unmatched: dead letters.",
    properties: {
      "Routing Strategy": "Route to Property name",
      valid: `\${${valid[0]}${valid
        .slice(1)
        .map((c) => `:and(\${${c}})`)
        .join("")}}`,
    },
  });
  x.g.connect(partition, ["success"], router);
  const details = fields
    .map((f) => `\${${enumAttr(f.name)}:isNull():ifElse('', ' ${f.name}')}`)
    .join("");
  x.onFailure(router, ["unmatched"], "invalid", `${at.path}/enum/route`, {
    details: `a value not in the enum of:${details}`,
  });
  return { next: router, rel: "valid" };
}

/**
 * ValidateRecord against `schema` (and the enum check it cannot do itself), after `prev`
 * when given; `first` is the ValidateRecord.
 */
export function validateRecords(
  x: IngestGroup,
  at: ValidationAt,
  schema: RecordSchema,
  prev: Next | null,
): Next & { first: Endpoint } {
  const v = x.g.processor(at.path, "ValidateRecord", at.name, {
    position: at.position(),
    comments: at.comments,
    retry: x.retry,
    properties: {
      "Record Reader": x.services.reader,
      "Record Writer": x.services.embeddedWriter,
      "Schema Access Strategy": "schema-text-property",
      "Schema Text": literal(validationSchemaText(x, schema), true),
      "Allow Extra Fields": "true",
      "Strict Type Checking": "false",
      "Validation Details Attribute Name": literal(VALIDATION_DETAILS_ATTRIBUTE, true),
    },
  });
  if (prev) x.g.connect(prev.next, [prev.rel], v);
  x.onFailure(v, ["invalid"], "invalid", `${at.path}/invalid`);
  x.onFailure(v, ["failure"], "failure", `${at.path}/failure`);
  const unchecked = uncheckedEnums(schema);
  const valid = { next: v, rel: "valid" };
  return { first: v, ...(unchecked.length ? enumCheck(x, at, unchecked, valid) : valid) };
}
