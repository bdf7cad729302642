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

function toDiag(spec: LoadedSpec, e: ErrorObject, anyOf: boolean): Diagnostic {
  let pointer = e.instancePath;
  let part: "key" | "value" = "value";
  let code = "PG203";
  let message: string;
  let hint: string | undefined;
  const where = pointer === "" ? "the spec" : `'${pointer.slice(1).split("/").join(".")}'`;
  const data = e.data;
  const shape = shapeOf(e);
  if (anyOf) {
    const branches = (e.schema as Array<Record<string, unknown>>) ?? [];
    const consts = branches.filter((b) => "const" in b).map((b) => JSON.stringify(b.const));
    const refs = branches
      .map((b) => (typeof b.$ref === "string" ? b.$ref.split("/").pop()! : undefined))
      .filter((x): x is string => !!x);
    const alts = [...refs.map((r) => shapes[r]?.what ?? r), ...consts];
    message = `${where} must be ${alts.join(" or ") || "one of the allowed forms"}, not ${describe(data)}`;
    hint = refs.map((r) => shapes[r]?.hint).find(Boolean);
  } else
    switch (e.keyword) {
      case "additionalProperties": {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        pointer = `${pointer}/${escapePointer(key)}`;
        part = "key";
        code = "PG201";
        const props = Object.keys(
          ((e.parentSchema as Record<string, unknown>)?.properties as object) ?? {},
        );
        message = `unknown key '${key}' in ${where}`;
        hint = didYouMean(key, props, "keys here");
        break;
      }
      case "required": {
        const key = String((e.params as { missingProperty: string }).missingProperty);
        code = "PG204";
        part = pointer === "" ? "value" : "key";
        message = `${where} is missing the required key '${key}'`;
        break;
      }
      case "type":
        code = "PG202";
        message = `${where} must be ${listTypes((e.params as { type: unknown }).type)}, not ${describe(data)}`;
        break;
      case "enum": {
        code = "PG205";
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
        message = `${where} is ${describe(data)}; allowed: ${allowed.join(", ")}`;
        hint = typeof data === "string" ? didYouMean(data, allowed, "values") : undefined;
        break;
      }
      case "const":
        code = "PG205";
        message = `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, not ${describe(data)}`;
        if (pointer === "/pipegen")
          hint = "this pipegen reads spec language version 1: write 'pipegen: 1'";
        break;
      case "minProperties":
      case "maxProperties": {
        code = "PG206";
        const schema = e.parentSchema as Record<string, unknown>;
        const props = Object.keys((schema?.properties as object) ?? {});
        const exactlyOne = schema?.minProperties === 1 && schema?.maxProperties === 1;
        message = exactlyOne
          ? `${where} must have exactly one of: ${props.join(", ")}`
          : `${where} ${e.message ?? "has the wrong number of keys"}`;
        break;
      }
      case "minItems":
        code = "PG203";
        message = `${where} must not be empty`;
        break;
      case "uniqueItems":
        code = "PG302";
        message = `${where} lists the same value twice`;
        break;
      case "minimum":
      case "maximum":
        code = "PG203";
        message = `${where} is ${String(data)}; it ${e.message ?? "is out of range"}`;
        break;
      default:
        code = "PG203";
        if (shape === "secretRef") {
          code = "PG303";
          message =
            typeof data === "string" && data.startsWith("${env:")
              ? `${where} is a secret: it takes a '\${secret:NAME}' reference, not '\${env:...}'`
              : `plaintext secret in ${where}: a secret must be a '\${secret:NAME}' reference`;
          hint = shapes.secretRef!.hint;
        } else if (shape && shapes[shape]) {
          message = `${where} must be ${shapes[shape].what}, not ${describe(data)}`;
          hint = shapes[shape].hint;
        } else
          message = `${where} ${e.message ?? "is invalid"}${typeof data === "string" ? `: ${JSON.stringify(data)}` : ""}`;
    }
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
