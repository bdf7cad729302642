/**
 * The state file of a pipeline (`<pipeline>/pipegen-state.json`): what the running systems hold
 * once this build is deployed, in the terms those systems know things by (topic names, registry
 * subjects, checkpoint folders, tables and their columns, DAG and task ids, NiFi component ids).
 * `pipegen plan` compares two of them. Every entry carries `at`, the JSON pointer of the spec
 * part it comes from, so that a change can be shown at its cause.
 *
 * The format is versioned (`format`); a change to it that an older state file cannot be read
 * with bumps the version.
 */

/** The version of the state file's format. */
export const stateFormat = 1;

/** A column as Spark keeps it in state: the name and the Spark SQL type ("bigint", "decimal(12,2)"). */
export interface StateColumn {
  name: string;
  type: string;
}

export interface TopicState {
  at: string;
  partitions: number;
  /** null: the cluster's default.replication.factor. */
  replicationFactor: number | null;
  configs: Record<string, string>;
  format: "avro" | "json";
  subject: string | null;
  /** What writes records to the topic, and whether every record it writes has a key. */
  writers: Array<{ by: string; at: string; keyed: boolean }>;
  /** What reads the topic. */
  readers: Array<{ by: string; at: string }>;
}

export interface SubjectState {
  at: string;
  topic: string;
  compatibility: string;
  /** The Avro schema registered for the subject (the topic's .avsc without its header). */
  schema: unknown;
  /** Where the record schema is declared. */
  schemaAt: string;
  /** Spark jobs that decode the topic's records with exactly this schema. */
  decodedBy: string[];
}

/** A stateful operator of a streaming query, with what its state's shape depends on. */
export type StatefulOp =
  | {
      kind: "dedupe";
      at: string;
      keys: StateColumn[];
      /** dropDuplicatesWithinWatermark (true) or dropDuplicates, whose state is kept forever. */
      withinWatermark: boolean;
      watermarkMs: number | null;
    }
  | {
      kind: "aggregate";
      at: string;
      window: { on: string; sizeMs: number; slideMs: number | null } | null;
      watermarkMs: number | null;
      groupBy: StateColumn[];
      aggregates: Array<{ name: string; fn: string; column: string | null; type: string | null }>;
    };

export interface QuerySource {
  topic: string;
  format: "avro" | "json";
  startingOffsets: "earliest" | "latest";
  maxOffsetsPerTrigger: number | null;
  failOnDataLoss: boolean;
}

/** One streaming query of a Spark job: its checkpoint and what must stay for a restart from it. */
export interface QueryState {
  at: string;
  /** The checkpoint folder, relative to the checkpoint root. */
  checkpoint: string;
  source: QuerySource;
  /** "append" or "update"; null for a query without stateful operators' output mode concerns. */
  outputMode: "append" | "update";
  stateful: StatefulOp[];
  /** The sinks it writes (keys of `sinks`). */
  sinks: string[];
  /** Where a file-writing query writes (Spark's file sink keeps its batches in <path>/_spark_metadata). */
  path: string | null;
}

export interface JobState {
  at: string;
  kind: "stream" | "archive";
  /** spark.sql.shuffle.partitions: fixed for a query by its checkpoint. */
  shufflePartitions: number;
  /** Long-running (a processing-time trigger) or stopping by itself (availableNow). */
  longRunning: boolean;
  /** The stream's state version: each raise gives its stateful queries new checkpoints. */
  stateVersion: number;
  /** "every 30000ms" or "availableNow". */
  trigger: string;
  /** What the job does to each record, one line per quality rule and step (stateless ones included). */
  transform: string[];
  queries: Record<string, QueryState>;
}

export interface SinkColumn {
  name: string;
  /** pipegen's field type ("long", "decimal(12,2)", ...). */
  type: string;
  required: boolean;
  /** The column's type in the store (the DDL's), null for stores without a declared type. */
  storeType: string | null;
}

export interface SinkState {
  at: string;
  stream: string;
  kind: "jdbc" | "cassandra" | "mongodb" | "kafka" | "files";
  /** postgres, mysql, cassandra, mongodb, kafka, files. */
  dialect: string;
  connection: string | null;
  /** The table ("schema.table"; "keyspace.table" for Cassandra), collection, topic or path. */
  object: string;
  mode: "append" | "upsert";
  key: string[];
  columns: SinkColumn[];
  /** Cassandra's primary key: partition and clustering columns. */
  primaryKey?: { partition: string[]; clustering: string[] };
  /** The id a table sink records its committed micro-batches under (with the query's id). */
  batchMarker: string | null;
  /** A table sink's staging table (created LIKE the sink table when missing). */
  stage: string | null;
}

export interface DagState {
  at: string;
  /** The DAG file, relative to the output root. */
  file: string;
  schedule: string | null;
  startDate: string;
  catchup: boolean;
  tasks: string[];
}

export interface NifiComponentState {
  at: string;
  kind: "processor" | "service" | "connection" | "port" | "group";
  /** The process group (its name) the component is in. */
  group: string;
  name: string;
  type: string;
  /** A processor that keeps state between runs (a max-value column), and what that state is keyed by. */
  state?: { keyedBy: string[] };
  /** A connection's ends and relationships. */
  from?: string;
  to?: string;
}

export interface NifiParameterState {
  at: string;
  sensitive: boolean;
  /** The value the flow definition carries (a literal); null when the deployment sets it. */
  value: string | null;
}

export interface NifiState {
  /** The process group the flow is deployed as. */
  group: string;
  /** By versioned component id. */
  components: Record<string, NifiComponentState>;
  parameters: Record<string, NifiParameterState>;
}

export interface PipelineState {
  format: number;
  pipeline: string;
  spec: string;
  environment: string | null;
  kafka: { topics: Record<string, TopicState> };
  registry: { subjects: Record<string, SubjectState> };
  /** The checkpoint root as written in the spec (a literal, or "${env:NAME}"). */
  spark: { checkpointRoot: string; jobs: Record<string, JobState> };
  sinks: Record<string, SinkState>;
  airflow: { dags: Record<string, DagState> };
  nifi: NifiState | null;
}
