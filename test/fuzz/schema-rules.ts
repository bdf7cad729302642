/**
 * Schema rules, each broken once, found from the JSON Schema itself: every place of a valid spec
 * is walked with the schema node that governs it, and each node offers the ways to break it
 * (an unknown key, a missing required key, a name or value not of its shape, a value outside
 * its enum or range, a value of another type).
 */
import { schemaDocument } from "../../src/schema/validate.js";
import type { Spec } from "./parts.js";
import type { Broken } from "./place.js";

type Node = Record<string, unknown>;

/** A way to break a spec: change its (cloned) value, and where it is then broken. */
export interface Breakage {
  rule: string;
  apply: (spec: Spec) => void;
  broken: Broken;
}

const root = schemaDocument() as Node;
const defs = root.definitions as Record<string, Node>;
const refName = (n: Node) => (typeof n.$ref === "string" ? n.$ref.split("/").pop() : undefined);
const deref = (n: Node): Node => {
  const r = refName(n);
  return r ? deref(defs[r]!) : n;
};
const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);
const esc = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** A value of each named shape that the shape refuses. */
const refused: Record<string, unknown> = {
  identifier: "Bad Name",
  column: "Bad Col",
  topicName: "Bad Topic!",
  tableName: "Bad Table",
  duration: "5 minutes",
  memory: "4 GB",
  schedule: "every day",
  email: "nobody",
  bucket: "B_",
  envRef: "${env:lower}",
  secretRef: "hunter2",
  stringOrRef: "${oops}",
  aggregate: "median(x)",
  isoDate: "01/02/2025",
  prefix: "/abs/",
  relativePath: "/abs",
  nifiVersion: "1.0",
  topicConfigName: "Bad",
  sparkConfName: "executor.memory",
  attributeName: "1bad",
  tag: "bad tag",
  slackChannel: "Data Alerts",
  expression: "",
};

/** The value at a pointer's parent and the last key, to change it in place. */
function parentOf(spec: Spec, pointer: string): [Record<string, unknown> | unknown[], string] {
  const parts = pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  let v: unknown = spec;
  for (const p of parts.slice(0, -1)) v = Array.isArray(v) ? v[Number(p)] : (v as Node)[p];
  return [v as Record<string, unknown>, parts[parts.length - 1]!];
}

function setAt(spec: Spec, pointer: string, value: unknown) {
  const [parent, key] = parentOf(spec, pointer);
  if (Array.isArray(parent)) parent[Number(key)] = value;
  else parent[key] = value;
}

function valueAt(spec: Spec, pointer: string): Record<string, unknown> {
  if (pointer === "") return spec;
  const [parent, key] = parentOf(spec, pointer);
  return (Array.isArray(parent) ? parent[Number(key)] : parent[key]) as Record<string, unknown>;
}

/** The object with one key renamed, in its place. */
function renamed(o: Record<string, unknown>, from: string, to: string) {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k === from ? to : k, v]));
}

/** The ways to break the object at a pointer: an unknown key, each required key missing. */
function objectBreakages(pointer: string, n: Node, value: Record<string, unknown>): Breakage[] {
  const out: Breakage[] = [];
  if (n.properties && n.additionalProperties === false)
    out.push({
      rule: "schema: unknown key",
      apply: (s) => void (valueAt(s, pointer).zq_unknown = 1),
      broken: { pointer: `${pointer}/zq_unknown`, part: "entry" },
    });
  for (const r of (n.required ?? []) as string[])
    if (r in value)
      out.push({
        rule: `schema: missing required key`,
        apply: (s) => void delete valueAt(s, pointer)[r],
        broken: { pointer, part: "entry" },
      });
  return out;
}

/** A named map's entry with a name its shape refuses (a close misspelling for referenced names). */
function nameBreakage(pointer: string, n: Node, value: Record<string, unknown>): Breakage[] {
  const keyDef = isObj(n.propertyNames) ? refName(n.propertyNames as Node) : undefined;
  const first = Object.keys(value)[0];
  if (!keyDef || first === undefined || !refused[keyDef]) return [];
  const lower = ["identifier", "column", "topicName"].includes(keyDef);
  const bad = lower ? first[0]!.toUpperCase() + first.slice(1) : String(refused[keyDef]);
  return [
    {
      rule: `schema: bad ${keyDef} as a name`,
      apply: (s) => {
        if (pointer === "") return;
        setAt(s, pointer, renamed(valueAt(s, pointer), first, bad));
      },
      broken: { pointer: `${pointer}/${esc(bad)}`, part: "entry" },
    },
  ];
}

/** A value the node refuses (undefined when it takes anything). */
function refusedValue(n: Node, def: string | undefined): unknown {
  if (def && def in refused) return refused[def];
  if (n.anyOf) return -1;
  if (Array.isArray(n.enum)) return "zq_not_allowed";
  if ("const" in n) return 2;
  if (n.type === "integer" || n.type === "number")
    return typeof n.minimum === "number" ? n.minimum - 1 : "zq";
  if (n.type === "boolean") return "yes";
  if (n.type === "string") return n.minLength ? "" : 42;
  if (n.type === "array") return n.minItems ? [] : 7;
  if (n.type === "object" || n.properties || n.allOf) return 7;
  return undefined;
}

/** Every way to break a valid spec, from the schema node of each place. */
export function schemaBreakages(spec: Spec): Breakage[] {
  const out: Breakage[] = [];
  const walk = (value: unknown, node: Node, pointer: string) => {
    const def = refName(node);
    const n = deref(node);
    const bad = refusedValue(n, def);
    if (pointer !== "" && bad !== undefined)
      out.push({
        rule: `schema: ${def ?? (n.anyOf ? "choice" : Array.isArray(n.enum) ? "enum" : String(n.type))}`,
        apply: (s) => setAt(s, pointer, structuredClone(bad)),
        broken: { pointer, part: "value" },
      });
    if (n.anyOf) return;
    if (isObj(value)) {
      out.push(...objectBreakages(pointer, n, value), ...nameBreakage(pointer, n, value));
      for (const [k, v] of Object.entries(value)) {
        const child =
          (n.properties as Record<string, Node> | undefined)?.[k] ??
          (isObj(n.additionalProperties) ? (n.additionalProperties as Node) : undefined);
        if (child) walk(v, child, `${pointer}/${esc(k)}`);
      }
      for (const branch of (n.allOf ?? []) as Node[]) {
        const type = ((branch.if as Node)?.properties as Record<string, Node>)?.type?.const;
        if (type === value.type) walk(value, branch.then as Node, pointer);
      }
    } else if (Array.isArray(value) && isObj(n.items))
      value.forEach((x, i) => walk(x, n.items as Node, `${pointer}/${i}`));
  };
  walk(spec, root, "");
  return out;
}
