// Before/after pairs for every rule of pipegen plan: `after` edits the base spec so that the
// rule fires; `near` is a near miss, an edit close to it that must not fire it. `before`, when
// given, edits the base spec first (both sides start from it).
import type { RuleId } from "../../../src/plan/catalogue.js";
import type { Spec } from "./base.js";

export interface Case {
  rule: RuleId;
  before?: (s: Spec) => void;
  after: (s: Spec) => void;
  near: (s: Spec) => void;
  /** Earlier versions of subjects, for _TRANSITIVE levels (oldest first). */
  history?: Record<string, unknown[]>;
}

const agg = (s: Spec) => s.streams.agg;
const copy = (s: Spec) => s.streams.copier;
const fields = (s: Spec) => s.schemas.order.fields;
const win = (s: Spec) => agg(s).steps[2];
const schemaTopic = (s: Spec) => (s.topics.extra = { schema: "order", partitions: 1 });
const renamed = (s: Spec, from: string, to: string) => {
  s.streams[to] = s.streams[from];
  delete s.streams[from];
};

export const cases: Case[] = [
  // Kafka
  {
    rule: "KAFKA_TOPIC_ADDED",
    after: (s) => (s.topics.extra = { partitions: 1 }),
    near: (s) => (s.topics.out.partitions = 3),
  },
  {
    rule: "KAFKA_TOPIC_REMOVED",
    after: (s) => {
      agg(s).to.pop();
      delete s.topics.out;
    },
    near: (s) => agg(s).to.pop(),
  },
  {
    rule: "KAFKA_PARTITIONS_DECREASED",
    after: (s) => (s.topics.orders.partitions = 2),
    near: (s) => (s.topics.orders.partitions = 6),
  },
  {
    rule: "KAFKA_PARTITIONS_INCREASED",
    after: (s) => (s.topics.orders.partitions = 6),
    near: (s) => (s.topics.orders.partitions = 2),
  },
  {
    rule: "KAFKA_REPLICATION_FACTOR_CHANGED",
    before: (s) => (s.topics.orders.replicationFactor = 2),
    after: (s) => (s.topics.orders.replicationFactor = 3),
    near: (s) => delete s.topics.orders.replicationFactor,
  },
  {
    rule: "KAFKA_REPLICATION_FACTOR_SET",
    after: (s) => (s.topics.orders.replicationFactor = 3),
    near: (s) => (s.topics.orders.minInsyncReplicas = 1),
  },
  {
    rule: "KAFKA_COMPACT_KEYLESS_WRITER",
    after: (s) => (s.topics.dlq.cleanupPolicy = "compact"),
    near: (s) => (s.topics.out.cleanupPolicy = "compact"),
  },
  {
    rule: "KAFKA_CLEANUP_POLICY_CHANGED",
    after: (s) => (s.topics.out.cleanupPolicy = "compact"),
    near: (s) => (s.topics.dlq.cleanupPolicy = "compact"),
  },
  {
    rule: "KAFKA_RETENTION_SHORTENED",
    after: (s) => (s.topics.orders.retention = "1d"),
    near: (s) => (s.topics.orders.retention = "30d"),
  },
  {
    rule: "KAFKA_CONFIG_CHANGED",
    after: (s) => (s.topics.orders.retention = "30d"),
    near: (s) => (s.topics.orders.retention = "1d"),
  },
  {
    rule: "KAFKA_TOPIC_FORMAT_CHANGED",
    before: (s) => (s.topics.extra = { schema: "order", partitions: 1, format: "json" }),
    after: (s) => (s.topics.extra.format = "avro"),
    near: (s) => (s.topics.extra.compression = "zstd"),
  },
  // Registry
  {
    rule: "SCHEMA_SUBJECT_ADDED",
    after: schemaTopic,
    near: (s) => (s.topics.extra = { partitions: 1 }),
  },
  {
    rule: "SCHEMA_SUBJECT_REMOVED",
    before: schemaTopic,
    after: (s) => delete s.topics.extra,
    near: (s) => (s.topics.extra.partitions = 2),
  },
  {
    rule: "SCHEMA_INCOMPATIBLE",
    after: (s) => (fields(s).qty = { type: "int", required: true }),
    near: (s) => (fields(s).qty = { type: "int" }),
  },
  {
    rule: "SCHEMA_LOGICAL_TYPE_CHANGED",
    after: (s) => (fields(s).amount.scale = 3),
    near: (s) => (fields(s).qty = { type: "int" }),
  },
  {
    rule: "SCHEMA_CHANGED_COMPATIBLE",
    after: (s) => (fields(s).qty = { type: "int" }),
    near: (s) => (fields(s).qty = { type: "int", required: true }),
  },
  {
    rule: "SCHEMA_COMPATIBILITY_CHANGED",
    after: (s) => (s.topics.orders.compatibility = "FULL"),
    near: (s) => delete s.topics.orders.compatibility,
  },
  // Spark
  {
    rule: "SPARK_QUERY_ADDED",
    after: (s) => agg(s).to.push({ connection: "lake", path: "agg", format: "parquet" }),
    near: (s) =>
      agg(s).to.push({
        connection: "pg",
        table: "per_minute_2",
        mode: "upsert",
        key: ["customer", "window_start"],
      }),
  },
  {
    rule: "SPARK_QUERY_REMOVED",
    after: (s) => delete s.streams.copier,
    near: (s) => agg(s).to.pop(),
  },
  {
    rule: "SPARK_STREAM_RENAMED",
    after: (s) => renamed(s, "agg", "agg2"),
    near: (s) => {
      renamed(s, "agg", "agg2");
      s.streams.agg2.to[0].table = "per_minute_2";
    },
  },
  {
    rule: "SPARK_SOURCE_TOPIC_CHANGED",
    before: schemaTopic,
    after: (s) => (agg(s).from.topic = "extra"),
    near: (s) => (agg(s).from.startingOffsets = "latest"),
  },
  {
    rule: "SPARK_STATEFUL_OPERATOR_ADDED",
    after: (s) => copy(s).steps.push({ dedupe: { key: ["id"] } }),
    near: (s) => copy(s).steps.push({ filter: "id > 0" }),
  },
  {
    rule: "SPARK_STATEFUL_OPERATOR_REMOVED",
    after: (s) => agg(s).steps.splice(1, 1),
    near: (s) => agg(s).steps.splice(0, 1),
  },
  {
    rule: "SPARK_STATEFUL_OPERATOR_CHANGED",
    after: (s) => (agg(s).steps[1] = { dedupe: { key: ["id"] } }),
    near: (s) => (agg(s).steps[1].dedupe.watermark = "7m"),
  },
  {
    rule: "SPARK_STATE_KEY_CHANGED",
    after: (s) => win(s).groupBy.push("note"),
    near: (s) => (win(s).aggregate.mx = "max(amount)"),
  },
  {
    rule: "SPARK_AGGREGATES_CHANGED",
    after: (s) => (win(s).aggregate.mx = "max(amount)"),
    near: (s) => (win(s).window.size = "5m"),
  },
  {
    rule: "SPARK_WINDOW_CHANGED",
    after: (s) => (win(s).window.size = "5m"),
    near: (s) => (win(s).window.watermark = "20m"),
  },
  {
    rule: "SPARK_WATERMARK_CHANGED",
    after: (s) => (win(s).window.watermark = "20m"),
    near: (s) => (win(s).window.size = "5m"),
  },
  {
    rule: "SPARK_SHUFFLE_PARTITIONS_CHANGED",
    after: (s) => (s.platform.spark.shufflePartitions = 8),
    near: (s) => (agg(s).resources = { executorMemory: "2g" }),
  },
  {
    rule: "SPARK_OUTPUT_MODE_CHANGED",
    after: (s) => (agg(s).to[0].mode = "append"),
    near: (s) => (copy(s).to[0].mode = "append"),
  },
  {
    rule: "SPARK_STATE_VERSION_RAISED",
    after: (s) => {
      win(s).window.size = "5m";
      agg(s).stateVersion = 2;
    },
    near: (s) => (win(s).window.size = "5m"),
  },
  {
    rule: "SPARK_CHECKPOINT_ROOT_CHANGED",
    after: (s) => (s.platform.spark.checkpointRoot = "/ckpt2"),
    near: (s) => (s.environments = { dev: { platform: { spark: { checkpointRoot: "/ckpt2" } } } }),
  },
  {
    rule: "SPARK_FILE_SINK_NEW_CHECKPOINT",
    after: (s) =>
      copy(s).to.unshift({ connection: "pg", table: "orders_copy", mode: "upsert", key: ["id"] }),
    near: (s) =>
      copy(s).to.push({ connection: "pg", table: "orders_copy", mode: "upsert", key: ["id"] }),
  },
  {
    rule: "SPARK_FILE_SINK_PATH_CHANGED",
    after: (s) => (copy(s).to[3].path = "orders_copy_2"),
    near: (s) => copy(s).steps.push({ filter: "id > 0" }),
  },
  {
    rule: "SPARK_DECODER_SCHEMA_CHANGED",
    after: (s) => (fields(s).qty = { type: "int" }),
    near: (s) => (fields(s).note.doc = "A note."),
  },
  {
    // FORWARD lets a required field in without a default: readers of the new schema cannot
    // read the records written before.
    rule: "SPARK_DECODER_CANNOT_READ_EARLIER",
    before: (s) => (s.topics.orders.compatibility = "FORWARD"),
    after: (s) => (fields(s).qty = { type: "int", required: true }),
    near: (s) => (fields(s).qty = { type: "int" }),
  },
  {
    rule: "SPARK_STATELESS_STEP_CHANGED",
    after: (s) => (agg(s).steps[0].filter = "amount > 0"),
    near: (s) => (win(s).window.size = "5m"),
  },
  {
    rule: "SPARK_SOURCE_OPTION_CHANGED",
    after: (s) => (agg(s).from.startingOffsets = "latest"),
    near: (s) => (agg(s).trigger = { every: "1m" }),
  },
  {
    rule: "SPARK_TRIGGER_CHANGED",
    after: (s) => (agg(s).trigger = { every: "1m" }),
    near: (s) => (agg(s).from.maxOffsetsPerTrigger = 1000),
  },
  // Sinks
  {
    rule: "SINK_ADDED",
    after: (s) => agg(s).to.push({ connection: "lake", path: "agg", format: "parquet" }),
    near: (s) =>
      agg(s).to.push({
        connection: "pg",
        table: "per_minute_2",
        mode: "upsert",
        key: ["customer", "window_start"],
      }),
  },
  {
    rule: "SINK_ADDED_TO_RUNNING_QUERY",
    after: (s) =>
      agg(s).to.push({
        connection: "pg",
        table: "per_minute_2",
        mode: "upsert",
        key: ["customer", "window_start"],
      }),
    near: (s) => agg(s).to.push({ connection: "lake", path: "agg", format: "parquet" }),
  },
  { rule: "SINK_REMOVED", after: (s) => agg(s).to.pop(), near: (s) => delete agg(s).to[1].key },
  {
    rule: "SINK_COLUMN_ADDED",
    after: (s) => copy(s).steps.push({ derive: { twice: { expr: "amount * 2", type: "long" } } }),
    near: (s) => (fields(s).extra = { type: "string" }),
  },
  {
    rule: "SINK_COLUMN_REMOVED_NOT_NULL",
    after: (s) => (copy(s).steps[0].select = ["id", "amount", "note", "at"]),
    near: (s) => (copy(s).steps[0].select = ["id", "customer", "amount", "at"]),
  },
  {
    rule: "SINK_COLUMN_REMOVED",
    after: (s) => (copy(s).steps[0].select = ["id", "customer", "amount", "at"]),
    near: (s) => (copy(s).steps[0].select = ["id", "customer", "amount", "note", "at"].reverse()),
  },
  {
    rule: "SINK_COLUMN_RETYPED",
    after: (s) => (fields(s).amount.precision = 12),
    near: (s) => (fields(s).amount.doc = "In euros."),
  },
  {
    rule: "SINK_COLUMN_NULLABLE",
    before: (s) => (fields(s).note.required = true),
    after: (s) => (fields(s).note.required = false),
    near: (s) => (fields(s).note.doc = "A note."),
  },
  {
    rule: "SINK_FIELD_ADDED",
    after: (s) => copy(s).steps.push({ derive: { twice: { expr: "amount * 2", type: "long" } } }),
    near: (s) => (fields(s).extra = { type: "string" }),
  },
  {
    rule: "SINK_FIELD_RETYPED",
    after: (s) => (fields(s).amount.scale = 3),
    near: (s) => (fields(s).amount.doc = "In euros."),
  },
  {
    rule: "SINK_KEY_CHANGED",
    after: (s) => (copy(s).to[0].key = ["id", "customer"]),
    near: (s) => (agg(s).to[1].key = "n"),
  },
  {
    rule: "SINK_KAFKA_KEY_CHANGED",
    after: (s) => (agg(s).to[1].key = "n"),
    near: (s) => (copy(s).to[0].key = ["id", "customer"]),
  },
  {
    rule: "SINK_MODE_CHANGED",
    after: (s) => (copy(s).to[0].mode = "append"),
    near: (s) => (copy(s).to[0].key = ["id", "customer"]),
  },
  {
    rule: "SINK_BATCH_MARKER_CHANGED",
    after: (s) => copy(s).to.unshift({ topic: "out" }),
    near: (s) => copy(s).to.push({ topic: "out" }),
  },
  // Airflow
  {
    rule: "AIRFLOW_DAG_ADDED",
    after: (s) =>
      (s.archive.weekly = {
        from: { topic: "orders" },
        to: { connection: "lake", path: "weekly" },
        schedule: "@weekly",
      }),
    near: (s) => (s.archive.daily.schedule = "@weekly"),
  },
  {
    rule: "AIRFLOW_DAG_REMOVED",
    after: (s) => delete s.archive,
    near: (s) => (s.archive.daily.schedule = "@weekly"),
  },
  {
    rule: "AIRFLOW_DAG_RENAMED",
    after: (s) => renamed(s, "copier", "copier2"),
    near: (s) => {
      renamed(s, "copier", "copier2");
      s.streams.copier2.to[0].table = "orders_copy_2";
    },
  },
  {
    rule: "AIRFLOW_TASK_ADDED",
    after: schemaTopic,
    near: (s) => (s.topics.extra = { partitions: 1 }),
  },
  {
    rule: "AIRFLOW_TASK_REMOVED",
    after: (s) => delete s.ingest,
    near: (s) => (s.ingest.load.from.every = "2m"),
  },
  {
    rule: "AIRFLOW_SCHEDULE_CHANGED",
    after: (s) => (copy(s).trigger.schedule = "*/10 * * * *"),
    near: (s) => (agg(s).trigger = { every: "1m" }),
  },
  {
    rule: "AIRFLOW_START_DATE_CHANGED",
    after: (s) => (s.orchestration.startDate = "2025-02-01"),
    near: (s) => (s.orchestration.retries = 5),
  },
  // NiFi
  {
    rule: "NIFI_COMPONENT_ADDED",
    after: (s) => s.ingest.load.steps.push({ setAttributes: { source: "shop" } }),
    near: (s) => (s.ingest.load.onError.retries = 5),
  },
  {
    rule: "NIFI_COMPONENT_REMOVED",
    before: (s) => s.ingest.load.steps.push({ setAttributes: { source: "shop" } }),
    after: (s) => s.ingest.load.steps.pop(),
    near: (s) => (s.ingest.load.steps[1].setAttributes.source = "web"),
  },
  {
    rule: "NIFI_CONNECTION_REMOVED",
    before: (s) => s.ingest.load.steps.push({ setAttributes: { source: "shop" } }),
    after: (s) => s.ingest.load.steps.pop(),
    near: (s) => (s.ingest.load.steps[1].setAttributes.source = "web"),
  },
  {
    rule: "NIFI_COMPONENT_RECREATED",
    after: (s) => s.ingest.load.steps.unshift({ setAttributes: { source: "shop" } }),
    near: (s) => s.ingest.load.steps.push({ setAttributes: { source: "shop" } }),
  },
  {
    rule: "NIFI_SOURCE_STATE_RESET",
    after: (s) => (s.ingest.load.from.incrementalColumn = "id"),
    near: (s) => (s.ingest.load.from.every = "2m"),
  },
  {
    rule: "NIFI_PARAMETER_ADDED",
    after: (s) => (s.connections.src.host = "${env:SRC_HOST}"),
    near: (s) => (s.connections.src.host = "src-db-2"),
  },
  {
    rule: "NIFI_SENSITIVE_PARAMETER_ADDED",
    after: (s) => (s.connections.src.password = "${secret:SRC_PW_2}"),
    near: (s) => (s.connections.src.user = "ingest2"),
  },
  {
    rule: "NIFI_PARAMETER_VALUE_CHANGED",
    after: (s) => (s.connections.src.host = "src-db-2"),
    near: (s) => (s.connections.src.host = "${env:SRC_HOST}"),
  },
  {
    rule: "NIFI_PARAMETER_REMOVED",
    after: (s) => (s.connections.src.host = "${env:SRC_HOST}"),
    near: (s) => (s.connections.src.host = "src-db-2"),
  },
];
