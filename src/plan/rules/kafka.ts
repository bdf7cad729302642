/** Kafka topics: what the apply program and the brokers do with a changed topic manifest. */
import type { TopicState } from "../../emit/state/index.js";
import type { Comparison, Finding } from "../types.js";
import { duration, keyDiff, words } from "./common.js";

/** The spec setting a topic config comes from (the typed ones), else config.<name>. */
const typedSettings: Record<string, string> = {
  "retention.ms": "retention",
  "retention.bytes": "retentionBytes",
  "cleanup.policy": "cleanupPolicy",
  "min.insync.replicas": "minInsyncReplicas",
  "compression.type": "compression",
  "max.message.bytes": "maxMessageBytes",
  "segment.ms": "segment",
};

/** Where a topic setting is written: the environment's topic settings first, then the topic's. */
function settingAt(t: TopicState, env: string | null, config: string): string[] {
  const key = typedSettings[config];
  const own = key
    ? `${t.at}/${key}`
    : `${t.at}/config/${config.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  return env && key ? [`/environments/${env}/topics/${key}`, own] : [own];
}

/** Kafka's defaults for the configs whose absence means something: 7 days, unlimited, delete. */
const brokerDefaults: Record<string, string> = {
  "retention.ms": "604800000",
  "retention.bytes": "-1",
  "cleanup.policy": "delete",
};

const configOf = (t: TopicState, k: string) => t.configs[k] ?? brokerDefaults[k];

/** -1 is unlimited. */
const limit = (v: string | undefined) => (v === undefined || v === "-1" ? Infinity : Number(v));

function partitions(name: string, b: TopicState, a: TopicState): Finding[] {
  const object = `topic ${name}`;
  const at = `${a.at}/partitions`;
  if (a.partitions < b.partitions)
    return [
      {
        rule: "KAFKA_PARTITIONS_DECREASED",
        object,
        action: "~",
        at,
        message: `partitions ${b.partitions} -> ${a.partitions}: Kafka cannot remove partitions from a topic; the apply program refuses the whole manifest and changes nothing (exit 1), so the ingestion DAG's apply_topics task fails`,
        hint: `keep ${b.partitions} partitions; fewer partitions means a new topic (another name), with the records that must stay copied over`,
      },
    ];
  if (a.partitions > b.partitions) {
    const readers = a.readers.map((r) => r.by);
    return [
      {
        rule: "KAFKA_PARTITIONS_INCREASED",
        object,
        action: "~",
        at,
        message:
          `partitions ${b.partitions} -> ${a.partitions}: a keyed record goes to partition hash(key) mod partitions, so after the change new records of a key may land in another partition than its earlier ones and the order per key across the change is lost` +
          (readers.length ? `; ${words(readers)} read the new partitions from their start` : ""),
        hint: "if the order per key matters, add partitions while the producers are stopped and every consumer has caught up",
      },
    ];
  }
  return [];
}

function replication(name: string, b: TopicState, a: TopicState, env: string | null): Finding[] {
  if (a.replicationFactor === null || a.replicationFactor === b.replicationFactor) return [];
  const at = [
    ...(env ? [`/environments/${env}/topics/replicationFactor`] : []),
    `${a.at}/replicationFactor`,
  ];
  if (b.replicationFactor === null)
    return [
      {
        rule: "KAFKA_REPLICATION_FACTOR_SET",
        object: `topic ${name}`,
        action: "~",
        at,
        message: `replication factor: the cluster's default -> ${a.replicationFactor}: the apply program refuses the whole manifest (exit 1) unless the topic already has ${a.replicationFactor} replicas`,
        hint: `check the topic's replicas (kafka-topics.sh --describe); if they differ, reassign its partitions to ${a.replicationFactor} replicas (kafka-reassign-partitions.sh) before deploying`,
      },
    ];
  return [
    {
      rule: "KAFKA_REPLICATION_FACTOR_CHANGED",
      object: `topic ${name}`,
      action: "~",
      at,
      message: `replication factor ${b.replicationFactor} -> ${a.replicationFactor}: changing it takes a partition reassignment, which the apply program does not do; it refuses the whole manifest and changes nothing (exit 1)`,
      hint: `reassign the topic's partitions to ${a.replicationFactor} replicas with kafka-reassign-partitions.sh first (the data is copied between brokers), then deploy, accepting this rule with an 'except' entry`,
    },
  ];
}

function cleanupPolicy(name: string, b: TopicState, a: TopicState, env: string | null): Finding[] {
  const was = configOf(b, "cleanup.policy")!;
  const now = configOf(a, "cleanup.policy")!;
  if (was === now) return [];
  const object = `topic ${name}`;
  const at = settingAt(a, env, "cleanup.policy");
  const keyless = a.writers.filter((w) => !w.keyed);
  if (now.includes("compact") && !was.includes("compact") && keyless.length)
    return [
      {
        rule: "KAFKA_COMPACT_KEYLESS_WRITER",
        object,
        action: "~",
        at,
        message: `cleanup.policy ${was} -> ${now}: a compacted topic refuses records without a key (the broker answers InvalidRecordException), and ${words(keyless.map((w) => w.by))} ${keyless.length === 1 ? "writes" : "write"} records without one: those writes fail`,
        hint: "give every writer a key, or keep cleanup.policy delete (dead-letter topics keep the records' own keys, which may be null: keep them delete)",
      },
    ];
  return [
    {
      rule: "KAFKA_CLEANUP_POLICY_CHANGED",
      object,
      action: "~",
      at,
      message: now.includes("compact")
        ? `cleanup.policy ${was} -> ${now}: the log cleaner keeps only the latest record of each key; earlier records of a key are deleted, so a consumer reading from the start no longer sees them`
        : `cleanup.policy ${was} -> ${now}: records are deleted by retention whatever their key; the latest record of a key no longer stays`,
    },
  ];
}

function retention(name: string, b: TopicState, a: TopicState, env: string | null): Finding[] {
  const out: Finding[] = [];
  for (const k of ["retention.ms", "retention.bytes"]) {
    const was = limit(configOf(b, k));
    const now = limit(configOf(a, k));
    if (!(now < was)) continue;
    const show = (v: number) =>
      v === Infinity ? "unlimited" : k === "retention.ms" ? duration(v) : `${v} bytes`;
    out.push({
      rule: "KAFKA_RETENTION_SHORTENED",
      object: `topic ${name}`,
      action: "~",
      at: settingAt(a, env, k),
      message: `${k} ${show(was)} -> ${show(now)}${b.configs[k] === undefined ? " (the broker's default)" : ""}: at its next retention check the broker deletes the segments past it; a consumer further behind (a stopped Spark query: with failOnDataLoss it fails on the gap) loses those records`,
      hint: "let the consumers catch up before deploying",
    });
  }
  return out;
}

function otherConfigs(name: string, b: TopicState, a: TopicState, env: string | null): Finding[] {
  const keys = [...new Set([...Object.keys(b.configs), ...Object.keys(a.configs)])].sort();
  const changed = keys.filter((k) => b.configs[k] !== a.configs[k] && k !== "cleanup.policy");
  const retentionShortened = (k: string) =>
    k.startsWith("retention.") && limit(configOf(a, k)) < limit(configOf(b, k));
  const shown = changed.filter((k) => !retentionShortened(k));
  if (!shown.length) return [];
  const show = (v: string | undefined) => v ?? "(broker default)";
  return [
    {
      rule: "KAFKA_CONFIG_CHANGED",
      object: `topic ${name}`,
      action: "~",
      at: settingAt(a, env, shown[0]!),
      message: `the apply program sets ${shown.map((k) => `${k} ${show(b.configs[k])} -> ${show(a.configs[k])}`).join(", ")}`,
    },
  ];
}

function format(name: string, b: TopicState, a: TopicState): Finding[] {
  if (a.format === b.format) return [];
  const readers = a.readers.map((r) => r.by);
  return [
    {
      rule: "KAFKA_TOPIC_FORMAT_CHANGED",
      object: `topic ${name}`,
      action: "~",
      at: [`${a.at}/format`, `${a.at}/schema`],
      message:
        `records ${b.format} -> ${a.format}: the records already in the topic stay ${b.format}` +
        (readers.length
          ? `; ${words(readers)} decode ${a.format} and treat every earlier record they still read (lag, a new checkpoint, a rerun) as undecodable`
          : ""),
      hint: "write the new format to a new topic, and move the readers over once the old one is drained",
    },
  ];
}

export function kafkaRules(c: Comparison): Finding[] {
  const before = c.before.kafka.topics;
  const after = c.after.kafka.topics;
  const env = c.after.environment;
  const d = keyDiff(before, after);
  const out: Finding[] = [];
  for (const name of d.added) {
    const t = after[name]!;
    out.push({
      rule: "KAFKA_TOPIC_ADDED",
      object: `topic ${name}`,
      action: "+",
      at: t.at,
      message: `the apply program creates it with ${t.partitions} partitions, replication factor ${t.replicationFactor ?? "the cluster's default"}`,
    });
  }
  for (const name of d.removed)
    out.push({
      rule: "KAFKA_TOPIC_REMOVED",
      object: `topic ${name}`,
      action: "-",
      at: before[name]!.at,
      gone: true,
      message:
        "the apply program never deletes topics: the topic and its records stay, and nothing of this pipeline writes or reads it any more",
      hint: `delete it by hand (kafka-topics.sh --delete --topic ${name}) once nothing else uses it`,
    });
  for (const name of d.common) {
    const b = before[name]!;
    const a = after[name]!;
    out.push(
      ...partitions(name, b, a),
      ...replication(name, b, a, env),
      ...cleanupPolicy(name, b, a, env),
      ...retention(name, b, a, env),
      ...otherConfigs(name, b, a, env),
      ...format(name, b, a),
    );
  }
  return out;
}
