import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";

const dir = (kind: string) => path.join("test", "fixtures", kind);
const yamls = (kind: string) => readdirSync(dir(kind)).filter((f) => f.endsWith(".yaml"));

describe("invalid fixtures report exactly the expected diagnostics", () => {
  for (const f of yamls("invalid")) {
    it(f, () => {
      const file = path.join(dir("invalid"), f);
      const expected = [
        ...readFileSync(file, "utf8").matchAll(/^# expect: (PG\d{3}) (\d+):(\d+)$/gm),
      ].map((m) => `${m[1]} ${m[2]}:${m[3]}`);
      expect(expected.length).toBeGreaterThan(0);
      const r = compilePaths([file]);
      expect(r.diagnostics.map((d) => `${d.code} ${d.line}:${d.col}`)).toEqual(expected);
      for (const d of r.diagnostics) {
        expect(d.file).toBe(file.split(path.sep).join("/"));
        expect(d.message.length).toBeGreaterThan(10);
        expect(d.severity).toBe("error");
      }
      expect(r.outputs).toEqual([]);
    });
  }
});

describe("valid specs compile without diagnostics", () => {
  for (const file of [...yamls("valid").map((f) => path.join(dir("valid"), f)), "specs"]) {
    it(file, () => {
      const r = compilePaths([file]);
      expect(r.diagnostics).toEqual([]);
      expect(r.pipelines.length).toBeGreaterThan(0);
    });
  }
});
