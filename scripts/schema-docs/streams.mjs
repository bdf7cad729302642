// Documentation of `streams` (Spark Structured Streaming jobs); see index.mjs.
import { decimalDocs, typeDoc } from "./data.mjs";

export default {
  streams: {
    description:
      "Spark Structured Streaming jobs by name: each reads a topic, checks every record, transforms the records step by step and writes them to one or more sinks. Each makes generated/<pipeline>/spark/<stream>.py and an Airflow DAG that runs it.",
    examples: [
      {
        orders_clean: {
          from: { topic: "orders.raw" },
          quality: [{ notNull: ["order_id"] }],
          onInvalid: { deadLetter: "orders.dlq" },
          steps: [{ filter: "status <> 'CANCELLED'" }],
          to: [{ connection: "analytics", table: "orders", mode: "upsert", key: "order_id" }],
        },
      },
    ],
  },
  "streams.*":
    "One stream, named by its key: its job, its checkpoints and its DAG are named after it.",
  "streams.*.from": "The topic the stream reads, and where a new query starts.",
  "streams.*.from.topic": {
    description:
      "The topic to read. It needs a schema: records are decoded with the schema declared for the topic, never inferred.",
    examples: ["orders.raw"],
  },
  "streams.*.from.startingOffsets": {
    description:
      "Where a query without a checkpoint starts: earliest (default: everything the topic still holds) or latest (only records that arrive from then on).",
    default: "earliest",
  },
  "streams.*.from.maxOffsetsPerTrigger": {
    description:
      "The most records one micro-batch reads, over all partitions. Default: everything available. The job's --max-offsets-per-trigger option overrides it.",
    examples: [100000],
  },
  "streams.*.from.failOnDataLoss": {
    description:
      "Whether the query stops when records it has not read yet are gone (deleted by retention, topic recreated). Default: true; false skips them.",
    default: true,
  },
  "streams.*.quality":
    "Rules every input record must pass before the steps; a record that fails one goes to onInvalid.",
  "streams.*.quality[]": "One rule: exactly one of notNull, check or enum, and an optional name.",
  "streams.*.quality[].notNull": {
    description:
      "Columns that must have a value. After the rule they count as non-null (e.g. as a sink table's key).",
    examples: [["order_id", "customer_id"]],
  },
  "streams.*.quality[].check": {
    description:
      "A Spark SQL condition each record must meet. SQL semantics: a check that is NULL passes (add notNull for its columns).",
    examples: ["amount >= 0"],
  },
  "streams.*.quality[].name": {
    description:
      "The rule's name, given in the pipegen.reason header of dead letters. Default: not_null_<columns>, check_<n> or enum_<column>.",
    examples: ["positive_amount"],
  },
  "streams.*.quality[].enum": {
    description: "A column whose value must be one of a list.",
    examples: [{ column: "currency", values: ["EUR", "USD"] }],
  },
  "streams.*.quality[].enum.column": "The column to check.",
  "streams.*.quality[].enum.values": "The values the column may have.",
  "streams.*.onInvalid": {
    description:
      "What happens to records that cannot be decoded or fail a quality rule (required, so that nothing is lost by accident): {deadLetter: <topic>} keeps them there with their original key and bytes and pipegen.* headers; drop discards them.",
    examples: [{ deadLetter: "orders.dlq" }, "drop"],
  },
  "streams.*.steps":
    "The transformations, in order; each step sees the columns the step before it outputs.",
  "streams.*.steps[]":
    "One step: exactly one of filter, select, derive, rename, drop, dedupe, join, or an aggregation (aggregate with window and/or groupBy).",
  "streams.*.steps[].filter": {
    description: "Keeps the records for which this Spark SQL condition is true.",
    examples: ["status <> 'CANCELLED'"],
  },
  "streams.*.steps[].select": {
    description: "Keeps only these columns, in this order.",
    examples: [["order_id", "customer_id", "amount"]],
  },
  "streams.*.steps[].derive": {
    description:
      "New or replaced columns by name, each from a Spark SQL expression; a column may use those derived before it. The type is inferred from the expression, or given with {expr, type}.",
    examples: [{ amount_eur: "amount * 0.92", status_code: "upper(status)" }],
  },
  "streams.*.steps[].derive.*": {
    description:
      "The column's expression, or {expr, type} (with precision and scale for decimal) when its type cannot be inferred or should be cast.",
    examples: [
      "upper(status)",
      { expr: "amount * 0.92", type: "decimal", precision: 12, scale: 2 },
    ],
  },
  "streams.*.steps[].derive.*.expr": {
    description: "The Spark SQL expression.",
    examples: ["amount * 0.92"],
  },
  "streams.*.steps[].derive.*.type": `The column's type; the value is cast to it: ${typeDoc}.`,
  ...decimalDocs("streams.*.steps[].derive.*"),
  "streams.*.steps[].rename": {
    description: "Renames columns, old name: new name; the new name may not be taken.",
    examples: [{ updated_at: "event_time" }],
  },
  "streams.*.steps[].rename.*": "The column's new name.",
  "streams.*.steps[].drop": {
    description: "Removes these columns.",
    examples: [["internal_note"]],
  },
  "streams.*.steps[].dedupe": {
    description:
      "Keeps the first record of each key: for good, or, with 'on' a timestamp column and a watermark, among records that far apart (bounded state).",
    examples: [{ key: ["event_id"], on: "occurred_at", watermark: "10m" }],
  },
  "streams.*.steps[].dedupe.key": {
    description: "The column or columns that make two records duplicates.",
    examples: ["event_id"],
  },
  "streams.*.steps[].dedupe.on": {
    description:
      "The event-time column (a timestamp): duplicates are looked for within 'watermark' of it.",
    examples: ["occurred_at"],
  },
  "streams.*.steps[].dedupe.watermark": {
    description:
      "How late a duplicate may arrive, a duration: it bounds the state Spark keeps. Needed with 'on'.",
    examples: ["10m"],
  },
  "streams.*.steps[].window": {
    description:
      "The event-time window of an aggregation: tumbling (size) or sliding (size and slide), with a watermark. It goes with aggregate (and groupBy) in one step; the output has window_start and window_end.",
    examples: [{ on: "updated_at", size: "1m", watermark: "10m" }],
  },
  "streams.*.steps[].window.on": {
    description: "The timestamp column that places records in windows.",
    examples: ["updated_at"],
  },
  "streams.*.steps[].window.size": {
    description: "How long a window is, a duration.",
    examples: ["1m"],
  },
  "streams.*.steps[].window.slide": {
    description:
      "How far apart windows start, a duration (sliding windows). Default: size (tumbling).",
    examples: ["30s"],
  },
  "streams.*.steps[].window.watermark": {
    description:
      "How late a record may arrive and still count, a duration; the state of older windows is dropped.",
    examples: ["10m"],
  },
  "streams.*.steps[].groupBy": {
    description: "The columns an aggregation groups by (with a window, within each window).",
    examples: [["customer_id"]],
  },
  "streams.*.steps[].aggregate": {
    description:
      "The aggregates by output column: count(*), or count, sum, avg, min, max or approx_count_distinct of a column. The output is the window, the groupBy columns and these.",
    examples: [{ orders: "count(*)", revenue: "sum(amount)" }],
  },
  "streams.*.steps[].aggregate.*": {
    description:
      "One aggregate: count(*), or count, sum, avg, min, max or approx_count_distinct of one column (sum and avg of a numeric one).",
    examples: ["sum(amount)"],
  },
  "streams.*.steps[].join": {
    description:
      "Adds columns from a PostgreSQL or MySQL table, matched on shared columns. The table is read once when the query starts: changes reach the stream when it restarts.",
    examples: [
      {
        connection: "shop_db",
        table: "public.customers",
        on: ["customer_id"],
        select: ["segment"],
      },
    ],
  },
  "streams.*.steps[].join.connection": {
    description: "The postgres or mysql connection of the table.",
    examples: ["shop_db"],
  },
  "streams.*.steps[].join.table": {
    description: "The table to look up, optionally with its schema.",
    examples: ["public.customers"],
  },
  "streams.*.steps[].join.on": {
    description: "The columns the stream and the table share and are matched on.",
    examples: [["customer_id"]],
  },
  "streams.*.steps[].join.select": {
    description:
      "The table's columns to add. pipegen does not know their types: before a table sink, give them one with derive {expr, type}.",
    examples: [["segment"]],
  },
  "streams.*.steps[].join.how": {
    description:
      "left (default: a record without a match is kept, with nulls) or inner (it is dropped).",
    default: "left",
  },
  "streams.*.to":
    "Where the records go: one or more sinks, written in one micro-batch (files sinks as their own queries).",
  "streams.*.to[]":
    "One sink: {topic} for Kafka, or {connection} with a table (postgres, mysql, cassandra), a collection (mongodb) or a path (s3, files).",
  "streams.*.to[].connection": {
    description:
      "The store to write to: postgres, mysql or cassandra (with table), mongodb (with collection and key), s3 or files (files under path).",
    examples: ["analytics"],
  },
  "streams.*.to[].table": {
    description:
      "The table to write (postgres, mysql, cassandra), optionally with its schema. The job creates it from the stream's columns when it is missing (see spark/ddl/).",
    examples: ["orders_per_minute"],
  },
  "streams.*.to[].collection": {
    description: "The MongoDB collection to write; needs key (the documents' _id).",
    examples: ["profiles"],
  },
  "streams.*.to[].topic": {
    description: "A Kafka topic to write each record to, as JSON (at least once).",
    examples: ["orders.enriched"],
  },
  "streams.*.to[].path": {
    description:
      "For s3 and files sinks: the folder under the connection's. Default: the stream's name.",
    examples: ["orders/clean"],
  },
  "streams.*.to[].mode":
    "For postgres and mysql: append (default: insert every record) or upsert (insert or update by key; needs key). Cassandra writes are always upserts.",
  "streams.*.to[].key": {
    description:
      "The column or columns that identify a row: a table's primary key, the MongoDB _id, or (one column) the Kafka record key. Table key columns must be non-null.",
    examples: [["customer_id", "window_start"]],
  },
  "streams.*.to[].format": "For s3 and files sinks: parquet (default), json or avro.",
  "streams.*.to[].partitionBy": {
    description: "For s3 and files sinks: columns whose values make sub-folders (column=value/).",
    examples: [["site"]],
  },
  "streams.*.freshness": {
    description:
      "How long a record may wait in the source topic before the stream has processed it, a duration. With it, the pipeline's monitoring DAG checks the stream's consumer group (pipegen.<pipeline>.<stream>, which the job commits its processed offsets to) on a schedule and alerts through orchestration.alerts when the oldest record not yet processed is older than this. For a long-running stream it must be longer than the trigger's interval. No default: not monitored.",
    examples: ["5m", "1h"],
  },
  "streams.*.trigger": {
    description:
      "When micro-batches run: {every: <duration>} for a long-running stream (default: every 1m), or {availableNow: true, schedule: ...} for one that Airflow starts on a schedule, which processes what the topic holds and stops.",
    examples: [{ every: "30s" }, { availableNow: true, schedule: "*/15 * * * *" }],
  },
  "streams.*.trigger.every": {
    description: "A long-running stream's micro-batch interval, a duration. Default: 1m.",
    examples: ["30s"],
  },
  "streams.*.trigger.availableNow":
    "true: each run processes what the topic holds, then stops; Airflow runs it on its schedule.",
  "streams.*.trigger.schedule": {
    description:
      "When an availableNow stream runs: five-field cron or a preset. Default: orchestration.schedule; one of the two is needed.",
    examples: ["*/15 * * * *", "@hourly"],
  },
  "streams.*.resources": "What spark-submit asks for the job. Default: the cluster's defaults.",
  "streams.*.resources.executors": {
    description: "The number of executors (--num-executors).",
    examples: [4],
  },
  "streams.*.resources.executorCores": {
    description: "Cores per executor (--executor-cores).",
    examples: [2],
  },
  "streams.*.resources.executorMemory": {
    description: "Memory per executor (--executor-memory), e.g. 4g.",
    examples: ["4g"],
  },
  "streams.*.resources.driverMemory": {
    description: "The driver's memory (--driver-memory), e.g. 2g.",
    examples: ["2g"],
  },
  "streams.*.doc": "Free text about the stream; it becomes part of its DAG's documentation.",
};
