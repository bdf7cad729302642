/**
 * The schema stage: the loaded document against the JSON Schema. Every error gets a place, plain
 * words and a hint (keywords.ts); a choice (`anyOf`) is explained by the one branch the value
 * was evidently meant for, or else by the forms it allows, never by all its branches at once.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { placeOf } from "../diagnostics/place.js";
import { closest } from "../diagnostics/suggest.js";
import type { LoadedSpec } from "../load/load.js";
import { escapePointer } from "../load/load.js";
import { type Described, byKeyword, shapeMessage, tooLong } from "./keywords.js";
import { normalize } from "./normalize.js";
import { type Sound, soundPart } from "./sound.js";
import { isSchedule } from "./schedule.js";
import type { PipegenSpec } from "./spec.gen.js";
import { describe, shapes } from "./words.js";

const require = createRequire(import.meta.url);
const specSchema = require("../../schema/pipegen.v1.schema.json") as Record<string, unknown>;
const schemaId = String(specSchema.$id);

let ajv: InstanceType<typeof import("ajv").default> | undefined;
let compiled: ValidateFunction | undefined;

/**
 * Whether a spec is valid, from the standalone validator `npm run build` writes beside this
 * module (scripts/gen-validator.mjs): no schema to compile at run time. Used only when it was
 * made from this very schema; null when it is missing (run from sources) or was not.
 */
let quick: ((value: unknown) => boolean) | null | undefined;

/** The schema's hash as scripts/validator-source.mjs writes it into the standalone validator. */
export const specSchemaHash = () =>
  createHash("sha256").update(JSON.stringify(specSchema)).digest("hex");

function quickValidator(): ((value: unknown) => boolean) | null {
  if (quick !== undefined) return quick;
  quick = null;
  try {
    const m = require("./validator.gen.cjs") as {
      schemaHash: string;
      make: (formats: Record<string, unknown>) => (value: unknown) => boolean;
    };
    if (m.schemaHash === specSchemaHash()) quick = m.make({ schedule: { validate: isSchedule } });
  } catch {
    // not built: the compiled validator below decides
  }
  return quick;
}

/** The compiled validator, which explains its errors (also the reference of the quick one's tests). */
export function validator(): ValidateFunction {
  if (compiled) return compiled;
  // ajv is CommonJS; loading it lazily keeps `pipegen --version` fast.
  const AjvCtor = require("ajv").default as typeof import("ajv").default;
  ajv = new AjvCtor({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword("tsType");
  ajv.addFormat("schedule", { type: "string", validate: isSchedule });
  const validate = ajv.compile(specSchema);
  compiled = validate;
  return validate;
}

export function schemaDocument(): Record<string, unknown> {
  return specSchema;
}

type SchemaNode = Record<string, unknown>;

/** The schema node at a pointer of the root document ("#/definitions/port"). */
function nodeAt(ref: string): SchemaNode | undefined {
  let node: unknown = specSchema;
  for (const seg of ref.replace(/^#\/?/, "").split("/").filter(Boolean))
    node = (node as Record<string, unknown> | undefined)?.[
      seg.replace(/~1/g, "/").replace(/~0/g, "~")
    ];
  return node as SchemaNode | undefined;
}

let index: Map<object, string> | undefined;

/**
 * Where a schema node is in the root document ("#/definitions/port"). ajv reports paths relative
 * to the definition a $ref compiled on its own, but hands back the schema's own objects: they
 * are found by identity.
 */
function pathOf(node: unknown): string | undefined {
  if (!index) {
    index = new Map();
    const walk = (n: unknown, p: string) => {
      if (n === null || typeof n !== "object") return;
      index!.set(n, p);
      for (const [k, v] of Object.entries(n)) walk(v, `${p}/${escapePointer(k)}`);
    };
    walk(specSchema, "#");
  }
  return node !== null && typeof node === "object" ? index.get(node) : undefined;
}

/** The named definition a schema node is, if any. */
const definitionOf = (node: unknown) =>
  /^#\/definitions\/([A-Za-z_]+)$/.exec(pathOf(node) ?? "")?.[1];

/** A branch with its $ref followed. */
function deref(node: SchemaNode): SchemaNode {
  const r = node.$ref;
  return typeof r === "string" ? deref(nodeAt(r) ?? {}) : node;
}

/** A value's JSON Schema type. */
function typeOf(data: unknown): string {
  if (Array.isArray(data)) return "array";
  if (data === null) return "null";
  if (typeof data === "number") return Number.isInteger(data) ? "integer" : "number";
  return typeof data;
}

/**
 * Whether the value looks meant for the branch: it has a type the branch takes (a number in
 * quotes counts as a number; a word the branch allows counts as its type).
 */
function fits(branch: SchemaNode, data: unknown): boolean {
  const b = deref(branch);
  if (b.anyOf) return (b.anyOf as SchemaNode[]).some((x) => fits(x, data));
  if ("const" in b) return typeOf(b.const) === typeOf(data);
  const types = [b.type ?? (b.properties || b.allOf ? "object" : undefined)].flat();
  const actual = typeOf(data);
  const numeric = typeof data === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(data);
  return types.some(
    (t) =>
      t === actual ||
      (t === "number" && actual === "integer") ||
      (numeric && (t === "integer" || t === "number")),
  );
}

/** Whether a pointer is at or below another. */
const within = (p: string, base: string) => p === base || p.startsWith(`${base}/`);

/**
 * The errors of an anyOf: those of the one branch whose type the value has (validated again
 * against that branch alone), or the anyOf itself when no branch or several fit.
 */
function explainAnyOf(e: ErrorObject): ErrorObject[] {
  const branches = (e.schema as SchemaNode[]) ?? [];
  const fitting = branches.map((b, i) => [b, i] as const).filter(([b]) => fits(b, e.data));
  if (fitting.length !== 1) return [e];
  const [branch, i] = fitting[0]!;
  const at = pathOf(e.parentSchema);
  const sub = at === undefined ? undefined : ajv!.getSchema(`${schemaId}${at}/anyOf/${i}`);
  if (!sub || "const" in deref(branch) || sub(e.data)) return [e];
  const errors = (sub.errors ?? []).map((x: ErrorObject) => ({
    ...x,
    instancePath: `${e.instancePath}${x.instancePath}`,
  }));
  return explain(errors);
}

/** The errors worth reporting: anyOf explained, wrappers dropped, a key typo said once. */
function explain(raw: readonly ErrorObject[]): ErrorObject[] {
  const anyOfs = raw.filter((e) => e.keyword === "anyOf");
  const outer = anyOfs.filter(
    (a, i) =>
      !anyOfs.some((b, j) =>
        b.instancePath !== a.instancePath ? within(a.instancePath, b.instancePath) : j < i,
      ),
  );
  const kept = raw.filter(
    (e) =>
      e.keyword !== "if" &&
      e.keyword !== "propertyNames" &&
      e.keyword !== "anyOf" &&
      !anyOfs.some((a) => within(e.instancePath, a.instancePath)),
  );
  return withoutTypoEchoes([...kept, ...outer.flatMap(explainAnyOf)]);
}

/**
 * One mistake, one error: a missing key that an unknown key beside it misspells, or an object
 * with too many keys because of an unknown one, is said by the unknown key.
 */
function withoutTypoEchoes(errors: ErrorObject[]): ErrorObject[] {
  const unknown = (path: string) =>
    errors
      .filter((e) => e.keyword === "additionalProperties" && e.instancePath === path)
      .map((e) => String((e.params as { additionalProperty: string }).additionalProperty));
  return errors.filter((e) => {
    // An unknown key is why an object has too many keys: said once, by the unknown key.
    if (e.keyword === "maxProperties") return unknown(e.instancePath).length === 0;
    if (e.keyword !== "required") return true;
    const missing = String((e.params as { missingProperty: string }).missingProperty);
    // A merge key ('<<') meant to bring the missing keys in: its own error says why it does not.
    return !unknown(e.instancePath).some(
      (k) => closest(k, [missing]) === missing || k.startsWith(`${missing}:`) || k === "<<",
    );
  });
}

/**
 * Validates the loaded document against the JSON Schema; every error gets a place and a fix.
 * `value` is the spec when it is valid and nothing else is wrong (`alsoBroken`: pointers of
 * problems found before, such as duplicate keys); `sound` is the part that can be resolved
 * all the same (sound.ts), with every key in its one form (normalize.ts).
 */
export function validateSchema(
  spec: LoadedSpec,
  alsoBroken: readonly string[] = [],
): { value?: PipegenSpec; sound?: Sound; diagnostics: Diagnostic[] } {
  if (alsoBroken.length === 0 && quickValidator()?.(spec.value) === true) return valid(spec, []);
  const validate = validator();
  const diagnostics: Diagnostic[] = [];
  if (!validate(spec.value)) {
    const seen = new Set<string>();
    for (const e of explain(validate.errors ?? [])) {
      const d = toDiag(spec, e);
      const k = `${d.pointer}|${d.code}|${d.message}`;
      if (seen.has(k)) continue;
      seen.add(k);
      diagnostics.push(d);
    }
  }
  const problems = [...diagnostics.map((d) => d.pointer), ...alsoBroken];
  if (problems.length === 0) return valid(spec, diagnostics);
  const part = soundPart(spec.value as Record<string, unknown>, problems, (v) => validate(v));
  if (!part) return { diagnostics };
  return {
    sound: { value: normalize(part.value as unknown as PipegenSpec), broken: part.broken },
    diagnostics,
  };
}

/** A spec with nothing wrong: its value, all of it sound. */
function valid(spec: LoadedSpec, diagnostics: Diagnostic[]) {
  const value = normalize(spec.value as PipegenSpec);
  return { value, sound: { value, broken: new Set<string>() }, diagnostics };
}

/** The named definition whose pattern, format, length or type an error is about. */
function shapeOf(e: ErrorObject): string | undefined {
  const shaped = ["pattern", "format", "maxLength", "minLength", "type"];
  return shaped.includes(e.keyword) ? definitionOf(e.parentSchema) : undefined;
}

/** An anyOf: the forms its branches allow, and the hint of the shape it is. */
function anyOfMessage(e: ErrorObject, where: string, data: unknown): Described {
  const defName = definitionOf(e.parentSchema);
  const own = defName ? shapes[defName] : undefined;
  const branches = (e.schema as SchemaNode[]) ?? [];
  const refs = branches
    .map((b) => (typeof b.$ref === "string" ? b.$ref.split("/").pop()! : undefined))
    .filter((x): x is string => !!x);
  const consts = branches.filter((b) => "const" in b).map((b) => JSON.stringify(b.const));
  const alts = own ? [own.what] : [...refs.map((r) => shapes[r]?.what ?? r), ...consts];
  const hint = own?.hint(data) ?? refs.map((r) => shapes[r]?.hint(data)).find(Boolean);
  return {
    code: "PG203",
    message: `${where} must be ${alts.join(" or ") || "one of the allowed forms"}, not ${describe(data)}`,
    hint,
  };
}

function describeError(e: ErrorObject, where: string): Described {
  const shape = shapeOf(e);
  if (e.keyword === "anyOf") return anyOfMessage(e, where, e.data);
  if (e.keyword === "maxLength") return tooLong(where, e, shape);
  if (shape && e.keyword !== "minLength") {
    const d = shapeMessage(where, e.data, shape);
    return e.keyword === "type" && d.code === "PG203" ? { ...d, code: "PG202" } : d;
  }
  return byKeyword[e.keyword]?.(e, where, e.data) ?? shapeMessage(where, e.data, shape);
}

function toDiag(spec: LoadedSpec, e: ErrorObject): Diagnostic {
  const described = describeError(e, placeOf(e.instancePath));
  let { code, message, hint } = described;
  let pointer = described.pointer ?? e.instancePath;
  let part = described.part ?? "value";
  // propertyNames errors come with a nested path ending in the key; point at the key itself.
  if (e.propertyName !== undefined && e.keyword !== "propertyNames") {
    pointer = `${e.instancePath}/${escapePointer(e.propertyName)}`;
    part = "key";
    const s = shapeOf(e);
    const shape = s ? shapes[s] : undefined;
    message = `'${e.propertyName}' is not ${shape ? shape.what : "a valid name"}`;
    hint = shape ? shape.hint(e.propertyName) : hint;
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
