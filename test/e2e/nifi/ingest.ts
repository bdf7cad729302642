// Helpers for test/e2e/nifi-ingest.e2e.test.ts: the generated NiFi flow of a pipeline, its
// Kafka topics (created with the generated apply program) and Avro schemas (registered under
// the subjects of the generated topic manifest), and reading a topic back, decoded.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "../harness/paths.js";
import { describeRun, run } from "../harness/python.js";
import { registerSchema } from "../harness/registry.js";
import { kafkaApply } from "../harness/runtime.js";
import { sparkPaths } from "../harness/spark.js";

export const NIFI_E2E_DIR = join(REPO_ROOT, "test/e2e/nifi");

/** generated/, or $PIPEGEN_E2E_GENERATED. */
export function generatedRoot(): string {
  return resolve(process.env.PIPEGEN_E2E_GENERATED || join(REPO_ROOT, "generated"));
}

export interface PipelineFiles {
  root: string;
  pipeline: string;
  flowJson: string;
  topicsJson: string;
  schemaFile(topic: string): string;
}

export function pipelineFiles(pipeline: string, root = generatedRoot()): PipelineFiles {
  const files = {
    root,
    pipeline,
    flowJson: join(root, pipeline, "nifi", `${pipeline}.flow.json`),
    topicsJson: join(root, pipeline, "kafka", "topics.json"),
    schemaFile: (topic: string) => join(root, pipeline, "kafka", "schemas", `${topic}.avsc`),
  };
  for (const f of [files.flowJson, files.topicsJson]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run node bin/pipegen.js build specs`);
  }
  return files;
}

interface ManifestTopic {
  name: string;
  subject: string | null;
  schemaFile: string | null;
}

/** Creates every topic of the pipeline with the runtime's apply program. */
export async function applyTopics(files: PipelineFiles, bootstrap: string): Promise<void> {
  const r = await kafkaApply(files.topicsJson, ["--bootstrap-servers", bootstrap], {
    timeoutMs: 120_000,
  });
  if (r.code !== 0) throw new Error(describeRun("kafka_apply", r));
}

/** Registers each topic's schema under its subject (as the ingestion DAG does); subject -> id. */
export async function registerSchemas(
  files: PipelineFiles,
  ccompatUrl: string,
): Promise<Map<string, number>> {
  const manifest = JSON.parse(readFileSync(files.topicsJson, "utf8")) as {
    topics: ManifestTopic[];
  };
  const ids = new Map<string, number>();
  for (const t of manifest.topics) {
    if (!t.subject || !t.schemaFile) continue;
    const schema = JSON.parse(readFileSync(files.schemaFile(t.name), "utf8")) as Record<
      string,
      unknown
    >;
    delete schema.$comment;
    ids.set(t.subject, await registerSchema(ccompatUrl, t.subject, schema));
  }
  return ids;
}

export interface TopicMessage {
  partition: number;
  offset: number;
  key: string | null;
  headers: [string, string | null][];
  magic: number | null;
  schema_id: number | null;
  /** The decoded Avro record, or the UTF-8 text of the value. */
  value: unknown;
  error: string | null;
}

/**
 * Every message of a topic once at least `min` arrived and nothing more came for `idleS`
 * seconds; Avro values decoded with `avsc` (Confluent framing checked).
 */
export async function readTopic(
  bootstrap: string,
  topic: string,
  opts: { avsc?: string; min?: number; idleS?: number; timeoutS?: number } = {},
): Promise<TopicMessage[]> {
  const args = [
    join(NIFI_E2E_DIR, "read_topic.py"),
    bootstrap,
    topic,
    "--min",
    String(opts.min ?? 0),
    "--idle",
    String(opts.idleS ?? 3),
    "--timeout",
    String(opts.timeoutS ?? 120),
    ...(opts.avsc ? ["--avsc", opts.avsc] : []),
  ];
  const r = await run(sparkPaths().python, args, {
    timeoutMs: ((opts.timeoutS ?? 120) + 60) * 1000,
  });
  if (r.code !== 0 && r.code !== 3) throw new Error(describeRun(`read_topic.py ${topic}`, r));
  return (JSON.parse(r.stdout) as { messages: TopicMessage[] }).messages;
}

/** The parameter names of the flow's context, with their sensitivity and default value. */
export function flowParameters(
  flowJson: string,
): Map<string, { sensitive: boolean; value?: string }> {
  const doc = JSON.parse(readFileSync(flowJson, "utf8")) as {
    parameterContexts: Record<
      string,
      { parameters: { name: string; sensitive: boolean; value?: string }[] }
    >;
  };
  const out = new Map<string, { sensitive: boolean; value?: string }>();
  for (const ctx of Object.values(doc.parameterContexts)) {
    for (const p of ctx.parameters) out.set(p.name, { sensitive: p.sensitive, value: p.value });
  }
  return out;
}
