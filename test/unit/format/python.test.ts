import { describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";
import { emitAll } from "../../../src/emit/index.js";
import { formatPython, formatWhole, lintPython } from "../../../src/format/python.js";

/** Block-wise formatting of the templates' raw output must give exactly what ruff gives for the whole file. */
describe("Python formatting", () => {
  const r = compilePaths(["specs", "test/fixtures/valid"]);
  const raw = r.pipelines.flatMap((p) => emitAll(p)).filter((f) => f.format === "python");
  it("there is generated Python to check", () => expect(raw.length).toBeGreaterThanOrEqual(8));
  for (const f of raw) {
    it(`${f.path}: block-wise formatting equals ruff on the whole file, and lint is clean`, () => {
      const whole = formatWhole(f.path, f.content);
      expect(formatPython(f.path, f.content)).toBe(whole);
      expect(lintPython(whole)).toEqual([]);
    });
  }
});
