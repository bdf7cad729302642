import { createHash } from "node:crypto";
import type { Pipeline, Topic, ValueRef } from "../../ir/types.js";
import { kafkaPaths } from "../kafka/index.js";
import { headerComment, headerLines } from "../shared/header.js";
import { render } from "../shared/templates.js";
import type { GeneratedFile } from "../shared/types.js";
import { sparkPaths } from "../../ir/names.js";
import { emitSpark } from "../spark/index.js";
import { jinjaConnectionExtra, jinjaSecret, jinjaText, jinjaVariable } from "./jinja.js";

/** Paths and DAG ids of the Airflow target. */
export const airflowPaths = {
  ingestion: (p: string) => `${p}/airflow/${p}_ingestion.py`,
  processing: (p: string) => `${p}/airflow/${p}_processing.py`,
  archival: (p: string) => `${p}/airflow/${p}_archival.py`,
};

export const dagIds = {
  ingestion: (p: string) => `${p}_ingestion`,
  processing: (p: string, stream: string) => `${p}_processing_${stream}`,
  archival: (p: string, archive: string) => `${p}_archival_${archive}`,
};

/** The SMTP connection failure e-mails go through (the SMTP provider's default). */
export const smtpConnection = "smtp_default";

/** The cap on the exponential retry backoff of a long-running stream's job. */
const maxRetryDelayMs = 3_600_000;

/** Milliseconds as the largest whole timedelta unit: {unit: "minutes", amount: 5}. */
export function timedelta(ms: number): { unit: string; amount: number } {
  const units: Array<[number, string]> = [
    [86_400_000, "days"],
    [3_600_000, "hours"],
    [60_000, "minutes"],
    [1000, "seconds"],
  ];
  for (const [size, unit] of units)
    if (ms > 0 && ms % size === 0) return { unit, amount: ms / size };
  return { unit: "milliseconds", amount: ms };
}

/** The start date, checked to be a real calendar date. */
function startDate(text: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (!m || d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day)
    throw new Error(`orchestration.startDate ${JSON.stringify(text)} is not a calendar date`);
  return { year, month, day };
}

/** Names of every ${secret:NAME} reference anywhere in the pipeline. */
function secretNames(p: Pipeline): Set<string> {
  const out = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (v: unknown) => {
    if (v === null || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    const r = v as { kind?: unknown; name?: unknown };
    if (r.kind === "secret" && typeof r.name === "string") out.add(r.name);
    for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x);
  };
  walk(p.platform);
  walk(p.connections);
  return out;
}

function refNames(ref: ValueRef): string[] {
  if (ref.kind === "env" || ref.kind === "secret") return [ref.name];
  if (ref.kind === "template")
    return ref.parts.flatMap((x) => (typeof x === "string" ? [] : [x.name]));
  return [];
}

/** A value of the .submit.json ("x", {env: N}, {secret: N}, {template: [...]}) as Jinja text. */
function submitValue(v: unknown): string {
  if (typeof v === "string") return jinjaText(v);
  const o = v as Record<string, unknown>;
  if (typeof o.env === "string") return jinjaVariable(o.env);
  if (typeof o.secret === "string") return jinjaSecret(o.secret);
  if (Array.isArray(o.template)) return o.template.map(submitValue).join("");
  throw new Error(`unexpected submission value ${JSON.stringify(v)}`);
}

function topicUri(p: Pipeline, topic: string): string {
  return `kafka://${p.platform.airflow.kafkaConnection}/${topic}`;
}

/** Names imported from airflow.sdk, in the order ruff's isort writes them (constants, classes, rest). */
function sdkImports(names: Array<string | false>): string[] {
  const kind = (n: string) => (/^[A-Z0-9_]+$/.test(n) ? 0 : /^[A-Z]/.test(n) ? 1 : 2);
  return [...new Set(names.filter((n): n is string => !!n))].sort((a, b) =>
    kind(a) !== kind(b) ? kind(a) - kind(b) : a < b ? -1 : a > b ? 1 : 0,
  );
}

/** What every DAG file of a pipeline shares: owner, retries, start date, tags, alerts. */
function settings(p: Pipeline) {
  const o = p.orchestration;
  // An identifier, so plain in HTML; Jinja text like every spec value in a template field.
  const name = jinjaText(p.name);
  const email = o.alerts.email.length
    ? {
        to: o.alerts.email.map(jinjaText),
        connection: smtpConnection,
        subject: `[pipegen] ${name}: {{ ti.dag_id }}.{{ ti.task_id }} failed`,
        html:
          `<p>Task {{ ti.task_id }} of DAG {{ ti.dag_id }} (pipeline ${name})` +
          " failed on try {{ ti.try_number }} of run {{ run_id }}.</p>" +
          '<p>{{ exception | default("", true) | e }}</p>',
      }
    : null;
  const slack = o.alerts.slack
    ? {
        connection: jinjaText(o.alerts.slack.connection),
        text:
          `:red_circle: [pipegen] ${name}: {{ ti.dag_id }}.{{ ti.task_id }} failed` +
          " (run {{ run_id }}, try {{ ti.try_number }})",
      }
    : null;
  return {
    header: headerComment(p),
    pipeline: p.name,
    startDate: startDate(o.startDate),
    tags: o.tags,
    owner: o.owner,
    retries: o.retries,
    retryDelay: timedelta(o.retryDelayMs),
    email,
    slack,
    hasAlerts: email !== null || slack !== null,
    // A deadline alert needs someone to alert.
    deadline: o.deadlineMs !== null && (email || slack) ? timedelta(o.deadlineMs) : null,
  };
}

/** The DAG's doc: the spec's description, then what the DAG does and where it comes from. */
function doc(p: Pipeline, what: string, extra: Array<string | undefined> = []): string {
  const parts = [p.description.trim(), ...extra.map((x) => x?.trim())].filter((x) => !!x);
  const slack = p.orchestration.alerts.slack;
  const alerts = [
    p.orchestration.alerts.email.length
      ? `e-mail to ${p.orchestration.alerts.email.join(", ")} (connection ${smtpConnection})`
      : "",
    slack
      ? `Slack webhook connection ${slack.connection}` +
        (slack.channel ? ` (channel ${slack.channel})` : "")
      : "",
  ].filter(Boolean);
  parts.push(
    `${what} ${headerLines(p)[0]}` +
      (alerts.length ? ` Failed tasks alert by ${alerts.join(" and ")}.` : ""),
  );
  return parts.join("\n\n");
}

/** Task ids for topics: the name with "." as "_"; names that would collide get a hash suffix. */
function topicTaskIds(topics: readonly Topic[]): Map<string, string> {
  const base = (t: string) => t.replace(/[^A-Za-z0-9_-]/g, "_");
  const count = new Map<string, number>();
  for (const t of topics) count.set(base(t.name), (count.get(base(t.name)) ?? 0) + 1);
  return new Map(
    topics.map((t) => {
      const b = base(t.name);
      const hash = createHash("sha256").update(t.name).digest("hex").slice(0, 8);
      return [t.name, count.get(b)! > 1 ? `${b}_${hash}` : b];
    }),
  );
}

function ingestionDag(p: Pipeline): GeneratedFile | null {
  // Nothing to create or deploy without topics (an ingest entry always names one).
  if (!p.topics.length) return null;
  const s = settings(p);
  const a = p.platform.airflow;
  const withSchema = p.topics.filter((t) => t.schema && t.subject);
  const ids = topicTaskIds(withSchema);
  const h = createHash("sha256").update(p.name).digest();
  // The flow's parameter for a ${env:NAME} is NAME: the bootstrap servers and the registry
  // URL references take their values from the Airflow connections, like the other tasks'.
  const k = p.platform.kafka;
  const fromConnections = [
    ...(k.bootstrapServers.kind === "env"
      ? [{ name: k.bootstrapServers.name, source: "kafka" }]
      : []),
    ...(k.schemaRegistry?.kind === "env"
      ? [{ name: k.schemaRegistry.name, source: "registry" }]
      : []),
  ];
  const nifi = p.ingest.length
    ? {
        connection: a.nifiConnection,
        fromConnections,
        group: p.name,
        flowFile: `${p.name}.flow.json`,
        // A stable spot on the root canvas, so that pipelines do not stack on one another.
        x: (h[0]! % 8) * 450,
        y: (h[1]! % 8) * 250,
      }
    : null;
  const schedule = p.orchestration.schedule ?? "@once";
  const what =
    "Creates or updates the pipeline's Kafka topics" +
    (withSchema.length ? ", registers their Avro schemas" : "") +
    (nifi ? ` and deploys and starts its NiFi flow (process group ${p.name}).` : ".");
  return {
    path: airflowPaths.ingestion(p.name),
    format: "python",
    content: render("airflow/ingestion_dag.py.hbs", {
      ...s,
      sdkImports: sdkImports([
        "DAG",
        "Asset",
        "Connection",
        "task",
        s.deadline !== null && "AsyncCallback",
        s.deadline !== null && "DeadlineAlert",
        s.deadline !== null && "DeadlineReference",
        withSchema.length > 0 && "TaskGroup",
        nifi !== null && "Param",
        nifi !== null && "Variable",
      ]),
      usesHttp: withSchema.length > 0 || nifi !== null,
      kafkaConnection: a.kafkaConnection,
      registryConnection: a.schemaRegistryConnection,
      topics: p.topics.map((t) => ({ name: t.name, uri: topicUri(p, t.name) })),
      schemas: withSchema.map((t) => ({
        taskId: ids.get(t.name)!,
        subject: t.subject,
        file: kafkaPaths.schema(p.name, t.name).split("/").pop(),
        compatibility: t.compatibility,
      })),
      nifi,
      dag: {
        id: dagIds.ingestion(p.name),
        description: `${p.name}: Kafka topics${withSchema.length ? ", Avro schemas" : ""}${nifi ? ", NiFi flow" : ""}`,
        doc: doc(p, what),
        schedule,
        maxActiveRuns: schedule === "@continuous" ? 1 : p.orchestration.maxActiveRuns,
        deadline: s.deadline !== null,
      },
    }),
  };
}

interface Submission {
  name: string;
  application: string;
  deployMode: string;
  packages: string[];
  conf: Record<string, string>;
  environment: string[];
  longRunning: boolean;
  schedule: string | null;
  resources: {
    numExecutors: number | null;
    executorCores: number | null;
    executorMemory: string | null;
    driverMemory: string | null;
  };
  s3?: {
    endpoint: unknown;
    region: unknown;
    pathStyle: boolean;
    accessKey: unknown;
    secretKey: unknown;
  } | null;
}

/** The Spark target's submission settings (its .submit.json files), by job name. */
function submissions(p: Pipeline): Map<string, Submission> {
  const out = new Map<string, Submission>();
  const names = [...p.streams.map((s) => s.name), ...p.archive.map((a) => a.name)];
  const byPath = new Map(emitSpark(p).map((f) => [f.path, f.content]));
  for (const name of names) {
    const text = byPath.get(sparkPaths.submit(p.name, name));
    if (!text) throw new Error(`the Spark target wrote no ${sparkPaths.submit(p.name, name)}`);
    out.set(name, JSON.parse(text) as Submission);
  }
  return out;
}

/** One SparkSubmitOperator's arguments from a submission; every templated value as Jinja text. */
function sparkTask(p: Pipeline, name: string, sub: Submission, secrets: Set<string>) {
  const conf: Record<string, string> = {};
  for (const [k, v] of Object.entries(sub.conf)) conf[k] = jinjaText(v);
  const s3 = sub.s3;
  if (s3) {
    const set = (key: string, v: unknown) => {
      if (v !== null && v !== undefined) conf[`spark.hadoop.fs.s3a.${key}`] = submitValue(v);
    };
    set("endpoint", s3.endpoint);
    set("endpoint.region", s3.region);
    if (s3.pathStyle) conf["spark.hadoop.fs.s3a.path.style.access"] = "true";
    set("access.key", s3.accessKey);
    set("secret.key", s3.secretKey);
  }
  // The bootstrap servers reach the job as --bootstrap-servers, from the Kafka connection.
  const bootstrap = new Set(refNames(p.platform.kafka.bootstrapServers));
  const env = sub.environment
    .filter((n) => !bootstrap.has(n))
    .map((n) => ({ name: n, value: secrets.has(n) ? jinjaSecret(n) : jinjaVariable(n) }));
  return {
    id: name,
    application: sub.application,
    name: jinjaText(sub.name),
    deployMode: sub.deployMode,
    packages: jinjaText(sub.packages.join(",")),
    conf: Object.keys(conf)
      .sort()
      .map((key) => ({ key, value: conf[key]! })),
    numExecutors: sub.resources.numExecutors,
    executorCores: sub.resources.executorCores,
    executorMemory: sub.resources.executorMemory,
    driverMemory: sub.resources.driverMemory,
    env,
    usesSecrets:
      env.some((e) => secrets.has(e.name)) || /pipegen_secret/.test(JSON.stringify(conf)),
    longRunning: sub.longRunning,
    maxRetryDelay: timedelta(Math.max(maxRetryDelayMs, p.orchestration.retryDelayMs)),
  };
}

function sparkDags(
  p: Pipeline,
  archival: boolean,
  subs: () => Map<string, Submission>,
): GeneratedFile | null {
  const entries = archival
    ? p.archive.map((a) => ({ name: a.name, inlets: [a.from.name], outlets: [], doc: a.doc }))
    : p.streams.map((s) => ({
        name: s.name,
        inlets: [s.from.topic.name],
        outlets: s.sinks.flatMap((k) => (k.kind === "kafka" ? [k.topic.name] : [])),
        doc: s.doc,
      }));
  if (!entries.length) return null;
  const s = settings(p);
  const secrets = secretNames(p);
  const o = p.orchestration;
  const dags = entries.map((e) => {
    const sub = subs().get(e.name)!;
    const task = { ...sparkTask(p, e.name, sub, secrets), inlets: e.inlets, outlets: e.outlets };
    const schedule = sub.longRunning ? "@continuous" : (sub.schedule ?? o.schedule);
    const what = archival
      ? `Runs the Spark archive job ${e.name} (topic ${e.inlets[0]}) on its schedule.`
      : sub.longRunning
        ? `Runs the long-running Spark job of stream ${e.name} (topic ${e.inlets[0]}) and restarts it when it fails.`
        : `Runs the Spark job of stream ${e.name} (topic ${e.inlets[0]}, available-now trigger) on its schedule.`;
    return {
      id: archival ? dagIds.archival(p.name, e.name) : dagIds.processing(p.name, e.name),
      description: archival
        ? `${p.name}: archive ${e.name}`
        : `${p.name}: stream ${e.name}${sub.longRunning ? " (long-running)" : ""}`,
      doc: doc(p, what, [e.doc]),
      schedule,
      maxActiveRuns: schedule === "@continuous" ? 1 : o.maxActiveRuns,
      // A long-running job's run never ends in time: no deadline for it.
      deadline: s.deadline !== null && !sub.longRunning,
      task,
    };
  });
  const topics = [...new Set(dags.flatMap((d) => [...d.task.inlets, ...d.task.outlets]))].sort();
  const deadline = dags.some((d) => d.deadline);
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
      kafkaConnection: p.platform.airflow.kafkaConnection,
      kafkaBootstrap: jinjaConnectionExtra(p.platform.airflow.kafkaConnection, "bootstrap.servers"),
      topics: topics.map((t) => ({ name: t, uri: topicUri(p, t) })),
      secrets: dags.some((d) => d.task.usesSecrets),
      dags,
    }),
  };
}

/**
 * Airflow target: per pipeline an ingestion DAG (topics, schemas, NiFi flow), one processing
 * DAG per stream and one archival DAG per archive (in one file each), as plain DAG files.
 */
export function emitAirflow(p: Pipeline): GeneratedFile[] {
  let subs: Map<string, Submission> | undefined;
  const once = () => (subs ??= submissions(p));
  const files = [ingestionDag(p), sparkDags(p, false, once), sparkDags(p, true, once)];
  return files.filter((f): f is GeneratedFile => f !== null);
}
