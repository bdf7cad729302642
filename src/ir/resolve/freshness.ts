/**
 * `freshness:` of streams and archives: how long a record may wait in its topic before the
 * job has processed it. The monitoring DAG checks it and alerts through orchestration.alerts,
 * so it needs someone to alert; a long-running stream's record waits up to a trigger
 * interval by design, so its freshness must be longer than that.
 */
import { pointerOf } from "../../load/load.js";
import type * as I from "../types.js";
import { type Ctx, err } from "./context.js";

/** Reports a freshness nobody would hear of, or one the stream's trigger breaks by design. */
export function checkFreshness(
  ctx: Ctx,
  jobs: ReadonlyArray<I.Stream | I.Archive | undefined>,
  orchestration: I.Orchestration,
) {
  const alerts = orchestration.alerts;
  const heard = alerts.email.length > 0 || alerts.slack !== null;
  for (const job of jobs) {
    if (!job || job.freshnessMs === null) continue;
    const stream = "trigger" in job;
    const at = `${pointerOf(stream ? "streams" : "archive", job.name)}/freshness`;
    if (!heard)
      err(
        ctx,
        "PG305",
        at,
        `${stream ? "stream" : "archive"} '${job.name}' sets 'freshness' but nobody would be alerted when it is breached`,
        "add 'orchestration.alerts' (email or slack), or remove 'freshness'",
      );
    if (stream && job.trigger.kind === "every" && job.freshnessMs <= job.trigger.everyMs)
      err(
        ctx,
        "PG305",
        at,
        `stream '${job.name}' sets 'freshness' no longer than its trigger interval: a record waits up to one interval by design, so it would alert all the time`,
        "make 'freshness' longer than 'trigger.every' (a few intervals), or trigger more often",
      );
  }
}
