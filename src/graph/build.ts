/** The lineage graph of one resolved pipeline (see model.ts). */
import type { Field, Ingest, Pipeline, Stream, Topic } from "../ir/types.js";
import { duration, engineOf, sinkTarget, streamDetails, topicDetails } from "./describe.js";
import { streamLineage } from "./lineage.js";
import type { GraphColumn, GraphEdge, GraphNode, NodeKind, PipelineGraph } from "./model.js";

/** Nodes by id in insertion order, merging the columns' sources when a node is met again. */
class Builder {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges: GraphEdge[] = [];
  constructor(readonly pipeline: string) {}

  id(kind: NodeKind, name: string): string {
    return `${this.pipeline}.${kind}.${name}`;
  }

  node(n: GraphNode): string {
    const seen = this.nodes.get(n.id);
    if (!seen) this.nodes.set(n.id, n);
    else this.nodes.set(n.id, { ...seen, columns: mergeColumns(seen.columns, n.columns) });
    return n.id;
  }

  edge(from: string, to: string, kind: GraphEdge["kind"] = "data"): void {
    if (!this.edges.some((e) => e.from === from && e.to === to && e.kind === kind))
      this.edges.push({ from, to, kind });
  }
}

function mergeColumns(a: readonly GraphColumn[], b: readonly GraphColumn[]): GraphColumn[] {
  const out = a.map((c) => ({ ...c, from: [...c.from] }));
  for (const c of b) {
    const same = out.find((o) => o.name === c.name);
    if (!same) out.push({ ...c, from: [...c.from] });
    else
      for (const f of c.from)
        if (!same.from.some((g) => g.node === f.node && g.column === f.column)) same.from.push(f);
  }
  return out;
}

/** Columns named as the fields, each from the same-named column of `from` (if any). */
function passThrough(fields: readonly Field[], from: string | null): GraphColumn[] {
  return fields.map((f) => ({
    name: f.name,
    type: f.type,
    from: from ? [{ node: from, column: f.name }] : [],
  }));
}

function topicNode(b: Builder, t: Topic, columns: GraphColumn[] = []): string {
  return b.node({
    id: b.id("topic", t.name),
    kind: "topic",
    engine: "Kafka",
    label: t.name,
    details: topicDetails(t),
    columns,
  });
}

function ingestStepLine(s: Ingest["steps"][number]): string {
  if (s.kind === "validate") return `validate ${s.schema.name}`;
  if (s.kind === "setAttributes") return `set ${Object.keys(s.attributes).join(", ")}`;
  return `route ${s.routes.map((r) => `${r.field} → ${r.to}`).join(", ")}`;
}

function addIngest(b: Builder, i: Ingest, topics: readonly Topic[]): void {
  const fields = i.to.topic.schema?.fields ?? [];
  const where = i.from.table ?? i.from.collection ?? `query of ${i.name}`;
  const source = b.node({
    id: b.id("source", `${i.from.connection.name}.${where}`),
    kind: "source",
    engine: engineOf(i.from.connection),
    label: `${i.from.connection.name}.${where}`,
    details: [
      `every ${duration(i.from.everyMs)}${i.from.incrementalColumn ? ` by ${i.from.incrementalColumn}` : ""}`,
    ],
    columns: passThrough(fields, null),
  });
  const ingest = b.node({
    id: b.id("ingest", i.name),
    kind: "ingest",
    engine: "NiFi",
    label: i.name,
    details: [...i.steps.map(ingestStepLine), `key ${i.to.key ?? "none"}`],
    columns: passThrough(fields, source),
  });
  b.edge(source, ingest);
  b.edge(ingest, topicNode(b, i.to.topic, passThrough(fields, ingest)));
  for (const s of i.steps)
    if (s.kind === "route") for (const r of s.routes) b.edge(ingest, b.id("topic", r.to));
  if (i.onError.deadLetter) b.edge(ingest, topicNode(b, i.onError.deadLetter), "dead-letter");
}

function addStream(b: Builder, s: Stream): void {
  const input = topicNode(b, s.from.topic, passThrough(s.from.topic.schema?.fields ?? [], null));
  const lookups = new Map<string, string>();
  for (const step of s.steps)
    if (step.kind === "join") {
      const name = `${step.connection.name}.${step.table}`;
      const id = b.node({
        id: b.id("lookup", name),
        kind: "lookup",
        engine: engineOf(step.connection),
        label: name,
        details: [`looked up by ${step.on.join(", ")}`],
        columns: step.select.map((c) => ({ name: c, type: "unknown", from: [] })),
      });
      for (const c of step.select) lookups.set(c, id);
      b.edge(id, b.id("stream", s.name), "lookup");
    }
  const deps = streamLineage(s.from.topic.schema?.fields ?? [], s.steps, s.output);
  const columns = s.output.map((f) => ({
    name: f.name,
    type: f.type,
    from: [...(deps.get(f.name) ?? [])]
      .sort()
      .map((d) =>
        d.startsWith("lookup:")
          ? { node: lookups.get(d.slice(7)) ?? input, column: d.slice(7) }
          : { node: input, column: d },
      ),
  }));
  const stream = b.node({
    id: b.id("stream", s.name),
    kind: "stream",
    engine: "Spark",
    label: s.name,
    details: streamDetails(s),
    columns,
  });
  b.edge(input, stream);
  if (s.onInvalid.kind === "deadLetter")
    b.edge(stream, topicNode(b, s.onInvalid.topic), "dead-letter");
  for (const sink of s.sinks) {
    if (sink.kind === "kafka") {
      b.edge(stream, topicNode(b, sink.topic, passThrough(s.output, stream)));
      continue;
    }
    const t = sinkTarget(sink);
    const id = b.node({
      id: b.id("sink", t.name),
      kind: "sink",
      engine: t.engine,
      label: t.name,
      details: t.details,
      columns: passThrough(s.output, stream),
    });
    b.edge(stream, id);
  }
}

export function buildGraph(p: Pipeline): PipelineGraph {
  const b = new Builder(p.name);
  for (const i of p.ingest) addIngest(b, i, p.topics);
  for (const s of p.streams) addStream(b, s);
  for (const a of p.archive) {
    const from = topicNode(b, a.from, passThrough(a.from.schema?.fields ?? [], null));
    const to = a.to;
    const id = b.node({
      id: b.id("archive", a.name),
      kind: "archive",
      engine: engineOf(to.connection),
      label: `${a.name}`,
      details: [
        `${to.connection.name}:${to.path}`,
        `${to.format}${to.partitionBy.length ? ` by ${to.partitionBy.join("/")}` : ""}`,
        `schedule ${a.schedule}`,
      ],
      columns: passThrough(a.from.schema?.fields ?? [], from),
    });
    b.edge(from, id);
  }
  // Topics nothing reads or writes still belong in the picture.
  for (const t of p.topics) topicNode(b, t, passThrough(t.schema?.fields ?? [], null));
  return {
    pipeline: p.name,
    description: p.description,
    specFile: p.specFile,
    nodes: [...b.nodes.values()],
    edges: b.edges,
  };
}
