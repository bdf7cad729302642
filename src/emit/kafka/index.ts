import { avroNamespace, kafkaPaths } from "../../ir/names.js";
import type { Pipeline, ValueRef } from "../../ir/types.js";
import { avroRecord } from "../shared/avro.js";
import { headerText } from "../shared/header.js";
import { orderedJson, stableJson } from "../shared/json.js";
import type { GeneratedFile } from "../shared/types.js";

/**
 * Where the apply program (pipegen-runtime's kafka_apply) finds the bootstrap servers when
 * the command line does not give them: the environment variable of a ${env:NAME}, or the
 * literal. Secrets and mixed templates are the caller's to resolve at run time.
 */
function bootstrap(ref: ValueRef): { env: string | null; default: string | null } {
  if (ref.kind === "env") return { env: ref.name, default: null };
  if (ref.kind === "literal") return { env: null, default: ref.value };
  return { env: null, default: null };
}

/**
 * Kafka target: the topic manifest (which `python -m pipegen_runtime.kafka_apply` applies) and
 * one Avro schema per topic with a record schema.
 */
export function emitKafka(p: Pipeline): GeneratedFile[] {
  const header = headerText(p);
  const files: GeneratedFile[] = [];
  const namespace = avroNamespace(p.name);
  for (const t of p.topics) {
    if (!t.schema) continue;
    files.push({
      path: kafkaPaths.schema(p.name, t.name),
      content: orderedJson({ $comment: header, ...avroRecord(t.schema, namespace) }),
    });
  }
  const manifest = {
    $comment: header,
    pipeline: p.name,
    bootstrapServers: bootstrap(p.platform.kafka.bootstrapServers),
    topics: p.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions,
      replicationFactor: t.replicationFactor,
      configs: t.configs,
      deadLetter: t.deadLetter,
      valueFormat: t.format,
      schemaFile: t.schema ? kafkaPaths.schemaInManifest(t.name) : null,
      subject: t.subject,
      compatibility: t.compatibility,
    })),
  };
  files.push({ path: kafkaPaths.manifest(p.name), content: stableJson(manifest) });
  return files;
}
