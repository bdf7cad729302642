// Records in and out of a topic with the Spark venv's helper scripts: spark/produce.py (its
// input a JSON file, see its docstring) and spark/consume.py.
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { REPO_ROOT } from "../harness/paths.js";
import { describeRun, run } from "../harness/python.js";
import { sparkPaths } from "../harness/spark.js";

/** Produces `input` (produce.py's JSON: topic, format, schema, schema_id, records) to a broker. */
export async function produceRecords(bootstrap: string, work: string, input: object) {
  const file = path.join(work, `records-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(input));
  const r = await run(sparkPaths().python, [
    path.join(REPO_ROOT, "test/e2e/spark/produce.py"),
    "--bootstrap-servers",
    bootstrap,
    file,
  ]);
  expect(r.code, describeRun("produce", r)).toBe(0);
}

/** How many records a topic holds. */
export async function countRecords(bootstrap: string, topic: string): Promise<number> {
  const r = await run(sparkPaths().python, [
    path.join(REPO_ROOT, "test/e2e/spark/consume.py"),
    "--bootstrap-servers",
    bootstrap,
    topic,
  ]);
  expect(r.code, describeRun("consume", r)).toBe(0);
  return r.stdout.trim().split("\n").filter(Boolean).length;
}
