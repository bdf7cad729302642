/**
 * The monitoring DAG: when a stream or an archive sets `freshness`, one DAG per pipeline checks
 * on a schedule that no record waits in its topic unprocessed for longer (pipegen-runtime's
 * pipegen_runtime.freshness, from the consumer group the job commits its offsets to); a
 * breach fails the job's task, and the pipeline's alerts (e-mail, Slack webhook) say which
 * job, how long its oldest record has waited and its lag.
 */
import { airflowPaths, consumerGroup, dagIds, freshnessTaskId } from "../../ir/names.js";
import type { Pipeline } from "../../ir/types.js";
import { render } from "../shared/templates.js";
import type { GeneratedFile } from "../shared/types.js";
import { runtimeNote } from "./ingestion.js";
import { jinjaText } from "./jinja.js";
import { doc, sdkImports, settings, timedelta } from "./settings.js";
import { RUNTIME_VERSION } from "../shared/runtime.js";

/** The longest and shortest time between two checks. */
const minIntervalMs = 60_000;

/** The jobs with a freshness, in the spec's order: streams, then archives. */
export function watchedJobs(p: Pipeline) {
  const streams = p.streams.map((s) => ({
    kind: "stream",
    job: s.name,
    topic: s.from.topic.name,
    freshnessMs: s.freshnessMs,
  }));
  const archives = p.archive.map((a) => ({
    kind: "archive",
    job: a.name,
    topic: a.from.name,
    freshnessMs: a.freshnessMs,
  }));
  return [...streams, ...archives].flatMap((w) =>
    w.freshnessMs === null
      ? []
      : [
          {
            ...w,
            freshnessMs: w.freshnessMs,
            group: consumerGroup(p.name, w.job),
            taskId: freshnessTaskId(w.job),
            freshness: timedelta(w.freshnessMs),
          },
        ],
  );
}

/** Checks run every half of the shortest freshness, at most once a minute. */
export function checkIntervalMs(freshness: readonly number[]): number {
  const half = Math.floor(Math.min(...freshness) / 2 / 1000) * 1000;
  return Math.max(minIntervalMs, half);
}

/** The failure alerts of the monitoring DAG: the exception (which job, how stale) up front. */
function monitoringAlerts(p: Pipeline, s: ReturnType<typeof settings>) {
  const name = jinjaText(p.name);
  const why =
    '{{ exception | default("the freshness check failed", true) | string | truncate(180) }}';
  return {
    email: s.email && {
      ...s.email,
      subject: `[pipegen] ${name}: ${why}`,
      html:
        '<p>{{ exception | default("", true) | e }}</p>' +
        `<p>Freshness check {{ ti.task_id }} of DAG {{ ti.dag_id }} (pipeline ${name}), run {{ run_id }}.</p>`,
    },
    slack: s.slack && {
      ...s.slack,
      text: `:warning: [pipegen] ${name}: ${why} (DAG {{ ti.dag_id }}, run {{ run_id }})`,
    },
  };
}

/** The monitoring DAG, or null when no job sets a freshness. */
export function monitoringDag(p: Pipeline): GeneratedFile | null {
  const watches = watchedJobs(p);
  if (!watches.length) return null;
  const s = settings(p);
  const path = airflowPaths.monitoring(p.name);
  const interval = checkIntervalMs(watches.map((w) => w.freshnessMs));
  const what =
    `Checks every ${timedelta(interval).amount} ${timedelta(interval).unit} that no record waits` +
    ` unprocessed longer than its job's freshness (${watches.map((w) => w.job).join(", ")}).`;
  return {
    path,
    format: "python",
    content: render("airflow/monitoring_dag.py.hbs", {
      ...s,
      ...monitoringAlerts(p, s),
      // A check that fails alerts at once: no retries. The task sends the alerts itself: a
      // failure callback's context has no exception under `airflow dags test`.
      retries: 0,
      alertsFromTask: s.hasAlerts,
      // A check runs in seconds; its alerts are its failures.
      deadline: null,
      runtimeNote,
      runtimeVersion: RUNTIME_VERSION,
      fileName: path.slice(path.lastIndexOf("/") + 1),
      sdkImports: sdkImports(["DAG", "task"]),
      kafkaConnection: p.platform.airflow.kafkaConnection,
      watches,
      id: dagIds.monitoring(p.name),
      description: `${p.name}: freshness and lag of ${watches.length === 1 ? "one job" : `${watches.length} jobs`}`,
      doc: doc(p, what),
      interval: timedelta(interval),
    }),
  };
}
