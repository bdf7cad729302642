/**
 * How a plan is shown: terraform's `+ ~ - -/+` per object with "N to add, N to change, N to
 * replace, N to remove", each change with its rule, class, place and message; one JSON
 * document; or GitHub workflow annotations.
 */
import type { PlanResult } from "./index.js";
import type { Action, Change } from "./types.js";

export interface Summary {
  add: number;
  change: number;
  replace: number;
  remove: number;
  breaking: number;
  care: number;
  safe: number;
  accepted: number;
}

/** One line per object a plan touches, with its action. */
export interface ObjectChange {
  pipeline: string;
  system: Change["system"];
  object: string;
  action: Action;
  changes: Change[];
}

export function objects(changes: readonly Change[]): ObjectChange[] {
  const out = new Map<string, ObjectChange>();
  for (const c of changes) {
    const key = JSON.stringify([c.pipeline, c.system, c.object]);
    const o = out.get(key) ?? {
      pipeline: c.pipeline,
      system: c.system,
      object: c.object,
      action: c.action,
      changes: [],
    };
    o.changes.push(c);
    const rank: Record<Action, number> = { "~": 0, "+": 1, "-": 2, "-/+": 3 };
    if (rank[c.action] > rank[o.action]) o.action = c.action;
    out.set(key, o);
  }
  return [...out.values()];
}

export function summary(changes: readonly Change[]): Summary {
  const objs = objects(changes);
  const count = (a: Action) => objs.filter((o) => o.action === a).length;
  const open = changes.filter((c) => !c.accepted);
  return {
    add: count("+"),
    change: count("~"),
    replace: count("-/+"),
    remove: count("-"),
    breaking: open.filter((c) => c.class === "breaking").length,
    care: open.filter((c) => c.class === "care").length,
    safe: open.filter((c) => c.class === "safe").length,
    accepted: changes.length - open.length,
  };
}

/** 3 when a change is breaking and not accepted, else 0. */
export function planExitCode(changes: readonly Change[]): number {
  return changes.some((c) => c.class === "breaking" && !c.accepted) ? 3 : 0;
}

export function summaryLine(s: Summary): string {
  const classes = [
    `${s.breaking} breaking`,
    `${s.care} to read with care`,
    `${s.safe} safe`,
    ...(s.accepted ? [`${s.accepted} accepted`] : []),
  ];
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.replace} to replace, ${s.remove} to remove (${classes.join(", ")}).`;
}

type Paint = (code: string, s: string) => string;

const classColor: Record<Change["class"], string> = { breaking: "31;1", care: "33", safe: "32" };
const actionColor: Record<Action, string> = { "+": "32", "~": "33", "-": "31", "-/+": "35" };

function changeLines(c: Change, paint: Paint): string[] {
  const where = c.line > 0 ? `${c.file}:${c.line}:${c.col}` : c.file;
  const accepted = c.accepted
    ? ` ${paint("36", `(accepted by ${c.accepted.by}${c.accepted.reason ? `: ${c.accepted.reason}` : ""})`)}`
    : "";
  const lines = [
    `      ${paint(classColor[c.class], c.class.padEnd(8))} ${paint("1", c.rule)}  ${where}${accepted}`,
    `        ${c.message}`,
  ];
  if (c.hint) lines.push(`        ${paint("36", "do:")} ${c.hint}`);
  for (const d of c.ddl ?? []) lines.push(`          ${paint("2", d)}`);
  return lines;
}

/** The text report (without the summary line). */
export function textReport(r: PlanResult, paint: Paint): string[] {
  const out: string[] = [];
  const objs = objects(r.changes);
  for (const p of r.pipelines) {
    const mine = objs.filter((o) => o.pipeline === p.name);
    if (!mine.length) continue;
    out.push(paint("1", `${p.name}${p.removed ? " (removed)" : ""}`) + ` (${p.spec})`);
    for (const system of [...new Set(mine.map((o) => o.system))]) {
      out.push(`  ${system}`);
      for (const o of mine.filter((x) => x.system === system)) {
        out.push(`    ${paint(actionColor[o.action], o.action.padEnd(3))} ${o.object}`);
        for (const c of o.changes) out.push(...changeLines(c, paint));
      }
    }
    out.push("");
  }
  return out;
}

const escapeData = (s: string) =>
  s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/** GitHub workflow commands: an error per breaking change, a warning per care, a notice per safe one. */
export function githubReport(r: PlanResult): string[] {
  return r.changes.map((c) => {
    const level = c.accepted
      ? "notice"
      : c.class === "breaking"
        ? "error"
        : c.class === "care"
          ? "warning"
          : "notice";
    const props = [
      `file=${escapeProperty(c.file)}`,
      ...(c.line > 0 ? [`line=${c.line}`, `col=${c.col}`] : []),
      `title=${escapeProperty(`${c.rule} (${c.class}${c.accepted ? ", accepted" : ""}): ${c.action} ${c.object}`)}`,
    ];
    const body = [c.message, ...(c.hint ? [`Do: ${c.hint}`] : []), ...(c.ddl ?? [])].join("\n");
    return `::${level} ${props.join(",")}::${escapeData(body)}`;
  });
}

/** The plan's fields of the JSON document. */
export function jsonReport(r: PlanResult) {
  return {
    against: r.baseline ?? null,
    pipelines: r.pipelines,
    notes: r.notes,
    summary: summary(r.changes),
    changes: r.changes.map((c) => ({
      pipeline: c.pipeline,
      system: c.system,
      object: c.object,
      action: c.action,
      rule: c.rule,
      class: c.class,
      file: c.file,
      line: c.line,
      col: c.col,
      pointer: c.at,
      message: c.message,
      ...(c.hint ? { hint: c.hint } : {}),
      ...(c.ddl ? { ddl: c.ddl } : {}),
      ...(c.accepted ? { accepted: c.accepted } : {}),
    })),
  };
}
