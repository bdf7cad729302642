import type { Pipeline, ValueRef } from "../../ir/types.js";
import { headerComment, headerText } from "../shared/header.js";
import { orderedJson, stableJson } from "../shared/json.js";
import { render } from "../shared/templates.js";
import type { GeneratedFile } from "../shared/types.js";
import { avroSchema } from "./avro.js";

/** Paths of the Kafka target, shared with the targets that call it (Airflow). */
export const kafkaPaths = {
  dir: (p: string) => `${p}/kafka`,
  manifest: (p: string) => `${p}/kafka/topics.json`,
  apply: (p: string) => `${p}/kafka/apply_topics.py`,
  schema: (p: string, topic: string) => `${p}/kafka/schemas/${topic}.avsc`,
};

function bootstrap(ref: ValueRef): { env: string | null; literal: string | null } {
  if (ref.kind === "env") return { env: ref.name, literal: null };
  if (ref.kind === "literal") return { env: null, literal: ref.value };
  // secrets and mixed templates are resolved by the caller at run time
  return { env: null, literal: null };
}

/** Kafka target: the topic manifest, one Avro schema per topic with a record schema, and the apply program. */
export function emitKafka(p: Pipeline): GeneratedFile[] {
  const header = headerText(p);
  const files: GeneratedFile[] = [];
  const namespace = `pipegen.${p.name}`;
  for (const t of p.topics) {
    if (!t.schema) continue;
    files.push({
      path: kafkaPaths.schema(p.name, t.name),
      content: orderedJson(avroSchema(t.schema, namespace, header)),
    });
  }
  const manifest = {
    $comment: header,
    pipeline: p.name,
    topics: p.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions,
      replicationFactor: t.replicationFactor,
      configs: t.configs,
      deadLetter: t.deadLetter,
      valueFormat: t.format,
      schemaFile: t.schema ? `schemas/${t.name}.avsc` : null,
      subject: t.subject,
      compatibility: t.compatibility,
    })),
  };
  files.push({ path: kafkaPaths.manifest(p.name), content: stableJson(manifest) });
  const b = bootstrap(p.platform.kafka.bootstrapServers);
  files.push({
    path: kafkaPaths.apply(p.name),
    content: render("kafka/apply_topics.py.hbs", {
      header: headerComment(p),
      pipeline: p.name,
      bootstrapEnv: b.env,
      bootstrapDefault: b.literal,
    }),
  });
  return files;
}
