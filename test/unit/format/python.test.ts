import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, compilePaths } from "../../../src/api/index.js";
import { emitAll } from "../../../src/emit/index.js";
import { formatPython, formatWhole, lintPython } from "../../../src/format/python.js";
import { shapeOf } from "../../../src/format/shape.js";

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

  it("shapes blocks that differ only by a hash alike, and puts each block's own hashes back", () => {
    const block = (h: string, g: string) =>
      `def f():\n    return sinks.JdbcTableSink(\n        stage="pipegen_stage_orders_per_minute_${h}", other="t_${g}", again="x_${h}",\n    )\n`;
    const a = shapeOf(block("22aa9b64", "0123abcd"), "orders_x");
    const b = shapeOf(block("998f58cf", "ffffffff"), "orders_x");
    expect(a?.text).toBe(b?.text);
    expect(a?.swaps.map((s) => [s.token, s.count])).toEqual([
      ["22aa9b64", 2],
      ["0123abcd", 1],
    ]);
    for (const [h, g] of [
      ["22aa9b64", "0123abcd"],
      ["998f58cf", "ffffffff"],
    ] as const) {
      const code = `${block(h, g)}\n\ndef g():\n    return 1\n`;
      expect(formatPython("t.py", code, "orders_x")).toBe(formatWhole("t.py", code));
    }
    expect(shapeOf("x = 1_12345678 + y\n", "orders_x")).toBeUndefined();
    expect(shapeOf("x = 0x1_deadbeef\n", "orders_x")).toBeUndefined();
  });

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
    [
      "hashes in identifiers, strings and comments, two distinct, one twice",
      "shop",
      "pipegen_stage_x_22aa9b64 = 'shop_22aa9b64 a_0123abcd'  # t_0123abcd\n",
    ],
    ["hex digits in numbers stay", "shop", "x = (1_12345678, 0x1_deadbeef, 9_12345678)\n"],
    ["a hash placeholder already in the block", "shop", "Hzaaaaaa = 's_deadbeef'\n"],
    ["a hash beside the name", "shop", "shop_deadbeef = shop_deadbeef_2\n"],
  ])("%s: the block is formatted as it is", (_, n, code) => {
    const block = `${code}\n\ndef f():\n    return 1\n`;
    expect(formatPython("t.py", block, n)).toBe(formatWhole("t.py", block));
  });
});
