import type { Pipeline } from "../../ir/types.js";
import { headerComment, headerLines } from "../shared/header.js";
import { jinjaText } from "./jinja.js";

/** The SMTP connection failure e-mails go through (the SMTP provider's default). */
export const smtpConnection = "smtp_default";

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

/** Milliseconds as Python's str(timedelta(milliseconds=ms)): "0:30:00", "1 day, 2:00:00". */
export function pyTimedeltaText(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const rest = seconds % 86_400;
  const two = (n: number) => String(n).padStart(2, "0");
  let text = `${Math.floor(rest / 3600)}:${two(Math.floor((rest % 3600) / 60))}:${two(rest % 60)}`;
  if (days) text = `${days} day${days === 1 ? "" : "s"}, ${text}`;
  if (ms % 1000) text += `.${String((ms % 1000) * 1000).padStart(6, "0")}`;
  return text;
}

/**
 * A DAG's deadline alert text (its e-mail subject and Slack text) and the e-mail's HTML, or
 * nulls without a deadline. A DAG id is plain in HTML and in Jinja.
 */
export function deadlineTexts(p: Pipeline, dagId: string, on: boolean) {
  const ms = p.orchestration.deadlineMs;
  if (!on || ms === null) return { deadlineText: null, deadlineHtml: null };
  const text = `[pipegen] ${dagId} missed its deadline: a run was not done ${pyTimedeltaText(ms)} after it was queued`;
  return { deadlineText: text, deadlineHtml: `<p>${text}.</p>` };
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

/** Names imported from airflow.sdk, in the order ruff's isort writes them (constants, classes, rest). */
export function sdkImports(names: Array<string | false>): string[] {
  const kind = (n: string) => (/^[A-Z0-9_]+$/.test(n) ? 0 : /^[A-Z]/.test(n) ? 1 : 2);
  return [...new Set(names.filter((n): n is string => !!n))].sort((a, b) =>
    kind(a) !== kind(b) ? kind(a) - kind(b) : a < b ? -1 : a > b ? 1 : 0,
  );
}

/** The failure alerts: by e-mail and to a Slack webhook, each when the spec asks for it. */
function alerts(p: Pipeline) {
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
  return { email, slack };
}

/** What every DAG file of a pipeline shares: owner, retries, start date, tags, alerts. */
export function settings(p: Pipeline) {
  const o = p.orchestration;
  const { email, slack } = alerts(p);
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
export function doc(p: Pipeline, what: string, extra: Array<string | undefined> = []): string {
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
