/**
 * What every section's resolver shares: the spec being resolved and the diagnostics collected
 * so far (`Ctx`), how to report an error at a JSON pointer, the two common errors (a name or a
 * column that does not resolve), and the lookups a section uses to reach other sections.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { didYouMean } from "../../diagnostics/suggest.js";
import type { LoadedSpec } from "../../load/load.js";
import type * as I from "../types.js";

/** The spec being resolved and every diagnostic found so far; errors are collected, never thrown. */
export type Ctx = {
  spec: LoadedSpec;
  diags: Diagnostic[];
};

/** Reports an error at `pointer` (its key or its value) of the spec. */
export function err(
  ctx: Ctx,
  code: string,
  pointer: string,
  message: string,
  hint?: string,
  part: "key" | "value" = "value",
) {
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

/** PG301: a reference to a schema, topic, connection... that is not declared. */
export function unknownRef(
  ctx: Ctx,
  pointer: string,
  what: string,
  name: string,
  known: Iterable<string>,
  fix?: string,
) {
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
  err(
    ctx,
    "PG304",
    pointer,
    `unknown column '${name}' in ${where}`,
    didYouMean(name, known, "columns"),
  );
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
