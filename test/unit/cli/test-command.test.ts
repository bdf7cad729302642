import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EnvironmentError, findJava } from "../../../src/testing/env.js";

// `pipegen test`'s exit codes that need no Spark: 1 an invalid tests file, 2 usage, 5 the
// environment missing, 0 with no tests; and what a missing Java is said as.

const repo = path.resolve(import.meta.dirname, "../../..");
const run = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [path.join(repo, "bin", "pipegen.js"), "test", ...args], {
    cwd: repo,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe("pipegen test: exit codes", () => {
  it("1: an invalid tests file, with its located error", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pipegen-test-cli-"));
    writeFileSync(path.join(dir, "shop.yaml"), readSpec());
    writeFileSync(
      path.join(dir, "shop.tests.yaml"),
      "tests:\n  t:\n    stream: nope\n    given: [{batch: []}]\n    expect: {deadLetters: []}\n",
    );
    const r = run([dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("shop.tests.yaml:3:13 error PG301 unknown stream 'nope'");
  });

  it("2: an --only name no spec has", () => {
    const r = run(["specs", "--only", "no_such_test"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no test named 'no_such_test' in specs");
  });

  it("5: a Python without pyspark, said with its fix (also as JSON)", () => {
    const r = run(["specs", "--format", "json"], { PIPEGEN_TEST_PYTHON: "/nonexistent/python" });
    expect(r.code).toBe(5);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      command: "test",
      ok: false,
      exitCode: 5,
      error: { kind: "environment" },
    });
    expect(doc.error.message).toMatch(/^PIPEGEN_TEST_PYTHON=\/nonexistent\/python does not run/);
  });

  it("0: specs without tests", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pipegen-test-cli-"));
    writeFileSync(path.join(dir, "shop.yaml"), readSpec());
    const r = run([dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("no tests in the given specs\n");
  });

  it("no Java 17 or 21 anywhere: what was found, and how to get one", () => {
    const saved = { JAVA_HOME: process.env.JAVA_HOME, PATH: process.env.PATH };
    try {
      process.env.JAVA_HOME = "/nonexistent";
      process.env.PATH = "/nonexistent";
      expect(() => findJava("/nonexistent")).toThrow(EnvironmentError);
      expect(() => findJava("/nonexistent")).toThrow(
        "pipegen test runs the jobs on Spark 4.0.0, which needs Java 17 or 21; found: JAVA_HOME=/nonexistent (no java there), no java on PATH",
      );
    } finally {
      process.env.JAVA_HOME = saved.JAVA_HOME;
      process.env.PATH = saved.PATH;
      if (saved.JAVA_HOME === undefined) delete process.env.JAVA_HOME;
    }
  });
});

function readSpec(): string {
  return `pipegen: 1
pipeline: shop
schemas:
  order: {fields: {id: {type: long, required: true}}}
topics:
  orders: {schema: order, partitions: 1}
  out: {partitions: 1, format: json}
streams:
  s:
    from: {topic: orders}
    onInvalid: drop
    to: [{topic: out}]
`;
}
