import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile, readSpecs } from "../../../src/api/index.js";

/**
 * The build cache may only skip work that a complete key proves unchanged. The regression this
 * guards: a pipegen whose formatter settings differ (an upgrade) found the previous build's
 * formatted files through a key that held the ruff version only, so `check` said "up to date"
 * with a warm cache and "stale" in a fresh CI. Here a second copy of the compiled pipegen, with
 * another ruff line length, runs against the output and the warm cache the first one left.
 */
const repo = path.resolve(import.meta.dirname, "../../..");
const scratch = mkdtempSync(path.join(os.tmpdir(), "pipegen-incremental-"));
const out = path.join(scratch, "generated");
const xdg = path.join(scratch, "xdg");

function pipegenCopy(name: string, lineLength: number): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  cpSync(path.join(repo, "dist"), path.join(dir, "dist"), { recursive: true });
  cpSync(path.join(repo, "bin"), path.join(dir, "bin"), { recursive: true });
  cpSync(path.join(repo, "package.json"), path.join(dir, "package.json"));
  for (const shared of ["templates", "schema", "node_modules"])
    symlinkSync(path.join(repo, shared), path.join(dir, shared));
  const py = path.join(dir, "dist", "format", "python.js");
  const text = readFileSync(py, "utf8");
  expect(text).toContain('"line-length": 88,');
  writeFileSync(py, text.replace('"line-length": 88,', `"line-length": ${lineLength},`));
  return path.join(dir, "bin", "pipegen.js");
}

const run = (bin: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args, "specs", "--out", out], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, XDG_CACHE_HOME: xdg, NO_COLOR: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

let original = "";
let wider = "";
beforeAll(() => {
  // the CLI runs the compiled output; `npm test` builds first
  if (!existsSync(path.join(repo, "dist", "cli", "main.js")))
    throw new Error("run `npm run build` first");
  original = path.join(repo, "bin", "pipegen.js");
  wider = pipegenCopy("wider", 120);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the incremental layer reuses only what a complete key proves unchanged", () => {
  it("a warm cache with the same pipegen: check is up to date", () => {
    expect(run(original, "build").code).toBe(0);
    const r = run(original, "check");
    expect(r.stdout).toMatch(/is up to date/);
    expect(r.code).toBe(0);
  });

  it("another formatter setting with the same warm cache: check reports the Python stale", () => {
    const r = run(wider, "check");
    expect(r.stdout).toMatch(/^stale: .*\.py$/m);
    expect(r.code).toBe(1);
  });

  it("after a build with that setting, the original pipegen finds its output stale", () => {
    const rebuilt = run(wider, "build");
    expect(rebuilt.stdout).toMatch(/[1-9]\d* updated/);
    expect(run(wider, "check").code).toBe(0);
    expect(run(original, "check").code).toBe(1);
  });
});

describe("compile() is pure", () => {
  it("reads nothing but the texts it is given: a spec that exists nowhere on disk compiles", () => {
    const [spec] = readSpecs(["specs/shop_orders.yaml"]).specs;
    const given = [{ file: "nowhere/else.yaml", text: spec!.text }];
    const r = compile(given);
    expect(r.diagnostics).toEqual([]);
    expect(r.outputs[0]!.spec).toBe("nowhere/else.yaml");
    expect(r.outputs[0]!.files[0]!.content).toContain("nowhere/else.yaml");
    expect(compile(given).outputs).toEqual(r.outputs);
  });
});
