import { sparkCheckpoint, sparkNames, streamQueries } from "../../ir/names.js";
import type { Pipeline, Stream } from "../../ir/types.js";
import { render } from "../shared/templates.js";
import { connectionData, jdbcConnections, jdbcSinkData, lookups } from "./jdbc.js";
import { cassandraConnections, cassandraSinkData, filePath, sinksOf } from "./sinks.js";
import { jobHeader, jobRuntime, sourceData } from "./source.js";
import { interval, sparkSqlType } from "./types.js";

/** The checks every record passes before the steps: required fields, then the quality rules. */
function qualityRules(s: Stream): object[] {
  const schema = s.from.topic.schema!;
  const rules: object[] = [];
  // Avro cannot encode a null in a required field: after decoding, such checks cannot fail,
  // and every column they touch would repeat the decoder in Spark's plan.
  const avroRequired = new Set(
    s.from.topic.format === "avro"
      ? schema.fields.filter((f) => f.required).map((f) => f.name)
      : [],
  );
  for (const f of schema.fields)
    if (f.required && !avroRequired.has(f.name))
      rules.push({
        isNull: true,
        column: f.name,
        reason: `schema: required field ${f.name} is null`,
      });
  // A schema's enum holds on every record, as the quality rules do; a quality enum rule whose
  // values all lie in the schema's enum already checks it.
  for (const f of schema.fields) {
    const covered = s.quality.some(
      (q) =>
        q.kind === "enum" &&
        q.columns[0] === f.name &&
        (q.values ?? []).every((v) => f.enum?.includes(String(v))),
    );
    if (f.enum && !covered)
      rules.push({
        values: f.enum,
        column: f.name,
        reason: `schema: ${f.name} not in the enum of ${schema.name}`,
      });
  }
  for (const q of s.quality) {
    if (q.kind === "notNull")
      for (const c of q.columns.filter((c) => !avroRequired.has(c)))
        rules.push({ isNull: true, column: c, reason: `${q.name}: ${c} is null` });
    else if (q.kind === "check")
      rules.push({ check: q.expr, reason: `${q.name}: check failed: ${q.expr}` });
    else
      rules.push({
        values: q.values,
        column: q.columns[0],
        reason: `${q.name}: ${q.columns[0]} not in the allowed values`,
      });
  }
  return rules;
}

/**
 * Spark allows one watermark per stream: it is defined at the first event-time step, with the
 * longest delay any step asks for, and holds for every stateful step after it. Gives the
 * watermark to the first step that asks, null to the others.
 */
function watermarks(s: Stream): () => string | null {
  const delays = s.steps.flatMap((x) =>
    x.kind === "dedupe" && x.watermarkMs !== null
      ? [x.watermarkMs]
      : x.kind === "aggregate" && x.window
        ? [x.window.watermarkMs]
        : [],
  );
  let watermarkSet = false;
  return () => {
    if (watermarkSet || delays.length === 0) return null;
    watermarkSet = true;
    return interval(Math.max(...delays));
  };
}

/** Where a record was in Kafka, carried through the steps of a stream that upserts. */
const seqColumn = "__pg_seq";

/**
 * A stream whose sinks write by key (a table upsert, MongoDB, Cassandra) and that does not
 * aggregate keeps each record's place in Kafka through its steps: a micro-batch may hold a key
 * twice, and the sink must keep the latest record (an aggregation's rows are one per group).
 */
function ordered(s: Stream): boolean {
  return (
    !s.steps.some((x) => x.kind === "aggregate") &&
    s.sinks.some(
      (x) =>
        (x.kind === "jdbc" && x.mode === "upsert") ||
        x.kind === "mongodb" ||
        x.kind === "cassandra",
    )
  );
}

/** The stream's steps as the job's transform() writes them. */
function stepData(s: Stream, ordered: boolean): object[] {
  const watermark = watermarks(s);
  return s.steps.map((x, i) => {
    switch (x.kind) {
      case "filter":
        return { filter: x.expr };
      case "select":
        return { select: ordered ? [...x.columns, seqColumn] : x.columns };
      case "drop":
        return { drop: x.columns };
      case "derive":
        return {
          derive: Object.entries(x.columns).map(([name, d]) => ({
            name,
            expr: d.expr,
            sqlType: sparkSqlType(d.field),
          })),
        };
      case "rename":
        return { rename: Object.entries(x.columns).map(([from, to]) => ({ from, to })) };
      case "dedupe":
        return {
          dedupe: { key: x.key, on: x.on, watermark: x.on === null ? null : watermark() },
        };
      case "join":
        return { join: { name: sparkNames.lookup(i), on: x.on, how: x.how } };
      case "aggregate":
        return {
          aggregate: {
            window: x.window && {
              on: x.window.on,
              size: interval(x.window.sizeMs),
              slide: x.window.slideMs === null ? null : interval(x.window.slideMs),
              watermark: watermark(),
            },
            groupBy: x.groupBy,
            aggregates: x.aggregates,
          },
        };
    }
  });
}

/** Which rows of a micro-batch a sink receives (pipegen_runtime.spark.sinks.base.Rows). */
type Rows = "all" | "latest" | "one_per_key";

/** What the stream job's sinks need: per kind, in spec order. */
function sinkData(p: Pipeline, s: Stream, latest: boolean) {
  const jdbc = sinksOf(s, "jdbc");
  const kafka = sinksOf(s, "kafka");
  const mongo = sinksOf(s, "mongodb");
  const cassandra = sinksOf(s, "cassandra");
  const byKey: Rows = latest ? "latest" : "all";
  return {
    jdbcSinks: jdbc.map((x) => {
      const d = jdbcSinkData(p, s, x, s.sinks.indexOf(x));
      const rows: Rows =
        latest && x.mode === "upsert" ? "latest" : d.dedupeBatch ? "one_per_key" : "all";
      return { ...d, rows };
    }),
    kafkaSinks: kafka.map((x) => ({ topic: x.topic.name, key: x.key })),
    mongoSinks: mongo.map((x) => ({
      uri: x.connection.uri,
      database: x.connection.database,
      collection: x.collection,
      key: x.key,
      rows: byKey,
    })),
    cassandraSinks: cassandra.map((x) => ({ ...cassandraSinkData(s, x), key: x.key, rows: byKey })),
    cassandraConnections: cassandraConnections(s),
    hasBatchSinks: jdbc.length + kafka.length + mongo.length + cassandra.length > 0,
    // A stream's state version moves its stateful queries to new checkpoints (<query>.v<N>).
    sinksCheckpoint: s.stateVersion > 1 ? checkpointName(s, streamQueries.sinks) : null,
    fileSinks: sinksOf(s, "files").map((x) => ({
      name: sparkNames.fileSink(s.sinks.indexOf(x)),
      checkpoint: checkpointName(s, sparkNames.fileSink(s.sinks.indexOf(x))),
      format: x.format,
      partitionBy: x.partitionBy,
      path: filePath(x.connection, x.path),
    })),
  };
}

/** The checkpoint folder of one of the stream's queries, in the stream's checkpoint folder. */
const checkpointName = (s: Stream, query: string) =>
  sparkCheckpoint("", s.name, query, s.stateVersion).split("/").pop()!;

/**
 * The output mode of a stream's sinks query: update for an aggregation (each micro-batch writes
 * the groups it changed), append without one or when a table sink appends (a window is then
 * written once, when the watermark passes its end).
 */
export function outputModeOf(s: Stream): "append" | "update" {
  const hasAggregate = s.steps.some((x) => x.kind === "aggregate");
  const appendOnly = !hasAggregate || sinksOf(s, "jdbc").some((x) => x.mode === "append");
  return appendOnly ? "append" : "update";
}

/** The modules of pipegen_runtime.spark the job imports: only what it uses (ruff refuses more). */
function runtimeModules(s: Stream): string[] {
  const modules = ["decoding", "jobs", "source"];
  if (s.onInvalid.kind === "deadLetter") modules.push("dead_letters");
  if (s.sinks.length > 0 || lookups(s).length > 0) modules.push("sinks");
  return modules;
}

/** The Structured Streaming job of a stream (Python, rendered from its template). */
export function streamJob(p: Pipeline, s: Stream): string {
  const keepsOrder = ordered(s);
  const output = s.output.map((f) => f.name);
  const rules = qualityRules(s);
  const sinks = sinkData(p, s, keepsOrder);
  return render("spark/stream_job.py.hbs", {
    header: jobHeader(p),
    runtime: jobRuntime(p, s.name, runtimeModules(s)),
    // pyspark.sql.functions: for the quality rules and the steps that build expressions.
    usesFunctions:
      rules.length > 0 ||
      s.steps.some((x) => ["filter", "derive", "join", "aggregate"].includes(x.kind)),
    pipeline: p.name,
    stream: s.name,
    sourceTopic: s.from.topic.name,
    startingOffsets: s.from.startingOffsets,
    maxOffsetsPerTrigger: s.from.maxOffsetsPerTrigger,
    failOnDataLoss: s.from.failOnDataLoss,
    deadLetterTopic: s.onInvalid.kind === "deadLetter" ? s.onInvalid.topic.name : null,
    shufflePartitions: p.platform.spark.shufflePartitions,
    triggerEvery: s.trigger.kind === "every" ? interval(s.trigger.everyMs) : null,
    outputMode: outputModeOf(s),
    ...sourceData(p, s.from.topic),
    connections: jdbcConnections(s).map(connectionData),
    rules,
    steps: stepData(s, keepsOrder),
    output,
    ordered: keepsOrder,
    transformOutput: keepsOrder ? [...output, seqColumn] : output,
    lookups: lookups(s).map((l) => ({
      name: l.name,
      connectionFn: sparkNames.jdbcConnectionFn(l.step.connection.name),
      table: l.step.table,
      columns: [...l.step.on, ...l.step.select],
    })),
    ...sinks,
  });
}
