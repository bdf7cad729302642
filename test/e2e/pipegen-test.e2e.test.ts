// `pipegen test` on local Spark, with the examples' tests (specs/*.tests.yaml):
// 1. they pass on the committed jobs (generated/), through the jobs' own code;
// 2. a mutated job (its filter, its window, its dedupe) fails them with a readable diff;
// 3. on a fresh cache, pipegen sets its environment up by itself (a venv with pyspark,
//    spark-avro fetched by Spark) and the tests pass there too.
// The agreement with real Kafka + Spark + PostgreSQL is pipegen-test-agreement.e2e.test.ts.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./harness/paths.js";
import { java17Home } from "./harness/spark.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-test-e2e-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Cli {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** `node bin/pipegen.js test ...args` (Java 17 as the harness finds it). */
function pipegenTest(args: string[], env: Record<string, string> = {}): Promise<Cli> {
  const started = Date.now();
  const home = java17Home();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/pipegen.js", "test", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...(home ? { JAVA_HOME: home } : {}), ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) =>
      resolve({ code: code ?? 1, stdout, stderr, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

const said = (r: Cli) =>
  `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr.slice(-6000)}`;

/** A copy of generated/ with `edit` applied to one job (which must change). */
function mutated(name: string, edits: Array<[string, string, string]>): string {
  const dir = path.join(work, name);
  cpSync(path.join(REPO_ROOT, "generated"), dir, { recursive: true });
  for (const [job, from, to] of edits) {
    const file = path.join(dir, job);
    const text = readFileSync(file, "utf8");
    expect(text, `${job} holds ${from}`).toContain(from);
    writeFileSync(file, text.replace(from, to));
  }
  return dir;
}

describe("pipegen test on the examples", () => {
  it("every example test passes on the committed jobs", async () => {
    const r = await pipegenTest(["specs", "--jobs", "generated"]);
    expect(r.code, said(r)).toBe(0);
    expect(r.stdout).toMatch(/^9 passed, 0 failed \(/m);
    console.log(`pipegen test specs: 9 tests passed in ${r.seconds.toFixed(1)} s wall`);
  });

  it("a mutated filter and a job without its dedupe fail their tests, showing only what differs", async () => {
    const jobs = mutated("filter-dedupe", [
      [
        "shop_orders/spark/orders_per_minute.py",
        `F.expr("status <> 'CANCELLED'")`,
        `F.expr("status <> 'PAID'")`,
      ],
      [
        "iot_sensors/spark/site_climate.py",
        `df = df.dropDuplicatesWithinWatermark(["sensor_id", "read_at"])`,
        "df = df  # the dedupe step removed",
      ],
    ]);
    const only = ["cancelled_orders_are_not_counted", "a_repeated_reading_is_counted_once"];
    const r = await pipegenTest(["specs", "--jobs", jobs, "--only", ...only]);
    expect(r.code, said(r)).toBe(4);
    // The filter now lets the cancelled order through and drops the paid one.
    expect(r.stdout).toContain("FAIL shop_orders.cancelled_orders_are_not_counted");
    expect(r.stdout).toMatch(
      /sink analytics\.orders_per_minute: 0 of 1 expected rows found \(1 written\)\n\s+row customer_id=c1 window_start=2024-01-01T00:00:00Z window_end=2024-01-01T00:01:00Z:\n\s+column\s+expected\s+actual\n\s+revenue\s+11\.50\s+13\.80\n/,
    );
    // Without dedupe the repeated reading is counted three times.
    expect(r.stdout).toContain("FAIL iot_sensors.a_repeated_reading_is_counted_once");
    expect(r.stdout).toMatch(/readings\s+2\s+4\n\s+avg_temperature_c\s+21\s+20\.5\n/);
    console.log(`mutated filter and dedupe:\n${r.stdout}`);
  });

  it("a mutated window size fails with the windows' bounds side by side", async () => {
    const jobs = mutated("window", [
      [
        "shop_orders/spark/orders_per_minute.py",
        `F.window("updated_at", "1 minutes")`,
        `F.window("updated_at", "2 minutes")`,
      ],
    ]);
    const r = await pipegenTest([
      "specs/shop_orders.yaml",
      "--jobs",
      jobs,
      "--only",
      "cancelled_orders_are_not_counted",
      "--format",
      "json",
    ]);
    expect(r.code, said(r)).toBe(4);
    const doc = JSON.parse(r.stdout) as {
      tests: Array<{
        status: string;
        comparisons: Array<{
          target: string;
          pairs: Array<{ differs: Array<{ column: string; expected: unknown; actual: unknown }> }>;
        }>;
      }>;
    };
    expect(doc.tests[0]!.status).toBe("failed");
    const differs = doc.tests[0]!.comparisons.find(
      (c) => c.target === "analytics.orders_per_minute",
    )!.pairs[0]!.differs;
    expect(differs).toEqual([
      {
        column: "window_end",
        expected: "2024-01-01T00:01:00Z",
        actual: "2024-01-01T00:02:00.000000Z",
      },
    ]);
  });
});

describe("pipegen test sets its environment up", () => {
  it("on a fresh cache: a venv with pyspark, spark-avro fetched by Spark; then the tests pass", async () => {
    const cache = path.join(work, "fresh-cache");
    const r = await pipegenTest(
      [
        "specs/shop_orders.yaml",
        "--jobs",
        "generated",
        "--only",
        "invalid_orders_are_dead_lettered",
      ],
      {
        PIPEGEN_CACHE: cache,
        PIPEGEN_TEST_PYTHON: "",
        PIPEGEN_TEST_JARS: "",
      },
    );
    expect(r.code, said(r)).toBe(0);
    expect(r.stderr).toContain(`setting up the test environment in ${cache}/test-env-4.0.0`);
    expect(r.stderr).toContain("Spark fetches org.apache.spark:spark-avro_2.13:4.0.0 on first use");
    expect(
      readFileSync(path.join(cache, "test-env-4.0.0", ".pipegen-requirements"), "utf8"),
    ).toContain("pyspark==4.0.0");
    console.log(`fresh set-up and one test: ${r.seconds.toFixed(1)} s`);
    // A second run finds it.
    const again = await pipegenTest(
      [
        "specs/shop_orders.yaml",
        "--jobs",
        "generated",
        "--only",
        "invalid_orders_are_dead_lettered",
      ],
      {
        PIPEGEN_CACHE: cache,
        PIPEGEN_TEST_PYTHON: "",
        PIPEGEN_TEST_JARS: "",
      },
    );
    expect(again.code, said(again)).toBe(0);
    expect(again.stderr).not.toContain("setting up");
  });
});
