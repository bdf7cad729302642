/**
 * How `pipegen test` reports: text (a line per test; for a failing one only the rows and
 * columns that differ, expected and actual side by side), JSON (one document) and JUnit XML
 * (for CI). Pure: outcomes in, text out.
 */
import type { TestValue } from "../ir/types.js";
import type { ActualRow, Comparison, RowPair } from "./compare.js";
import type { Outcome } from "./judge.js";

export interface Summary {
  passed: number;
  failed: number;
  errors: number;
  seconds: number;
}

export function summarize(outcomes: readonly Outcome[], seconds: number): Summary {
  const count = (s: Outcome["status"]) => outcomes.filter((o) => o.status === s).length;
  return { passed: count("passed"), failed: count("failed"), errors: count("error"), seconds };
}

/** A value as a report shows it: timestamps without trailing zeros, text as it is. */
export function shownValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") {
    const ts = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(v);
    if (ts) {
      const frac = (ts[2] ?? "").replace(/0+$/, "");
      return `${ts[1]}${frac === "." ? "" : frac}Z`;
    }
    return /^[\w.:+-]*$/.test(v) && v !== "" ? v : JSON.stringify(v);
  }
  return String(v);
}

function rowText(
  row: ActualRow | Readonly<Record<string, TestValue>>,
  columns?: readonly string[],
): string {
  const keys = columns ?? Object.keys(row);
  return `{${keys.map((k) => `${k}: ${shownValue(row[k])}`).join(", ")}}`;
}

function table(rows: string[][], indent: string): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `${indent}${r.map((x, c) => x.padEnd(widths[c]!)).join("  ")}`.trimEnd());
}

function pairText(p: RowPair, indent: string): string[] {
  const where = p.position !== undefined ? `row ${p.position + 1}` : "row";
  const id = p.same.map(([c, v]) => `${c}=${shownValue(v)}`).join(" ");
  const rows = [
    ["column", "expected", "actual"],
    ...p.differs.map((d) => [d.column, shownValue(d.expected), shownValue(d.actual)]),
  ];
  return [`${indent}${where}${id ? ` ${id}` : ""}:`, ...table(rows, `${indent}  `)];
}

function comparisonText(c: Comparison, indent: string): string[] {
  const what = c.target === "dead letters" ? "dead letters" : `sink ${c.target}`;
  const head = `${indent}${what}: ${c.matched} of ${c.expected} expected rows found (${c.actual} written)`;
  const named = [
    ...new Set([...c.pairs.map((p) => p.expected), ...c.missing].flatMap((r) => Object.keys(r))),
  ];
  const lines = [head];
  for (const p of c.pairs) lines.push(...pairText(p, `${indent}  `));
  for (const m of c.missing) lines.push(`${indent}  missing:    ${rowText(m)}`);
  for (const u of c.unexpected)
    lines.push(
      `${indent}  unexpected: ${rowText(u, named.length ? named.filter((k) => k in u) : undefined)}`,
    );
  return lines;
}

/** The text report: a line per test, the differences of failing ones, a summary line. */
export function textReport(outcomes: readonly Outcome[], summary: Summary): string {
  const lines: string[] = [];
  for (const o of outcomes) {
    const mark = o.status === "passed" ? "ok  " : o.status === "failed" ? "FAIL" : "ERR ";
    lines.push(
      `${mark} ${o.id}  (stream ${o.stream}, ${o.file}:${o.line})  ${o.seconds.toFixed(1)}s`,
    );
    if (o.error)
      lines.push(
        ...o.error
          .split("\n")
          .slice(0, 12)
          .map((l) => `       ${l}`),
      );
    for (const c of o.comparisons.filter((x) => !x.ok)) lines.push(...comparisonText(c, "       "));
  }
  const { passed, failed, errors, seconds } = summary;
  lines.push(
    `${passed} passed, ${failed} failed${errors ? `, ${errors} errors` : ""} (${seconds.toFixed(1)}s)`,
  );
  return `${lines.join("\n")}\n`;
}

/** The failure text of one test (for JUnit's <failure>). */
export function failureText(o: Outcome): string {
  return o.comparisons
    .filter((c) => !c.ok)
    .flatMap((c) => comparisonText(c, ""))
    .join("\n");
}

const xml = (s: string) =>
  s
    .replace(
      /[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
    )
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

/** JUnit XML: one suite, a test case per test (classname the pipeline). */
export function junitReport(outcomes: readonly Outcome[], summary: Summary): string {
  const cases = outcomes.map((o) => {
    const attrs = `classname="${xml(o.pipeline)}" name="${xml(o.name)}" file="${xml(o.file)}" line="${o.line}" time="${o.seconds.toFixed(3)}"`;
    if (o.status === "passed") return `    <testcase ${attrs}/>`;
    const tag = o.status === "failed" ? "failure" : "error";
    const body = o.status === "failed" ? failureText(o) : (o.error ?? "");
    const message =
      o.status === "failed" ? "expected rows differ" : (o.error ?? "").split("\n")[0]!;
    return `    <testcase ${attrs}>\n      <${tag} message="${xml(message)}">${xml(body)}</${tag}>\n    </testcase>`;
  });
  const total = outcomes.length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites tests="${total}" failures="${summary.failed}" errors="${summary.errors}" time="${summary.seconds.toFixed(3)}">`,
    `  <testsuite name="pipegen test" tests="${total}" failures="${summary.failed}" errors="${summary.errors}" time="${summary.seconds.toFixed(3)}">`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}
