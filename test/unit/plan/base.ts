// The spec the plan fixtures start from: every system, every kind of sink, stateful and
// stateless streams, an ingest with an incremental source, an archive. Cases edit a copy.
export type Spec = Record<string, any>;

export function baseSpec(): Spec {
  return {
    pipegen: 1,
    pipeline: "fx",
    platform: {
      kafka: { bootstrapServers: "${env:KAFKA}", schemaRegistry: "${env:REGISTRY}" },
      spark: { checkpointRoot: "/ckpt", shufflePartitions: 4 },
    },
    connections: {
      src: {
        type: "postgres",
        host: "src-db",
        database: "shop",
        user: "ingest",
        password: "${secret:SRC_PW}",
      },
      pg: { type: "postgres", host: "pg", database: "a", user: "u", password: "${secret:PG_PW}" },
      my: { type: "mysql", host: "my", database: "a", user: "u", password: "${secret:MY_PW}" },
      cass: {
        type: "cassandra",
        contactPoints: ["c1"],
        keyspace: "ks",
        replication: { class: "SimpleStrategy", factor: 1 },
      },
      mongo: { type: "mongodb", uri: "${secret:MONGO_URI}", database: "m" },
      lake: { type: "s3", bucket: "fx-lake" },
    },
    schemas: {
      order: {
        key: ["id"],
        fields: {
          id: { type: "long", required: true },
          customer: { type: "string", required: true },
          amount: { type: "decimal", precision: 10, scale: 2 },
          note: { type: "string" },
          at: { type: "timestamp", required: true },
        },
      },
    },
    topics: {
      orders: { schema: "order", partitions: 4, retention: "7d", compatibility: "BACKWARD" },
      out: { partitions: 2, format: "json" },
      dlq: { partitions: 1 },
    },
    ingest: {
      load: {
        from: { connection: "src", table: "public.orders", incrementalColumn: "at", every: "1m" },
        steps: [{ validate: "order" }],
        to: { topic: "orders", key: "id" },
        onError: { deadLetter: "dlq" },
      },
    },
    streams: {
      agg: {
        from: { topic: "orders" },
        onInvalid: { deadLetter: "dlq" },
        steps: [
          { filter: "amount >= 0" },
          { dedupe: { key: ["id"], on: "at", watermark: "5m" } },
          {
            window: { on: "at", size: "1m", watermark: "10m" },
            groupBy: ["customer"],
            aggregate: { n: "count(*)", total: "sum(amount)" },
          },
        ],
        to: [
          {
            connection: "pg",
            table: "per_minute",
            mode: "upsert",
            key: ["customer", "window_start"],
          },
          { topic: "out", key: "customer" },
        ],
        trigger: { every: "30s" },
      },
      copier: {
        from: { topic: "orders" },
        onInvalid: "drop",
        steps: [{ select: ["id", "customer", "amount", "note", "at"] }],
        to: [
          { connection: "my", table: "orders_copy", mode: "upsert", key: ["id"] },
          { connection: "cass", table: "orders_copy", key: ["id"] },
          { connection: "mongo", collection: "orders_copy", key: ["id"] },
          { connection: "lake", path: "orders_copy", format: "parquet" },
        ],
        trigger: { availableNow: true, schedule: "*/5 * * * *" },
      },
    },
    archive: {
      daily: {
        from: { topic: "orders" },
        to: { connection: "lake", path: "daily" },
        schedule: "@daily",
      },
    },
    orchestration: { startDate: "2025-01-01" },
  };
}
