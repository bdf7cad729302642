import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "../../..");
const bin = path.join(repo, "bin", "pipegen.js");
const run = (args: string[], cwd = repo) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** A folder with a copy of the example specs. */
const withSpecs = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pipegen-cli-"));
  cpSync(path.join(repo, "specs"), path.join(dir, "specs"), { recursive: true });
  return dir;
};

beforeAll(() => {
  if (!existsSync(path.join(repo, "dist", "cli", "main.js")))
    throw new Error("run `npm run build` first");
});

describe("--format json is one document on stdout, for every command and every failure", () => {
  it("check: diagnostics and the check's result in one document", () => {
    const dir = withSpecs();
    const stale = run(["check", "specs", "--out", "gen", "--format", "json"], dir);
    expect(stale.code).toBe(1);
    const j = JSON.parse(stale.stdout);
    expect(j).toMatchObject({ command: "check", ok: false, exitCode: 1, errors: 0 });
    expect(j.diagnostics).toEqual([]);
    expect(j.missing.length).toBeGreaterThan(10);
    expect(j.advice[0]).toContain("pipegen build specs --out gen");
    expect(run(["build", "specs", "--out", "gen", "-q"], dir).code).toBe(0);
    const ok = JSON.parse(run(["check", "specs", "--out", "gen", "--format", "json"], dir).stdout);
    expect(ok).toMatchObject({ ok: true, exitCode: 0, missing: [], stale: [], extra: [] });
  });

  it("check of an invalid spec: one document with the diagnostics", () => {
    const r = run(["check", "test/fixtures/invalid/types.yaml", "--format", "json"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.errors).toBeGreaterThan(0);
    expect(j.errors).toBe(j.diagnostics.length);
  });

  const usages: Array<[string, string[], RegExp]> = [
    ["an unknown command", ["frobnicate", "--format", "json"], /unknown command 'frobnicate'/],
    ["a missing argument", ["build", "--format=json"], /missing required argument/],
    [
      "a bad option value",
      ["validate", "specs", "--format", "json", "--quiet", "--format", "xml"],
      /xml/,
    ],
    ["a missing file", ["validate", "no/such.yaml", "--format", "json"], /no such file or folder/],
  ];
  for (const [name, args, message] of usages)
    it(`a usage error (${name}): exit 2, a JSON document, nothing on stderr`, () => {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("");
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ ok: false, exitCode: 2, error: { kind: "usage" } });
      expect(j.error.message).toMatch(message);
    });

  it("build: the files written, in the document", () => {
    const dir = withSpecs();
    const j = JSON.parse(run(["build", "specs", "--out", "gen", "--format", "json"], dir).stdout);
    expect(j).toMatchObject({ command: "build", ok: true, written: { root: "gen", pipelines: 3 } });
  });
});

describe("a closed pipe ends quietly", () => {
  it("check | head: no stack trace, the check's exit code", () => {
    const dir = withSpecs();
    const r = spawnSync(
      "bash",
      [
        "-c",
        `"${process.execPath}" "${bin}" check specs --out gen | head -1; exit "\${PIPESTATUS[0]}"`,
      ],
      { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "" } },
    );
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.js:\d+|Error/);
    expect(r.status).toBe(1);
  });
});

describe("check gives advice that works", () => {
  it("a file pipegen did not write: remove it (a build would not)", () => {
    const dir = withSpecs();
    expect(run(["build", "specs", "--out", "gen", "-q"], dir).code).toBe(0);
    writeFileSync(path.join(dir, "gen/shop_orders/kafka/notes.txt"), "mine");
    const r = run(["check", "specs", "--out", "gen"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("pipegen did not write gen/shop_orders/kafka/notes.txt");
    expect(r.stderr).toMatch(/remove it/);
    expect(r.stderr).not.toContain("pipegen build");
    expect(run(["build", "specs", "--out", "gen", "-q"], dir).code).toBe(0);
    expect(run(["check", "specs", "--out", "gen"], dir).code).toBe(1);
  });
});

describe("environments: a folder, the manifest, and check", () => {
  it("--env on a folder: a spec without that environment is built as written", () => {
    const dir = withSpecs();
    const iot = path.join(dir, "specs/iot_sensors.yaml");
    writeFileSync(iot, readFileSync(iot, "utf8").replace(/\nenvironments:\n[\s\S]*$/, "\n"));
    const r = run(["build", "specs", "--out", "gen", "--env", "dev"], dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "environment 'dev' is not defined in specs/iot_sensors.yaml: built as written",
    );
    const manifest = JSON.parse(readFileSync(path.join(dir, "gen/pipegen-manifest.json"), "utf8"));
    expect(manifest.pipelines.shop_orders.environment).toBe("dev");
    expect(manifest.pipelines.iot_sensors.environment).toBeUndefined();
    // A misspelled environment is defined by no spec: an error for each.
    const typo = run(["validate", "specs", "--env", "dve"], dir);
    expect(typo.code).toBe(1);
    expect(typo.stderr.match(/PG306/g)).toHaveLength(3);
  });

  it("a folder built with --env: a plain check says so and how to check it", () => {
    const dir = withSpecs();
    expect(run(["build", "specs", "--env", "dev", "-q"], dir).code).toBe(0);
    const r = run(["check", "specs"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("other environment: generated/shop_orders");
    expect(r.stdout).not.toContain("@@");
    expect(r.stderr).toContain("built with --env dev; this check has no --env");
    expect(r.stderr).toContain("To check as built: pipegen check specs --env dev");
    expect(run(["check", "specs", "--env", "dev"], dir).code).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a plain build records no environment (generated/ stays byte-identical)", () => {
    expect(readFileSync(path.join(repo, "generated/pipegen-manifest.json"), "utf8")).not.toContain(
      '"environment"',
    );
  });
});
