/**
 * `orchestration:`: how Airflow runs the pipeline: schedule, start date, retries, deadline,
 * concurrent runs, owner, tags and alerts.
 */
import type * as S from "../../schema/spec.gen.js";
import type * as I from "../types.js";
import { durationMs } from "../values.js";
import { defaults } from "./defaults.js";

export function resolveOrchestration(s: S.PipegenSpec): I.Orchestration {
  const o = s.orchestration ?? {};
  return {
    schedule: o.schedule ?? null,
    startDate: o.startDate ?? defaults.startDate,
    retries: o.retries ?? defaults.retries,
    retryDelayMs: durationMs(o.retryDelay ?? defaults.retryDelay),
    deadlineMs: o.deadline ? durationMs(o.deadline) : null,
    maxActiveRuns: o.maxActiveRuns ?? defaults.maxActiveRuns,
    owner: o.owner ?? s.owner ?? defaults.owner,
    tags: o.tags ?? ["pipegen", s.pipeline],
    alerts: {
      email: o.alerts?.email ?? [],
      slack: o.alerts?.slack
        ? { connection: o.alerts.slack.connection, channel: o.alerts.slack.channel ?? null }
        : null,
    },
  };
}
