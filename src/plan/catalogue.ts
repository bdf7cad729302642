/**
 * The rule catalogue of `pipegen plan`: every rule id with its class and system, and what it is
 * about in one line. The README documents each with an example; a unit test keeps the two in
 * step, and the fixture suite (test/unit/plan/) shows each rule firing and a near miss not.
 */
import type { RuleClass, System } from "./types.js";

interface Rule {
  class: RuleClass;
  system: System;
  summary: string;
}

const rule = (system: System, cls: RuleClass, summary: string): Rule => ({
  class: cls,
  system,
  summary,
});

export const catalogue = {
  KAFKA_TOPIC_ADDED: rule("kafka", "safe", "a topic is added"),
  KAFKA_TOPIC_REMOVED: rule("kafka", "care", "a topic is no longer in the spec"),
  KAFKA_PARTITIONS_DECREASED: rule("kafka", "breaking", "a topic's partitions are decreased"),
  KAFKA_PARTITIONS_INCREASED: rule("kafka", "care", "a topic's partitions are increased"),
  KAFKA_REPLICATION_FACTOR_CHANGED: rule(
    "kafka",
    "breaking",
    "a topic's replication factor changes from one number to another",
  ),
  KAFKA_REPLICATION_FACTOR_SET: rule(
    "kafka",
    "care",
    "a topic's replication factor, the cluster's default so far, is set",
  ),
  KAFKA_COMPACT_KEYLESS_WRITER: rule(
    "kafka",
    "breaking",
    "a topic becomes compacted while something writes records without a key to it",
  ),
  KAFKA_CLEANUP_POLICY_CHANGED: rule("kafka", "care", "a topic's cleanup.policy changes"),
  KAFKA_RETENTION_SHORTENED: rule(
    "kafka",
    "care",
    "a topic keeps its records for less time or space",
  ),
  KAFKA_CONFIG_CHANGED: rule("kafka", "safe", "another topic config changes (or retention grows)"),
  KAFKA_TOPIC_FORMAT_CHANGED: rule(
    "kafka",
    "breaking",
    "a topic's records change format (avro, json)",
  ),

  SCHEMA_SUBJECT_ADDED: rule("registry", "safe", "a topic gets a schema (a new registry subject)"),
  SCHEMA_SUBJECT_REMOVED: rule("registry", "care", "a registry subject is no longer registered"),
  SCHEMA_INCOMPATIBLE: rule(
    "registry",
    "breaking",
    "a new schema version breaks the subject's compatibility level (the registry answers 409)",
  ),
  SCHEMA_LOGICAL_TYPE_CHANGED: rule(
    "registry",
    "breaking",
    "a field keeps its Avro type but changes its logical type, precision or scale",
  ),
  SCHEMA_CHANGED_COMPATIBLE: rule(
    "registry",
    "safe",
    "a new schema version that the subject's compatibility level accepts",
  ),
  SCHEMA_COMPATIBILITY_CHANGED: rule("registry", "care", "a subject's compatibility level changes"),

  SPARK_QUERY_ADDED: rule("spark", "safe", "a streaming query is added"),
  SPARK_QUERY_REMOVED: rule("spark", "care", "a streaming query is no longer run"),
  SPARK_STREAM_RENAMED: rule(
    "spark",
    "breaking",
    "a stream is renamed (its queries get new checkpoints, its DAG a new id)",
  ),
  SPARK_SOURCE_TOPIC_CHANGED: rule("spark", "breaking", "a query reads another topic"),
  SPARK_STATEFUL_OPERATOR_ADDED: rule("spark", "breaking", "a stateful operator is added"),
  SPARK_STATEFUL_OPERATOR_REMOVED: rule("spark", "breaking", "a stateful operator is removed"),
  SPARK_STATEFUL_OPERATOR_CHANGED: rule(
    "spark",
    "breaking",
    "a stateful operator changes kind (dedupe within a watermark or forever, aggregation)",
  ),
  SPARK_STATE_KEY_CHANGED: rule(
    "spark",
    "breaking",
    "the group or dedupe keys of a stateful operator change (number, names or types)",
  ),
  SPARK_AGGREGATES_CHANGED: rule("spark", "breaking", "the aggregates of an aggregation change"),
  SPARK_WINDOW_CHANGED: rule("spark", "breaking", "a window's size, slide or time column changes"),
  SPARK_WATERMARK_CHANGED: rule("spark", "care", "the watermark's delay changes"),
  SPARK_SHUFFLE_PARTITIONS_CHANGED: rule(
    "spark",
    "care",
    "spark.sql.shuffle.partitions changes (a checkpoint keeps its own)",
  ),
  SPARK_OUTPUT_MODE_CHANGED: rule("spark", "care", "a query's output mode changes"),
  SPARK_STATE_VERSION_RAISED: rule(
    "spark",
    "care",
    "stateVersion gives a stream's stateful queries new checkpoints (the way out of a breaking state change)",
  ),
  SPARK_CHECKPOINT_ROOT_CHANGED: rule(
    "spark",
    "breaking",
    "the checkpoint root changes: every query starts on a new checkpoint",
  ),
  SPARK_FILE_SINK_NEW_CHECKPOINT: rule(
    "spark",
    "breaking",
    "a query that writes files gets a new checkpoint over output an earlier one wrote",
  ),
  SPARK_FILE_SINK_PATH_CHANGED: rule("spark", "care", "a query that writes files writes elsewhere"),
  SPARK_DECODER_SCHEMA_CHANGED: rule(
    "spark",
    "safe",
    "a job reads its topic into a new schema (each record resolved from the writer's version)",
  ),
  SPARK_DECODER_CANNOT_READ_EARLIER: rule(
    "spark",
    "breaking",
    "a job's new schema cannot read records written with an earlier version (their writer's schema resolved to it fails)",
  ),
  SPARK_STATELESS_STEP_CHANGED: rule(
    "spark",
    "safe",
    "filters, derived columns, projections or lookups change",
  ),
  SPARK_SOURCE_OPTION_CHANGED: rule(
    "spark",
    "safe",
    "startingOffsets, maxOffsetsPerTrigger or failOnDataLoss change",
  ),
  SPARK_TRIGGER_CHANGED: rule("spark", "safe", "a stream's trigger changes"),

  SINK_ADDED: rule("sinks", "safe", "a stream writes to a new table, collection, topic or path"),
  SINK_ADDED_TO_RUNNING_QUERY: rule("sinks", "care", "a query that already runs gets another sink"),
  SINK_REMOVED: rule("sinks", "care", "a sink is no longer written"),
  SINK_COLUMN_ADDED: rule(
    "sinks",
    "breaking",
    "a table sink gets a column its table does not have",
  ),
  SINK_COLUMN_REMOVED_NOT_NULL: rule(
    "sinks",
    "breaking",
    "a NOT NULL column of a table is no longer written",
  ),
  SINK_COLUMN_REMOVED: rule("sinks", "care", "a column or field is no longer written"),
  SINK_COLUMN_RETYPED: rule("sinks", "breaking", "a table column's type changes"),
  SINK_COLUMN_NULLABLE: rule("sinks", "breaking", "a NOT NULL table column may now receive nulls"),
  SINK_FIELD_ADDED: rule("sinks", "safe", "a schemaless sink (MongoDB, Kafka, files) gets a field"),
  SINK_FIELD_RETYPED: rule("sinks", "care", "a schemaless sink's field changes type"),
  SINK_KEY_CHANGED: rule("sinks", "breaking", "a table's or collection's key changes"),
  SINK_KAFKA_KEY_CHANGED: rule("sinks", "care", "a Kafka sink's record key changes"),
  SINK_MODE_CHANGED: rule("sinks", "breaking", "a table sink changes between append and upsert"),
  SINK_BATCH_MARKER_CHANGED: rule(
    "sinks",
    "care",
    "the id a table sink records its committed batches under changes",
  ),

  AIRFLOW_DAG_ADDED: rule("airflow", "safe", "a DAG is added"),
  AIRFLOW_DAG_REMOVED: rule("airflow", "care", "a DAG is removed"),
  AIRFLOW_DAG_RENAMED: rule("airflow", "care", "a DAG gets a new id"),
  AIRFLOW_TASK_ADDED: rule("airflow", "safe", "a DAG gets a task"),
  AIRFLOW_TASK_REMOVED: rule("airflow", "care", "a task is removed or renamed"),
  AIRFLOW_SCHEDULE_CHANGED: rule("airflow", "care", "a DAG's schedule changes"),
  AIRFLOW_START_DATE_CHANGED: rule("airflow", "care", "the DAGs' start date changes"),

  NIFI_COMPONENT_ADDED: rule("nifi", "safe", "a NiFi component is added"),
  NIFI_COMPONENT_REMOVED: rule("nifi", "care", "a NiFi processor, service or port is removed"),
  NIFI_CONNECTION_REMOVED: rule("nifi", "care", "a NiFi connection (a queue) is removed"),
  NIFI_COMPONENT_RECREATED: rule("nifi", "care", "a NiFi component is re-created under a new id"),
  NIFI_SOURCE_STATE_RESET: rule(
    "nifi",
    "breaking",
    "an incremental source starts without its max-value state (it reads the whole table again)",
  ),
  NIFI_PARAMETER_ADDED: rule("nifi", "care", "a parameter without a value is added"),
  NIFI_SENSITIVE_PARAMETER_ADDED: rule("nifi", "care", "a sensitive parameter is added"),
  NIFI_PARAMETER_VALUE_CHANGED: rule("nifi", "care", "a parameter's value in the flow changes"),
  NIFI_PARAMETER_REMOVED: rule("nifi", "safe", "a parameter is no longer used"),
} satisfies Record<string, Rule>;

export type RuleId = keyof typeof catalogue;

export const ruleIds = Object.keys(catalogue) as RuleId[];

export function isRuleId(s: string): s is RuleId {
  return Object.hasOwn(catalogue, s);
}
