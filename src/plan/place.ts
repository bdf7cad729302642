/** Findings placed at their cause in the spec (file:line:col) and classified by the catalogue. */
import type { LoadedSpec } from "../load/load.js";
import { unescapePointer } from "../load/pointer.js";
import { catalogue } from "./catalogue.js";
import type { Change, Finding } from "./types.js";

/** Whether the spec has a value at the pointer. */
function has(value: unknown, pointer: string): boolean {
  let v = value;
  for (const seg of pointer.split("/").slice(1).map(unescapePointer)) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, seg)) return false;
    v = (v as Record<string, unknown>)[seg];
  }
  return true;
}

export function place(
  findings: readonly Finding[],
  pipeline: string,
  file: string,
  spec: LoadedSpec | undefined,
): Change[] {
  return findings.map((f) => {
    const candidates = typeof f.at === "string" ? [f.at] : [...f.at];
    const pointer = (spec && candidates.find((p) => has(spec.value, p))) ?? candidates[0] ?? "";
    const pos = spec ? spec.locate(pointer) : { line: 0, col: 0 };
    const r = catalogue[f.rule];
    return { ...f, at: pointer, class: r.class, system: r.system, pipeline, file, ...pos };
  });
}
