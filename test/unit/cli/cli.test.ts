import { spawnSync } from "node:child_process";
import {
  type Dirent,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "../../..");
const bin = path.join(repo, "bin", "pipegen.js");
const run = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? repo,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "", ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const tmp = () => mkdtempSync(path.join(os.tmpdir(), "pipegen-cli-"));

beforeAll(() => {
  // the CLI runs the compiled output; `npm test` builds first, this keeps a lone run honest
  if (!existsSync(path.join(repo, "dist", "cli", "main.js")))
    throw new Error("run `npm run build` first");
});

describe("pipegen CLI", () => {
  it("--version and --help exit 0", () => {
    const v = run(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toBe(
      JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).version,
    );
    const h = run(["--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/build .*<spec\.\.\.>/);
  });

  it("usage errors exit 2", () => {
    expect(run(["frobnicate"]).code).toBe(2);
    expect(run(["build"]).code).toBe(2);
    const missing = run(["validate", "no/such/spec.yaml"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file or folder: no/such/spec.yaml");
    expect(run(["validate", "specs", "--format", "xml"]).code).toBe(2);
  });

  it("validate: 0 for valid specs, 1 with file:line:col, code frame and hint for invalid ones", () => {
    expect(run(["validate", "specs"]).code).toBe(0);
    const r = run(["validate", "test/fixtures/invalid/formats.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "test/fixtures/invalid/formats.yaml:3:1 error PG201 unknown key 'descripton' in the spec",
    );
    expect(r.stderr).toContain("> 3 | descripton: typo here");
    expect(r.stderr).toContain("hint: did you mean 'description'?");
    expect(r.stderr).not.toMatch(/\u001b\[/); // no colour when not a TTY
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // never a stack trace
  });

  it("--format json prints machine-readable diagnostics", () => {
    const r = run(["validate", "--format", "json", "test/fixtures/invalid/types.yaml"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.errors).toBe(j.diagnostics.length);
    expect(j.diagnostics[0]).toMatchObject({
      code: "PG205",
      file: "test/fixtures/invalid/types.yaml",
      line: 1,
      col: 10,
      pointer: "/pipegen",
    });
  });

  it("build writes nothing when any spec is invalid", () => {
    const dir = tmp();
    cpSync(path.join(repo, "specs"), path.join(dir, "specs"), { recursive: true });
    writeFileSync(
      path.join(dir, "specs", "zz_bad.yaml"),
      "pipegen: 1\npipeline: bad\ntopics: {t: {partitions: 0}}\n",
    );
    const r = run(["build", "specs", "--out", "gen"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nothing was written");
    expect(existsSync(path.join(dir, "gen"))).toBe(false);
  });

  it("build, rebuild byte-identical, check passes; then check reports stale, missing and extra files with a diff", () => {
    const dir = tmp();
    cpSync(path.join(repo, "specs"), path.join(dir, "specs"), { recursive: true });
    expect(run(["build", "specs", "--out", "gen", "--quiet"], { cwd: dir }).code).toBe(0);
    const first = snapshot(path.join(dir, "gen"));
    const again = run(["build", "specs", "--out", "gen"], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 created, 0 updated, 0 deleted/);
    expect(snapshot(path.join(dir, "gen"))).toEqual(first);
    expect(run(["check", "specs", "--out", "gen"], { cwd: dir }).code).toBe(0);

    const topics = path.join(dir, "gen/shop_orders/kafka/topics.json");
    writeFileSync(
      topics,
      readFileSync(topics, "utf8").replace('"partitions": 6', '"partitions": 5'),
    );
    writeFileSync(path.join(dir, "gen/shop_orders/kafka/extra.txt"), "x");
    const r = run(["check", "specs", "--out", "gen"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("stale: gen/shop_orders/kafka/topics.json");
    expect(r.stdout).toContain('-      "partitions": 5,');
    expect(r.stdout).toContain('+      "partitions": 6,');
    expect(r.stdout).toContain("extra: gen/shop_orders/kafka/extra.txt (not written by pipegen)");
    expect(r.stderr).toContain("out of date");
  });

  it("a deleted spec: check reports its pipeline's files, build deletes them; specs outside the inputs stay", () => {
    const dir = tmp();
    cpSync(path.join(repo, "specs"), path.join(dir, "specs"), { recursive: true });
    expect(run(["build", "specs", "--out", "gen", "--quiet"], { cwd: dir }).code).toBe(0);
    const files = snapshot(path.join(dir, "gen"));
    const iot = Object.keys(files).filter((f) => f.startsWith("iot_sensors/"));
    expect(iot.length).toBeGreaterThan(5);

    // Building one spec by name leaves the pipelines of the others alone.
    const one = run(["build", "specs/shop_orders.yaml", "--out", "gen"], { cwd: dir });
    expect(one.stdout).toMatch(/0 deleted/);

    rmSync(path.join(dir, "specs", "iot_sensors.yaml"));
    const c = run(["check", "specs", "--out", "gen"], { cwd: dir });
    expect(c.code).toBe(1);
    for (const f of iot) expect(c.stdout).toContain(`extra: gen/${f}`);
    const b = run(["build", "specs", "--out", "gen"], { cwd: dir });
    expect(b.code).toBe(0);
    expect(b.stdout).toContain(`${iot.length} deleted`);
    expect(existsSync(path.join(dir, "gen", "iot_sensors"))).toBe(false);
    expect(readFileSync(path.join(dir, "gen", "pipegen-manifest.json"), "utf8")).not.toContain(
      "iot_sensors",
    );
    expect(run(["check", "specs", "--out", "gen"], { cwd: dir }).code).toBe(0);
    expect(Object.keys(snapshot(path.join(dir, "gen"))).sort()).toEqual(
      Object.keys(files)
        .filter((f) => !f.startsWith("iot_sensors/"))
        .sort(),
    );
  });

  it("--env applies the overlay and an unknown environment is an error with a suggestion", () => {
    const dir = tmp();
    const ok = run([
      "build",
      "specs/shop_orders.yaml",
      "--env",
      "prod",
      "--out",
      path.join(dir, "gen"),
    ]);
    expect(ok.code).toBe(0);
    const m = JSON.parse(readFileSync(path.join(dir, "gen/shop_orders/kafka/topics.json"), "utf8"));
    expect(m.topics.every((t: { replicationFactor: number }) => t.replicationFactor === 3)).toBe(
      true,
    );
    expect(
      m.topics.every(
        (t: { configs: Record<string, string> }) => t.configs["min.insync.replicas"] === "2",
      ),
    ).toBe(true);
    expect(m.$comment).toContain("(environment prod)");
    const bad = run(["validate", "specs/shop_orders.yaml", "--env", "prd"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("did you mean 'prod'?");
  });
});

/** Every file under root with its content, for byte-for-byte comparisons. */
function snapshot(root: string): Record<string, string> {
  const files = (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[]).filter(
    (d) => d.isFile(),
  );
  return Object.fromEntries(
    files
      .map((d) => path.join(d.parentPath, d.name))
      .sort()
      .map((p) => [path.relative(root, p), readFileSync(p, "utf8")]),
  );
}
