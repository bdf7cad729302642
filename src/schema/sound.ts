/**
 * The part of a spec that is sound enough to resolve while it has schema errors, so that
 * reference and column checks run in the same pass: every named entry (a connection, a topic,
 * a stream...) with an error is left out and remembered as broken, and so are `platform` and
 * `orchestration` when they have one. A reference to a broken entry is then not reported as
 * unknown (the entry's own error says what is wrong), and nothing is checked against it.
 *
 * Not sound at all, so only the schema errors are reported: another spec language version, or
 * an unknown top-level key that may be a misspelled section (its references would all fail).
 */
import { closest } from "../diagnostics/suggest.js";
import { pointerOf, unescapePointer } from "../load/pointer.js";
import type { PipegenSpec } from "./spec.gen.js";

export interface Sound {
  /** The spec without its broken entries: valid against the schema. */
  value: PipegenSpec;
  /** Pointers of what was left out: entries ("/topics/t") and whole sections ("/orchestration"). */
  broken: ReadonlySet<string>;
}

/** Sections of named entries. */
const entrySections = [
  "connections",
  "schemas",
  "topics",
  "ingest",
  "streams",
  "archive",
  "environments",
  "tests",
];
/** Sections left out whole when anything in them is wrong. */
const wholeSections = ["platform", "orchestration"];
/** Plain values of the root that may simply be left out. */
const optionalValues = ["description", "owner"];

const rootKeys = ["pipegen", "pipeline", ...optionalValues, ...wholeSections, ...entrySections];

/**
 * What to leave out for an error at `pointer`: null when the spec cannot be resolved, "" for
 * the root (a missing 'pipegen' or 'pipeline', filled in for resolving).
 */
function unitOf(pointer: string, value: Record<string, unknown>): string | null {
  if (pointer === "") return "";
  const [head, name] = pointer.slice(1).split("/").map(unescapePointer) as [string, string?];
  if (head === "pipegen") return null;
  if (head === "pipeline") return "/pipeline";
  if (optionalValues.includes(head) || wholeSections.includes(head)) return pointerOf(head);
  if (entrySections.includes(head))
    return name === undefined ? pointerOf(head) : pointerOf(head, name);
  // An unknown top-level key: harmless unless it may be a section written wrongly.
  const meant = closest(head, rootKeys);
  return meant !== undefined && !(meant in value) ? null : pointerOf(head);
}

/**
 * The spec without what the problems at `pointers` touch, or undefined when it cannot be
 * resolved. `isValid` is the schema check: what is left must pass it.
 */
export function soundPart(
  value: Record<string, unknown>,
  pointers: readonly string[],
  isValid: (v: unknown) => boolean,
): { value: Record<string, unknown>; broken: Set<string> } | undefined {
  const broken = new Set<string>();
  for (const p of pointers) {
    const unit = unitOf(p, value);
    if (unit === null) return undefined;
    if (unit !== "") broken.add(unit);
  }
  const out: Record<string, unknown> = { pipegen: 1, pipeline: "pipeline", ...value };
  for (const unit of broken) {
    const [head, name] = unit.slice(1).split("/").map(unescapePointer) as [string, string?];
    if (head === "pipeline") out.pipeline = "pipeline";
    else if (name === undefined) delete out[head];
    else if (out[head] !== null && typeof out[head] === "object") {
      const section = { ...(out[head] as Record<string, unknown>) };
      delete section[name];
      out[head] = section;
    }
  }
  return isValid(out) ? { value: out, broken } : undefined;
}
