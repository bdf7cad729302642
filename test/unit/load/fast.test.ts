import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify, type ToStringOptions } from "yaml";
import { fastValue } from "../../../src/load/fast.js";
import { fullLoad, loadSpec } from "../../../src/load/load.js";
import { defaultLimits } from "../../../src/load/defaults.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const depth = defaultLimits.maxDepth;

/** The full path's verdict: its value when it reports nothing, else the codes it reports. */
function full(source: string): { value?: unknown; codes?: string[] } {
  const r = fullLoad("s.yaml", source, defaultLimits);
  if (r.diagnostics.length || !r.spec) return { codes: r.diagnostics.map((d) => d.code) };
  return { value: r.spec.value };
}

/** Whenever the fast path gives a value, the full path gives the same and reports nothing. */
function agrees(source: string): boolean {
  const fast = fastValue(source, depth);
  if (fast === undefined) return true;
  expect(full(source), JSON.stringify(source)).toEqual({ value: fast });
  return true;
}

const yamlFiles = execFileSync("git", ["ls-files", "*.yaml", "*.yml"], {
  cwd: repo,
  encoding: "utf8",
})
  .trim()
  .split("\n")
  .filter((f) => f.startsWith("specs/") || f.startsWith("test/fixtures/"));
const sources = yamlFiles.map((f) => readFileSync(path.join(repo, f), "utf8"));

describe("the fast load path", () => {
  it.each([
    ["an anchor and its alias", "a: &x 1\nb: *x\n"],
    ["an explicit tag", "a: !!str 1\n"],
    ["a custom tag", "a: !thing x\n"],
    ["a duplicate key", "a: 1\na: 2\n"],
    ["a null key", "null: 1\n"],
    ["a '~' key", "~: 1\n"],
    ["a number key", "1: a\n"],
    ["a boolean key", "True: a\n"],
    ["a collection key", "[a, b]: c\n"],
    ["two documents", "a: 1\n---\nb: 2\n"],
    ["a directive", "%YAML 1.2\n---\na: 1\n"],
    ["a leading document end", "...\na: 1\n"],
    ["a lone carriage return", "a:\r b\n"],
    ["a number too large for a double", "a: 1e400\n"],
    ["a list at the root", "- a\n"],
    ["a scalar at the root", "a\n"],
    ["a syntax error", "a: [1, 2\n"],
    ["nesting past the limit", "a: " + "[".repeat(depth + 1) + "]".repeat(depth + 1) + "\n"],
  ])("leaves %s to the full path", (_, source) => {
    expect(fastValue(source, depth)).toBeUndefined();
  });

  it.each([
    [
      "plain and quoted scalars",
      "a: x\nb: 'it''s'\nc: \"\\t\"\nd: 0x1F\ne: .inf\nf: ~\ng: 2024-01-01\n",
    ],
    ["block scalars", "sql: |\n  SELECT 1\n  FROM t\nnote: >-\n  one\n  two\n"],
    ["flow collections", "a: {b: [1, 2.5, -0], c: {}}\n"],
    ["a leading document start", "---\na: 1\n"],
    ["an explicit key", "? a\n: b\n"],
    ["nesting at the limit", "a: " + "[".repeat(depth) + "]".repeat(depth) + "\n"],
  ])("reads %s as the full path does", (_, source) => {
    expect(fastValue(source, depth)).toBeDefined();
    agrees(source);
  });

  it("reads every spec and fixture of the repository as the full path does", () => {
    let fast = 0;
    for (const s of sources) if (agrees(s) && fastValue(s, depth)) fast++;
    // The examples are plain YAML: all of them take the fast path.
    for (const f of yamlFiles.filter((f) => /^specs\/[^/]+\.yaml$/.test(f)))
      expect(fastValue(readFileSync(path.join(repo, f), "utf8"), depth), f).toBeDefined();
    expect(fast).toBeGreaterThan(sources.length / 2);
  });

  it("agrees with the full path on random edits of real specs", () => {
    const bits = [":", " ", "-", "#", "'", '"', "\t", "\n", "  ", "[", "]", "{", "}", ",", "?"];
    bits.push("|", ">", "&a ", "*a", "!", "%", "\\", "---\n", "...\n", "~", "1e999", "0o7");
    bits.push("\r", "\r\n", "\u00a0", "\ufeff", "null", "true");
    const edit = fc.oneof(
      fc.tuple(fc.nat(), fc.constantFrom(...bits)).map(([at, s]) => (t: string) => {
        const i = at % (t.length + 1);
        return t.slice(0, i) + s + t.slice(i);
      }),
      fc.tuple(fc.nat(), fc.integer({ min: 1, max: 4 })).map(([at, n]) => (t: string) => {
        const i = at % (t.length + 1);
        return t.slice(0, i) + t.slice(i + n);
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...sources),
        fc.array(edit, { minLength: 1, maxLength: 3 }),
        (source, edits) => agrees(edits.reduce((t, e) => e(t), source)),
      ),
      { numRuns: 1500 },
    );
  });

  it("agrees with the full path on random documents in every style `yaml` writes", () => {
    const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("null", "1", "true", "a b"));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    const options: fc.Arbitrary<ToStringOptions> = fc.record({
      collectionStyle: fc.constantFrom("any" as const, "block" as const, "flow" as const),
      defaultStringType: fc.constantFrom(
        "PLAIN" as const,
        "QUOTE_DOUBLE" as const,
        "QUOTE_SINGLE" as const,
        "BLOCK_LITERAL" as const,
      ),
      defaultKeyType: fc.constantFrom(null, "PLAIN" as const, "QUOTE_DOUBLE" as const),
      lineWidth: fc.constantFrom(0, 20, 80),
    });
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), options, (v, o) =>
        agrees(stringify(v, o)),
      ),
      { numRuns: 1500 },
    );
  });

  it("finds positions lazily, as the full path does", () => {
    const source = "pipegen: 1\npipeline: shop\nstreams:\n  a: {from: x}\n";
    const fast = loadSpec("s.yaml", source);
    const slow = fullLoad("s.yaml", source, defaultLimits);
    for (const p of ["/pipeline", "/streams/a/from", "/streams/a", "/missing"])
      expect(fast.spec!.locate(p, "key")).toEqual(slow.spec!.locate(p, "key"));
    expect(fast.spec!.locate("/streams/a/from")).toEqual({ line: 4, col: 13 });
  });
});
