import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orderedJson, stableJson } from "../../../../src/emit/shared/json.js";

/** The definition stableJson must meet, written the slow, obvious way. */
function reference(v: unknown, indent = ""): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  const inner = indent + "  ";
  if (Array.isArray(v))
    return v.length === 0
      ? "[]"
      : `[\n${v.map((x) => inner + reference(x, inner)).join(",\n")}\n${indent}]`;
  const keys = Object.keys(v)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort((a, b) => (a === "$comment" ? -1 : b === "$comment" ? 1 : a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return "{}";
  const body = keys.map(
    (k) => `${inner}${JSON.stringify(k)}: ${reference((v as Record<string, unknown>)[k], inner)}`,
  );
  return `{\n${body.join(",\n")}\n${indent}}`;
}

const key = fc.oneof(
  fc.string(),
  fc.constantFrom("$comment", "0", "1", "10", "9", "4294967294", "4294967295", "01", "-1", "1.5"),
  fc.constantFrom("__proto__", "constructor", "toString"),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value")),
    fc.dictionary(key, fc.oneof(tie("value"), fc.constant(undefined))),
  ),
})).value;

describe("stableJson against its definition", () => {
  it("writes what the reference writes, for any JSON value (integer-like keys included)", () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(stableJson(v)).toBe(reference(v) + "\n");
      }),
      { numRuns: 2000 },
    );
  });

  it("writes the same for a value whose objects already have their keys in order (served as they are)", () => {
    const compare = (a: string, b: string) =>
      a === "$comment" ? -1 : b === "$comment" ? 1 : a < b ? -1 : a > b ? 1 : 0;
    /** v rebuilt with every object's keys inserted in stableJson's order, undefined values kept. */
    const inOrder = (v: unknown): unknown => {
      if (v === null || typeof v !== "object") return v;
      if (Array.isArray(v)) return v.map(inOrder);
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort(compare))
        Object.defineProperty(out, k, {
          value: inOrder((v as Record<string, unknown>)[k]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return out;
    };
    fc.assert(
      fc.property(json, (v) => {
        const w = inOrder(v);
        const before = JSON.stringify(w);
        expect(stableJson(w)).toBe(reference(v) + "\n");
        expect(JSON.stringify(w)).toBe(before); // the value is left as it was
      }),
      { numRuns: 2000 },
    );
    // In order, but a member needs copying (a later key's object, an array's later item) or a
    // value is dropped.
    const cases = [
      { a: 1, b: { d: 1, c: 2 } },
      { a: [1, { y: 1, x: 2 }], b: 2 },
      { a: 1, b: undefined, c: { e: 1, d: 2 } },
      { a: { b: 1 }, c: undefined },
      { $comment: "h", a: [[], [{ b: 1, a: 2 }]], z: null },
    ];
    for (const v of cases) expect(stableJson(v)).toBe(reference(v) + "\n");
  });

  it("falls back for an integer-like key deep inside, and sorts it as a string", () => {
    const v = { z: [{ b: { "10": 1, "9": 2, a: 3 } }], a: 1 };
    expect(stableJson(v)).toBe(reference(v) + "\n");
    expect(stableJson(v)).toContain('"10": 1,\n        "9": 2');
  });

  it.each([
    ["NaN", { a: Number.NaN }, "cannot write NaN as JSON"],
    ["Infinity in an array", [1, Number.POSITIVE_INFINITY], "cannot write Infinity as JSON"],
    ["undefined in an array", [undefined], "cannot write undefined as JSON"],
    ["a function", { f: () => 1 }, "cannot write function as JSON"],
    ["a bigint", { n: 1n }, "cannot write bigint as JSON"],
    ["a Map", { m: new Map() }, "only plain objects are written as JSON"],
    ["a Date", { d: new Date(0) }, "only plain objects are written as JSON"],
  ])("refuses %s (stable and ordered alike)", (_, v, message) => {
    expect(() => stableJson(v)).toThrow(message);
    expect(() => orderedJson(v)).toThrow(message);
  });
});

describe("orderedJson against JSON.stringify", () => {
  it("writes what JSON.stringify(v, null, 2) writes, for any JSON value", () => {
    fc.assert(
      fc.property(json, (v) => {
        expect(orderedJson(v)).toBe(JSON.stringify(v, null, 2) + "\n");
      }),
      { numRuns: 1000 },
    );
  });
});
