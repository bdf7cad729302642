/**
 * The IR's rules, each broken once where the spec has what the rule is about: every reference
 * resolves, every column exists and has a fitting type, settings fit together, and the rules
 * that keep a pipeline from losing or corrupting data hold.
 */
import type { Spec } from "./parts.js";
import type { Breakage } from "./schema-rules.js";
import type { ValidCase } from "./valid.js";

type Obj = Record<string, unknown>;
const esc = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");
const first = (o: unknown) => Object.keys((o ?? {}) as Obj)[0];
const obj = (v: unknown) => v as Obj;

/** Where things are in a generated spec (valid.ts builds one of each at most). */
function places(spec: Spec) {
  const stream = first(spec.streams)!;
  const st = obj(obj(spec.streams)[stream]);
  const steps = (st.steps ?? []) as Obj[];
  const sinks = st.to as Obj[];
  const ingest = first(spec.ingest);
  const schema = first(spec.schemas)!;
  const raw = obj(st.from).topic as string;
  return {
    stream,
    sp: `/streams/${stream}`,
    st,
    steps,
    agg: steps.findIndex((s) => "aggregate" in s),
    filter: steps.findIndex((s) => "filter" in s),
    dedupe: steps.findIndex((s) => "dedupe" in s),
    tableSink: sinks.findIndex((k) => "table" in k),
    topicSink: sinks.findIndex((k) => "topic" in k),
    ingest,
    ip: ingest === undefined ? "" : `/ingest/${ingest}`,
    archive: first(spec.archive),
    schema,
    raw,
    fields: obj(obj(obj(spec.schemas)[schema]).fields),
  };
}

type Places = ReturnType<typeof places>;
type Rule = (c: ValidCase, p: Places) => Breakage | undefined;

/** Sets (or, with undefined, deletes) the value at a pointer of a spec. */
function put(s: Spec, pointer: string, value: unknown) {
  const parts = pointer
    .slice(1)
    .split("/")
    .map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"));
  let v: unknown = s;
  for (const k of parts.slice(0, -1)) v = Array.isArray(v) ? v[Number(k)] : obj(v)[k];
  if (value === undefined) delete obj(v)[parts[parts.length - 1]!];
  else obj(v)[parts[parts.length - 1]!] = value;
}

/**
 * A value set at a pointer: the rule it breaks. The broken place is that value, or `at` (an
 * entry) when the rule is about the entry around it.
 */
const set = (rule: string, pointer: string, value: unknown, at?: string): Breakage => ({
  rule,
  apply: (s) => put(s, pointer, value),
  broken: at === undefined ? { pointer, part: "value" } : { pointer: at, part: "entry" },
});

const references: Rule[] = [
  (_, p) => set("ref: topic schema", `/topics/${esc(p.raw)}/schema`, "zq_missing"),
  (_, p) => set("ref: stream topic", `${p.sp}/from/topic`, "zq.missing"),
  (_, p) =>
    typeof p.st.onInvalid === "object"
      ? set("ref: dead letter", `${p.sp}/onInvalid/deadLetter`, "zq.missing")
      : undefined,
  (_, p) =>
    p.tableSink < 0
      ? undefined
      : set("ref: sink connection", `${p.sp}/to/${p.tableSink}/connection`, "zq_missing"),
  (_, p) =>
    p.topicSink < 0
      ? undefined
      : set("ref: sink topic", `${p.sp}/to/${p.topicSink}/topic`, "zq.missing"),
  (_, p) =>
    p.ingest ? set("ref: ingest source", `${p.ip}/from/connection`, "zq_missing") : undefined,
  (_, p) => (p.ingest ? set("ref: ingest topic", `${p.ip}/to/topic`, "zq.missing") : undefined),
  (_, p) =>
    p.ingest
      ? set("ref: ingest dead letter", `${p.ip}/onError/deadLetter`, "zq.missing")
      : undefined,
  (_, p) =>
    p.archive
      ? set("ref: archive topic", `/archive/${p.archive}/from/topic`, "zq.missing")
      : undefined,
  (_, p) =>
    p.archive
      ? set("ref: archive connection", `/archive/${p.archive}/to/connection`, "zq_missing")
      : undefined,
];

const columns: Rule[] = [
  (_, p) => set("column: schema key", `/schemas/${p.schema}/key/0`, "zq_nocol"),
  (_, p) => (p.ingest ? set("column: ingest key", `${p.ip}/to/key`, "zq_nocol") : undefined),
  (_, p) =>
    p.ingest ? set("column: incremental", `${p.ip}/from/incrementalColumn`, "zq_nocol") : undefined,
  (_, p) =>
    p.filter < 0
      ? undefined
      : set("column: filter", `${p.sp}/steps/${p.filter}/filter`, "zq_nocol > 0"),
  (_, p) =>
    p.agg < 0 ? undefined : set("column: groupBy", `${p.sp}/steps/${p.agg}/groupBy/0`, "zq_nocol"),
  (_, p) => {
    if (p.agg < 0) return undefined;
    const sum = Object.keys(obj(p.steps[p.agg]!.aggregate))[1]!;
    return set("column: aggregate", `${p.sp}/steps/${p.agg}/aggregate/${sum}`, "sum(zq_nocol)");
  },
  (_, p) =>
    p.tableSink < 0
      ? undefined
      : set("column: sink key", `${p.sp}/to/${p.tableSink}/key/0`, "zq_nocol"),
  (_, p) =>
    p.dedupe < 0
      ? undefined
      : set("column: dedupe on", `${p.sp}/steps/${p.dedupe}/dedupe/on`, "zq_nocol"),
  (c, p) => set("column: notNull", `${p.sp}/quality`, [{ notNull: ["zq_nocol"] }]),
];

const types: Rule[] = [
  (c, p) => {
    const w = p.steps[p.agg];
    return w && "window" in w
      ? set("type: window on", `${p.sp}/steps/${p.agg}/window/on`, c.roles.measure)
      : undefined;
  },
  (c, p) => {
    if (p.agg < 0) return undefined;
    const sum = Object.keys(obj(p.steps[p.agg]!.aggregate))[1]!;
    return set(
      "type: sum of text",
      `${p.sp}/steps/${p.agg}/aggregate/${sum}`,
      `sum(${c.roles.group})`,
    );
  },
  (c, p) =>
    p.dedupe < 0
      ? undefined
      : set("type: dedupe on", `${p.sp}/steps/${p.dedupe}/dedupe/on`, c.roles.id),
  (c, p) => set("type: enum on a number", `/schemas/${p.schema}/fields/${c.roles.id}/enum`, ["A"]),
  (c, p) => {
    const f = `/schemas/${p.schema}/fields/${c.roles.group}`;
    return set("type: precision on text", `${f}/precision`, 5, f);
  },
];

export const irRuleSets = { references, columns, types };
export { places, put, set, type Places, type Rule };
