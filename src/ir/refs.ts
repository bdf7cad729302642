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

/** Where a pipeline's settings hold references: the platform's parts, or the connections. */
export type RefPlace = "kafka" | "nifi" | "spark" | "connections";

/** The references of a connection's settings (its JDBC options included). */
export function connectionRefs(c: Connection): Reference[] {
  return refsIn(c);
}

/** The references of the pipeline's settings in the given places: platform and connections. */
export function pipelineRefs(p: Pipeline, places: readonly RefPlace[]): Reference[] {
  const has = (x: RefPlace) => places.includes(x);
  const platform = (["kafka", "nifi", "spark"] as const).flatMap((x) =>
    has(x) ? refsIn(p.platform[x]) : [],
  );
  return [...platform, ...(has("connections") ? p.connections.flatMap(connectionRefs) : [])];
}

/** Names of the secrets (${secret:NAME}) of the pipeline's settings in the given places. */
export function secretNames(p: Pipeline, places: readonly RefPlace[]): Set<string> {
  return new Set(
    pipelineRefs(p, places)
      .filter((r) => r.kind === "secret")
      .map((r) => r.name),
  );
}
