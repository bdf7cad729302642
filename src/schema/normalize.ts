/**
 * The forms the schema accepts for convenience, made canonical once validation has passed, so
 * the resolvers see one form only: a key written as a single column is a list of one.
 */
import type { PipegenSpec } from "./spec.gen.js";

/**
 * Every place of a key (`definitions/columns` in the schema): `*` is any entry of a named map,
 * `#` any item of a list. A unit test checks this list against the schema.
 */
export const keyPlaces: readonly string[] = [
  "/schemas/*/key",
  "/ingest/*/to/key",
  "/streams/*/steps/#/dedupe/key",
  "/streams/*/to/#/key",
];

function wrapAt(v: unknown, parts: readonly string[]): unknown {
  if (v === null || typeof v !== "object") return v;
  const [head, ...rest] = parts;
  if (head === undefined) return v;
  if (head === "#" || head === "*") {
    if (Array.isArray(v) !== (head === "#")) return v;
    if (Array.isArray(v)) return v.map((x) => wrapAt(x, rest));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wrapAt(x, rest)]));
  }
  const o = v as Record<string, unknown>;
  if (!(head in o)) return v;
  const inner = o[head];
  const next =
    rest.length === 0 ? (typeof inner === "string" ? [inner] : inner) : wrapAt(inner, rest);
  return { ...o, [head]: next };
}

/** The spec with every key as a list of columns; the value given is not changed. */
export function normalize(spec: PipegenSpec): PipegenSpec {
  let out: unknown = spec;
  for (const place of keyPlaces) out = wrapAt(out, place.slice(1).split("/"));
  return out as PipegenSpec;
}
