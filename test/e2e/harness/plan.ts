// What the plan tests share: builds of one spec's versions, the plan between two of them, and
// applying a build's artifacts the way its deployment does (one place for each invocation).
import { mkdirSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { build } from "../../../src/api/index.js";
import { plan } from "../../../src/plan/index.js";
import type { Change } from "../../../src/plan/types.js";
import { cachePaths } from "./paths.js";
import { run, type RunResult } from "./python.js";

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
 * Applies a build's topic manifest to a broker, as the ingestion DAG's apply_topics task does.
 * (When the apply program moves into pipegen-runtime, this is the one place to change.)
 */
export function applyTopics(v: Version, bootstrap: string): Promise<RunResult> {
  return run(cachePaths().venvPython, [
    path.join(v.gen, "kafka", "apply_topics.py"),
    "--bootstrap-servers",
    bootstrap,
  ]);
}

/**
 * Registers a topic's schema the way the ingestion DAG's register_schema task does: the
 * subject's compatibility first (after the first version when the registry refuses it before),
 * then the schema. Returns the registry's answer to the registration.
 */
export async function registerSchema(
  ccompatUrl: string,
  v: Version,
  topic: string,
  compatibility: string | null,
): Promise<{ status: number; body: string }> {
  const subject = encodeURIComponent(`${topic}-value`);
  const headers = { "content-type": "application/vnd.schemaregistry.v1+json" };
  const config = () =>
    fetch(`${ccompatUrl}/config/${subject}`, {
      method: "PUT",
      headers,
      body: JSON.stringify({ compatibility }),
    });
  const configured = compatibility ? (await config()).ok : true;
  const schema = JSON.parse(
    await readFile(path.join(v.gen, "kafka", "schemas", `${topic}.avsc`), "utf8"),
  );
  delete schema.$comment;
  const res = await fetch(`${ccompatUrl}/subjects/${subject}/versions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ schema: JSON.stringify(schema), schemaType: "AVRO" }),
  });
  const body = await res.text();
  if (res.ok && !configured) await config();
  return { status: res.status, body };
}
