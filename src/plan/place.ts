/** Findings placed at their cause in the spec (file:line:col) and classified by the catalogue. */
import type { LoadedSpec } from "../load/load.js";
import { hasPointer } from "../load/pointer.js";
import { catalogue } from "./catalogue.js";
import type { Change, Finding } from "./types.js";

export function place(
  findings: readonly Finding[],
  pipeline: string,
  file: string,
  spec: LoadedSpec | undefined,
): Change[] {
  return findings.map((f) => {
    const candidates = typeof f.at === "string" ? [f.at] : [...f.at];
    const pointer =
      (spec && candidates.find((p) => hasPointer(spec.value, p))) ?? candidates[0] ?? "";
    const pos = spec ? spec.locate(pointer) : { line: 0, col: 0 };
    const r = catalogue[f.rule];
    return { ...f, at: pointer, class: r.class, system: r.system, pipeline, file, ...pos };
  });
}
