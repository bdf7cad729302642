// The user documentation of the spec JSON Schema: a description (and examples, and the default
// where it is a plain value) for every key, by its path in the schema. `document(schema)` writes
// them into the schema that scripts/schema-src.mjs assembles; editors show them on hover.
//
// Paths: keys joined with "." from the spec's root ("streams.*.steps[].window.size"); "*" is
// the value of a map (a topic under "topics"), "[]" an item of a list, "#name" the definition
// "name" ("#connection_postgres.host"). An entry is a description, or
// {description, examples?, default?}. Keys written the same way in several places share one
// entry through `aliases`. A path that names no key of the schema is an error (stale docs); a
// key without a description fails the unit test test/unit/schema/docs.test.ts.
import connections from "./connections.mjs";
import data from "./data.mjs";
import definitions from "./definitions.mjs";
import ingest from "./ingest.mjs";
import streams from "./streams.mjs";
import tests from "./tests.mjs";
import top from "./top.mjs";

export const docs = {
  ...top,
  ...connections,
  ...data,
  ...ingest,
  ...streams,
  ...tests,
  ...definitions,
};

/** An environment overlay's keys are documented where the spec's own keys are. */
const aliases = [
  ["environments.*.platform", "platform"],
  ["environments.*.orchestration", "orchestration"],
  ["environments.*.topics", "topics.*"],
];

/** The connection types, from the definitions' names ("#connection_postgres" -> "postgres"). */
const connectionTypes = (schema) =>
  Object.keys(schema.definitions ?? {})
    .filter((d) => d.startsWith("connection_"))
    .map((d) => d.slice("connection_".length));

/** Returns the schema with every documented key described; throws on a path that names nothing. */
export function document(schema, table = docs) {
  const used = new Set();
  const entry = (path) => {
    if (path in table) {
      used.add(path);
      return normalise(table[path]);
    }
    for (const [from, to] of aliases)
      if (path.startsWith(`${from}.`)) return overriding(entry(to + path.slice(from.length)));
    if (path.startsWith("#connectionOverlay.")) return overlayEntry(path);
    return undefined;
  };
  // An overlay's setting says what the connection types that have it say, in this environment.
  const overlayEntry = (path) => {
    const rest = path.slice("#connectionOverlay.".length);
    const found = connectionTypes(schema)
      .map((t) => [t, entry(`#connection_${t}.${rest}`)])
      .filter(([, e]) => e);
    if (!found.length) return undefined;
    const [, first] = found[0];
    const same = found.every(([, e]) => e.description === first.description);
    const types = found.map(([t]) => t).join(", ");
    return {
      ...overriding(first),
      description: same
        ? `This environment's value. ${first.description}`
        : `This environment's '${rest}' of a connection (${types}); see that connection type's '${rest}'.`,
    };
  };
  const described = (node, path) => {
    const e = entry(path);
    const out = visit(node, path);
    if (!e) return out;
    if (out.description)
      throw new Error(`schema-docs: ${path} is described in the schema source and in the docs`);
    const { description, examples, default: dflt } = e;
    return {
      description,
      ...out,
      ...(examples ? { examples } : {}),
      ...(dflt !== undefined ? { default: dflt } : {}),
    };
  };
  const visit = (node, path) => {
    if (node === null || typeof node !== "object") return node;
    if (Array.isArray(node)) return node.map((n) => visit(n, path));
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "properties")
        out[k] = Object.fromEntries(
          Object.entries(v).map(([name, child]) => [name, described(child, join(path, name))]),
        );
      else if (k === "additionalProperties" && typeof v === "object")
        out[k] = described(v, `${path}.*`);
      else if (k === "items") out[k] = described(v, `${path}[]`);
      else if (["anyOf", "allOf", "oneOf", "then"].includes(k)) out[k] = visit(v, path);
      else out[k] = v;
    }
    return out;
  };
  const { properties, definitions, ...rest } = schema;
  const root = visit({ properties }, "");
  const out = {
    ...rest,
    ...root,
    definitions: Object.fromEntries(
      Object.entries(definitions).map(([name, def]) => [name, described(def, `#${name}`)]),
    ),
  };
  const stale = Object.keys(table).filter((p) => !used.has(p));
  if (stale.length)
    throw new Error(`schema-docs: these paths name no key of the schema: ${stale.join(", ")}`);
  return out;
}

/** An overlay's setting has no default: without it, the spec's own value stands. */
const overriding = (e) => {
  if (!e) return e;
  const { default: _, ...rest } = e;
  return rest;
};
const join = (path, key) => (path === "" ? key : `${path}.${key}`);
const normalise = (e) => (typeof e === "string" ? { description: e } : e);
