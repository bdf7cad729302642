/** The state of a pipeline's Airflow DAGs: ids, files, schedules, start date and task ids. */
import { airflowPaths, dagIds, ingestionTasks, sparkTaskId, topicTaskIds } from "../../ir/names.js";
import type { Pipeline } from "../../ir/types.js";
import { checkIntervalMs, watchedJobs } from "../airflow/monitoring.js";
import { timedelta } from "../airflow/settings.js";
import { sparkJobPlans } from "../spark/submit.js";
import { at } from "./pointers.js";
import type { DagState } from "./types.js";

/** Every DAG is built with catchup=False (templates/airflow/_dag.py.hbs). */
const catchup = false;

function ingestionDag(p: Pipeline): DagState | null {
  if (!p.topics.length) return null;
  const withSchema = p.topics.filter((t) => t.schema && t.subject);
  const ids = topicTaskIds(withSchema);
  const t = ingestionTasks;
  return {
    at: at.orchestration(),
    file: airflowPaths.ingestion(p.name),
    schedule: p.orchestration.schedule ?? "@once",
    startDate: p.orchestration.startDate,
    catchup,
    tasks: [
      t.applyTopics,
      ...withSchema.map((x) => `${t.registerSchemas}.${ids.get(x.name)!}`),
      ...(p.ingest.length ? [t.deployNifi, t.startNifi] : []),
    ],
  };
}

export function dagStates(p: Pipeline): Record<string, DagState> {
  const out: Record<string, DagState> = {};
  const ingestion = ingestionDag(p);
  if (ingestion) out[dagIds.ingestion(p.name)] = ingestion;
  const plans = sparkJobPlans(p);
  const job = (name: string, id: string, file: string, pointer: string) => {
    const plan = plans.get(name)!;
    out[id] = {
      at: pointer,
      file,
      schedule: plan.longRunning ? "@continuous" : (plan.schedule ?? p.orchestration.schedule),
      startDate: p.orchestration.startDate,
      catchup,
      tasks: [sparkTaskId(name)],
    };
  };
  for (const s of p.streams)
    job(
      s.name,
      dagIds.processing(p.name, s.name),
      airflowPaths.processing(p.name),
      at.stream(s.name),
    );
  for (const a of p.archive)
    job(a.name, dagIds.archival(p.name, a.name), airflowPaths.archival(p.name), at.archive(a.name));
  const monitoring = monitoringDag(p);
  if (monitoring) out[dagIds.monitoring(p.name)] = monitoring;
  return out;
}

/** The monitoring DAG: a check task per job with a freshness, on an interval (not a cron). */
function monitoringDag(p: Pipeline): DagState | null {
  const watches = watchedJobs(p);
  if (!watches.length) return null;
  const w = watches[0]!;
  const every = timedelta(checkIntervalMs(watches.map((x) => x.freshnessMs)));
  return {
    at: w.kind === "stream" ? at.stream(w.job, "freshness") : at.archive(w.job, "freshness"),
    file: airflowPaths.monitoring(p.name),
    schedule: `every ${every.amount} ${every.unit}`,
    startDate: p.orchestration.startDate,
    catchup,
    tasks: watches.map((x) => x.taskId),
  };
}
