/**
 * Avro schema compatibility, offline, as a Confluent-API registry checks a new version against
 * a subject's compatibility level: avsc's resolvers (a reader type resolving a writer type, as
 * Avro's schema resolution does) decide; a walk over the record's fields names the field.
 */
import { createRequire } from "node:module";
import type { Type } from "avsc";

const require = createRequire(import.meta.url);
const avsc = require("avsc") as typeof import("avsc");

type Json = Record<string, unknown>;

const parse = (schema: unknown, namespace?: string): Type =>
  avsc.Type.forSchema(schema as never, namespace ? { namespace } : {});

/** Why `reader` cannot read what `writer` wrote, naming the field; null when it can. */
export function cannotRead(reader: unknown, writer: unknown): string | null {
  try {
    parse(reader).createResolver(parse(writer));
    return null;
  } catch (e) {
    return fieldProblem(reader as Json, writer as Json) ?? (e as Error).message;
  }
}

function fields(schema: Json): Json[] {
  return Array.isArray(schema.fields) ? (schema.fields as Json[]) : [];
}

function fieldProblem(reader: Json, writer: Json): string | null {
  if (reader.type !== "record" || writer.type !== "record") return null;
  const fullName = (s: Json) => `${s.namespace ? `${s.namespace}.` : ""}${s.name}`;
  if (fullName(reader) !== fullName(writer))
    return `the record is named ${fullName(reader)} in one and ${fullName(writer)} in the other`;
  const namespace = typeof reader.namespace === "string" ? reader.namespace : undefined;
  for (const f of fields(reader)) {
    const aliases = Array.isArray(f.aliases) ? (f.aliases as string[]) : [];
    const w = fields(writer).find((x) => x.name === f.name || aliases.includes(String(x.name)));
    if (!w) {
      if (!("default" in f))
        return `field '${f.name}' has no default, and records written without it have no value for it`;
      continue;
    }
    try {
      parse(f.type, namespace).createResolver(parse(w.type, namespace));
    } catch {
      return `field '${f.name}' is ${typeName(w.type)} in the writer's schema and ${typeName(f.type)} in the reader's`;
    }
  }
  return null;
}

/** A type as people read it: "long", "optional string", "decimal(10,2)". */
export function typeName(t: unknown): string {
  if (Array.isArray(t)) {
    const rest = t.filter((x) => x !== "null");
    const inner =
      rest.length === 1 ? typeName(rest[0]) : `union of ${rest.map(typeName).join(", ")}`;
    return t.includes("null") ? `optional ${inner}` : inner;
  }
  if (t && typeof t === "object") {
    const o = t as Json;
    if (o.logicalType === "decimal") return `decimal(${o.precision},${o.scale ?? 0})`;
    if (typeof o.logicalType === "string") return `${o.logicalType} (${o.type})`;
    if (o.type === "enum") return `enum ${o.name}`;
    return String(o.type);
  }
  return String(t);
}

/** The non-null branch of an optional type. */
function unwrap(t: unknown): unknown {
  return Array.isArray(t) && t.length === 2 && t.includes("null") ? t.find((x) => x !== "null") : t;
}

/**
 * Fields whose Avro type stays while the logical type, precision or scale changes: schema
 * resolution ignores logical types (the registry accepts the version), but the bytes of a
 * decimal are read with the new scale and a long with the new unit.
 */
export function logicalTypeChanges(before: unknown, after: unknown): string[] {
  const out: string[] = [];
  for (const f of fields(after as Json)) {
    const old = fields(before as Json).find((x) => x.name === f.name);
    if (!old) continue;
    const [a, b] = [unwrap(f.type), unwrap(old.type)] as [Json | string, Json | string];
    const base = (x: Json | string) => (typeof x === "object" ? x.type : x);
    const logical = (x: Json | string) =>
      typeof x === "object" ? JSON.stringify([x.logicalType, x.precision, x.scale]) : "[]";
    if (base(a) === base(b) && logical(a) !== logical(b))
      out.push(`field '${f.name}' ${typeName(b)} -> ${typeName(a)}`);
  }
  return out;
}

/** A schema without its docs (what decoding depends on). */
export function withoutDocs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutDocs);
  if (schema && typeof schema === "object")
    return Object.fromEntries(
      Object.entries(schema as Json)
        .filter(([k]) => k !== "doc")
        .map(([k, v]) => [k, withoutDocs(v)]),
    );
  return schema;
}

/**
 * The first problem of a new schema under a compatibility level, against the subject's earlier
 * versions (newest last; a non-transitive level checks the newest only), or null.
 */
export function incompatibility(
  level: string,
  next: unknown,
  versions: ReadonlyArray<{ schema: unknown; from: string }>,
): { against: string; problem: string; direction: "backward" | "forward" } | null {
  const base = level.replace(/_TRANSITIVE$/, "");
  if (base === "NONE" || !versions.length) return null;
  const checked = level.endsWith("_TRANSITIVE") ? [...versions].reverse() : versions.slice(-1);
  for (const v of checked) {
    if (base === "BACKWARD" || base === "FULL") {
      const problem = cannotRead(next, v.schema);
      if (problem) return { against: v.from, problem, direction: "backward" };
    }
    if (base === "FORWARD" || base === "FULL") {
      const problem = cannotRead(v.schema, next);
      if (problem) return { against: v.from, problem, direction: "forward" };
    }
  }
  return null;
}
