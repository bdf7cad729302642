import { describe, expect, it } from "vitest";
import { loadSpec } from "../../../src/load/load.js";

const codes = (src: string, limits?: Parameters<typeof loadSpec>[2]) =>
  loadSpec("s.yaml", src, limits).diagnostics.map((d) => `${d.code} ${d.line}:${d.col}`);

describe("loader limits cut malicious input off fast", () => {
  it("rejects files over the size limit before parsing", () => {
    const t = performance.now();
    expect(codes("a: 1\n".repeat(300_000))).toEqual(["PG103 0:0"]);
    expect(performance.now() - t).toBeLessThan(2000);
  });
  it("rejects deep flow nesting without recursing", () => {
    expect(codes("a: " + "[".repeat(100_000) + "]".repeat(100_000))).toEqual(["PG104 1:1"]);
  });
  it("rejects deep block nesting", () => {
    let src = "";
    for (let i = 0; i < 60; i++) src += " ".repeat(i * 2) + `k${i}:\n`;
    src += " ".repeat(120) + "v: 1\n";
    expect(codes(src)[0]).toMatch(/^PG104 /);
  });
  it("rejects alias bombs", () => {
    let src = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 1; i < 10; i++)
      src += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(", ")}]\n`;
    expect(codes(src)).toEqual(["PG105 1:1"]);
  });
  it("accepts a few aliases", () => {
    expect(codes("base: &b {partitions: 1}\nx: *b\ny: *b\n")).toEqual([]);
  });
  it("reports every duplicate key with its position and still yields a document", () => {
    const r = loadSpec("s.yaml", "a: 1\nb: 2\na: 3\nc:\n  d: 1\n  d: 2\n");
    expect(r.diagnostics.map((d) => `${d.code} ${d.line}:${d.col} ${d.message}`)).toEqual([
      "PG102 3:1 duplicate key 'a': YAML keys must be unique in a mapping",
      "PG102 6:3 duplicate key 'd': YAML keys must be unique in a mapping",
    ]);
    expect(r.spec).toBeDefined();
  });
  it("rejects a document that is not a mapping", () => {
    expect(codes("- 1\n- 2\n")).toEqual(["PG106 1:1"]);
    expect(codes("")).toEqual(["PG106 1:1"]);
  });
  it("locates keys and values by JSON pointer", () => {
    const r = loadSpec("s.yaml", "topics:\n  orders.raw:\n    partitions: 3\nlist: [a, {b: 1}]\n");
    expect(r.spec!.locate("/topics/orders.raw/partitions")).toEqual({ line: 3, col: 17 });
    expect(r.spec!.locate("/topics/orders.raw/partitions", "key")).toEqual({ line: 3, col: 5 });
    expect(r.spec!.locate("/list/1/b")).toEqual({ line: 4, col: 15 });
    expect(r.spec!.locate("/topics/missing/deeper")).toEqual({ line: 2, col: 3 });
  });
});
