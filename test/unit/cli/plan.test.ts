// `pipegen plan` end to end through the CLI, in a git repository of its own: the examples
// built and committed, then edited; every output format, exit codes, except lists, folders
// as baselines, removed specs, the way out of a state change, and _TRANSITIVE schema history.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.setConfig({ testTimeout: 120_000 });

const repo = path.resolve(import.meta.dirname, "../../..");
const bin = path.join(repo, "bin", "pipegen.js");
let dir = "";

const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const git = (...args: string[]) =>
  execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const spec = (name: string) => path.join(dir, "specs", `${name}.yaml`);
const edit = (name: string, from: string | RegExp, to: string) => {
  const text = readFileSync(spec(name), "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`no ${String(from)} in ${name}`);
  writeFileSync(spec(name), next);
};
const commitBuild = (message: string) => {
  expect(run(["build", "specs", "-q"]).code).toBe(0);
  git("add", "-A");
  git("commit", "-q", "-m", message);
};

beforeAll(() => {
  if (!existsSync(path.join(repo, "dist", "cli", "main.js")))
    throw new Error("run `npm run build` first");
  dir = mkdtempSync(path.join(os.tmpdir(), "pipegen-plan-"));
  cpSync(path.join(repo, "specs"), path.join(dir, "specs"), { recursive: true });
  git("init", "-q", "-b", "main");
  git("config", "user.email", "plan@example.com");
  git("config", "user.name", "plan test");
  commitBuild("the examples");
}, 120_000);

beforeEach(() => {
  git("checkout", "-q", "--", "specs");
  git("clean", "-qfd", "specs");
});

describe("pipegen plan", () => {
  it("the examples against HEAD: no changes, exit 0", () => {
    const r = run(["plan", "specs"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("No changes");
    expect(r.stdout).not.toContain("note:");
  });

  it("--env: the committed build has no environment, so the baseline is the spec built with it", () => {
    const r = run(["plan", "specs", "--env", "dev"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("No changes");
    expect(r.stdout).toMatch(
      /note: shop_orders: HEAD \([0-9a-f]{7}\) has a state built with no --env; .* built by this pipegen with --env dev/,
    );
  });

  it("breaking changes: exit 3, each at its place, with the summary", () => {
    edit("shop_orders", "partitions: 6, retention: 7d", "partitions: 3, retention: 7d");
    edit("shop_orders", "size: 1m, watermark: 10m", "size: 5m, watermark: 10m");
    const r = run(["plan", "specs"]);
    expect(r.code).toBe(3);
    const line = (s: string) =>
      readFileSync(spec("shop_orders"), "utf8")
        .split("\n")
        .findIndex((l) => l.includes(s)) + 1;
    expect(r.stdout).toMatch(
      new RegExp(
        `breaking KAFKA_PARTITIONS_DECREASED  specs/shop_orders.yaml:${line("partitions: 3")}:\\d+`,
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(`SPARK_WINDOW_CHANGED  specs/shop_orders.yaml:${line("size: 5m")}:`),
    );
    expect(r.stdout).toMatch(/Plan: 0 to add, 2 to change, 0 to replace, 0 to remove \(2 breaking/);
  });

  it("--format json: one document; --format github: annotations", () => {
    edit("shop_orders", "partitions: 6, retention: 7d", "partitions: 3, retention: 7d");
    const j = run(["plan", "specs", "--format", "json"]);
    expect(j.code).toBe(3);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ command: "plan", ok: false, exitCode: 3 });
    expect(doc.summary).toMatchObject({ change: 1, breaking: 1 });
    expect(doc.changes[0]).toMatchObject({
      rule: "KAFKA_PARTITIONS_DECREASED",
      class: "breaking",
      file: "specs/shop_orders.yaml",
      pointer: "/topics/orders.raw/partitions",
      action: "~",
    });
    const g = run(["plan", "specs", "--format", "github"]);
    expect(g.code).toBe(3);
    expect(g.stdout).toMatch(
      /^::error file=specs\/shop_orders.yaml,line=\d+,col=\d+,title=KAFKA_PARTITIONS_DECREASED \(breaking\)%3A ~ topic orders.raw::partitions 6 -> 3/m,
    );
  });

  it("except: --except and the spec's plan.except accept a change (exit 0)", () => {
    edit("shop_orders", "partitions: 6, retention: 7d", "partitions: 3, retention: 7d");
    const cli = run(["plan", "specs", "--except", "KAFKA_PARTITIONS_DECREASED:orders.raw"]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain("(accepted by --except)");
    writeFileSync(
      spec("shop_orders"),
      readFileSync(spec("shop_orders"), "utf8") +
        "\nplan:\n  except:\n    - {rule: KAFKA_PARTITIONS_DECREASED, object: orders.raw, reason: recreated by hand}\n",
    );
    const own = run(["plan", "specs"]);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/accepted by specs\/shop_orders.yaml:\d+:\d+: recreated by hand/);
    expect(run(["plan", "specs", "--except", "KAFKA_PARTITION_DECREASED"]).stderr).toContain(
      "did you mean 'KAFKA_PARTITIONS_DECREASED'?",
    );
    expect(run(["plan", "specs", "--except", "NOPE"]).code).toBe(2);
  });

  it("an invalid spec: exit 1; an unknown ref: exit 2", () => {
    edit("shop_orders", "partitions: 6,", "partitions: six,");
    expect(run(["plan", "specs"]).code).toBe(1);
    git("checkout", "-q", "--", "specs");
    const r = run(["plan", "specs", "--against", "no-such-ref"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'no-such-ref' is neither a folder nor a git commit");
  });

  it("the way out: stateVersion gives the query a new checkpoint (care, exit 0)", () => {
    edit("shop_orders", "size: 1m, watermark: 10m", "size: 5m, watermark: 10m");
    edit(
      "shop_orders",
      "    trigger: {every: 30s}",
      "    stateVersion: 2\n    trigger: {every: 30s}",
    );
    const r = run(["plan", "specs", "--format", "json"]);
    const doc = JSON.parse(r.stdout);
    expect(r.code).toBe(0);
    expect(doc.changes.map((c: { rule: string }) => c.rule)).toContain(
      "SPARK_STATE_VERSION_RAISED",
    );
    expect(doc.changes.map((c: { rule: string }) => c.rule)).not.toContain("SPARK_WINDOW_CHANGED");
  });

  it("a removed spec removes its pipeline; a folder is a baseline too", () => {
    cpSync(path.join(dir, "generated"), path.join(dir, "old-build"), { recursive: true });
    rmSync(spec("iot_sensors"));
    const r = run(["plan", "specs", "--against", "old-build"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("iot_sensors (removed)");
    expect(r.stdout).toMatch(/-   topic iot.readings/);
    expect(r.stdout).toMatch(/AIRFLOW_DAG_REMOVED/);
    rmSync(path.join(dir, "old-build"), { recursive: true });
  });

  it("_TRANSITIVE levels check every committed version and name the field", () => {
    const setLevel = (level: string) =>
      edit(
        "shop_orders",
        /compatibility: [A-Z_]+, compression/,
        `compatibility: ${level}, compression`,
      );
    setLevel("BACKWARD_TRANSITIVE");
    edit(
      "shop_orders",
      "      status:",
      // Optional: the examples' tests (specs/shop_orders.tests.yaml) give records without it.
      "      legacy: {type: string}\n      status:",
    );
    commitBuild("v1: legacy is a string");
    edit("shop_orders", "      legacy: {type: string}\n", "");
    commitBuild("v2: without legacy");
    edit("shop_orders", "      status:", "      legacy: {type: int}\n      status:");
    const r = run(["plan", "specs", "--format", "json"]);
    const incompatible = JSON.parse(r.stdout).changes.find(
      (c: { rule: string }) => c.rule === "SCHEMA_INCOMPATIBLE",
    );
    expect(r.code).toBe(3);
    expect(incompatible.message).toContain("field 'legacy'");
    expect(incompatible.message).toMatch(/commit [0-9a-f]{7}/);
    setLevel("BACKWARD");
    const plain = run(["plan", "specs", "--format", "json"]);
    expect(plain.code).toBe(0);
    git("reset", "-q", "--hard", "HEAD~2");
  });
});
