import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../../src/load/load.js";
import { maxSyntaxErrors } from "../../../src/load/syntax.js";

const load = (src: string) => loadSpec("s.yaml", src).diagnostics;

/** One slip, one diagnostic: at the place to fix, saying what is wrong and what to write. */
const slips: Array<{ name: string; src: string; at: string; message: RegExp; hint: RegExp }> = [
  {
    name: "an unquoted ${...} in a flow mapping",
    src: "platform:\n  nifi: {url: ${env:NIFI_URL}}\n  spark: {master: yarn}\n",
    at: "2:15",
    message: /'\$\{env:NIFI_URL\}' is not quoted/,
    hint: /double quotes: "\$\{env:NIFI_URL\}"/,
  },
  {
    name: "an unquoted ${...} in a flow list",
    src: "a: [${env:X}, b]\n",
    at: "1:5",
    message: /not quoted/,
    hint: /"\$\{env:X\}"/,
  },
  {
    name: "a tab in the indentation",
    src: "a:\n  b: 1\n\tc: 2\nd: 3\n",
    at: "3:1",
    message: /tab/,
    hint: /spaces/,
  },
  {
    name: "a missing space after ':' (then more keys)",
    src: "a:\n  b:1\n  c: 2\n",
    at: "2:5",
    message: /'b:1' needs a space after ':'/,
    hint: /write 'b: 1'/,
  },
  {
    name: "a missing space after ':' (last key)",
    src: "a:\n  b: 1\n  c:2\n",
    at: "3:5",
    message: /'c:2'/,
    hint: /'c: 2'/,
  },
  {
    name: "an unclosed double quote",
    src: 'a: "abc\nc: 2\nd: 3\n',
    at: "1:4",
    message: /never closed/,
    hint: /close the value with "/,
  },
  {
    name: "an unclosed flow mapping",
    src: "a: {b: 1\nc: 2\n",
    at: "1:4",
    message: /'\{' is never closed/,
    hint: /'\}'/,
  },
  {
    name: "an unclosed flow list",
    src: "a: [b, c\nd: 3\n",
    at: "1:4",
    message: /'\[' is never closed/,
    hint: /'\]'/,
  },
  {
    name: "a stray closing bracket",
    src: "a: {b: 1}}\nd: 3\n",
    at: "1:10",
    message: /closes nothing/,
    hint: /remove it/,
  },
  {
    name: "a line indented under a key that has a value",
    src: "a:\n  b: 1\n   c: 2\n",
    at: "3:4",
    message: /indented deeper than 'b: 1'/,
    hint: /indent it like the key above/,
  },
  {
    name: "': ' inside a plain value",
    src: "a: b: c\nd: 1\n",
    at: "1:4",
    message: /holds ': '/,
    hint: /a: "b: c"/,
  },
  {
    name: "a value starting with a reserved character",
    src: "a: @x\n",
    at: "1:4",
    message: /cannot start with '@'/,
    hint: /"@x"/,
  },
  {
    name: "an alias without an anchor",
    src: "a: *x\n",
    at: "1:4",
    message: /'\*x' refers to no anchor/,
    hint: /"\*x"/,
  },
  {
    name: "a YAML tag",
    src: "a:\n  b: !!binary aGVsbG8=\n",
    at: "2:6",
    message: /the YAML tag '!!binary' has no place/,
    hint: /remove it/,
  },
  {
    name: "a list as a key",
    src: "? [a, b]\n: 1\n",
    at: "1:3",
    message: /a key must be a name/,
    hint: /plain text/,
  },
  {
    name: "a second document",
    src: "a: 1\n---\nb: 2\n",
    at: "2:1",
    message: /a second one starts here/,
    hint: /remove this '---'/,
  },
  {
    name: "a key without ':'",
    src: "a\nb: 1\n",
    at: "1:1",
    message: /'a' has no ':'/,
    hint: /'a: <value>'/,
  },
];

describe("a YAML slip gives one diagnostic at the place to fix, with a hint", () => {
  for (const s of slips)
    it(s.name, () => {
      const ds = load(s.src);
      expect(ds.map((d) => `${d.code} ${d.line}:${d.col}`)).toEqual([`PG101 ${s.at}`]);
      expect(ds[0]!.message).toMatch(s.message);
      expect(ds[0]!.hint).toMatch(s.hint);
    });

  it("unquoting one reference in the example spec gives one error, not hundreds", () => {
    const text = readFileSync("specs/shop_orders.yaml", "utf8");
    const broken = text.replace('nifi: {url: "${env:NIFI_URL}"}', "nifi: {url: ${env:NIFI_URL}}");
    expect(broken).not.toBe(text);
    const ds = load(broken);
    expect(ds).toHaveLength(1);
    expect(ds[0]!.hint).toContain('"${env:NIFI_URL}"');
  });

  it("an unrecognised slip reports at most a few errors, one per line, each with a hint", () => {
    const ds = load('a: "x"y\nb: "x"y\nc: "x"y\nd: "x"y\ne: "x"y\n');
    expect(ds.length).toBeGreaterThan(0);
    expect(ds.length).toBeLessThanOrEqual(maxSyntaxErrors);
    expect(new Set(ds.map((d) => d.line)).size).toBe(ds.length);
    for (const d of ds) expect(d.hint).toBeTruthy();
    expect(ds[0]!.message).not.toMatch(/token|node end|YAML stream/);
  });

  it("a syntax error is not followed by duplicate-key errors it may have caused", () => {
    expect(load("a: {b: 1\na: 2\n").map((d) => d.code)).toEqual(["PG101"]);
  });

  it("a ${...} outside flow collections is a plain value, not an error", () => {
    expect(load("a:\n  url: ${env:NIFI_URL}\n")).toEqual([]);
  });
});
