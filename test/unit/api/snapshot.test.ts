import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";
import { manifestName } from "../../../src/write/manifest.js";
import { planWrite } from "../../../src/write/plan.js";

/**
 * generated/ is the committed output of specs/ and doubles as the snapshot: every file the
 * examples build must equal the committed one byte for byte, and nothing committed may be extra.
 */
describe("generated/ is exactly what specs/ builds", () => {
  const r = compilePaths(["specs"]);
  it("the examples compile", () => expect(r.diagnostics).toEqual([]));
  for (const o of r.outputs) {
    for (const f of o.files) {
      it(f.path, () => {
        expect(readFileSync(path.join("generated", f.path), "utf8")).toBe(f.content);
      });
    }
  }
  it("no file is missing, stale or extra, and the manifest is current", () => {
    const plan = planWrite("generated", r.outputs);
    expect(plan.changes.map((c) => `${c.kind} ${c.rel}`)).toEqual([]);
    expect(plan.foreign).toEqual([]);
    expect(plan.manifestChanged, manifestName).toBe(false);
  });
  it("a rebuild in the same process is byte-identical", () => {
    const again = compilePaths(["specs"]);
    expect(again.outputs).toEqual(r.outputs);
  });
});
