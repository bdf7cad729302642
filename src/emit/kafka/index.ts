import { avroNamespace, kafkaPaths } from "../../ir/names.js";
import type { Pipeline, ValueRef } from "../../ir/types.js";
import { avroRecord } from "../shared/avro.js";
import { headerComment, headerText } from "../shared/header.js";
import { orderedJson, stableJson } from "../shared/json.js";
import { render } from "../shared/templates.js";
import type { GeneratedFile } from "../shared/types.js";

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
