/**
 * The commands that help write specs: `schema`, `init` and `explain`, run as a person runs them
 * (the compiled CLI in a child process), with their exit codes and JSON documents.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../../src/api/index.js";
import { nameFrom, schemaFile, starterSpec } from "../../../src/cli/init.js";
import { codes } from "../../../src/diagnostics/codes.js";

const repo = path.resolve(import.meta.dirname, "../../..");
const bin = path.join(repo, "bin", "pipegen.js");
const published = readFileSync(path.join(repo, "schema", "pipegen.v1.schema.json"), "utf8");
const run = (args: string[], cwd = repo) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tmp = () => mkdtempSync(path.join(os.tmpdir(), "pipegen-docs-"));

beforeAll(() => {
  if (!existsSync(path.join(repo, "dist", "cli", "main.js")))
    throw new Error("run `npm run build` first");
});

describe("pipegen schema", () => {
  it("prints the published JSON Schema byte for byte", () => {
    const r = run(["schema"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(published);
  });

  it("--out writes it (folders created), and says when it was already there", () => {
    const dir = tmp();
    const file = path.join(dir, "a", "b", "spec.schema.json");
    const first = run(["schema", "--out", file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${file}: created (https://pipegen.dev/schema/`);
    expect(readFileSync(file, "utf8")).toBe(published);
    expect(run(["schema", "--out", file]).stdout).toContain(": unchanged");
    writeFileSync(file, "{}\n");
    expect(run(["schema", "--out", file]).stdout).toContain(": updated");
    expect(readFileSync(file, "utf8")).toBe(published);
    const j = JSON.parse(run(["schema", "--out", file, "--format", "json"]).stdout);
    expect(j).toMatchObject({ command: "schema", ok: true, written: { state: "unchanged" } });
  });
});

describe("pipegen init", () => {
  it("writes a starter spec that builds and checks as it is, with the schema beside it", () => {
    const dir = tmp();
    const r = run(["init", "demo"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("created demo.yaml");
    expect(r.stdout).toContain("next: pipegen build demo.yaml");
    const spec = readFileSync(path.join(dir, "demo.yaml"), "utf8");
    expect(spec.split("\n")[0]).toBe(`# yaml-language-server: $schema=${schemaFile}`);
    expect(spec).toMatch(/^pipeline: demo$/m);
    expect(spec).not.toContain("my_pipeline");
    expect(readFileSync(path.join(dir, schemaFile), "utf8")).toBe(published);
    const b = run(["build", "demo.yaml"], dir);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/1 pipeline built into generated: 13 created/);
    expect(run(["check", "demo.yaml"], dir).code).toBe(0);
    for (const env of ["dev", "prod"])
      expect(run(["validate", "demo.yaml", "--env", env], dir).code).toBe(0);
  }, 90_000);

  it("names the schema by a path relative to the spec: it resolves from any folder", () => {
    const dir = tmp();
    expect(run(["init", "orders", "--dir", "specs/shop"], dir).code).toBe(0);
    const spec = path.join(dir, "specs", "shop", "orders.yaml");
    const line = readFileSync(spec, "utf8").split("\n")[0]!;
    const ref = /\$schema=(.+)$/.exec(line)![1]!;
    expect(path.isAbsolute(ref)).toBe(false);
    expect(existsSync(path.resolve(path.dirname(spec), ref))).toBe(true);
    expect(run(["build", "specs", "--out", "gen"], dir).code).toBe(0);
  });

  it("refuses to overwrite a spec (exit 2), and leaves the file as it was", () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "demo.yaml"), "mine\n");
    const r = run(["init", "demo"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("demo.yaml exists; pipegen init never overwrites a file");
    expect(readFileSync(path.join(dir, "demo.yaml"), "utf8")).toBe("mine\n");
    expect(existsSync(path.join(dir, schemaFile))).toBe(false);
    const j = JSON.parse(run(["init", "demo", "--format", "json"], dir).stdout);
    expect(j).toMatchObject({ command: "init", ok: false, exitCode: 2, error: { kind: "usage" } });
  });

  it("refuses a name that is not an identifier, with one that is", () => {
    const r = run(["init", "Shop-Orders"], tmp());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("e.g. pipegen init shop_orders");
  });

  it("takes the name from the folder when none is given", () => {
    const dir = tmp();
    const j = JSON.parse(run(["init", "--dir", "Shop Orders 2", "--format", "json"], dir).stdout);
    expect(j).toMatchObject({ ok: true, pipeline: "shop_orders_2" });
    expect(existsSync(path.join(dir, "Shop Orders 2", "shop_orders_2.yaml"))).toBe(true);
  });

  it.each([
    ["shop", "shop"],
    ["Shop Orders", "shop_orders"],
    ["2024-reports", "reports"],
    ["---", "my_pipeline"],
    ["", "my_pipeline"],
  ])("nameFrom(%j) is %j", (folder, name) => {
    expect(nameFrom(folder)).toBe(name);
  });

  it("the template compiles without a diagnostic, and comments every section it has", () => {
    const text = starterSpec("my_pipeline");
    expect(compile([{ file: "my_pipeline.yaml", text }]).diagnostics).toEqual([]);
    const lines = text.split("\n");
    const sections = lines.flatMap((l, i) => (/^[a-z]+:/.test(l) ? [i] : []));
    expect(sections.length).toBe(13);
    for (const i of sections.filter(
      (i) => !/^(pipegen|pipeline|description|owner):/.test(lines[i]!),
    ))
      expect(lines[i - 1], lines[i]).toMatch(/^#/);
  });
});

describe("pipegen explain", () => {
  it("prints a code's entry: meaning, example, what pipegen says, fix", () => {
    const r = run(["explain", "pg304"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PG304: unknown column\n/);
    expect(r.stdout).toContain("error PG304 unknown column 'total' in step 1");
    expect(r.stdout).toContain("Fix: ");
  });

  it("lists every code without one", () => {
    const r = run(["explain"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter((l) => /^PG\d{3} {2}/.test(l))).toHaveLength(
      Object.keys(codes).length,
    );
  });

  it("an unknown code is a usage error with the closest one", () => {
    const r = run(["explain", "PG2O1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no diagnostic code 'PG2O1'; did you mean PG201?");
  });

  it("--format json: the entry as one document", () => {
    const j = JSON.parse(run(["explain", "PG201", "--format", "json"]).stdout);
    expect(j).toMatchObject({
      command: "explain",
      ok: true,
      entry: { code: "PG201", title: "unknown key", says: { line: 3, col: 1 } },
    });
  });

  it("--help lists the commands", () => {
    const h = run(["--help"]).stdout;
    for (const c of ["schema", "init", "explain"]) expect(h).toMatch(new RegExp(`\\n  ${c}\\b`));
  });
});
