/**
 * `topics:`: Kafka topics with their typed settings turned into topic configs, their record
 * schema, format, compatibility and registry subject, and whether an ingest or a stream uses
 * them as a dead letter.
 */
import { didYouMean } from "../../diagnostics/suggest.js";
import { pointerOf } from "../../load/load.js";
import type * as S from "../../schema/spec.gen.js";
import { kafkaTopicConfigNames } from "../kafka-configs.js";
import type * as I from "../types.js";
import { durationMs } from "../values.js";
import { type Ctx, type Refs, err, meansBroken, unknownRef } from "./context.js";
import { defaults } from "./defaults.js";

type TopicSpec = NonNullable<S.PipegenSpec["topics"]>[string];

/** The topics of the spec by name; `schemas` are the resolved record schemas. */
export function resolveTopics(
  ctx: Ctx,
  s: S.PipegenSpec,
  schemas: ReadonlyMap<string, I.RecordSchema>,
): Map<string, I.Topic> {
  const dlqNames = deadLetterNames(s);
  const topics = new Map<string, I.Topic>();
  for (const [name, t] of Object.entries(s.topics ?? {})) {
    const p = pointerOf("topics", name);
    if (name === "." || name === ".." || name.startsWith("__"))
      err(ctx, "PG203", p, `'${name}' cannot be a Kafka topic name`, undefined, "key");
    let schema: I.RecordSchema | null = null;
    if (t.schema !== undefined) {
      schema = schemas.get(t.schema) ?? null;
      // A topic of a schema with errors of its own is not resolved either: nothing is known of its records.
      if (!schema && meansBroken(ctx, "schemas", t.schema)) {
        ctx.broken?.add(p);
        continue;
      }
      if (!schema) {
        // Nothing is known of the topic's records: what uses it is not checked against them.
        unknownRef(ctx, `${p}/schema`, "schema", t.schema, schemas.keys());
        ctx.broken?.add(p);
        continue;
      }
    }
    const configs = topicConfigs(ctx, name, t);
    const format = t.format ?? (schema ? "avro" : "json");
    checkSettings(ctx, p, name, t, schema, format);
    topics.set(name, {
      name,
      partitions: t.partitions,
      replicationFactor: t.replicationFactor ?? null,
      configs: Object.fromEntries(Object.entries(configs).sort(([a], [b]) => (a < b ? -1 : 1))),
      schema,
      format,
      compatibility: schema ? (t.compatibility ?? defaults.compatibility) : null,
      subject: schema ? `${name}-value` : null,
      deadLetter: dlqNames.has(name),
      ...(t.doc ? { doc: t.doc } : {}),
    });
  }
  return topics;
}

/** Dead-letter use is known from ingest and streams. */
function deadLetterNames(s: S.PipegenSpec): Set<string> {
  const dlqNames = new Set<string>();
  for (const ing of Object.values(s.ingest ?? {}))
    if (ing.onError?.deadLetter) dlqNames.add(ing.onError.deadLetter);
  for (const st of Object.values(s.streams ?? {}))
    if (st.onInvalid && typeof st.onInvalid === "object") dlqNames.add(st.onInvalid.deadLetter);
  return dlqNames;
}

/** Kafka topic configs: the typed settings first, then `config:` (real config names, not set twice). */
function topicConfigs(ctx: Ctx, name: string, t: TopicSpec): Record<string, string> {
  const configs: Record<string, string> = {};
  if (t.retention !== undefined)
    configs["retention.ms"] = t.retention === "forever" ? "-1" : String(durationMs(t.retention));
  if (t.retentionBytes !== undefined)
    configs["retention.bytes"] = t.retentionBytes === "unlimited" ? "-1" : String(t.retentionBytes);
  if (t.cleanupPolicy) configs["cleanup.policy"] = t.cleanupPolicy;
  if (t.minInsyncReplicas !== undefined)
    configs["min.insync.replicas"] = String(t.minInsyncReplicas);
  if (t.compression) configs["compression.type"] = t.compression;
  if (t.maxMessageBytes !== undefined) configs["max.message.bytes"] = String(t.maxMessageBytes);
  if (t.segment) configs["segment.ms"] = String(durationMs(t.segment));
  for (const [k, v] of Object.entries(t.config ?? {})) {
    const cp = pointerOf("topics", name, "config", k);
    if (!kafkaTopicConfigNames.includes(k)) {
      err(
        ctx,
        "PG201",
        cp,
        `'${k}' is not a Kafka topic config`,
        didYouMean(k, kafkaTopicConfigNames, "topic configs"),
        "key",
      );
    } else if (k in configs) {
      err(
        ctx,
        "PG305",
        cp,
        `'${k}' is already set by this topic's typed settings`,
        "set it in one place only: the typed setting (e.g. 'retention') wins in review",
        "key",
      );
    } else configs[k] = String(v);
  }
  return configs;
}

/** Settings that cannot work together: more in-sync replicas than replicas, avro without a schema. */
function checkSettings(
  ctx: Ctx,
  p: string,
  name: string,
  t: TopicSpec,
  schema: I.RecordSchema | null,
  format: I.Topic["format"],
) {
  if (
    t.replicationFactor !== undefined &&
    t.minInsyncReplicas !== undefined &&
    t.minInsyncReplicas > t.replicationFactor
  )
    err(
      ctx,
      "PG305",
      `${p}/minInsyncReplicas`,
      `minInsyncReplicas ${t.minInsyncReplicas} is larger than replicationFactor ${t.replicationFactor}: no write could ever succeed`,
      `set minInsyncReplicas to at most ${t.replicationFactor} (usually replicationFactor - 1)`,
    );
  if (format === "avro" && !schema)
    err(
      ctx,
      "PG305",
      `${p}/format`,
      `topic '${name}' is avro but has no schema`,
      "add 'schema: <name>' or use 'format: json'",
    );
}

/** Looks a topic up by name (undefined name: nothing to look up). */
export function topicLookup(ctx: Ctx, topics: ReadonlyMap<string, I.Topic>): Refs["topicRef"] {
  return (pointer, name) => {
    if (name === undefined) return undefined;
    const t = topics.get(name);
    if (!t) unknownRef(ctx, pointer, "topic", name, topics.keys(), "declare it under 'topics:'");
    return t;
  };
}
