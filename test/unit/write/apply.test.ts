import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { applyPlan, recover } from "../../../src/write/apply.js";
import { manifestName } from "../../../src/write/manifest.js";
import { safeJoin, UnsafePathError } from "../../../src/write/paths.js";
import { planWrite } from "../../../src/write/plan.js";
import { statKey } from "../../../src/write/cache.js";
import { stageOutput } from "../../../src/write/stage.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "pipegen-writer-"));
const out = (files: Record<string, string>, pipeline = "p", spec = "specs/p.yaml") => [
  { pipeline, spec, files: Object.entries(files).map(([p, content]) => ({ path: p, content })) },
];
const write = (
  root: string,
  files: Record<string, string>,
  pipeline = "p",
  spec = "specs/p.yaml",
) => {
  const plan = planWrite(root, out(files, pipeline, spec));
  applyPlan(plan);
  return plan;
};

describe("writer", () => {
  it("creates, then leaves unchanged files alone, then updates and deletes only its own files", () => {
    const root = tmp();
    let plan = write(root, { "p/kafka/a.json": "A\n", "p/kafka/b.json": "B\n" });
    expect(plan.changes.map((c) => `${c.kind} ${c.rel}`)).toEqual([
      "create p/kafka/a.json",
      "create p/kafka/b.json",
    ]);
    expect(readFileSync(path.join(root, "p/kafka/a.json"), "utf8")).toBe("A\n");
    const manifest = JSON.parse(readFileSync(path.join(root, manifestName), "utf8"));
    expect(Object.keys(manifest.pipelines.p.files)).toEqual(["p/kafka/a.json", "p/kafka/b.json"]);

    plan = planWrite(root, out({ "p/kafka/a.json": "A\n", "p/kafka/b.json": "B\n" }));
    expect(plan.changes).toEqual([]);
    expect(plan.unchanged).toBe(2);
    expect(plan.manifestChanged).toBe(false);

    // a file of the user's own beside ours survives a rebuild that drops b.json
    writeFileSync(path.join(root, "p/kafka/mine.txt"), "user data");
    plan = write(root, { "p/kafka/a.json": "A2\n" });
    expect(plan.changes.map((c) => `${c.kind} ${c.rel}`)).toEqual([
      "update p/kafka/a.json",
      "delete p/kafka/b.json",
    ]);
    expect(existsSync(path.join(root, "p/kafka/b.json"))).toBe(false);
    expect(readFileSync(path.join(root, "p/kafka/mine.txt"), "utf8")).toBe("user data");
    expect(plan.foreign).toEqual(["p/kafka/mine.txt"]);
    // A build does not list the folders for such files (it never touches them): same changes.
    const asBuild = planWrite(root, out({ "p/kafka/a.json": "A3\n" }), [], false);
    expect(asBuild.foreign).toEqual([]);
    expect(asBuild.changes.map((c) => `${c.kind} ${c.rel}`)).toEqual(["update p/kafka/a.json"]);
  });

  it("refuses to overwrite a file it did not write", () => {
    const root = tmp();
    mkdirSync(path.join(root, "p"), { recursive: true });
    writeFileSync(path.join(root, "p/x.json"), "precious");
    const plan = planWrite(root, out({ "p/x.json": "generated\n" }));
    expect(plan.conflicts).toEqual(["p/x.json"]);
  });

  it("removes the files of a pipeline its spec no longer names, and folders left empty", () => {
    const root = tmp();
    write(root, { "old/kafka/a.json": "A\n" }, "old");
    const plan = write(root, { "new/kafka/a.json": "A\n" }, "new");
    expect(plan.changes.map((c) => `${c.kind} ${c.rel}`)).toEqual([
      "create new/kafka/a.json",
      "delete old/kafka/a.json",
    ]);
    expect(existsSync(path.join(root, "old"))).toBe(false);
    const manifest = JSON.parse(readFileSync(path.join(root, manifestName), "utf8"));
    expect(Object.keys(manifest.pipelines)).toEqual(["new"]);
  });

  it("keeps other specs' pipelines when building one spec", () => {
    const root = tmp();
    write(root, { "a/k.json": "1\n" }, "a", "specs/a.yaml");
    write(root, { "b/k.json": "2\n" }, "b", "specs/b.yaml");
    expect(readFileSync(path.join(root, "a/k.json"), "utf8")).toBe("1\n");
    const manifest = JSON.parse(readFileSync(path.join(root, manifestName), "utf8"));
    expect(Object.keys(manifest.pipelines)).toEqual(["a", "b"]);
  });

  it("never writes outside the output root", () => {
    const root = tmp();
    for (const bad of [
      "../x",
      "a/../../x",
      "/etc/passwd",
      "a//b",
      "a\\b",
      "./a",
      "a/\0b",
      "C:/x",
      "",
    ]) {
      expect(() => safeJoin(root, bad), bad).toThrow(UnsafePathError);
    }
    const elsewhere = tmp();
    symlinkSync(elsewhere, path.join(root, "link"));
    expect(() => safeJoin(root, "link/x.json")).toThrow(/outside the output root/);
    expect(() => planWrite(root, out({ "link/x.json": "x" }))).toThrow(UnsafePathError);
    expect(safeJoin(root, "p/kafka/a.json")).toBe(path.join(root, "p", "kafka", "a.json"));
  });

  it("an interrupted build before its journal leaves the previous output untouched", () => {
    const root = tmp();
    write(root, { "p/a.json": "old\n" });
    // simulate a crash while staging: a staging folder with a half-written file, no journal
    mkdirSync(path.join(root, ".pipegen-staging"));
    writeFileSync(path.join(root, ".pipegen-staging", "0"), "ne");
    recover(root);
    expect(readFileSync(path.join(root, "p/a.json"), "utf8")).toBe("old\n");
    expect(existsSync(path.join(root, ".pipegen-staging"))).toBe(false);
  });

  it("an interrupted build after its journal is rolled forward by the next run", () => {
    const root = tmp();
    write(root, { "p/a.json": "old\n", "p/b.json": "old\n" });
    mkdirSync(path.join(root, ".pipegen-staging"));
    writeFileSync(path.join(root, ".pipegen-staging", "0"), "new\n");
    writeFileSync(
      path.join(root, ".pipegen-journal.json"),
      JSON.stringify({ renames: [["0", "p/a.json"]], deletes: ["p/b.json"] }),
    );
    recover(root);
    expect(readFileSync(path.join(root, "p/a.json"), "utf8")).toBe("new\n");
    expect(existsSync(path.join(root, "p/b.json"))).toBe(false);
    expect(existsSync(path.join(root, ".pipegen-journal.json"))).toBe(false);
  });
});

describe("a new pipeline staged as a folder (write/stage.ts)", () => {
  const stage = (root: string) => {
    const ctx = { root, staging: path.resolve(root, ".pipegen-staging"), owned: [] };
    const files = [
      { path: "p/a/x.txt", content: "X\n" },
      { path: "p/y.txt", content: "Y\n" },
    ];
    return stageOutput({ pipeline: "p", spec: "specs/p.yaml", files }, 3, ctx);
  };

  it("moves into place in one rename, files and stats as written", () => {
    const root = tmp();
    const o = stage(root);
    expect(o.staged!.changes.map((c) => c.kind !== "delete" && c.stagedDir)).toEqual(["d3", "d3"]);
    applyPlan(planWrite(root, [o]), true);
    expect(readFileSync(path.join(root, "p/a/x.txt"), "utf8")).toBe("X\n");
    expect(readFileSync(path.join(root, "p/y.txt"), "utf8")).toBe("Y\n");
    expect(existsSync(path.join(root, ".pipegen-staging"))).toBe(false);
    expect(o.stats!["p/y.txt"]).toBe(statKey(path.join(root, "p/y.txt")));
  });

  it("moves file by file when the folder appeared after the plan, keeping what is there", () => {
    const root = tmp();
    const o = stage(root);
    mkdirSync(path.join(root, "p", "a"), { recursive: true });
    writeFileSync(path.join(root, "p", "a", "other.txt"), "O\n");
    applyPlan(planWrite(root, [o]), true);
    expect(readFileSync(path.join(root, "p/a/x.txt"), "utf8")).toBe("X\n");
    expect(readFileSync(path.join(root, "p/y.txt"), "utf8")).toBe("Y\n");
    expect(readFileSync(path.join(root, "p/a/other.txt"), "utf8")).toBe("O\n");
    expect(existsSync(path.join(root, ".pipegen-staging"))).toBe(false);
  });

  it("stages file by file when the pipeline's folder is there", () => {
    const root = tmp();
    mkdirSync(path.join(root, "p"), { recursive: true });
    const o = stage(root);
    expect(o.staged!.changes.map((c) => c.kind !== "delete" && c.stagedDir)).toEqual([
      undefined,
      undefined,
    ]);
    applyPlan(planWrite(root, [o]), true);
    expect(readFileSync(path.join(root, "p/a/x.txt"), "utf8")).toBe("X\n");
  });
});
