/** Spark jobs and their streaming queries: what a restart from the same checkpoint meets. */
import type { JobState, PipelineState, QueryState } from "../../emit/state/index.js";
import type { Comparison, Finding } from "../types.js";
import { keyDiff, same, words } from "./common.js";
import { statefulChanges, type QueryAt } from "./stateful.js";

const objectOf = (job: string, query: string) => `query ${job}/${query}`;

/** What a query that starts on a new checkpoint does, from its startingOffsets, for its sinks. */
export function freshStart(s: PipelineState, q: QueryState): string {
  const sinks = q.sinks.map((k) => s.sinks[k]).filter((x) => x !== undefined);
  const twice = sinks
    .filter((x) => x.mode === "append")
    .map((x) =>
      x.kind === "kafka"
        ? `topic ${x.object}`
        : x.kind === "files"
          ? `files ${x.object}`
          : `table ${x.object}`,
    );
  const tables = sinks.filter((x) => x.mode === "upsert");
  const stateful = q.stateful.length > 0;
  if (q.source.startingOffsets === "latest")
    return (
      `it starts at the end of ${q.source.topic}: records that arrive between the old query's last batch and the new query's start are never processed` +
      (stateful
        ? ", and the state starts empty: a window still open at the switch is written with only the records after it (an upsert overwrites the fuller row written before)"
        : "")
    );
  const parts = [
    `it reads ${q.source.topic} from its first retained record${stateful ? ", with empty state" : ""}`,
  ];
  if (tables.length)
    parts.push(
      "its batches are recorded under the new query's id, so table sinks skip none of them: " +
        (stateful
          ? "upsert tables are rewritten with results recomputed from the retained records (a window whose records the topic no longer holds is rewritten with what is left)"
          : "upsert tables and collections end with the same rows"),
    );
  if (twice.length)
    parts.push(
      `${words(twice)} receive${twice.length === 1 ? "s" : ""} every re-read record a second time`,
    );
  return parts.join("; ");
}

/** Rows of the old query that the new one's results do not overwrite (a changed aggregation's). */
function leftOver(c: Comparison, a: QueryState, b: QueryState): string {
  const tables = a.sinks
    .map((k) => c.after.sinks[k])
    .filter((x) => x && x.kind !== "kafka" && x.kind !== "files");
  return tables.length && !same(a.stateful, b.stateful)
    ? "; the rows the old query wrote stay in its tables where the new results do not replace them (windows of another size or start, groups no longer made)"
    : "";
}

function stateVersionRaised(
  c: Comparison,
  job: string,
  name: string,
  b: QueryState,
  a: QueryState,
): Finding[] {
  const out: Finding[] = [
    {
      rule: "SPARK_STATE_VERSION_RAISED",
      object: objectOf(job, name),
      action: "-/+",
      at: [c.after.spark.jobs[job]!.at + "/stateVersion", a.at],
      message: `new checkpoint ${a.checkpoint} (was ${b.checkpoint}): ${freshStart(c.after, a)}${leftOver(c, a, b)}; the old checkpoint stays`,
      hint: "stop the old job before the new one starts (SIGTERM lets its last batch finish); delete the old checkpoint once the new query runs",
    },
  ];
  if (a.path !== null && a.path === b.path) out.push(fileSinkNewCheckpoint(job, name, a));
  return out;
}

function fileSinkNewCheckpoint(job: string, name: string, a: QueryState): Finding {
  return {
    rule: "SPARK_FILE_SINK_NEW_CHECKPOINT",
    object: objectOf(job, name),
    action: "-/+",
    at: a.at,
    message: `the query writes ${a.path} from a new checkpoint (${a.checkpoint}); Spark's file sink records its batches in ${a.path}/_spark_metadata and would skip the new checkpoint's first batches as already written, so the job refuses to start (exit 1)`,
    hint: "keep the sinks in their order (a files sink's checkpoint is named by its place in 'to'), or write the files to a new path",
  };
}

function queryChanges(
  c: Comparison,
  job: string,
  name: string,
  b: QueryState,
  a: QueryState,
): Finding[] {
  if (c.before.spark.checkpointRoot !== c.after.spark.checkpointRoot)
    return a.path !== null && a.path === b.path ? [fileSinkNewCheckpoint(job, name, a)] : [];
  if (a.checkpoint !== b.checkpoint) return stateVersionRaised(c, job, name, b, a);
  const j = c.after.spark.jobs[job]!;
  const q: QueryAt = {
    object: objectOf(job, name),
    stream: j.kind === "stream" ? job : null,
    stateVersion: j.stateVersion,
  };
  const out: Finding[] = [];
  if (a.source.topic !== b.source.topic)
    out.push({
      rule: "SPARK_SOURCE_TOPIC_CHANGED",
      object: q.object,
      action: "~",
      at: `${j.at}/from/topic`,
      message: `source ${b.source.topic} -> ${a.source.topic}: the checkpoint holds offsets of ${b.source.topic}'s partitions, which the query no longer reads (Spark's guide: not allowed, the results are unpredictable); ${a.source.failOnDataLoss ? "with failOnDataLoss Spark takes them for lost data and the restart fails ('Some data may have been lost because they are not available in Kafka any more'), at every restart" : `without failOnDataLoss it reads ${a.source.topic} from its start`}`,
      hint:
        j.kind === "stream"
          ? `raise the stream's state version (stateVersion: ${j.stateVersion + 1}) so that it starts on new checkpoints, or add a new stream for the new topic`
          : "add a new archive for the new topic",
    });
  const { topic: _bt, ...bOpts } = b.source;
  const { topic: _at, ...aOpts } = a.source;
  if (!same(bOpts, aOpts))
    out.push({
      rule: "SPARK_SOURCE_OPTION_CHANGED",
      object: q.object,
      action: "~",
      at: `${j.at}/from`,
      message: `source options ${JSON.stringify(bOpts)} -> ${JSON.stringify(aOpts)}: allowed between restarts; startingOffsets only counts for a new checkpoint, a restart continues from the checkpoint's offsets`,
    });
  if (a.outputMode !== b.outputMode && a.stateful.length)
    out.push({
      rule: "SPARK_OUTPUT_MODE_CHANGED",
      object: q.object,
      action: "~",
      at: `${j.at}/to`,
      message: `output mode ${b.outputMode} -> ${a.outputMode}: ${a.outputMode === "append" ? "an aggregation's rows are written once, when the watermark passes their window's end, not at every update" : "an aggregation's rows are written at every micro-batch that updates them"}`,
    });
  if (a.path !== b.path)
    out.push({
      rule: "SPARK_FILE_SINK_PATH_CHANGED",
      object: q.object,
      action: "~",
      at: a.at,
      message: `files ${b.path} -> ${a.path} from the same checkpoint: the new path gets the batches from now on; what was written stays at ${b.path}`,
    });
  out.push(...statefulChanges(q, b.stateful, a.stateful, a.at));
  return out;
}

function jobChanges(c: Comparison, name: string, b: JobState, a: JobState): Finding[] {
  const out: Finding[] = [];
  const object = `job ${name}`;
  if (a.trigger !== b.trigger)
    out.push({
      rule: "SPARK_TRIGGER_CHANGED",
      object,
      action: "~",
      at: `${a.at}/trigger`,
      message: `trigger ${b.trigger} -> ${a.trigger}: allowed between restarts; ${a.longRunning !== b.longRunning ? "the DAG now " + (a.longRunning ? "keeps the job running" : "runs it on its schedule until it has caught up") : "micro-batches start at the new interval"}`,
    });
  const stateful = Object.values(a.queries).some((x) => x.stateful.length);
  if (a.shufflePartitions !== b.shufflePartitions && stateful)
    out.push({
      rule: "SPARK_SHUFFLE_PARTITIONS_CHANGED",
      object,
      action: "~",
      at: "/platform/spark/shufflePartitions",
      message: `spark.sql.shuffle.partitions ${b.shufflePartitions} -> ${a.shufflePartitions}: the state is split into the checkpoint's number of partitions, so a query restarting from its checkpoint keeps ${b.shufflePartitions} (Spark takes it from the checkpoint and ignores the new value); only new checkpoints get ${a.shufflePartitions}`,
      hint: `to use ${a.shufflePartitions} partitions for the state, raise the stream's state version`,
    });
  const stateless = (t: string[]) => t.filter((x) => !/^(dedupe|aggregate) /.test(x));
  if (!same(stateless(a.transform), stateless(b.transform)))
    out.push({
      rule: "SPARK_STATELESS_STEP_CHANGED",
      object,
      action: "~",
      at: `${a.at}/steps`,
      message:
        "quality rules, filters, derived columns, projections or lookups change: Spark allows such changes between restarts from the same checkpoint; records of the next micro-batches go through the new steps",
    });
  const d = keyDiff(b.queries, a.queries);
  const paths = new Set(
    Object.values(c.before.spark.jobs).flatMap((x) => Object.values(x.queries).map((q) => q.path)),
  );
  for (const q of d.added) {
    const x = a.queries[q]!;
    if (x.path !== null && paths.has(x.path)) out.push(fileSinkNewCheckpoint(name, q, x));
    else out.push(queryAdded(c.after, name, q, x));
  }
  for (const q of d.removed) out.push(queryRemoved(c.before, name, q, b.queries[q]!));
  for (const q of d.common) out.push(...queryChanges(c, name, q, b.queries[q]!, a.queries[q]!));
  return out;
}

function queryAdded(_s: PipelineState, job: string, name: string, q: QueryState): Finding {
  return {
    rule: "SPARK_QUERY_ADDED",
    object: objectOf(job, name),
    action: "+",
    at: q.at,
    message: `starts on a new checkpoint (${q.checkpoint}) ${q.source.startingOffsets === "earliest" ? `from the first retained record of ${q.source.topic}` : `at the end of ${q.source.topic} (records already in it are not processed)`}`,
  };
}

function queryRemoved(s: PipelineState, job: string, name: string, q: QueryState): Finding {
  return {
    rule: "SPARK_QUERY_REMOVED",
    object: objectOf(job, name),
    action: "-",
    at: q.at,
    gone: true,
    message: `no longer started; its checkpoint ${s.spark.checkpointRoot}/${q.checkpoint} stays`,
    hint: "a running long-lived job keeps running until it is stopped: stop it (SIGTERM) when the new one is deployed, then delete the checkpoint",
  };
}

/** Removed and added jobs that read the same topic and write the same sinks: renamed. */
export function jobRenames(c: Comparison): Array<[string, string]> {
  const { removed, added } = keyDiff(c.before.spark.jobs, c.after.spark.jobs);
  const sig = (s: PipelineState, j: JobState) => {
    const store = (k: string) =>
      `${s.sinks[k]?.kind}:${s.sinks[k]?.connection}/${s.sinks[k]?.object}`;
    return JSON.stringify(
      Object.values(j.queries)
        .map((q) => [q.source.topic, q.sinks.map(store).sort()])
        .sort(),
    );
  };
  const out: Array<[string, string]> = [];
  for (const r of removed) {
    const b = c.before.spark.jobs[r]!;
    const match = added.find(
      (x) =>
        c.after.spark.jobs[x]!.kind === b.kind &&
        sig(c.after, c.after.spark.jobs[x]!) === sig(c.before, b) &&
        !out.some(([, y]) => y === x),
    );
    if (match) out.push([r, match]);
  }
  return out;
}

function renamed(c: Comparison, from: string, to: string): Finding {
  const a = c.after.spark.jobs[to]!;
  const queries = Object.values(a.queries);
  return {
    rule: "SPARK_STREAM_RENAMED",
    object: `job ${from} -> ${to}`,
    action: "-/+",
    at: a.at,
    message: `a ${a.kind}'s name is its identity on the running systems: its queries start on new checkpoints (${queries.map((q) => q.checkpoint).join(", ")}), and ${queries[0] ? freshStart(c.after, queries.find((q) => q.sinks.length) ?? queries[0]) : ""}; the old checkpoints stay, and its DAG gets a new id (the old one's history is left behind)`,
    hint: `keep the name '${from}' (its doc can say anything); if the new name must be, stop the old job first and accept this rule with an 'except' entry`,
  };
}

export function sparkRules(c: Comparison): Finding[] {
  const out: Finding[] = [];
  const [bRoot, aRoot] = [c.before.spark.checkpointRoot, c.after.spark.checkpointRoot];
  const bJobs = c.before.spark.jobs;
  const aJobs = c.after.spark.jobs;
  const d = keyDiff(bJobs, aJobs);
  if (bRoot !== aRoot && d.common.length)
    out.push({
      rule: "SPARK_CHECKPOINT_ROOT_CHANGED",
      object: "checkpoint root",
      action: "-/+",
      at: [
        ...(c.after.environment
          ? [`/environments/${c.after.environment}/platform/spark/checkpointRoot`]
          : []),
        "/platform/spark/checkpointRoot",
      ],
      message:
        `${bRoot} -> ${aRoot}: every query of ${words(d.common)} starts on a new checkpoint under it, as if it had never run: ` +
        freshStart(c.after, Object.values(aJobs[d.common[0]!]!.queries)[0]!) +
        "; dead letters are written again too",
      hint: "copy the checkpoints to the new root (with the job stopped) before deploying, then accept this rule with an 'except' entry",
    });
  const pairs = jobRenames(c);
  for (const [from, to] of pairs) out.push(renamed(c, from, to));
  for (const name of d.added.filter((x) => !pairs.some(([, y]) => y === x)))
    for (const [q, x] of Object.entries(aJobs[name]!.queries))
      out.push(queryAdded(c.after, name, q, x));
  for (const name of d.removed.filter((x) => !pairs.some(([y]) => y === x)))
    for (const [q, x] of Object.entries(bJobs[name]!.queries))
      out.push(queryRemoved(c.before, name, q, x));
  for (const name of d.common) out.push(...jobChanges(c, name, bJobs[name]!, aJobs[name]!));
  return out;
}
