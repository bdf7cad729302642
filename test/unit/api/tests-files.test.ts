import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findSpecs, readSpecs } from "../../../src/api/sources.js";
import { outputKey } from "../../../src/api/incremental.js";

// Sibling tests files (`x.tests.yaml`): never specs of their own in a folder, read with their
// spec, named on the command line for their spec, and part of the spec's incremental key.

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pipegen-tests-files-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe("sibling tests files", () => {
  const dir = folder({
    "a.yaml": "pipegen: 1\n",
    "a.tests.yaml": "tests: {}\n",
    "sub/b.yml": "pipegen: 1\n",
    "sub/b.tests.yml": "tests: {}\n",
    "c.yaml": "pipegen: 1\n",
    "orphan.tests.yaml": "tests: {}\n",
  });
  const rel = (ps: string[]) => ps.map((p) => path.relative(dir, p));

  it("a folder's specs leave tests files out", () => {
    expect(rel(findSpecs([dir]))).toEqual(["a.yaml", "c.yaml", "sub/b.yml"]);
  });

  it("a tests file named on its own stands for its spec", () => {
    expect(rel(findSpecs([path.join(dir, "sub/b.tests.yml")]))).toEqual(["sub/b.yml"]);
    expect(() => findSpecs([path.join(dir, "orphan.tests.yaml")])).toThrow(/there is none/);
  });

  it("each spec is read with its tests file, which is part of its key", () => {
    const { specs } = readSpecs([dir]);
    expect(
      specs.map((s) => [path.basename(s.file), s.tests && path.basename(s.tests.file)]),
    ).toEqual([
      ["a.yaml", "a.tests.yaml"],
      ["c.yaml", undefined],
      ["b.yml", "b.tests.yml"],
    ]);
    const a = specs[0]!;
    const changed = { ...a, tests: { ...a.tests!, text: "tests: {x: 1}\n" } };
    expect(outputKey(changed, null)).not.toBe(outputKey(a, null));
  });
});
