// Documentation of `ingest` (NiFi) and `archive` (scheduled Spark exports); see index.mjs.

const ingest = {
  ingest: {
    description:
      "NiFi flows by name: each polls a database table or a MongoDB collection and publishes its records to a topic, through optional validate, setAttributes and route steps. They make generated/<pipeline>/nifi/<pipeline>.flow.json.",
    examples: [
      {
        shop_orders: {
          from: {
            connection: "shop_db",
            table: "public.orders",
            incrementalColumn: "updated_at",
            every: "1m",
          },
          to: { topic: "orders.raw", key: "order_id" },
        },
      },
    ],
  },
  "ingest.*": "One ingest, named by its key: a process group of the pipeline's NiFi flow.",
  "ingest.*.from":
    "What the ingest reads, and how often: a connection and its table or collection.",
  "ingest.*.from.connection": {
    description: "The source: a postgres, mysql or mongodb connection.",
    examples: ["shop_db"],
  },
  "ingest.*.from.table": {
    description:
      "The table a SQL source reads, optionally with its schema. Only the columns of the topic's schema are read.",
    examples: ["public.orders"],
  },
  "ingest.*.from.collection": {
    description:
      "The collection a MongoDB source reads (MongoDB sources take a collection, not a table).",
    examples: ["events"],
  },
  "ingest.*.from.query": {
    description:
      "A MongoDB source's query, as JSON: only matching documents are read on each poll. A SQL source does not use it.",
    examples: ['{"type": {"$in": ["click", "view"]}}'],
  },
  "ingest.*.from.incrementalColumn": {
    description:
      "A column whose value grows with every new or changed row (an updated_at timestamp, an increasing id): each poll reads only rows above the largest value seen so far, which NiFi keeps. Without it every poll reads the whole table. SQL sources only.",
    examples: ["updated_at"],
  },
  "ingest.*.from.every": {
    description: "How often the source is polled, a duration.",
    examples: ["1m", "30s"],
  },
  "ingest.*.from.fetchSize": {
    description: "How many rows the JDBC driver fetches per round trip. Default: the driver's own.",
    examples: [1000],
  },
  "ingest.*.steps":
    "What happens to the records between source and topic, in order: validate, setAttributes, route.",
  "ingest.*.steps[]": "One step: exactly one of validate, setAttributes or route.",
  "ingest.*.steps[].validate": {
    description:
      "Checks every record against this schema (NiFi's ValidateRecord); invalid records go to the dead-letter topic (onError.deadLetter).",
    examples: ["order"],
  },
  "ingest.*.steps[].setAttributes": {
    description:
      "FlowFile attributes to set, by name (UpdateAttribute); they become Kafka headers of the published messages.",
    examples: [{ source: "shop" }],
  },
  "ingest.*.steps[].setAttributes.*": "The attribute's value, taken literally.",
  "ingest.*.steps[].route": {
    description:
      "Sends records to other topics by a field's value: the first rule that matches moves the record to its topic; a record no rule matches stays on the ingest's topic.",
    examples: [[{ when: { field: "status", equals: "CANCELLED" }, to: "orders.cancelled" }]],
  },
  "ingest.*.steps[].route[]":
    "One routing rule: a condition, and the topic matching records go to.",
  "ingest.*.steps[].route[].when":
    "The condition: a field and exactly one of equals, notEquals or in. A null field matches nothing.",
  "ingest.*.steps[].route[].when.field": {
    description: "The column to test, a column of the topic's schema.",
    examples: ["status"],
  },
  "ingest.*.steps[].route[].when.equals": "Matches when the field has this value.",
  "ingest.*.steps[].route[].when.notEquals":
    "Matches when the field has a value other than this one.",
  "ingest.*.steps[].route[].when.in": {
    description: "Matches when the field has one of these values.",
    examples: [["CANCELLED", "REFUNDED"]],
  },
  "ingest.*.steps[].route[].to": {
    description: "The topic matching records go to; it has the ingest's format.",
    examples: ["orders.cancelled"],
  },
  "ingest.*.to": "The topic the records are published to, and their Kafka key.",
  "ingest.*.to.topic": {
    description: "The topic to publish to; it needs a schema (ingest publishes typed records).",
    examples: ["orders.raw"],
  },
  "ingest.*.to.key": {
    description: "The column whose value becomes the Kafka record key (one column).",
    examples: ["order_id"],
  },
  "ingest.*.to.format": "avro or json; it must be the topic's format, which is the default.",
  "ingest.*.onError":
    "What happens when a step fails or a record is invalid: retries, then the dead-letter topic.",
  "ingest.*.onError.retries": {
    description:
      "How many times a failed step is retried before its records go to the dead-letter topic. Default: 3.",
    default: 3,
  },
  "ingest.*.onError.backoff": {
    description: "The wait between retries, a duration. Default: 30s.",
    examples: ["30s"],
    default: "30s",
  },
  "ingest.*.onError.deadLetter": {
    description:
      "The topic failed and invalid records go to, one JSON record per message, tagged pipegen.reason, pipegen.step and pipegen.ingest. Without it they wait at a disabled failure port in NiFi: nothing is dropped.",
    examples: ["orders.dlq"],
  },
  "ingest.*.doc": "Free text about this ingest; it becomes the comment of its process group.",
};

const archive = {
  archive: {
    description:
      "Scheduled exports by name: each copies what arrived on a topic since its last run to files on S3 or in a folder, as a Spark job that Airflow runs on its schedule.",
    examples: [
      {
        orders_daily: {
          from: { topic: "orders.raw" },
          to: { connection: "archive", partitionBy: ["dt"] },
          schedule: "@daily",
        },
      },
    ],
  },
  "archive.*": "One archive, named by its key: its job and DAG are named after it.",
  "archive.*.from": "The topic to archive.",
  "archive.*.from.topic": {
    description: "The topic to archive; it needs a schema (the files have typed columns).",
    examples: ["orders.raw"],
  },
  "archive.*.to": "Where the files go.",
  "archive.*.to.connection": {
    description: "An s3 or files connection.",
    examples: ["archive"],
  },
  "archive.*.to.path": {
    description: "The folder under the connection's. Default: the archive's name.",
    examples: ["orders"],
  },
  "archive.*.to.format": {
    description: "The file format: parquet (default) or json.",
    default: "parquet",
  },
  "archive.*.to.partitionBy": {
    description:
      "Columns whose values make sub-folders: the record's columns, and dt (the date) and hour, taken from the Kafka timestamp (UTC). Default: [dt].",
    examples: [["dt", "hour"]],
    default: ["dt"],
  },
  "archive.*.schedule": {
    description: "When the archive runs (required): five-field cron or a preset such as @daily.",
    examples: ["@daily", "0 * * * *"],
  },
  "archive.*.freshness": {
    description:
      "How long a record may wait in the topic before the archive has written it to files, a duration; longer than the time between two scheduled runs. With it, the pipeline's monitoring DAG checks the archive's consumer group (pipegen.<pipeline>.<archive>) on a schedule and alerts through orchestration.alerts when the oldest record not yet archived is older than this. No default: not monitored.",
    examples: ["2h", "1d"],
  },
  "archive.*.doc": "Free text about the archive; it becomes part of its DAG's documentation.",
};

export default { ...ingest, ...archive };
