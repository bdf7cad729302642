/** The resolved pipeline model. Emitters read only this; it is deeply frozen. */

/** A value that may be given literally or resolved at run time. */
export type ValueRef =
  | { kind: "literal"; value: string }
  | { kind: "env"; name: string }
  | { kind: "secret"; name: string }
  /** A string mixing literal text and references, e.g. "jdbc:postgresql://${env:HOST}/db". */
  | { kind: "template"; parts: ReadonlyArray<string | { kind: "env" | "secret"; name: string }> };

export type FieldType =
  | "string"
  | "int"
  | "long"
  | "float"
  | "double"
  | "boolean"
  | "decimal"
  | "timestamp"
  | "date"
  | "bytes"
  /** A column computed by an expression whose type pipegen does not infer. */
  | "unknown";

export interface Field {
  name: string;
  type: FieldType;
  required: boolean;
  precision?: number;
  scale?: number;
  enum?: readonly string[];
  doc?: string;
}

export interface RecordSchema {
  name: string;
  key: readonly string[];
  fields: readonly Field[];
  doc?: string;
}

export interface Topic {
  name: string;
  partitions: number;
  /** null: the cluster's default.replication.factor. */
  replicationFactor: number | null;
  /** Kafka topic configs, values as Kafka writes them (strings), sorted by key. */
  configs: Readonly<Record<string, string>>;
  schema: RecordSchema | null;
  format: "avro" | "json";
  compatibility: string | null;
  /** Subject in the schema registry (TopicNameStrategy), when the topic has a schema. */
  subject: string | null;
  deadLetter: boolean;
  doc?: string;
}

/** A PostgreSQL or MySQL/MariaDB database, reached over JDBC (NiFi's pool, Spark's writer). */
export interface JdbcConnection {
  name: string;
  type: "postgres" | "mysql";
  host: ValueRef;
  /** Defaulted once: 5432 (postgres), 3306 (mysql). */
  port: ValueRef;
  database: ValueRef;
  user: ValueRef;
  password: ValueRef | null;
  /** JDBC driver properties, sorted by name: NiFi's pool properties, the Spark job's URL parameters. */
  options: Readonly<Record<string, ValueRef>>;
}

export interface MongoConnection {
  name: string;
  type: "mongodb";
  uri: ValueRef;
  database: ValueRef;
}

export interface CassandraReplication {
  class: "SimpleStrategy" | "NetworkTopologyStrategy";
  /** SimpleStrategy's replication factor. */
  factor: number | null;
  /** NetworkTopologyStrategy's copies per datacenter, sorted by name. */
  datacenters: Readonly<Record<string, number>>;
}

export interface CassandraConnection {
  name: string;
  type: "cassandra";
  contactPoints: readonly ValueRef[];
  /** Defaulted once: 9042. */
  port: ValueRef;
  /** The writer's local datacenter: given, else the replication's only datacenter, else "datacenter1". */
  localDatacenter: ValueRef;
  keyspace: string;
  replication: Readonly<CassandraReplication>;
  user: ValueRef | null;
  password: ValueRef | null;
}

export interface S3Connection {
  name: string;
  type: "s3";
  bucket: string;
  /** Key prefix, "" for none. */
  prefix: string;
  endpoint: ValueRef | null;
  region: ValueRef | null;
  pathStyle: boolean;
  accessKey: ValueRef | null;
  secretKey: ValueRef | null;
}

export interface FilesConnection {
  name: string;
  type: "files";
  path: ValueRef;
}

/** A named store, its settings typed per type and defaulted once here: emitters never cast. */
export type Connection =
  JdbcConnection | MongoConnection | CassandraConnection | S3Connection | FilesConnection;

/** The connection of a given type. */
export type ConnectionOf<T extends Connection["type"]> = Extract<Connection, { type: T }>;

export type IngestStep =
  | { kind: "validate"; schema: RecordSchema }
  | { kind: "setAttributes"; attributes: Readonly<Record<string, string>> }
  | {
      kind: "route";
      routes: ReadonlyArray<{
        field: string;
        op: "equals" | "notEquals" | "in";
        value: string | number | boolean | ReadonlyArray<string | number>;
        to: string;
      }>;
    };

export interface Ingest {
  name: string;
  from: {
    connection: JdbcConnection | MongoConnection;
    table: string | null;
    collection: string | null;
    query: string | null;
    incrementalColumn: string | null;
    everyMs: number;
    fetchSize: number | null;
  };
  steps: readonly IngestStep[];
  to: { topic: Topic; key: string | null; format: "avro" | "json" };
  onError: { retries: number; backoffMs: number; deadLetter: Topic | null };
  doc?: string;
}

export type StreamStep =
  | { kind: "filter"; expr: string }
  | { kind: "select"; columns: readonly string[] }
  /** Each derived column with its expression and its (declared or inferred) type; the job casts to it. */
  | { kind: "derive"; columns: Readonly<Record<string, { expr: string; field: Field }>> }
  | { kind: "rename"; columns: Readonly<Record<string, string>> }
  | { kind: "drop"; columns: readonly string[] }
  | { kind: "dedupe"; key: readonly string[]; on: string | null; watermarkMs: number | null }
  | {
      kind: "aggregate";
      window: { on: string; sizeMs: number; slideMs: number | null; watermarkMs: number } | null;
      groupBy: readonly string[];
      aggregates: ReadonlyArray<{ name: string; fn: string; column: string | null }>;
    }
  | {
      kind: "join";
      connection: JdbcConnection;
      table: string;
      on: readonly string[];
      select: readonly string[];
      how: "inner" | "left";
    };

export type Sink =
  | {
      kind: "jdbc";
      connection: JdbcConnection;
      table: string;
      mode: "append" | "upsert";
      key: readonly string[];
    }
  | {
      kind: "cassandra";
      connection: CassandraConnection;
      table: string;
      mode: "upsert";
      key: readonly string[];
    }
  | { kind: "mongodb"; connection: MongoConnection; collection: string; key: readonly string[] }
  | { kind: "kafka"; topic: Topic; key: string | null }
  | {
      kind: "files";
      connection: S3Connection | FilesConnection;
      path: string;
      format: "parquet" | "json" | "avro";
      partitionBy: readonly string[];
    };

export interface QualityRule {
  kind: "notNull" | "check" | "enum";
  name: string;
  columns: readonly string[];
  expr?: string;
  values?: ReadonlyArray<string | number>;
}

export interface Stream {
  name: string;
  from: {
    topic: Topic;
    startingOffsets: "earliest" | "latest";
    maxOffsetsPerTrigger: number | null;
    failOnDataLoss: boolean;
  };
  quality: readonly QualityRule[];
  onInvalid: { kind: "drop" } | { kind: "deadLetter"; topic: Topic };
  steps: readonly StreamStep[];
  /** Columns leaving the last step, in order: what the sinks receive. */
  output: readonly Field[];
  sinks: readonly Sink[];
  /**
   * The version of the stream's state: 1, and one more each time a change its checkpoints
   * cannot take is made; from 2 on, its stateful queries run on new checkpoints (names.ts).
   */
  stateVersion: number;
  trigger: { kind: "every"; everyMs: number } | { kind: "availableNow"; schedule: string | null };
  /**
   * How long a record may wait in the source topic unprocessed (ms): the monitoring DAG alerts
   * when the oldest record past the stream's committed offsets is older; null: not monitored.
   */
  freshnessMs: number | null;
  resources: {
    executors: number | null;
    executorCores: number | null;
    executorMemory: string | null;
    driverMemory: string | null;
  };
  doc?: string;
}

export interface Archive {
  name: string;
  from: Topic;
  to: {
    connection: S3Connection | FilesConnection;
    path: string;
    format: "parquet" | "json";
    partitionBy: readonly string[];
  };
  schedule: string;
  /** How long a record may wait in the topic unarchived (ms); null: not monitored. */
  freshnessMs: number | null;
  doc?: string;
}

export interface Orchestration {
  schedule: string | null;
  startDate: string;
  retries: number;
  retryDelayMs: number;
  deadlineMs: number | null;
  maxActiveRuns: number;
  owner: string;
  tags: readonly string[];
  alerts: {
    email: readonly string[];
    slack: { connection: string; channel: string | null } | null;
  };
}

/** `platform.spark.kubernetes`, defaulted (see the schema's descriptions). */
export interface SparkKubernetes {
  image: string;
  namespace: string;
  serviceAccount: string;
  /** The folder of the pipeline's spark/ files as the driver pod reads them (local:// or a URL). */
  jobFiles: string;
  /** Where pipegen-runtime comes from: installed in the image, or its zip in jobFiles. */
  runtime: "image" | "jobFiles";
  uploadPath: string | null;
  imagePullPolicy: "Always" | "IfNotPresent" | "Never" | null;
  imagePullSecrets: readonly string[];
  /** The Secret holding the ${secret:NAME} values and the ConfigMap holding the ${env:NAME} ones. */
  secretName: string;
  configMapName: string;
}

/** `platform.spark.yarn`, defaulted. */
export interface SparkYarn {
  queue: string | null;
  /** A packed Python environment shipped with spark.archives; null: Python as installed. */
  pythonEnv: string | null;
  /** The driver's Python in client mode with pythonEnv. */
  driverPython: string;
  files: readonly string[];
}

export interface Platform {
  kafka: {
    bootstrapServers: ValueRef;
    schemaRegistry: ValueRef | null;
    securityProtocol: string;
    saslMechanism: string | null;
    saslUser: ValueRef | null;
    saslPassword: ValueRef | null;
  };
  nifi: { url: ValueRef; version: string };
  spark: {
    master: ValueRef;
    deployMode: "client" | "cluster";
    checkpointRoot: ValueRef;
    shufflePartitions: number;
    conf: Readonly<Record<string, string>>;
    /** What Spark on Kubernetes needs; null when the spec gives none. */
    kubernetes: SparkKubernetes | null;
    /** YARN's queue and the shipping of Python dependencies; null when the spec gives none. */
    yarn: SparkYarn | null;
  };
  /** OpenLineage: where the Spark jobs' listener sends run events; null: no lineage events. */
  lineage: { url: ValueRef; namespace: string } | null;
  airflow: {
    sparkConnection: string;
    kafkaConnection: string;
    nifiConnection: string;
    schemaRegistryConnection: string;
  };
}

export interface Pipeline {
  name: string;
  /** The spec's path relative to the working directory, POSIX separators. */
  specFile: string;
  environment: string | null;
  description: string;
  owner: string;
  platform: Platform;
  connections: readonly Connection[];
  schemas: readonly RecordSchema[];
  topics: readonly Topic[];
  ingest: readonly Ingest[];
  streams: readonly Stream[];
  archive: readonly Archive[];
  orchestration: Orchestration;
  /** The spec's tests (`tests:` and its sibling `<spec>.tests.yaml`), for `pipegen test` only. */
  tests: readonly StreamTest[];
}

/** A value of a test row as the spec writes it (checked against its column's type). */
export type TestValue = string | number | boolean | null;
export type TestRow = Readonly<Record<string, TestValue>>;

/** A given record: its columns (encoded as the topic carries them), or bytes as they are. */
export type TestRecord = { kind: "record"; values: TestRow } | { kind: "raw"; text: string };

/** A test of one stream: records fed in micro-batches, what its sinks must hold. */
export interface StreamTest {
  name: string;
  /** Where it is defined: the spec or its sibling tests file, and the line of its name. */
  file: string;
  line: number;
  doc: string;
  stream: string;
  batches: ReadonlyArray<readonly TestRecord[]>;
  /** The rows of each lookup join's table, by the (0-based) index of the join step. */
  lookups: ReadonlyArray<{ step: number; rows: readonly TestRow[] }>;
  expect: {
    /** By sink name (`<connection>.<table>`, the topic), with its index in the stream's sinks. */
    sinks: ReadonlyArray<{ name: string; sink: number; rows: readonly TestRow[] }>;
    /** null: not checked. */
    deadLetters: readonly TestRow[] | null;
  };
  ordered: boolean;
}
