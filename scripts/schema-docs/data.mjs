// Documentation of `schemas` (record schemas) and `topics` (see index.mjs).

/** A decimal's precision and scale, for schema fields and typed derived columns. */
export const decimalDocs = (at) => ({
  [`${at}.precision`]: {
    description:
      "A decimal's total number of digits, 1 to 38. Required with type decimal (together with scale).",
    examples: [10],
  },
  [`${at}.scale`]: {
    description:
      "A decimal's digits after the decimal point, 0 to 38 and at most precision. Required with type decimal.",
    examples: [2],
  },
});

export const typeDoc =
  "string, int (32-bit), long (64-bit), float, double, boolean, decimal (with precision and scale), timestamp, date or bytes";

export default {
  schemas: {
    description:
      "Record schemas by name. One schema travels the whole pipeline: the source table's columns, NiFi's records, the Avro schema registered for the topic, the Spark job's struct and the sink table's columns.",
    examples: [
      {
        order: {
          key: "order_id",
          fields: {
            order_id: { type: "long", required: true },
            amount: { type: "decimal", precision: 10, scale: 2 },
          },
        },
      },
    ],
  },
  "schemas.*": "One record schema, named by its key; topics and validate steps refer to it.",
  "schemas.*.key": {
    description:
      "The column or columns that identify a record; each must be a required field. One column or a list.",
    examples: ["order_id", ["sensor_id", "read_at"]],
  },
  "schemas.*.fields":
    "The record's fields by column name (lowercase letters, digits and _), in the order records carry them.",
  "schemas.*.fields.*": {
    description:
      "One field: its type, whether it is required, and for decimals precision and scale.",
    examples: [
      { type: "string", required: true },
      { type: "decimal", precision: 10, scale: 2 },
    ],
  },
  "schemas.*.fields.*.type": `The field's type: ${typeDoc}. A timestamp is an Avro timestamp-millis.`,
  "schemas.*.fields.*.required": {
    description:
      "Whether every record has a value. Default: false (the field may be null). NiFi's validation and the Spark jobs check it; a record without a required value is invalid.",
    default: false,
  },
  ...decimalDocs("schemas.*.fields.*"),
  "schemas.*.fields.*.enum": {
    description:
      "The values a string field may take; a record with another value is invalid (it goes to the dead-letter topic, or is dropped).",
    examples: [["NEW", "PAID", "SHIPPED", "CANCELLED"]],
  },
  "schemas.*.fields.*.doc": {
    description: "What the field means; it becomes the doc of the Avro field.",
    examples: ["Degrees Celsius."],
  },
  "schemas.*.doc": "What a record is; it becomes the doc of the Avro record.",

  topics: {
    description:
      "Kafka topics by name: partitions, replication, retention and other topic configs, the record schema and its format. The apply program (run by the ingestion DAG) creates the topics and brings their settings up to date.",
    examples: [{ "orders.raw": { schema: "order", partitions: 6, retention: "7d" } }],
  },
  "topics.*":
    "One Kafka topic, named by its key: lowercase letters, digits, '.', '_' and '-', starting with a letter.",
  "topics.*.schema": {
    description:
      "The record schema of the topic's values (a name under 'schemas'). It is registered in the schema registry as subject <topic>-value. Streams, ingest and archives need their topic to have one.",
    examples: ["order"],
  },
  "topics.*.format":
    "How values are encoded: avro (the default with a schema; Confluent wire format, schema id from the registry) or json (the default without a schema). An avro topic needs a schema.",
  "topics.*.partitions": {
    description:
      "The number of partitions (required). The apply program adds partitions when it grows; it refuses to shrink them.",
    examples: [6],
  },
  "topics.*.replicationFactor": {
    description:
      "How many brokers keep a copy of each partition. Default: the cluster's default.replication.factor. It cannot change once the topic exists (the apply program refuses).",
    examples: [3],
  },
  "topics.*.minInsyncReplicas": {
    description:
      "min.insync.replicas: how many copies must have a record before a write (acks=all) succeeds; at most replicationFactor.",
    examples: [2],
  },
  "topics.*.retention": {
    description:
      "How long records are kept (retention.ms): a duration, or forever. Default: the cluster's.",
    examples: ["7d", "forever"],
  },
  "topics.*.retentionBytes": {
    description:
      "How many bytes a partition keeps before its oldest segments are deleted (retention.bytes), or unlimited. Default: the cluster's.",
    examples: [1073741824, "unlimited"],
  },
  "topics.*.cleanupPolicy":
    "cleanup.policy: delete (old segments are deleted), compact (the latest record of each key is kept) or compact,delete (both). Default: the cluster's.",
  "topics.*.compression":
    "compression.type: how the broker stores records: producer (as the producer compressed them), zstd, lz4, snappy, gzip or uncompressed. Default: the cluster's.",
  "topics.*.maxMessageBytes": {
    description: "max.message.bytes: the largest record batch the topic accepts, in bytes.",
    examples: [1048588],
  },
  "topics.*.segment": {
    description:
      "segment.ms: how often the log rolls to a new segment, a duration; retention and compaction work on whole segments.",
    examples: ["1d"],
  },
  "topics.*.compatibility": {
    description:
      "The schema registry's compatibility level of the topic's subject. Default for a topic with a schema: BACKWARD (a new schema reads what the previous one wrote).",
    default: "BACKWARD",
  },
  "topics.*.config": {
    description:
      "Any other Kafka topic config by its real name, checked against Kafka 4's list. A config that has a setting of its own here (retention, segment, ...) is set there, not twice.",
    examples: [{ "message.timestamp.type": "LogAppendTime" }],
  },
  "topics.*.config.*": "The value of one topic config; numbers and booleans are written as text.",
  "topics.*.doc": "Free text about the topic, for readers of the spec.",
};
