/**
 * What the Python runner (pipegen_runtime.testing.runner) is given for each test: the stream's
 * generated job, the given records encoded as the topic carries them, how to tell each of the
 * job's sink objects (class and one attribute, as the Spark target writes them), how each
 * sink's store keeps rows (append, or upsert by key), the lookup tables' rows and placeholder
 * values for the environment variables the job reads (nothing is connected to). Pure.
 */
import { sparkNames, sparkPaths, testSinkName } from "../ir/names.js";
import type { Pipeline, Sink, Stream, StreamTest, TestRow } from "../ir/types.js";
import { cassandraInsert } from "../emit/spark/cql.js";
import { sparkJobPlans } from "../emit/spark/submit.js";
import { sparkPackages } from "../emit/spark/versions.js";
import { type KafkaRecord, kafkaBatches } from "./encode.js";

export interface RunnerSink {
  name: string;
  mode: "append" | "upsert";
  key: readonly string[];
  match: { class: string; attr: string; value: string };
}

export interface RunnerTest {
  id: string;
  job: string;
  topic: string;
  batches: KafkaRecord[][];
  sinks: RunnerSink[];
  lookups: Record<string, { columns: readonly string[]; rows: readonly TestRow[] }>;
  env: Record<string, string>;
}

export interface RunnerPlan {
  tests: RunnerTest[];
  session: {
    jars: string[];
    packages: string[];
    ivy?: string;
    shufflePartitions: number;
    /** How many tests run at once. */
    parallel: number;
  };
}

/** A test in the run: where it comes from, and what the runner gets for it. */
export interface PlannedTest {
  pipeline: Pipeline;
  stream: Stream;
  test: StreamTest;
  runner: RunnerTest;
}

/** The test's id in reports: `<pipeline>.<test>`. */
export const testId = (p: Pipeline, t: StreamTest) => `${p.name}.${t.name}`;

/** How the runner tells a sink of the job (see the Spark target's job template). */
function runnerSink(p: Pipeline, s: Stream, sink: Sink, i: number): RunnerSink {
  const name = testSinkName(sink);
  const columns = s.output.map((f) => f.name);
  switch (sink.kind) {
    case "jdbc":
      return {
        name,
        mode: sink.mode,
        key: sink.mode === "upsert" ? sink.key : [],
        match: {
          class: "JdbcTableSink",
          attr: "sink_id",
          value: sparkNames.sinkId(p.name, s.name, i, sink.table),
        },
      };
    case "cassandra":
      return {
        name,
        mode: "upsert",
        key: sink.key,
        match: {
          class: "CassandraSink",
          attr: "insert",
          value: cassandraInsert(sink.connection, sink, columns),
        },
      };
    case "mongodb":
      return {
        name,
        mode: "upsert",
        key: sink.key,
        match: { class: "MongoSink", attr: "collection", value: sink.collection },
      };
    case "kafka":
      return {
        name,
        mode: "append",
        key: [],
        match: { class: "KafkaSink", attr: "topic", value: sink.topic.name },
      };
    case "files":
      return {
        name,
        mode: "append",
        key: [],
        match: {
          class: "FileSink",
          attr: "name",
          value: `${p.name}.${s.name}.${sparkNames.fileSink(i)}`,
        },
      };
  }
}

/** Every test of the pipelines (those `only` names, when given), with the runner's part. */
export function planTests(
  pipelines: readonly Pipeline[],
  jobsDir: string,
  only?: ReadonlySet<string>,
): PlannedTest[] {
  const out: PlannedTest[] = [];
  for (const p of pipelines) {
    const plans = sparkJobPlans(p);
    for (const t of p.tests) {
      if (only && !only.has(t.name) && !only.has(testId(p, t))) continue;
      const stream = p.streams.find((s) => s.name === t.stream)!;
      const env = Object.fromEntries(
        (plans.get(stream.name)?.environment ?? []).map((n) => [n, "0"]),
      );
      const joins = stream.steps.flatMap((x, i) => (x.kind === "join" ? [{ x, i }] : []));
      const lookups = Object.fromEntries(
        t.lookups.map((l) => {
          const j = joins.find((x) => x.i === l.step)!.x;
          const columns = j.kind === "join" ? [...j.on, ...j.select] : [];
          return [sparkNames.lookup(l.step), { columns, rows: l.rows }];
        }),
      );
      out.push({
        pipeline: p,
        stream,
        test: t,
        runner: {
          id: testId(p, t),
          job: `${jobsDir}/${sparkPaths.job(p.name, stream.name)}`,
          topic: stream.from.topic.name,
          batches: kafkaBatches(p, stream.from.topic, t),
          sinks: stream.sinks.map((x, i) => runnerSink(p, stream, x, i)),
          lookups,
          env,
        },
      });
    }
  }
  return out;
}

/** Whether any planned job decodes Avro (its session then needs spark-avro). */
export function needsAvro(tests: readonly PlannedTest[]): boolean {
  return tests.some((t) =>
    (sparkJobPlans(t.pipeline).get(t.stream.name)?.packages ?? []).includes(sparkPackages.avro),
  );
}
