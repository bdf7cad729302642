/**
 * Every name pipegen derives from a spec, in one place: output file paths, DAG and task ids,
 * Spark application, query and checkpoint names, and the names generated code gives its parts.
 * Running systems know things by these names (Airflow by DAG id, Spark by checkpoint folder,
 * NiFi by process group), so a change here is a change for them. Pure functions of names;
 * from the project they import only the IR's types (and node:crypto for the hashes).
 */
import { createHash } from "node:crypto";
import type { Sink, Topic } from "./types.js";

/** 8 hex digits of a name's SHA-256: a stable suffix that tells apart names that would collide. */
export function shortHash(name: string): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 8);
}

/** The Avro namespace of a pipeline's record schemas (registry subjects, Spark, NiFi). */
export const avroNamespace = (pipeline: string) => `pipegen.${pipeline}`;

/** Files of the Kafka target. */
export const kafkaPaths = {
  dir: (p: string) => `${p}/kafka`,
  manifest: (p: string) => `${p}/kafka/topics.json`,
  /** A topic's Avro schema file, by its name alone (in the schemas folder). */
  schemaFile: (topic: string) => `${topic}.avsc`,
  /** A topic's Avro schema file, relative to the topic manifest. */
  schemaInManifest: (topic: string) => `schemas/${kafkaPaths.schemaFile(topic)}`,
  schema: (p: string, topic: string) => `${p}/kafka/${kafkaPaths.schemaInManifest(topic)}`,
};

/** Files of the NiFi target. */
export const nifiPaths = {
  dir: (p: string) => `${p}/nifi`,
  /** The flow definition, by its name alone (in the nifi folder). */
  flowFile: (p: string) => `${p}.flow.json`,
  flow: (p: string) => `${nifiPaths.dir(p)}/${nifiPaths.flowFile(p)}`,
};

/**
 * The NiFi process group a pipeline's flow is deployed as (Airflow's deploy task finds it by
 * this name on the root canvas); the flow's parameter context has the same name.
 */
export const nifiGroup = (p: string) => p;

/** The flow's parameter that only a deployment knows: the folder of the JDBC driver jars on NiFi's hosts. */
export const nifiJdbcDriverDir = "jdbc.driver.dir";

/** Files of the Spark target: per job (a stream or an archive) its program and submission. */
export const sparkPaths = {
  /** A job's program, by its name alone (in the spark folder): the submission's application. */
  application: (job: string) => `${job}.py`,
  job: (p: string, job: string) => `${p}/spark/${sparkPaths.application(job)}`,
  submit: (p: string, job: string) => `${p}/spark/${job}.submit.json`,
  ddl: (p: string, connection: string) => `${p}/spark/ddl/${connection}.sql`,
  cql: (p: string, connection: string) => `${p}/spark/ddl/${connection}.cql`,
};

/**
 * Names of a Spark job and of the parts of its program. The job computes its checkpoint
 * folders and query names when it runs: CHECKPOINT_ROOT/<pipeline>/<job>/<checkpoint>, query
 * "<pipeline>.<job>.<query>" (an archive's records query is "<pipeline>.<job>").
 */
export const sparkNames = {
  /** The Spark application name (spark-submit --name). */
  app: (p: string, job: string) => `pipegen.${p}.${job}`,
  /** The function of the program that gives a JDBC connection's settings. */
  jdbcConnectionFn: (connection: string) => `jdbc_${connection}`,
  /** The function of the program that gives a Cassandra connection's settings. */
  cassandraConnectionFn: (connection: string) => `cassandra_${connection}`,
  /** A lookup join, by the (0-based) index of its step. */
  lookup: (stepIndex: number) => `step_${stepIndex + 1}`,
  /** A file sink's query and checkpoint, by the (0-based) index of the sink. */
  fileSink: (sinkIndex: number) => `files_${sinkIndex}`,
  /** The staging table of a table sink: the stream's name cut to 30 characters, and a hash. */
  stageTable: (p: string, stream: string, sinkIndex: number) =>
    `pipegen_stage_${stream.slice(0, 30)}_${shortHash(`${p}.${stream}.${sinkIndex}`)}`,
  /**
   * The id a table sink records its committed micro-batches under; the job appends "@" and the
   * id of its checkpoint's query. Kept to 160 characters (the marker column holds 200): a longer
   * one is cut and gets a hash of the whole.
   */
  sinkId: (p: string, stream: string, sinkIndex: number, table: string) => {
    const id = `${p}.${stream}.${sinkIndex}.${table}`;
    return id.length <= 160 ? id : `${id.slice(0, 150)}~${shortHash(id)}`;
  },
};

/** A name as Kubernetes takes it (RFC 1123): "_" as "-"; longer than `max`, cut and a hash. */
function k8sName(name: string, max: number): string {
  const dns = name.replace(/_/g, "-");
  return dns.length <= max ? dns : `${dns.slice(0, max - 9).replace(/-+$/, "")}-${shortHash(name)}`;
}

/** Files of the Kubernetes target: a SparkApplication (Kubeflow Spark operator) per stream. */
export const kubernetesPaths = {
  sparkApplication: (p: string, stream: string) => `${p}/kubernetes/${stream}.yaml`,
};

/** Kubernetes object names of a pipeline (lowercase, "-" for "_", at most 63 characters). */
export const kubernetesNames = {
  /** A stream's SparkApplication (the operator names the driver pod <name>-driver). */
  sparkApplication: (p: string, stream: string) => k8sName(`${p}-${stream}`, 56),
  /** The Secret with the pipeline's ${secret:NAME} values, unless the spec names another. */
  secret: (p: string) => k8sName(`${p}-secrets`, 63),
  /** The ConfigMap with the pipeline's ${env:NAME} values, unless the spec names another. */
  configMap: (p: string) => k8sName(`${p}-config`, 63),
};

/**
 * How a test names a stream's sink (`expect.sinks`): `<connection>.<table>` (or `.<collection>`,
 * `.<path>` for files), a Kafka sink by its topic.
 */
export function testSinkName(sink: Sink): string {
  switch (sink.kind) {
    case "kafka":
      return sink.topic.name;
    case "mongodb":
      return `${sink.connection.name}.${sink.collection}`;
    case "files":
      return `${sink.connection.name}.${sink.path}`;
    default:
      return `${sink.connection.name}.${sink.table}`;
  }
}

/** Query names and checkpoint folders a stream's job uses besides its file sinks'. */
export const streamQueries = { deadLetter: "dead_letter", sinks: "sinks" } as const;

/** Checkpoint folders (and query name suffixes, but for the records) of an archive's job. */
export const archiveQueries = { records: "records", undecodable: "undecodable" } as const;

/** Files of the Airflow target. */
export const airflowPaths = {
  ingestion: (p: string) => `${p}/airflow/${p}_ingestion.py`,
  processing: (p: string) => `${p}/airflow/${p}_processing.py`,
  archival: (p: string) => `${p}/airflow/${p}_archival.py`,
  monitoring: (p: string) => `${p}/airflow/${p}_monitoring.py`,
};

/** The pipeline's README (its picture and the table of its files). */
export const docsPaths = {
  readme: (p: string) => `${p}/README.md`,
};

/** DAG ids of the Airflow target. */
export const dagIds = {
  ingestion: (p: string) => `${p}_ingestion`,
  processing: (p: string, stream: string) => `${p}_processing_${stream}`,
  archival: (p: string, archive: string) => `${p}_archival_${archive}`,
  monitoring: (p: string) => `${p}_monitoring`,
};

/** The monitoring DAG's task that checks one job's freshness. */
export const freshnessTaskId = (job: string) => `check_${job}`;

/**
 * The Kafka consumer group a Spark job commits its processed offsets to (the runtime's
 * pipegen_runtime.spark.progress.consumer_group says the same).
 */
export const consumerGroup = (p: string, job: string) => `pipegen.${p}.${job}`;

/** Where a job writes its last progress, relative to the checkpoint root. */
export const progressFile = (p: string, job: string) => `${p}/${job}/_progress.json`;

/** The task of a processing or archival DAG: named after its Spark job. */
export const sparkTaskId = (job: string) => job;

/** The Airflow asset of a topic: kafka://<Kafka connection id>/<topic>. */
export const topicAssetUri = (kafkaConnection: string, topic: string) =>
  `kafka://${kafkaConnection}/${topic}`;

/** Task ids for topics: the name with "." as "_"; names that would collide get a hash suffix. */
export function topicTaskIds(topics: readonly Topic[]): Map<string, string> {
  const base = (t: string) => t.replace(/[^A-Za-z0-9_-]/g, "_");
  const count = new Map<string, number>();
  for (const t of topics) count.set(base(t.name), (count.get(base(t.name)) ?? 0) + 1);
  return new Map(
    topics.map((t) => {
      const b = base(t.name);
      return [t.name, count.get(b)! > 1 ? `${b}_${shortHash(t.name)}` : b];
    }),
  );
}

/**
 * A streaming query's checkpoint folder, relative to the checkpoint root:
 * <pipeline>/<job>/<query>, and <pipeline>/<job>/<query>.v<N> from state version 2 on (a new
 * checkpoint for a query whose state no longer fits the old one).
 */
export const sparkCheckpoint = (p: string, job: string, query: string, version: number) =>
  `${p}/${job}/${query}${version > 1 ? `.v${version}` : ""}`;

/** The tasks of the ingestion DAG, by role (register_schemas is a task group of one task per schema). */
export const ingestionTasks = {
  applyTopics: "apply_topics",
  registerSchemas: "register_schemas",
  deployNifi: "deploy_nifi_flow",
  startNifi: "start_nifi_flow",
} as const;

/** The state file of a pipeline: what its running systems hold once the build is deployed (pipegen plan). */
export const statePath = (p: string) => `${p}/pipegen-state.json`;
