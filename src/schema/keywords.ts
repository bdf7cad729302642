/**
 * One description per JSON Schema keyword: what an ajv error of that keyword says, in plain
 * words, with a hint that says what to write. Patterns and formats are said by the shape (the
 * named definition) they belong to (words.ts); references by refs.ts.
 */
import type { ErrorObject } from "ajv";
import { didYouMean } from "../diagnostics/suggest.js";
import { escapePointer } from "../load/pointer.js";
import { referenceProblem, secretProblem } from "./refs.js";
import { describe, listTypes, shapes } from "./words.js";

/** What an ajv error says in plain words: code, message, hint, and where exactly it points. */
export interface Described {
  code: string;
  message: string;
  hint?: string | undefined;
  /** A pointer below the error's instance path (a key), and whether to show the key. */
  pointer?: string;
  part?: "key" | "value";
}

export type Describe = (e: ErrorObject, where: string, data: unknown) => Described;

type SchemaNode = Record<string, unknown>;

/** Properties the schema at an error allows. */
export const propsOf = (e: ErrorObject) =>
  Object.keys(((e.parentSchema as SchemaNode)?.properties as object) ?? {});

/** The named definition a schema node refers to, if any. */
const refName = (node: unknown) => {
  const r = (node as SchemaNode | undefined)?.$ref;
  return typeof r === "string" ? r.split("/").pop() : undefined;
};

/** A value for a schema node, for hints such as "add 'every: 1m'". */
export function exampleOf(node: unknown): string {
  const n = (node ?? {}) as SchemaNode;
  const ref = refName(n);
  if (ref && shapes[ref]) return shapes[ref].example;
  if (Array.isArray(n.enum)) return String(n.enum[0]);
  if ("const" in n) return JSON.stringify(n.const);
  if (n.type === "integer" || n.type === "number") return String(n.minimum ?? 1);
  if (n.type === "boolean") return "true";
  if (n.type === "array") return `[${exampleOf(n.items)}]`;
  if (n.type === "object") {
    const req = Array.isArray(n.required) ? (n.required as string[]) : [];
    const props = (n.properties ?? {}) as Record<string, unknown>;
    return `{${req.map((k) => `${k}: ${exampleOf(props[k])}`).join(", ") || "..."}}`;
  }
  return "...";
}

/** Words from other tools and from older Airflow, and the key pipegen has for them. */
const foreignKeys: Record<string, { key: string; why?: string }> = {
  sla: { key: "deadline", why: "Airflow 3 replaced SLAs with deadline alerts" },
  slas: { key: "deadline", why: "Airflow 3 replaced SLAs with deadline alerts" },
  schedule_interval: { key: "schedule" },
  source: { key: "from" },
  input: { key: "from" },
  sink: { key: "to" },
  sinks: { key: "to" },
  output: { key: "to" },
  outputs: { key: "to" },
  transform: { key: "steps" },
  transforms: { key: "steps" },
  where: { key: "filter" },
  agg: { key: "aggregate" },
  aggs: { key: "aggregate" },
  aggregates: { key: "aggregate" },
  aggregations: { key: "aggregate" },
  replication: { key: "replicationFactor" },
  replicas: { key: "replicationFactor" },
  dlq: { key: "deadLetter" },
  env: { key: "environments" },
  envs: { key: "environments" },
};

/** The same words where they mean a stream's or an archive's promise about its data. */
const jobForeignKeys: Record<string, { key: string; why?: string }> = {
  sla: { key: "freshness", why: "a job's promise about its data is its freshness" },
  slas: { key: "freshness", why: "a job's promise about its data is its freshness" },
  lag: { key: "freshness" },
  maxLag: { key: "freshness" },
  staleness: { key: "freshness" },
};

function unknownKeyHint(key: string, allowed: readonly string[], data: unknown): string {
  const colon = /^([A-Za-z_][\w.-]*):(.+)$/.exec(key);
  if (colon && allowed.includes(colon[1]!))
    return data === null || data === undefined
      ? `a space is missing after ':': write '${colon[1]}: ${colon[2]}'`
      : `a space is missing after '${colon[1]}:'`;
  if (key === "<<")
    return "merge keys ('<<') are YAML 1.1, which pipegen does not read: write the keys out (an alias such as '*name' may stand for a whole value)";
  const foreign = [foreignKeys[key], jobForeignKeys[key]].find(
    (f) => f !== undefined && allowed.includes(f.key),
  );
  if (foreign) return `${foreign.why ? `${foreign.why}: ` : ""}write '${foreign.key}'`;
  return didYouMean(key, allowed, "keys here");
}

/** A type error's hint: how to write the value as the type the key takes. */
function typeHint(e: ErrorObject, data: unknown): string | undefined {
  const want = [(e.params as { type: unknown }).type].flat().map(String);
  const schema = e.parentSchema as SchemaNode;
  if (want.includes("array") && (typeof data === "string" || typeof data === "number"))
    return `write a list: [${String(data)}]`;
  const colon = typeof data === "string" ? /^([A-Za-z_][\w.-]*):(\S.*)$/.exec(data) : null;
  if (want.includes("object") && colon)
    return `a space is missing after ':': write '${colon[1]}: ${colon[2]}'`;
  if (want.includes("object") && typeof data !== "object") {
    const req = Array.isArray(schema?.required) ? (schema.required as string[]) : [];
    if (req.length === 1 && data !== null) return `write {${req[0]}: ${String(data)}}`;
    return `write a mapping, e.g. ${exampleOf(schema)}`;
  }
  if (want.some((t) => t === "integer" || t === "number") && typeof data === "string")
    return /^-?\d+(\.\d+)?$/.test(data.trim())
      ? `write the number without quotes: ${data.trim()}`
      : `write a number, e.g. ${exampleOf(schema)}`;
  if (want.includes("integer") && typeof data === "number") return "write a whole number";
  if (want.includes("boolean")) return "write true or false (without quotes)";
  if (want.includes("string") && (typeof data === "number" || typeof data === "boolean"))
    return `put it in quotes: "${String(data)}"`;
  return undefined;
}

const range: Describe = (e, where, data) => {
  const limit = String((e.params as { limit: number }).limit);
  const least = e.keyword === "minimum";
  return {
    code: "PG203",
    message: `${where} is ${String(data)}; the ${least ? "smallest" : "largest"} allowed is ${limit}`,
    hint: `write a number of at ${least ? "least" : "most"} ${limit}`,
  };
};

const count: Describe = (e, where) => {
  const schema = e.parentSchema as SchemaNode;
  const props = propsOf(e);
  const exactlyOne = schema?.minProperties === 1 && schema?.maxProperties === 1;
  if (exactlyOne)
    return {
      code: "PG206",
      message: `${where} must have exactly one of: ${props.join(", ")}`,
      hint: "write one of them per item; make several items for several",
    };
  return {
    code: "PG206",
    message: `${where} must not be empty`,
    hint: props.length
      ? `write at least one of: ${props.join(", ")}`
      : "write at least one entry, or remove the key",
  };
};

/** One description per JSON Schema keyword. */
export const byKeyword: Record<string, Describe> = {
  additionalProperties: (e, where, data) => {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    const value = (data as Record<string, unknown> | null)?.[key];
    return {
      code: "PG201",
      message: `unknown key '${key}' in ${where}`,
      hint: unknownKeyHint(key, propsOf(e), value),
      pointer: `${e.instancePath}/${escapePointer(key)}`,
      part: "key",
    };
  },
  required: (e, where) => {
    const key = String((e.params as { missingProperty: string }).missingProperty);
    const props = ((e.parentSchema as SchemaNode)?.properties ?? {}) as Record<string, unknown>;
    return {
      code: "PG204",
      message: `${where} is missing the required key '${key}'`,
      hint: `add '${key}: ${exampleOf(props[key])}'`,
      part: e.instancePath === "" ? "value" : "key",
    };
  },
  type: (e, where, data) => ({
    code: "PG202",
    message: `${where} must be ${listTypes((e.params as { type: unknown }).type)}, not ${describe(data)}`,
    hint: typeHint(e, data),
  }),
  enum: (e, where, data) => {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
    return {
      code: "PG205",
      message: `${where} is ${describe(data)}; allowed: ${allowed.join(", ")}`,
      hint:
        typeof data === "string"
          ? didYouMean(data, allowed, "values")
          : `write one of: ${allowed.join(", ")}`,
    };
  },
  const: (e, where, data) => ({
    code: "PG205",
    message: `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, not ${describe(data)}`,
    hint:
      e.instancePath === "/pipegen"
        ? "this pipegen reads spec language version 1: write 'pipegen: 1'"
        : `write ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`,
  }),
  minProperties: count,
  maxProperties: count,
  minItems: (_e, where) => ({
    code: "PG203",
    message: `${where} must not be empty`,
    hint: "write at least one item, or remove the key",
  }),
  minLength: (_e, where) => ({
    code: "PG203",
    message: `${where} must not be empty`,
    hint: "write a value, or remove the key",
  }),
  uniqueItems: (_e, where) => ({
    code: "PG302",
    message: `${where} lists the same value twice`,
    hint: "remove the repeated value",
  }),
  minimum: range,
  maximum: range,
};

/** Patterns, formats and lengths: said by the shape (a named definition) they belong to. */
export function shapeMessage(where: string, data: unknown, shape: string | undefined): Described {
  if (shape === "secretRef") return secretProblem(data, where);
  const ref = shape === "stringOrRef" || shape === "envRef" ? referenceProblem(data) : undefined;
  if (ref) return ref;
  const s = shape ? shapes[shape] : undefined;
  if (s)
    return {
      code: "PG203",
      message: `${where} must be ${s.what}, not ${describe(data)}`,
      hint: s.hint(data),
    };
  return {
    code: "PG203",
    message: `${where} is not in a form this key takes: ${describe(data)}`,
    hint: "see the JSON Schema's description of this key (schema/pipegen.v1.schema.json)",
  };
}

/** A value longer than its shape allows. */
export function tooLong(where: string, e: ErrorObject, shape: string | undefined): Described {
  const limit = (e.params as { limit: number }).limit;
  const s = shape ? shapes[shape] : undefined;
  return {
    code: "PG203",
    message: `${where} is longer than ${limit} characters`,
    hint: s
      ? `${s.hint(undefined)}, at most ${limit} characters`
      : `shorten it to ${limit} characters`,
  };
}
