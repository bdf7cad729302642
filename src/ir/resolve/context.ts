/**
 * What every section's resolver shares: the spec being resolved and the diagnostics collected
 * so far (`Ctx`), how to report an error at a JSON pointer, the two common errors (a name or a
 * column that does not resolve), and the lookups a section uses to reach other sections.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { closest, didYouMean } from "../../diagnostics/suggest.js";
import type { LoadedSpec } from "../../load/load.js";
import { pointerOf, unescapePointer } from "../../load/load.js";
import type * as I from "../types.js";
import { type FlowState, aggregationStep, columnsEverIn, isFollowOn } from "./followons.js";

/** The spec being resolved and every diagnostic found so far; errors are collected, never thrown. */
export type Ctx = {
  spec: LoadedSpec;
  diags: Diagnostic[];
  /**
   * What was left out because it has schema errors ("/topics/t", "/orchestration"): a
   * reference to it is not reported as unknown, and nothing is checked against it.
   */
  broken?: Set<string>;
  /** What is known of each stream's record flow, to tell follow-on errors (followons.ts). */
  flows?: Map<string, FlowState>;
};

/** Whether an entry of a section (or the whole section) was left out for its schema errors. */
export function isBroken(ctx: Ctx, section: string, name?: string): boolean {
  if (!ctx.broken) return false;
  return (
    ctx.broken.has(pointerOf(section)) ||
    (name !== undefined && ctx.broken.has(pointerOf(section, name)))
  );
}

/**
 * Whether a name that does not resolve means an entry left out for its schema errors: that
 * entry, or probably it when the entry's own name is not a valid one (the declaration says
 * 'Orders', the references 'orders').
 */
export function meansBroken(ctx: Ctx, section: string, name: string): boolean {
  if (isBroken(ctx, section, name)) return true;
  const prefix = `${pointerOf(section)}/`;
  const names = [...(ctx.broken ?? [])]
    .filter((p) => p.startsWith(prefix))
    .map((p) => unescapePointer(p.slice(prefix.length)))
    // Only a declaration whose name is not a valid name is meant by a name close to it.
    .filter((n) => !/^[a-z][a-z0-9_.-]*$/.test(n));
  return closest(name, names) !== undefined;
}

/** Reports an error at `pointer` (its key or its value) of the spec. */
export function err(
  ctx: Ctx,
  code: string,
  pointer: string,
  message: string,
  hint?: string,
  part: "key" | "value" = "value",
) {
  if (!isFollowOn(ctx, code, pointer))
    push(ctx, code, pointer, ctx.spec.locate(pointer, part), message, hint);
}

/** Reports an error at character `offset` of the string at `pointer` (at the string when it spans lines). */
export function errAt(
  ctx: Ctx,
  code: string,
  pointer: string,
  offset: number,
  message: string,
  hint?: string,
) {
  if (!isFollowOn(ctx, code, pointer))
    push(ctx, code, pointer, ctx.spec.locate(pointer, "value", offset), message, hint);
}

function push(
  ctx: Ctx,
  code: string,
  pointer: string,
  { line, col }: { line: number; col: number },
  message: string,
  hint: string | undefined,
) {
  ctx.diags.push({
    code,
    severity: "error",
    message,
    file: ctx.spec.file,
    line,
    col,
    pointer,
    ...(hint ? { hint } : {}),
  });
}

/** The section that declares each kind of name. */
const sectionOf = {
  schema: "schemas",
  topic: "topics",
  connection: "connections",
} as const;

/** PG301: a reference to a schema, topic, connection... that is not declared. */
export function unknownRef(
  ctx: Ctx,
  pointer: string,
  what: keyof typeof sectionOf,
  name: string,
  known: Iterable<string>,
  fix?: string,
) {
  if (meansBroken(ctx, sectionOf[what], name)) return;
  const hint = didYouMean(name, [...known], `${what}s`);
  err(
    ctx,
    "PG301",
    pointer,
    `unknown ${what} '${name}'`,
    fix && !hint.startsWith("did you mean") ? `${hint}; ${fix}` : hint,
  );
}

/** PG304: a column that is not in the record it is looked up in (`where`). */
export function unknownColumn(
  ctx: Ctx,
  pointer: string,
  name: string,
  known: readonly string[],
  where: string,
) {
  if (isFollowOn(ctx, "PG304", pointer, name)) return;
  push(
    ctx,
    "PG304",
    pointer,
    ctx.spec.locate(pointer, "value"),
    `unknown column '${name}' in ${where}`,
    columnHint(ctx, pointer, name, known),
  );
}

/** Did you mean; or, for a column an aggregation before it left behind, how to keep it. */
function columnHint(ctx: Ctx, pointer: string, name: string, known: readonly string[]): string {
  const hint = didYouMean(name, known, "columns");
  const m = /^(\/streams\/[^/]+)\/(to|steps\/(\d+))\//.exec(pointer);
  const agg = m ? aggregationStep(ctx, m[1]!) : undefined;
  if (!m || agg === undefined || hint.startsWith("did you mean")) return hint;
  if (m[3] !== undefined && Number(m[3]) <= agg) return hint;
  if (!columnsEverIn(ctx, m[1]!).has(name)) return hint;
  return `after the aggregation in step ${agg + 1} a record has only the window bounds, the groupBy columns and the aggregates: add '${name}' to that step's groupBy`;
}

/** Lookups of resolved topics and connections by name; each reports an unknown or unfit name. */
export interface Refs {
  topicRef: (pointer: string, name: string | undefined) => I.Topic | undefined;
  connRef: <T extends I.Connection["type"]>(
    pointer: string,
    name: string,
    types: readonly T[],
    role: string,
  ) => I.ConnectionOf<T> | undefined;
}

/** Where a named entry of a section (an ingest, a stream, an archive) is, with the context and the lookups. */
export interface EntryAt {
  ctx: Ctx;
  refs: Refs;
  name: string;
  pointer: string;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export const byName = (a: { name: string }, b: { name: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
