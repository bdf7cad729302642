// What the plan tests share: builds of one spec's versions, the plan between two of them, and
// applying a build's artifacts the way its deployment does (one place for each invocation).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "../../../src/api/index.js";
import { plan } from "../../../src/plan/index.js";
import type { Change } from "../../../src/plan/types.js";
import { cachePaths } from "./paths.js";
import { runPythonCode, type RunResult } from "./python.js";
import { assertRuntimeInstalled, kafkaApply } from "./runtime.js";

/** One version of a spec, built into its own output root. */
export interface Version {
  /** The spec file (the same path for every version of a pipeline: the plan places changes in it). */
  spec: string;
  /** The output root of this version's build. */
  out: string;
  /** The pipeline's generated folder. */
  gen: string;
}

/** Writes the spec text to `<dir>/spec.yaml` and builds it into `<dir>/<label>`. */
export function buildVersion(dir: string, label: string, text: string): Version {
  mkdirSync(dir, { recursive: true });
  const spec = path.join(dir, "spec.yaml");
  writeFileSync(spec, text);
  const out = path.join(dir, label);
  const r = build([spec], { out });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length || !r.outputs[0])
    throw new Error(errors.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`).join("\n"));
  return { spec, out, gen: path.join(out, r.outputs[0].pipeline) };
}

/** The plan of `after` (its spec as it is on disk now) against `before`'s build. */
export function planBetween(before: Version, after: Version): Change[] {
  return plan([after.spec], { against: before.out, out: after.out }).changes;
}

/** The rules a plan found, each once, sorted. */
export const rulesOf = (changes: readonly Change[]) =>
  [...new Set(changes.map((c) => c.rule))].sort();

/** The change of a rule (the first), with its class and message. */
export function changeOf(changes: readonly Change[], rule: string): Change {
  const c = changes.find((x) => x.rule === rule);
  if (!c) throw new Error(`no ${rule} in the plan: ${rulesOf(changes).join(", ")}`);
  return c;
}

/**
 * Applies a build's topic manifest to a broker, as the ingestion DAG's apply_topics task does:
 * pipegen-runtime's apply program (the one place to change when its invocation does).
 */
export function applyTopics(v: Version, bootstrap: string): Promise<RunResult> {
  return kafkaApply(path.join(v.gen, "kafka", "topics.json"), ["--bootstrap-servers", bootstrap]);
}

/** pipegen-runtime's registration, its answer as {status, body} (the registry's HTTP status). */
const REGISTER = `
import json, sys
from pathlib import Path
from confluent_kafka.schema_registry.error import SchemaRegistryError
from pipegen_runtime.registry import client_config, register_file
try:
    found = register_file(client_config(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4] or None)
    print(json.dumps({"status": 200, "body": str(found)}))
except SchemaRegistryError as e:
    print(json.dumps({"status": e.http_status_code, "body": str(e)}))
`;

/**
 * Registers a topic's schema as the ingestion DAG's register_schema task does, with
 * pipegen-runtime's registration (the subject's level first, then the schema). Returns the
 * registry's answer.
 */
export async function registerSchema(
  ccompatUrl: string,
  v: Version,
  topic: string,
  compatibility: string | null,
): Promise<{ status: number; body: string }> {
  const schema = path.join(v.gen, "kafka", "schemas", `${topic}.avsc`);
  const { venvDir } = cachePaths();
  assertRuntimeInstalled(venvDir, "bash test/e2e/install.sh");
  const r = await runPythonCode(REGISTER, [
    ccompatUrl,
    `${topic}-value`,
    schema,
    compatibility ?? "",
  ]);
  if (r.code !== 0) throw new Error(`registration failed (exit ${r.code}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as { status: number; body: string };
}

/** A topic's .avsc of a build as the registry holds it (compact JSON, no $comment). */
export function avsc(v: Version, topic: string): string {
  const schema = JSON.parse(
    readFileSync(path.join(v.gen, "kafka", "schemas", `${topic}.avsc`), "utf8"),
  ) as Record<string, unknown>;
  delete schema.$comment;
  return JSON.stringify(schema);
}
