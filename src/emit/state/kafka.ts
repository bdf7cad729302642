/** The state of a pipeline's topics and registry subjects. */
import { avroNamespace } from "../../ir/names.js";
import type { Pipeline, Topic } from "../../ir/types.js";
import { avroRecord } from "../shared/avro.js";
import { at } from "./pointers.js";
import type { SubjectState, TopicState } from "./types.js";

type Writer = TopicState["writers"][number];
type Reader = TopicState["readers"][number];

/** Who writes each topic, and whether with a key: NiFi ingests and Spark streams. */
function writers(p: Pipeline): Map<string, Writer[]> {
  const out = new Map<string, Writer[]>();
  const add = (topic: string, w: Writer) => out.set(topic, [...(out.get(topic) ?? []), w]);
  for (const ing of p.ingest) {
    const by = `NiFi ingest ${ing.name}`;
    const keyed = ing.to.key !== null;
    add(ing.to.topic.name, { by, at: at.ingest(ing.name, "to"), keyed });
    for (const step of ing.steps)
      if (step.kind === "route")
        for (const r of step.routes) add(r.to, { by, at: at.ingest(ing.name, "steps"), keyed });
    // Dead letters are published without a key.
    if (ing.onError.deadLetter)
      add(ing.onError.deadLetter.name, {
        by: `NiFi ingest ${ing.name} (dead letters)`,
        at: at.ingest(ing.name, "onError"),
        keyed: false,
      });
  }
  for (const s of p.streams) {
    s.sinks.forEach((x, i) => {
      if (x.kind === "kafka")
        add(x.topic.name, {
          by: `Spark stream ${s.name}`,
          at: at.sink(s.name, i),
          keyed: x.key !== null,
        });
    });
    // A dead letter keeps the record's key, which may be null.
    if (s.onInvalid.kind === "deadLetter")
      add(s.onInvalid.topic.name, {
        by: `Spark stream ${s.name} (dead letters)`,
        at: at.stream(s.name, "onInvalid"),
        keyed: false,
      });
  }
  return out;
}

function readers(p: Pipeline): Map<string, Reader[]> {
  const out = new Map<string, Reader[]>();
  const add = (topic: string, r: Reader) => out.set(topic, [...(out.get(topic) ?? []), r]);
  for (const s of p.streams)
    add(s.from.topic.name, { by: `Spark stream ${s.name}`, at: at.stream(s.name, "from") });
  for (const a of p.archive)
    add(a.from.name, { by: `Spark archive ${a.name}`, at: at.archive(a.name, "from") });
  return out;
}

export function topicStates(p: Pipeline): Record<string, TopicState> {
  const w = writers(p);
  const r = readers(p);
  const out: Record<string, TopicState> = {};
  for (const t of p.topics)
    out[t.name] = {
      at: at.topic(t.name),
      partitions: t.partitions,
      replicationFactor: t.replicationFactor,
      configs: { ...t.configs },
      format: t.format,
      subject: t.subject,
      writers: w.get(t.name) ?? [],
      readers: r.get(t.name) ?? [],
    };
  return out;
}

/** The Spark jobs that decode a topic with its schema (streams and archives of Avro topics). */
function decoders(p: Pipeline, t: Topic): string[] {
  return [
    ...p.streams.filter((s) => s.from.topic.name === t.name).map((s) => `stream ${s.name}`),
    ...p.archive.filter((a) => a.from.name === t.name).map((a) => `archive ${a.name}`),
  ];
}

export function subjectStates(p: Pipeline): Record<string, SubjectState> {
  const out: Record<string, SubjectState> = {};
  for (const t of p.topics) {
    if (!t.schema || !t.subject) continue;
    out[t.subject] = {
      at: at.topic(t.name),
      topic: t.name,
      compatibility: t.compatibility ?? "BACKWARD",
      schema: avroRecord(t.schema, avroNamespace(p.name)),
      schemaAt: at.schema(t.schema.name),
      decodedBy: t.format === "avro" ? decoders(p, t) : [],
    };
  }
  return out;
}
