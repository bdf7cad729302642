/**
 * The state of a pipeline's Spark jobs: per job its streaming queries, each with its checkpoint
 * folder, source, output mode and stateful operators (with the column types their state is
 * keyed by), which is what a restart from the checkpoint depends on.
 */
import { archiveQueries, sparkCheckpoint, sparkNames, streamQueries } from "../../ir/names.js";
import type { Archive, Field, Pipeline, Stream, StreamStep } from "../../ir/types.js";
import { filePath } from "../spark/sinks.js";
import { outputModeOf } from "../spark/stream-job.js";
import { at } from "./pointers.js";
import { sinkKey } from "./sinks.js";
import type { JobState, QuerySource, QueryState, StatefulOp } from "./types.js";
import { typeText, valueText } from "./values.js";

/** The fields entering each step (index i: before step i), replayed from the source schema. */
export function stepInputs(s: Stream): Field[][] {
  let shape: Field[] = [...(s.from.topic.schema?.fields ?? [])];
  const out: Field[][] = [];
  const byName = (n: string) => shape.find((f) => f.name === n);
  for (const step of s.steps) {
    out.push(shape);
    shape = nextShape(step, shape, byName, s.output);
  }
  return out;
}

function nextShape(
  step: StreamStep,
  shape: Field[],
  byName: (n: string) => Field | undefined,
  output: readonly Field[],
): Field[] {
  const unknown = (name: string): Field => ({ name, type: "unknown", required: false });
  switch (step.kind) {
    case "filter":
    case "dedupe":
      return shape;
    case "select":
      return step.columns.map((c) => byName(c) ?? unknown(c));
    case "drop":
      return shape.filter((f) => !step.columns.includes(f.name));
    case "rename":
      return shape.map((f) => (f.name in step.columns ? { ...f, name: step.columns[f.name]! } : f));
    case "derive": {
      const derived = Object.values(step.columns).map((d) => d.field);
      return [...shape.filter((f) => !(f.name in step.columns)), ...derived];
    }
    case "join":
      return [...shape.filter((f) => !step.select.includes(f.name)), ...step.select.map(unknown)];
    case "aggregate": {
      const out = (n: string) => output.find((f) => f.name === n) ?? unknown(n);
      const window = step.window ? [out("window_start"), out("window_end")] : [];
      const groups = step.groupBy.map((c) => byName(c) ?? unknown(c));
      return [...window, ...groups, ...step.aggregates.map((a) => out(a.name))];
    }
  }
}

/** The stateful operators of a stream's steps, in order, with what their state is keyed by. */
export function statefulOps(s: Stream): StatefulOp[] {
  const inputs = stepInputs(s);
  const col = (shape: Field[], name: string) => {
    const f = shape.find((x) => x.name === name);
    return { name, type: f ? typeText(f) : "unknown" };
  };
  // Spark keeps one watermark per stream: the longest delay any step asks for.
  const delays = s.steps.flatMap((x) =>
    x.kind === "dedupe" && x.watermarkMs !== null
      ? [x.watermarkMs]
      : x.kind === "aggregate" && x.window
        ? [x.window.watermarkMs]
        : [],
  );
  const watermarkMs = delays.length ? Math.max(...delays) : null;
  return s.steps.flatMap((x, i): StatefulOp[] => {
    const shape = inputs[i]!;
    if (x.kind === "dedupe")
      return [
        {
          kind: "dedupe",
          at: at.step(s.name, i),
          keys: x.key.map((k) => col(shape, k)),
          withinWatermark: x.on !== null,
          watermarkMs: x.on !== null ? watermarkMs : null,
        },
      ];
    if (x.kind !== "aggregate") return [];
    return [
      {
        kind: "aggregate",
        at: at.step(s.name, i),
        window: x.window && { on: x.window.on, sizeMs: x.window.sizeMs, slideMs: x.window.slideMs },
        watermarkMs: x.window ? watermarkMs : null,
        groupBy: x.groupBy.map((g) => col(shape, g)),
        aggregates: x.aggregates.map((a) => ({
          name: a.name,
          fn: a.fn,
          column: a.column,
          type: a.column === null ? null : col(shape, a.column).type,
        })),
      },
    ];
  });
}

/** One line per quality rule and step: what a change to the job's record handling shows as. */
function transform(s: Stream): string[] {
  const quality = s.quality.map(
    (q) =>
      `quality ${q.name}: ${q.kind} ${q.kind === "check" ? q.expr : q.kind === "enum" ? `${q.columns[0]} in ${JSON.stringify(q.values)}` : q.columns.join(", ")}`,
  );
  const invalid =
    s.onInvalid.kind === "drop"
      ? "onInvalid: drop"
      : `onInvalid: dead letter ${s.onInvalid.topic.name}`;
  return [...quality, invalid, ...s.steps.map(stepText)];
}

function stepText(x: StreamStep): string {
  switch (x.kind) {
    case "filter":
      return `filter ${x.expr}`;
    case "select":
    case "drop":
      return `${x.kind} ${x.columns.join(", ")}`;
    case "rename":
      return `rename ${Object.entries(x.columns)
        .map(([a, b]) => `${a} -> ${b}`)
        .join(", ")}`;
    case "derive":
      return `derive ${Object.entries(x.columns)
        .map(([n, d]) => `${n} = ${d.expr} (${typeText(d.field)})`)
        .join(", ")}`;
    case "dedupe":
      return `dedupe ${x.key.join(", ")}${x.on ? ` on ${x.on}` : ""}`;
    case "join":
      return `join ${x.how} ${x.connection.name}.${x.table} on ${x.on.join(", ")} select ${x.select.join(", ")}`;
    case "aggregate":
      return `aggregate ${x.aggregates.map((a) => `${a.name} = ${a.fn}(${a.column ?? "*"})`).join(", ")} by ${x.groupBy.join(", ")}${x.window ? ` window ${x.window.sizeMs}ms` : ""}`;
  }
}

function streamSource(s: Stream): QuerySource {
  return {
    topic: s.from.topic.name,
    format: s.from.topic.format,
    startingOffsets: s.from.startingOffsets,
    maxOffsetsPerTrigger: s.from.maxOffsetsPerTrigger,
    failOnDataLoss: s.from.failOnDataLoss,
  };
}

function streamJob(p: Pipeline, s: Stream, sinkKeys: ReadonlyMap<object, string>): JobState {
  const source = streamSource(s);
  const stateful = statefulOps(s);
  const checkpoint = (q: string) => sparkCheckpoint(p.name, s.name, q, s.stateVersion);
  const queries: Record<string, QueryState> = {};
  if (s.onInvalid.kind === "deadLetter")
    queries[streamQueries.deadLetter] = {
      at: at.stream(s.name, "onInvalid"),
      // Stateless: it keeps its checkpoint whatever the stream's state version.
      checkpoint: sparkCheckpoint(p.name, s.name, streamQueries.deadLetter, 1),
      source,
      outputMode: "append",
      stateful: [],
      sinks: [],
      path: null,
    };
  const batch = s.sinks.filter((x) => x.kind !== "files");
  if (batch.length)
    queries[streamQueries.sinks] = {
      at: at.stream(s.name, "to"),
      checkpoint: checkpoint(streamQueries.sinks),
      source,
      outputMode: outputModeOf(s),
      stateful,
      sinks: batch.map((x) => sinkKeys.get(x)!),
      path: null,
    };
  s.sinks.forEach((x, i) => {
    if (x.kind !== "files") return;
    const name = sparkNames.fileSink(i);
    queries[name] = {
      at: at.sink(s.name, i),
      checkpoint: checkpoint(name),
      source,
      outputMode: "append",
      stateful,
      sinks: [sinkKeys.get(x)!],
      path: valueText(filePath(x.connection, x.path)),
    };
  });
  return {
    at: at.stream(s.name),
    kind: "stream",
    shufflePartitions: p.platform.spark.shufflePartitions,
    longRunning: s.trigger.kind === "every",
    stateVersion: s.stateVersion,
    trigger: s.trigger.kind === "every" ? `every ${s.trigger.everyMs}ms` : "availableNow",
    transform: transform(s),
    queries,
  };
}

function archiveJob(p: Pipeline, a: Archive): JobState {
  const source: QuerySource = {
    topic: a.from.name,
    format: a.from.format,
    startingOffsets: "earliest",
    maxOffsetsPerTrigger: null,
    failOnDataLoss: true,
  };
  const path = valueText(filePath(a.to.connection, a.to.path));
  const query = (q: string, where: string): QueryState => ({
    at: at.archive(a.name, "to"),
    checkpoint: sparkCheckpoint(p.name, a.name, q, 1),
    source,
    outputMode: "append",
    stateful: [],
    sinks: [],
    path: where,
  });
  return {
    at: at.archive(a.name),
    kind: "archive",
    shufflePartitions: p.platform.spark.shufflePartitions,
    longRunning: false,
    stateVersion: 1,
    trigger: "availableNow",
    transform: [],
    queries: {
      [archiveQueries.records]: query(archiveQueries.records, path),
      [archiveQueries.undecodable]: query(archiveQueries.undecodable, `${path}/_undecodable`),
    },
  };
}

export function jobStates(p: Pipeline): Record<string, JobState> {
  const keys = new Map<object, string>();
  for (const s of p.streams) s.sinks.forEach((x, i) => keys.set(x, sinkKey(p, s, i)));
  const out: Record<string, JobState> = {};
  for (const s of p.streams) out[s.name] = streamJob(p, s, keys);
  for (const a of p.archive) out[a.name] = archiveJob(p, a);
  return out;
}
