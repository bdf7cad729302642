/**
 * The Spark target's typed job plans: how each job is submitted (spark-submit's packages,
 * configuration, resources, master, deploy mode, program and environment). The job's
 * .submit.json is this plan serialised; the Airflow target submits the jobs from the same plans.
 */
import { sparkNames, sparkPaths } from "../../ir/names.js";
import { connectionRefs, refNames } from "../../ir/refs.js";
import type { Archive, Pipeline, S3Connection, Stream, Topic, ValueRef } from "../../ir/types.js";
import { deepFreeze } from "../../ir/values.js";
import { headerText } from "../shared/header.js";
import { stableJson } from "../shared/json.js";
import { RUNTIME_PACKAGE, RUNTIME_VERSION } from "../shared/runtime.js";
import { clusterConf, remoteFiles, runtimeZip } from "./cluster.js";
import { jdbcConnections } from "./jdbc.js";
import { filePath, sinksOf } from "./sinks.js";
import { cassandraDriver, sparkPackages } from "./versions.js";

/** What a job asks of the cluster; null leaves it to the cluster's defaults. */
export interface JobResources {
  numExecutors: number | null;
  executorCores: number | null;
  executorMemory: string | null;
  driverMemory: string | null;
}

/** Hadoop S3A settings of an archive's s3 connection; credentials only from the environment (or the instance's role). */
export interface S3Access {
  endpoint: ValueRef | null;
  region: ValueRef | null;
  pathStyle: boolean;
  accessKey: ValueRef | null;
  secretKey: ValueRef | null;
}

/** How one Spark job (a stream's or an archive's) is submitted. */
export interface JobPlan {
  /** The stream or archive the job runs. */
  job: string;
  kind: "stream" | "archive";
  /** The application name (spark-submit --name). */
  name: string;
  /** The program, a file beside the plan's .submit.json. */
  application: string;
  /**
   * Where the driver reads the program instead, when not from the submitting machine (on
   * Kubernetes in cluster mode: in the spec's jobFiles); null: the local application.
   */
  applicationUri: string | null;
  /** The runtime's zip where the driver reads it (Kubernetes, runtime: jobFiles); else null. */
  runtimePyFilesUri: string | null;
  master: ValueRef;
  deployMode: "client" | "cluster";
  /** Maven coordinates (spark-submit --packages), sorted. */
  packages: readonly string[];
  /** Spark configuration (spark-submit --conf): the platform's, then what every job sets. */
  conf: Readonly<Record<string, string>>;
  /** The environment variables the job reads (env and secret references), sorted. */
  environment: readonly string[];
  resources: Readonly<JobResources>;
  /** Python packages the executors import, besides the runtime. */
  pythonRequirements: readonly string[];
  /**
   * The pipegen-runtime the job imports on the driver and the executors: installed in their
   * Python (pip install <requirement>), or shipped with spark-submit --py-files <pyFiles>, the
   * zip that `python -m pipegen_runtime.pyfiles` writes.
   */
  runtime: Readonly<{ requirement: string; pyFiles: string }>;
  /** Runs until stopped (a stream with a processing-time trigger). */
  longRunning: boolean;
  /** When a job that stops by itself runs; null: the pipeline's schedule. */
  schedule: string | null;
  /** The s3 connection's settings: an archive's (null for another connection), a stream's files sink's. */
  s3?: Readonly<S3Access> | null;
  /**
   * OpenLineage: the listener is in `packages` and `conf`; the endpoint is given when the job is
   * submitted (--conf spark.openlineage.transport.url=...), as it may be a reference.
   */
  lineage: { url: ValueRef; namespace: string } | null;
}

/** What a stream's or an archive's job sets itself; the rest comes from its name and the platform. */
type JobSettings = Omit<
  JobPlan,
  | "job"
  | "kind"
  | "name"
  | "application"
  | "applicationUri"
  | "runtimePyFilesUri"
  | "master"
  | "deployMode"
  | "lineage"
  | "runtime"
>;

/** The OpenLineage Spark listener's settings but its endpoint (see JobPlan.lineage). */
const openLineageListener = "io.openlineage.spark.agent.OpenLineageSparkListener";
function lineageConf(p: Pipeline, conf: Readonly<Record<string, string>>): Record<string, string> {
  const l = p.platform.lineage;
  if (!l) return {};
  const listeners = conf["spark.extraListeners"];
  return {
    "spark.extraListeners": listeners ? `${listeners},${openLineageListener}` : openLineageListener,
    "spark.openlineage.transport.type": "http",
    "spark.openlineage.namespace": l.namespace,
  };
}

/** The runtime every job imports, at the version pipegen pins. */
const runtime = { requirement: `${RUNTIME_PACKAGE}==${RUNTIME_VERSION}`, pyFiles: runtimeZip };

function plan(p: Pipeline, kind: JobPlan["kind"], job: string, rest: JobSettings): JobPlan {
  const lineage = p.platform.lineage;
  const application = sparkPaths.application(job);
  const remote = remoteFiles(p, application);
  const conf = { ...clusterConf(p, rest.resources), ...rest.conf };
  return {
    job,
    kind,
    name: sparkNames.app(p.name, job),
    application,
    applicationUri: remote.application,
    runtimePyFilesUri: remote.pyFiles,
    master: p.platform.spark.master,
    deployMode: p.platform.spark.deployMode,
    runtime,
    ...rest,
    conf: { ...conf, ...lineageConf(p, conf) },
    packages: [...rest.packages, ...(lineage ? [sparkPackages.openlineage] : [])].sort(),
    environment: [...new Set(rest.environment)].sort(),
    lineage: lineage ? { url: lineage.url, namespace: lineage.namespace } : null,
  };
}

/** The Spark configuration every job gets: the platform's, shuffle partitions, UTC everywhere. */
function conf(p: Pipeline): Record<string, string> {
  return {
    ...p.platform.spark.conf,
    "spark.sql.shuffle.partitions": String(p.platform.spark.shufflePartitions),
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
  };
}

/**
 * The variables every job reads: the Kafka client's and the checkpoint root's; and the schema
 * registry's when the job reads Avro (the versions of the topic's schema, at start).
 */
function kafkaEnv(p: Pipeline, topic: Topic): string[] {
  const k = p.platform.kafka;
  return refNames(
    k.bootstrapServers,
    p.platform.spark.checkpointRoot,
    k.saslUser,
    k.saslPassword,
    topic.format === "avro" ? k.schemaRegistry : null,
  );
}

function streamPlan(p: Pipeline, s: Stream): JobPlan {
  const connections = jdbcConnections(s);
  const mongo = sinksOf(s, "mongodb");
  const cassandra = sinksOf(s, "cassandra");
  const packages: string[] = [
    sparkPackages.kafka,
    ...(s.from.topic.format === "avro" ? [sparkPackages.avro] : []),
  ];
  if (connections.some((c) => c.type === "postgres")) packages.push(sparkPackages.postgres);
  if (connections.some((c) => c.type === "mysql")) packages.push(sparkPackages.mysql);
  if (mongo.length) packages.push(sparkPackages.mongodb);
  // One s3 connection per job at most (the IR refuses more): S3A's settings are the job's.
  const s3 = sinksOf(s, "files").flatMap((x) => (x.connection.type === "s3" ? [x.connection] : []));
  if (s3.length) packages.push(sparkPackages.hadoopAws);
  const read = [...connections, ...mongo.map((m) => m.connection)];
  const environment = [
    ...kafkaEnv(p, s.from.topic),
    ...read.flatMap((c) => connectionRefs(c).map((r) => r.name)),
    ...cassandra.flatMap((x) => connectionRefs(x.connection).map((r) => r.name)),
    ...sinksOf(s, "files").flatMap((x) => refNames(filePath(x.connection, x.path))),
    ...(s3[0] ? s3Env(s3[0]) : []),
  ];
  return plan(p, "stream", s.name, {
    packages,
    conf: conf(p),
    environment,
    resources: {
      numExecutors: s.resources.executors,
      executorCores: s.resources.executorCores,
      executorMemory: s.resources.executorMemory,
      driverMemory: s.resources.driverMemory,
    },
    ...(s3[0] ? { s3: s3Access(s3[0]) } : {}),
    pythonRequirements: cassandra.length ? [cassandraDriver] : [],
    longRunning: s.trigger.kind === "every",
    schedule: s.trigger.kind === "availableNow" ? s.trigger.schedule : null,
  });
}

/** Hadoop S3A settings of an s3 connection. */
function s3Access(c: S3Connection): S3Access {
  return {
    endpoint: c.endpoint,
    region: c.region,
    pathStyle: c.pathStyle,
    accessKey: c.accessKey,
    secretKey: c.secretKey,
  };
}

/** The references of an s3 connection's settings that a job reads when it runs. */
const s3Env = (c: S3Connection) => refNames(c.endpoint, c.region, c.accessKey, c.secretKey);

function archivePlan(p: Pipeline, a: Archive): JobPlan {
  const c = a.to.connection;
  const packages = [
    sparkPackages.kafka,
    ...(a.from.format === "avro" ? [sparkPackages.avro] : []),
    ...(c.type === "s3" ? [sparkPackages.hadoopAws] : []),
  ];
  const path = filePath(c, a.to.path);
  return plan(p, "archive", a.name, {
    packages,
    conf: conf(p),
    environment: [...kafkaEnv(p, a.from), ...refNames(path), ...(c.type === "s3" ? s3Env(c) : [])],
    s3: c.type === "s3" ? s3Access(c) : null,
    resources: {
      numExecutors: null,
      executorCores: null,
      executorMemory: null,
      driverMemory: null,
    },
    pythonRequirements: [],
    longRunning: false,
    schedule: a.schedule,
  });
}

/** Plans per pipeline: the Spark and the Airflow target read the same (frozen) plans. */
const plans = new WeakMap<Pipeline, ReadonlyMap<string, JobPlan>>();

/** The plan of every Spark job of the pipeline (streams', then archives'), by job name. */
export function sparkJobPlans(p: Pipeline): ReadonlyMap<string, JobPlan> {
  let m = plans.get(p);
  if (!m) {
    m = new Map([
      ...p.streams.map((s) => [s.name, streamPlan(p, s)] as const),
      ...p.archive.map((a) => [a.name, archivePlan(p, a)] as const),
    ]);
    for (const x of m.values()) deepFreeze(x);
    plans.set(p, m);
  }
  return m;
}

/** A reference as the .submit.json writes it: "text", {env: N}, {secret: N} or {template: [...]}. */
function refJson(r: ValueRef | null): unknown {
  if (r === null) return null;
  if (r.kind === "literal") return r.value;
  if (r.kind === "env" || r.kind === "secret") return { [r.kind]: r.name };
  return { template: r.parts.map((x) => (typeof x === "string" ? x : { [x.kind]: x.name })) };
}

/** The .submit.json of a job: its plan, keys sorted, references as refJson writes them. */
export function submitJson(p: Pipeline, plan: JobPlan): string {
  const s3 = plan.s3 && {
    endpoint: refJson(plan.s3.endpoint),
    region: refJson(plan.s3.region),
    pathStyle: plan.s3.pathStyle,
    accessKey: refJson(plan.s3.accessKey),
    secretKey: refJson(plan.s3.secretKey),
  };
  return stableJson({
    $comment: headerText(p),
    name: plan.name,
    application: plan.application,
    applicationUri: plan.applicationUri,
    runtimePyFilesUri: plan.runtimePyFilesUri,
    master: refJson(plan.master),
    deployMode: plan.deployMode,
    packages: plan.packages,
    conf: plan.conf,
    environment: plan.environment,
    resources: plan.resources,
    pythonRequirements: plan.pythonRequirements,
    runtime: plan.runtime,
    longRunning: plan.longRunning,
    schedule: plan.schedule,
    s3,
    lineage: plan.lineage && {
      url: refJson(plan.lineage.url),
      namespace: plan.lineage.namespace,
    },
  });
}
