import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, compilePaths } from "../../../src/api/index.js";
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

/** Formatting by shape (shape.ts): a block formatted once per shape must give what ruff gives. */
describe("Python formatting by shape, with the pipeline's name abstracted", () => {
  const models = ["shop_orders", "iot_sensors", "user_activity"].map((m) => ({
    file: `specs/${m}.yaml`,
    text: readFileSync(`specs/${m}.yaml`, "utf8"),
  }));
  const name = fc
    .tuple(
      fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"),
      fc.string({
        unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789_"),
        minLength: 3,
        maxLength: 63,
      }),
    )
    .map(([a, b]) => a + b);

  it("gives exactly ruff's whole-file output for random names, reusing shapes across names", () => {
    fc.assert(
      fc.property(name, fc.constantFrom(...models), (n, m) => {
        const text = m.text.replace(/^pipeline:.*$/m, `pipeline: ${n}`);
        const r = compile([{ file: m.file, text }]);
        const p = r.pipelines[0];
        if (!p) return; // a name the spec refuses (PG310, a Python module): nothing to format
        for (const f of emitAll(p).filter((g) => g.format === "python"))
          expect(formatPython(f.path, f.content, p.name)).toBe(formatWhole(f.path, f.content));
      }),
      { numRuns: 25 },
    );
  });

  it.each([
    [
      "a name inside a keyword is not swapped",
      "else",
      "x = 1\nif x:\n    pass\nelse:\n    y = 'else'\n",
    ],
    ["a name that repeats itself", "aaaa", "aaaaa = 'aaaa aaaaaaa'\n"],
    ["a block already holding the placeholder", "abcd", "Qzqq = 'abcd'\n"],
  ])("%s: the block is formatted as it is", (_, n, code) => {
    const block = `${code}\n\ndef f():\n    return 1\n`;
    expect(formatPython("t.py", block, n)).toBe(formatWhole("t.py", block));
  });
});
