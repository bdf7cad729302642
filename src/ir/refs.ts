/**
 * The ${env:NAME} and ${secret:NAME} references of a pipeline, in one place: which values a
 * generated program reads from its environment when it runs, and which of them are secrets.
 * Imports nothing but the IR's types.
 */
import type { Connection, Pipeline, ValueRef } from "./types.js";

/** One reference: the environment variable (or secret) NAME. */
export interface Reference {
  kind: "env" | "secret";
  name: string;
}

/** The references of values: an env or secret reference itself, a template's parts; a literal has none. */
export function refsOf(...values: ReadonlyArray<ValueRef | null | undefined>): Reference[] {
  const out: Reference[] = [];
  for (const r of values) {
    if (!r) continue;
    if (r.kind === "env" || r.kind === "secret") out.push({ kind: r.kind, name: r.name });
    else if (r.kind === "template")
      for (const x of r.parts) if (typeof x !== "string") out.push({ kind: x.kind, name: x.name });
  }
  return out;
}

/** The names values read when a program runs (env and secret references alike), in order. */
export function refNames(...values: ReadonlyArray<ValueRef | null | undefined>): string[] {
  return refsOf(...values).map((r) => r.name);
}

/** Every reference anywhere inside a part of the IR (references in lists and records included). */
export function refsIn(value: unknown): Reference[] {
  const out: Reference[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown) => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    const r = v as { kind?: unknown; name?: unknown };
    if ((r.kind === "env" || r.kind === "secret") && typeof r.name === "string")
      out.push({ kind: r.kind, name: r.name });
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(value);
  return out;
}

// The reference syntax, as src/ir/values.ts parses it.
const refPattern = /\$\{(env|secret):([A-Z][A-Z0-9_]*)\}/g;

/** The references written in a text that the IR keeps as written (a JDBC option's value). */
export function refsInText(text: string): Reference[] {
  return [...text.matchAll(refPattern)].map((m) => ({
    kind: m[1] as "env" | "secret",
    name: m[2]!,
  }));
}

/** A connection's JDBC options: kept as written (values are text, numbers or booleans). */
function jdbcOptions(key: string, v: unknown): v is Readonly<Record<string, unknown>> {
  return key === "options" && !!v && typeof v === "object" && !Array.isArray(v) && !("kind" in v);
}

/** Where a pipeline's settings hold references. "connections": every setting but JDBC options. */
export type RefPlace = "kafka" | "nifi" | "spark" | "connections" | "jdbcOptions";

function settingRefs(key: string, v: unknown, settings: boolean, options: boolean): Reference[] {
  if (!jdbcOptions(key, v)) return settings ? refsIn(v) : [];
  return options ? Object.values(v).flatMap((x) => refsInText(String(x))) : [];
}

/** The references of a connection's settings but its JDBC options. */
export function connectionRefs(c: Connection): Reference[] {
  return Object.entries(c.settings).flatMap(([key, v]) => settingRefs(key, v, true, false));
}

/** The references of the pipeline's settings in the given places: platform and connections. */
export function pipelineRefs(p: Pipeline, places: readonly RefPlace[]): Reference[] {
  const has = (x: RefPlace) => places.includes(x);
  const platform = (["kafka", "nifi", "spark"] as const).flatMap((x) =>
    has(x) ? refsIn(p.platform[x]) : [],
  );
  const connections = p.connections.flatMap((c) =>
    Object.entries(c.settings).flatMap(([key, v]) =>
      settingRefs(key, v, has("connections"), has("jdbcOptions")),
    ),
  );
  return [...platform, ...connections];
}

/** Names of the secrets (${secret:NAME}) of the pipeline's settings in the given places. */
export function secretNames(p: Pipeline, places: readonly RefPlace[]): Set<string> {
  return new Set(
    pipelineRefs(p, places)
      .filter((r) => r.kind === "secret")
      .map((r) => r.name),
  );
}
