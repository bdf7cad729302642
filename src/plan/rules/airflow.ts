/** Airflow DAGs: what the scheduler does with new, removed and renamed DAGs and tasks. */
import type { DagState } from "../../emit/state/index.js";
import type { Comparison, Finding } from "../types.js";
import { keyDiff, same } from "./common.js";
import { jobRenames } from "./spark.js";

/** DAGs of renamed streams and archives: the removed one runs the old job, the added one the new. */
function renames(c: Comparison, d: ReturnType<typeof keyDiff>): Array<[string, string]> {
  const b = c.before.airflow.dags;
  const a = c.after.airflow.dags;
  const dagOf = (dags: Record<string, DagState>, ids: string[], job: string) =>
    ids.find((id) => same(dags[id]!.tasks, [job]));
  return jobRenames(c).flatMap(([from, to]): Array<[string, string]> => {
    const old = dagOf(b, d.removed, from);
    const now = dagOf(a, d.added, to);
    return old && now ? [[old, now]] : [];
  });
}

function dagChanges(id: string, b: DagState, a: DagState): Finding[] {
  const out: Finding[] = [];
  const object = `DAG ${id}`;
  if (a.schedule !== b.schedule)
    out.push({
      rule: "AIRFLOW_SCHEDULE_CHANGED",
      object,
      action: "~",
      at: [
        `${a.at}/trigger/schedule`,
        `${a.at}/schedule`,
        `${a.at}/trigger`,
        "/orchestration/schedule",
      ],
      message: `schedule ${b.schedule ?? "none"} -> ${a.schedule ?? "none"}: the next run follows the new schedule; with catchup off, intervals between the last run and now are not run${a.schedule === "@continuous" ? "; @continuous keeps one run going at all times" : ""}`,
    });
  if (a.startDate !== b.startDate)
    out.push({
      rule: "AIRFLOW_START_DATE_CHANGED",
      object,
      action: "~",
      at: "/orchestration/startDate",
      message: `start date ${b.startDate} -> ${a.startDate}: the runs already made stay in its history; with catchup off, no run is made for intervals before now${a.startDate > b.startDate ? ", and runs dated before the new start date no longer count for the scheduler" : ""}`,
    });
  const d = keyDiff(
    Object.fromEntries(b.tasks.map((t) => [t, 1])),
    Object.fromEntries(a.tasks.map((t) => [t, 1])),
  );
  for (const t of d.added)
    out.push({
      rule: "AIRFLOW_TASK_ADDED",
      object: `task ${id}.${t}`,
      action: "+",
      at: a.at,
      message: "runs from the next DAG run on",
    });
  for (const t of d.removed)
    out.push({
      rule: "AIRFLOW_TASK_REMOVED",
      object: `task ${id}.${t}`,
      action: "-",
      at: a.at,
      message:
        "its history (runs, logs, XComs) stays under the old task id; a renamed task starts with none",
    });
  return out;
}

export function airflowRules(c: Comparison): Finding[] {
  const b = c.before.airflow.dags;
  const a = c.after.airflow.dags;
  const d = keyDiff(b, a);
  const pairs = renames(c, d);
  const out: Finding[] = [];
  for (const [from, to] of pairs)
    out.push({
      rule: "AIRFLOW_DAG_RENAMED",
      object: `DAG ${from} -> ${to}`,
      action: "-/+",
      at: a[to]!.at,
      message: `Airflow knows DAGs by id: ${to} is a new DAG with no history (with catchup off its first run is the latest interval, or at once for @continuous and @once), and ${from} disappears from the DAG files; its runs and logs stay in the metadata database under the old id`,
    });
  for (const id of d.added.filter((x) => !pairs.some(([, y]) => y === x)))
    out.push({
      rule: "AIRFLOW_DAG_ADDED",
      object: `DAG ${id}`,
      action: "+",
      at: a[id]!.at,
      message: `Airflow picks the file up and schedules it (${a[id]!.schedule ?? "no schedule"}); with catchup off its first run is the latest interval, not one per interval since ${a[id]!.startDate}`,
    });
  for (const id of d.removed.filter((x) => !pairs.some(([y]) => y === x)))
    out.push({
      rule: "AIRFLOW_DAG_REMOVED",
      object: `DAG ${id}`,
      action: "-",
      at: b[id]!.at,
      gone: true,
      message:
        "its file is gone (a build deletes it): Airflow marks the DAG stale and keeps its history; a task it is running (a long-running Spark job) is not stopped by that",
      hint: "stop its running tasks (and the Spark application) before deploying",
    });
  for (const id of d.common) if (!same(b[id], a[id])) out.push(...dagChanges(id, b[id]!, a[id]!));
  return out;
}
