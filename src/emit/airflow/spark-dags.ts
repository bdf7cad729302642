/**
 * The processing DAGs (one per stream) and the archival DAGs (one per archive): each submits
 * its Spark job with SparkSubmitOperator, from the Spark target's typed job plan.
 */
import { airflowPaths, dagIds, sparkTaskId, topicAssetUri } from "../../ir/names.js";
import { refNames, secretNames } from "../../ir/refs.js";
import type { Pipeline, ValueRef } from "../../ir/types.js";
import { render } from "../shared/templates.js";
import type { GeneratedFile } from "../shared/types.js";
import { sparkJobPlans, type JobPlan } from "../spark/submit.js";
import {
  jinjaConnectionExtra,
  jinjaSecret,
  jinjaText,
  jinjaValue,
  jinjaVariable,
} from "./jinja.js";
import { deadlineTexts, doc, sdkImports, settings, timedelta } from "./settings.js";

/**
 * The Airflow variable that may name the runtime's zip (a path on the workers or a URL Spark
 * reads) for spark-submit --py-files; unset, the runtime must be installed in Spark's Python.
 */
export const runtimePyFilesVariable = "PIPEGEN_RUNTIME_PY_FILES";

/** The cap on the exponential retry backoff of a long-running stream's job. */
const maxRetryDelayMs = 3_600_000;

/** The Spark configuration of a job's task: the plan's, and an archive's S3A settings. */
function sparkConf(plan: JobPlan): Record<string, string> {
  const conf: Record<string, string> = {};
  for (const [k, v] of Object.entries(plan.conf)) conf[k] = jinjaText(v);
  const s3 = plan.s3;
  if (s3) {
    const set = (key: string, v: ValueRef | null) => {
      if (v !== null) conf[`spark.hadoop.fs.s3a.${key}`] = jinjaValue(v);
    };
    set("endpoint", s3.endpoint);
    set("endpoint.region", s3.region);
    if (s3.pathStyle) conf["spark.hadoop.fs.s3a.path.style.access"] = "true";
    set("access.key", s3.accessKey);
    set("secret.key", s3.secretKey);
  }
  if (plan.lineage) conf["spark.openlineage.transport.url"] = jinjaValue(plan.lineage.url);
  return conf;
}

/** One SparkSubmitOperator's arguments from a job plan; every templated value as Jinja text. */
function sparkTask(p: Pipeline, plan: JobPlan, secrets: ReadonlySet<string>) {
  const conf = sparkConf(plan);
  // The bootstrap servers reach the job as --bootstrap-servers, from the Kafka connection.
  const bootstrap = new Set(refNames(p.platform.kafka.bootstrapServers));
  const env = plan.environment
    .filter((n) => !bootstrap.has(n))
    .map((n) => ({ name: n, value: secrets.has(n) ? jinjaSecret(n) : jinjaVariable(n) }));
  return {
    id: sparkTaskId(plan.job),
    application: plan.application,
    // Where the driver reads the program when not from the Airflow worker (Kubernetes, cluster mode).
    applicationUri: plan.applicationUri && jinjaText(plan.applicationUri),
    name: jinjaText(plan.name),
    deployMode: plan.deployMode,
    packages: jinjaText(plan.packages.join(",")),
    // Rendered when the task runs: "" (no --py-files) while the variable is unset.
    // (Kubernetes with runtime: jobFiles: the zip in jobFiles while unset.)
    pyFiles: `{{ var.value.get("${runtimePyFilesVariable}", ${JSON.stringify(plan.runtimePyFilesUri ?? "")}) }}`,
    conf: Object.keys(conf)
      .sort()
      .map((key) => ({ key, value: conf[key]! })),
    numExecutors: plan.resources.numExecutors,
    executorCores: plan.resources.executorCores,
    executorMemory: plan.resources.executorMemory,
    driverMemory: plan.resources.driverMemory,
    env,
    usesSecrets:
      env.some((e) => secrets.has(e.name)) || /pipegen_secret/.test(JSON.stringify(conf)),
    longRunning: plan.longRunning,
    lineage: plan.lineage !== null,
    maxRetryDelay: timedelta(Math.max(maxRetryDelayMs, p.orchestration.retryDelayMs)),
  };
}

/** A job's DAG: what it reads and writes (as assets), and its doc. */
interface Entry {
  name: string;
  inlets: string[];
  outlets: string[];
  doc: string | undefined;
}

function what(archival: boolean, e: Entry, plan: JobPlan): string {
  if (archival)
    return `Runs the Spark archive job ${e.name} (topic ${e.inlets[0]}) on its schedule.`;
  return plan.longRunning
    ? `Runs the long-running Spark job of stream ${e.name} (topic ${e.inlets[0]}) and restarts it when it fails.`
    : `Runs the Spark job of stream ${e.name} (topic ${e.inlets[0]}, available-now trigger) on its schedule.`;
}

/** What the DAGs of one file share. */
interface Context {
  p: Pipeline;
  archival: boolean;
  secrets: ReadonlySet<string>;
  /** Whether the pipeline has deadline alerts. */
  deadline: boolean;
}

function sparkDag({ p, archival, secrets, deadline }: Context, e: Entry) {
  const o = p.orchestration;
  const plan = sparkJobPlans(p).get(e.name)!;
  const kafka = p.platform.airflow.kafkaConnection;
  const assets = (topics: string[]) =>
    topics.map((t) => ({ name: t, uri: topicAssetUri(kafka, t) }));
  const task = {
    ...sparkTask(p, plan, secrets),
    inlets: assets(e.inlets),
    outlets: assets(e.outlets),
  };
  const schedule = plan.longRunning ? "@continuous" : (plan.schedule ?? o.schedule);
  const id = archival ? dagIds.archival(p.name, e.name) : dagIds.processing(p.name, e.name);
  // A long-running job's run never ends in time: no deadline for it.
  const hasDeadline = deadline && !plan.longRunning;
  return {
    id,
    description: archival
      ? `${p.name}: archive ${e.name}`
      : `${p.name}: stream ${e.name}${plan.longRunning ? " (long-running)" : ""}`,
    doc: doc(p, what(archival, e, plan), [e.doc]),
    schedule,
    maxActiveRuns: schedule === "@continuous" ? 1 : o.maxActiveRuns,
    deadline: hasDeadline,
    ...deadlineTexts(p, id, hasDeadline),
    task,
  };
}

function sparkDagsFile(p: Pipeline, archival: boolean, entries: Entry[]): GeneratedFile | null {
  if (!entries.length) return null;
  const s = settings(p);
  const secrets = secretNames(p, ["kafka", "nifi", "spark", "connections"]);
  const ctx: Context = { p, archival, secrets, deadline: s.deadline !== null };
  const dags = entries.map((e) => sparkDag(ctx, e));
  const deadline = dags.some((d) => d.deadline);
  const kafka = p.platform.airflow.kafkaConnection;
  return {
    path: archival ? airflowPaths.archival(p.name) : airflowPaths.processing(p.name),
    format: "python",
    content: render("airflow/spark_dags.py.hbs", {
      ...s,
      deadline: deadline ? s.deadline : null,
      sdkImports: sdkImports([
        "DAG",
        "Asset",
        deadline && "AsyncCallback",
        deadline && "DeadlineAlert",
        deadline && "DeadlineReference",
      ]),
      archival,
      sparkConnection: p.platform.airflow.sparkConnection,
      kafkaConnection: kafka,
      kafkaBootstrap: jinjaConnectionExtra(kafka, "bootstrap.servers"),
      secrets: dags.some((d) => d.task.usesSecrets),
      dags,
    }),
  };
}

/** The processing DAGs: one per stream, in one file. */
export function processingDags(p: Pipeline): GeneratedFile | null {
  return sparkDagsFile(
    p,
    false,
    p.streams.map((s) => ({
      name: s.name,
      inlets: [s.from.topic.name],
      outlets: s.sinks.flatMap((k) => (k.kind === "kafka" ? [k.topic.name] : [])),
      doc: s.doc,
    })),
  );
}

/** The archival DAGs: one per archive, in one file. */
export function archivalDags(p: Pipeline): GeneratedFile | null {
  return sparkDagsFile(
    p,
    true,
    p.archive.map((a) => ({ name: a.name, inlets: [a.from.name], outlets: [], doc: a.doc })),
  );
}
