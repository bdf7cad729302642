import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { LoadedSpec } from "../load/load.js";
import { escapePointer } from "../load/load.js";
import { isSchedule, schedulePresets } from "./schedule.js";
import type { PipegenSpec } from "./spec.gen.js";

const require = createRequire(import.meta.url);
const specSchema = require("../../schema/pipegen.v1.schema.json") as Record<string, unknown>;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  // ajv is CommonJS; loading it lazily keeps `pipegen --version` fast.
  const AjvCtor = require("ajv").default as typeof import("ajv").default;
  const ajv = new AjvCtor({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword("tsType");
  ajv.addFormat("schedule", { type: "string", validate: isSchedule });
  compiled = ajv.compile(specSchema);
  return compiled;
}

export function schemaDocument(): Record<string, unknown> {
  return specSchema;
}

/** Friendly words for the shapes defined once in the schema's definitions. */
const shapes: Record<string, { what: string; hint: string }> = {
  identifier: {
    what: "an identifier",
    hint: "use lower case letters, digits and '_', starting with a letter, e.g. 'shop_orders'",
  },
  column: {
    what: "a column name",
    hint: "use lower case letters, digits and '_', starting with a letter, e.g. 'customer_id'",
  },
  topicName: {
    what: "a topic name",
    hint: "use lower case letters, digits, '_', '.' and '-', starting with a letter, e.g. 'orders.raw'",
  },
  tableName: {
    what: "a table name",
    hint: "write 'table' or 'schema.table' in lower case, e.g. 'public.orders'",
  },
  duration: {
    what: "a duration",
    hint: "write a whole number and a unit: ms, s, m, h, d or w, e.g. '30s', '5m', '7d'",
  },
  memory: {
    what: "a memory size",
    hint: "write a whole number and a unit: k, m, g or t, e.g. '4g'",
  },
  schedule: {
    what: "a schedule",
    hint: `write a five-field cron expression such as '*/15 * * * *' or one of ${schedulePresets.join(", ")}`,
  },
  secretRef: {
    what: "a secret reference",
    hint: "secrets never appear in a spec: write '${secret:NAME}' and provide NAME at run time (Airflow connection or variable, NiFi sensitive parameter, environment variable)",
  },
  email: { what: "an email address", hint: "write it as name@example.com" },
  bucket: {
    what: "an S3 bucket name",
    hint: "use 3 to 63 lower case letters, digits, '.' and '-'",
  },
  stringOrRef: {
    what: "a plain value or a '${env:NAME}' / '${secret:NAME}' reference",
    hint: "a '${...}' reference must be '${env:NAME}' or '${secret:NAME}' with NAME in upper case",
  },
};

function shapeOf(e: ErrorObject): string | undefined {
  const m = /#\/definitions\/([A-Za-z]+)\/(pattern|format|maxLength)$/.exec(e.schemaPath);
  return m?.[1];
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

const typeWords: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
};

function listTypes(t: unknown): string {
  const ts = Array.isArray(t) ? t : [t];
  return ts.map((x) => typeWords[String(x)] ?? String(x)).join(" or ");
}

/** Validates the loaded document against the JSON Schema; every error gets a place and a fix. */
export function validateSchema(spec: LoadedSpec): {
  value?: PipegenSpec;
  diagnostics: Diagnostic[];
} {
  const validate = validator();
  if (validate(spec.value)) return { value: spec.value as PipegenSpec, diagnostics: [] };
  const raw = validate.errors ?? [];
  // anyOf/if wrappers only repeat what their branches say; drop them unless alone.
  const anyOfPaths = new Set(raw.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of raw) {
    // "if" and "propertyNames" only wrap the error of their branch, which is reported itself.
    if (e.keyword === "if" || e.keyword === "propertyNames") continue;
    if (e.keyword === "anyOf") {
      diagnostics.push(toDiag(spec, e, true));
      continue;
    }
    if (anyOfPaths.has(e.instancePath)) continue;
    const d = toDiag(spec, e, false);
    const k = `${d.pointer}|${d.code}|${d.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      diagnostics.push(d);
    }
  }
  return { diagnostics };
}

/** What an ajv error says in plain words: code, message, hint, and where exactly it points. */
interface Described {
  code: string;
  message: string;
  hint?: string | undefined;
  /** A pointer below the error's instance path (a key), and whether to show the key. */
  pointer?: string;
  part?: "key" | "value";
}

type Describe = (e: ErrorObject, where: string, data: unknown) => Described;

/** Properties the schema at an error allows. */
const propsOf = (e: ErrorObject) =>
  Object.keys(((e.parentSchema as Record<string, unknown>)?.properties as object) ?? {});

const range: Describe = (e, where, data) => ({
  code: "PG203",
  message: `${where} is ${String(data)}; it ${e.message ?? "is out of range"}`,
});

const count: Describe = (e, where) => {
  const schema = e.parentSchema as Record<string, unknown>;
  const exactlyOne = schema?.minProperties === 1 && schema?.maxProperties === 1;
  return {
    code: "PG206",
    message: exactlyOne
      ? `${where} must have exactly one of: ${propsOf(e).join(", ")}`
      : `${where} ${e.message ?? "has the wrong number of keys"}`,
  };
};

/** One message per JSON Schema keyword. */
const byKeyword: Record<string, Describe> = {
  additionalProperties: (e, where) => {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    return {
      code: "PG201",
      message: `unknown key '${key}' in ${where}`,
      hint: didYouMean(key, propsOf(e), "keys here"),
      pointer: `${e.instancePath}/${escapePointer(key)}`,
      part: "key",
    };
  },
  required: (e, where) => ({
    code: "PG204",
    message: `${where} is missing the required key '${String((e.params as { missingProperty: string }).missingProperty)}'`,
    part: e.instancePath === "" ? "value" : "key",
  }),
  type: (e, where, data) => ({
    code: "PG202",
    message: `${where} must be ${listTypes((e.params as { type: unknown }).type)}, not ${describe(data)}`,
  }),
  enum: (e, where, data) => {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
    return {
      code: "PG205",
      message: `${where} is ${describe(data)}; allowed: ${allowed.join(", ")}`,
      hint: typeof data === "string" ? didYouMean(data, allowed, "values") : undefined,
    };
  },
  const: (e, where, data) => ({
    code: "PG205",
    message: `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, not ${describe(data)}`,
    hint:
      e.instancePath === "/pipegen"
        ? "this pipegen reads spec language version 1: write 'pipegen: 1'"
        : undefined,
  }),
  minProperties: count,
  maxProperties: count,
  minItems: (_e, where) => ({ code: "PG203", message: `${where} must not be empty` }),
  uniqueItems: (_e, where) => ({ code: "PG302", message: `${where} lists the same value twice` }),
  minimum: range,
  maximum: range,
};

/** An anyOf: the forms its branches allow. */
const anyOfMessage: Describe = (e, where, data) => {
  const branches = (e.schema as Array<Record<string, unknown>>) ?? [];
  const consts = branches.filter((b) => "const" in b).map((b) => JSON.stringify(b.const));
  const refs = branches
    .map((b) => (typeof b.$ref === "string" ? b.$ref.split("/").pop()! : undefined))
    .filter((x): x is string => !!x);
  const alts = [...refs.map((r) => shapes[r]?.what ?? r), ...consts];
  return {
    code: "PG203",
    message: `${where} must be ${alts.join(" or ") || "one of the allowed forms"}, not ${describe(data)}`,
    hint: refs.map((r) => shapes[r]?.hint).find(Boolean),
  };
};

/** Patterns and formats: said by the shape (a named definition) they belong to, never as a regex. */
function shapeMessage(e: ErrorObject, where: string, data: unknown, shape?: string): Described {
  if (shape === "secretRef")
    return {
      code: "PG303",
      message:
        typeof data === "string" && data.startsWith("${env:")
          ? `${where} is a secret: it takes a '\${secret:NAME}' reference, not '\${env:...}'`
          : `plaintext secret in ${where}: a secret must be a '\${secret:NAME}' reference`,
      hint: shapes.secretRef!.hint,
    };
  if (shape && shapes[shape])
    return {
      code: "PG203",
      message: `${where} must be ${shapes[shape].what}, not ${describe(data)}`,
      hint: shapes[shape].hint,
    };
  return {
    code: "PG203",
    message: `${where} ${e.message ?? "is invalid"}${typeof data === "string" ? `: ${JSON.stringify(data)}` : ""}`,
  };
}

function toDiag(spec: LoadedSpec, e: ErrorObject, anyOf: boolean): Diagnostic {
  const pointerAt = e.instancePath;
  const where = pointerAt === "" ? "the spec" : `'${pointerAt.slice(1).split("/").join(".")}'`;
  const shape = shapeOf(e);
  const described = anyOf
    ? anyOfMessage(e, where, e.data)
    : (byKeyword[e.keyword]?.(e, where, e.data) ?? shapeMessage(e, where, e.data, shape));
  let { code, message, hint } = described;
  let pointer = described.pointer ?? pointerAt;
  let part = described.part ?? "value";
  // propertyNames errors come with a nested path ending in the key; point at the key itself.
  if (e.propertyName !== undefined && e.keyword !== "propertyNames") {
    pointer = `${e.instancePath}/${escapePointer(e.propertyName)}`;
    part = "key";
    const s = shape && shapes[shape];
    message = s
      ? `'${e.propertyName}' is not ${s.what}`
      : `'${e.propertyName}' is not a valid name`;
    hint = s ? s.hint : hint;
  }
  const { line, col } = spec.locate(pointer, part);
  return {
    code,
    severity: "error",
    message,
    file: spec.file,
    line,
    col,
    pointer,
    ...(hint ? { hint } : {}),
  };
}
