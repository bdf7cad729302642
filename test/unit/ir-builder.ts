/**
 * A small builder of IR values for table-driven emitter tests: each function gives a complete,
 * valid value with the defaults the resolver would set, and takes the fields a test cares about.
 * Emitters are pure functions of the IR, so a test can state `given` IR and `want` output
 * without writing a spec or compiling YAML.
 */
import type * as I from "../../src/ir/types.js";

export const lit = (value: string): I.ValueRef => ({ kind: "literal", value });
export const env = (name: string): I.ValueRef => ({ kind: "env", name });
export const secret = (name: string): I.ValueRef => ({ kind: "secret", name });

export function postgres(over: Partial<I.JdbcConnection> = {}): I.JdbcConnection {
  return {
    name: "db",
    type: "postgres",
    host: lit("localhost"),
    port: lit("5432"),
    database: lit("app"),
    user: lit("app"),
    password: secret("DB_PASSWORD"),
    options: {},
    ...over,
  };
}

export function mysql(over: Partial<I.JdbcConnection> = {}): I.JdbcConnection {
  return postgres({ name: "my", type: "mysql", port: lit("3306"), ...over });
}

export function mongodb(over: Partial<I.MongoConnection> = {}): I.MongoConnection {
  return {
    name: "mongo",
    type: "mongodb",
    uri: secret("MONGO_URI"),
    database: lit("app"),
    ...over,
  };
}

export function cassandra(over: Partial<I.CassandraConnection> = {}): I.CassandraConnection {
  return {
    name: "cass",
    type: "cassandra",
    contactPoints: [lit("c1")],
    port: lit("9042"),
    localDatacenter: lit("dc1"),
    keyspace: "ks",
    replication: { class: "NetworkTopologyStrategy", factor: null, datacenters: { dc1: 3 } },
    user: null,
    password: null,
    ...over,
  };
}

export function s3(over: Partial<I.S3Connection> = {}): I.S3Connection {
  return {
    name: "lake",
    type: "s3",
    bucket: "lake",
    prefix: "",
    endpoint: null,
    region: null,
    pathStyle: false,
    accessKey: null,
    secretKey: null,
    ...over,
  };
}

export function files(over: Partial<I.FilesConnection> = {}): I.FilesConnection {
  return { name: "local", type: "files", path: lit("/data"), ...over };
}

export const field = (name: string, type: I.FieldType, more: Partial<I.Field> = {}): I.Field => ({
  name,
  type,
  required: false,
  ...more,
});

export function schema(over: Partial<I.RecordSchema> = {}): I.RecordSchema {
  return {
    name: "event",
    key: ["id"],
    fields: [
      field("id", "long", { required: true }),
      field("name", "string"),
      field("at", "timestamp", { required: true }),
    ],
    ...over,
  };
}

export function topic(over: Partial<I.Topic> = {}): I.Topic {
  const sc = over.schema === undefined ? schema() : over.schema;
  return {
    name: "events",
    partitions: 3,
    replicationFactor: null,
    configs: {},
    schema: sc,
    format: sc ? "avro" : "json",
    compatibility: sc ? "BACKWARD" : null,
    subject: sc ? `${over.name ?? "events"}-value` : null,
    deadLetter: false,
    ...over,
  };
}

export function stream(over: Partial<I.Stream> = {}): I.Stream {
  const from = over.from?.topic ?? topic();
  return {
    name: "events_out",
    from: {
      topic: from,
      startingOffsets: "earliest",
      maxOffsetsPerTrigger: null,
      failOnDataLoss: true,
    },
    quality: [],
    onInvalid: { kind: "drop" },
    steps: [],
    output: from.schema?.fields ?? [],
    sinks: [],
    stateVersion: 1,
    trigger: { kind: "every", everyMs: 60_000 },
    freshnessMs: null,
    resources: { executors: null, executorCores: null, executorMemory: null, driverMemory: null },
    ...over,
  };
}

export function pipeline(over: Partial<I.Pipeline> = {}): I.Pipeline {
  const streams = over.streams ?? [];
  const topics = over.topics ?? [
    ...new Map(streams.map((s) => [s.from.topic.name, s.from.topic])).values(),
  ];
  return {
    name: "demo",
    specFile: "specs/demo.yaml",
    environment: null,
    description: "",
    owner: "pipegen",
    platform: {
      kafka: {
        bootstrapServers: env("KAFKA_BOOTSTRAP_SERVERS"),
        schemaRegistry: env("SCHEMA_REGISTRY_URL"),
        securityProtocol: "PLAINTEXT",
        saslMechanism: null,
        saslUser: null,
        saslPassword: null,
      },
      nifi: { url: env("NIFI_URL"), version: "2.8.0" },
      spark: {
        master: lit("local[*]"),
        deployMode: "client",
        checkpointRoot: lit("/tmp/pipegen/checkpoints"),
        shufflePartitions: 8,
        conf: {},
        kubernetes: null,
        yarn: null,
      },
      lineage: null,
      airflow: {
        sparkConnection: "spark_default",
        kafkaConnection: "kafka_default",
        nifiConnection: "nifi_default",
        schemaRegistryConnection: "schema_registry_default",
      },
    },
    connections: [],
    schemas: [...new Set(topics.flatMap((t) => (t.schema ? [t.schema] : [])))],
    topics,
    ingest: [],
    streams,
    archive: [],
    orchestration: {
      schedule: null,
      startDate: "2024-01-01",
      retries: 2,
      retryDelayMs: 300_000,
      deadlineMs: null,
      maxActiveRuns: 1,
      owner: "pipegen",
      tags: ["pipegen", "demo"],
      alerts: { email: [], slack: null },
    },
    tests: [],
    ...over,
  };
}
