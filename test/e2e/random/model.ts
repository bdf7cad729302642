// The reference model: what a random stream's sinks and dead-letter topic must hold, computed
// here from the spec's meaning, not by Spark. Records are checked as the README says (undecodable
// bytes; JSON nulls in required fields; the schema's enums; notNull; check with SQL semantics,
// a check that is NULL passes; enum), in the order of the rules, reasons joined by "; ". Valid
// rows go through the steps; each job run is one micro-batch. The watermark of a run is the
// largest event time the earlier runs brought to the stream's first event-time step, less the
// longest watermark delay any step names (pipegen defines one watermark per stream); stateful
// steps drop rows older than it. Windows are tumbling, aligned to the epoch. Aggregations are
// written in update mode unless a table sink appends: then a window is written once, when the
// watermark has passed its end. Upsert tables hold the last row per key, in offset order.
import { MIN } from "./spec-gen.js";
import type { GenStream } from "./spec-gen.js";
import type { Produced, Row } from "./records.js";
import { Dec, Ts, type Col, type Sink, type V } from "./types.js";
import { canon, castTo, compare, evaluate, renderExpr, rescale } from "./values.js";

/**
 * A row whose event time is so close to the watermark that whether Spark counts it late depends
 * on details the README leaves open (event time or window end against the watermark): the
 * caller leaves the record out of the data.
 */
export class Ambiguous extends Error {
  constructor(
    readonly produced: Produced,
    t: number,
    w: number,
  ) {
    super(
      `model: event time ${new Date(t).toISOString()} too close to the watermark ${new Date(w).toISOString()} (${produced.note})`,
    );
  }
}

/** Why a decoded record is invalid ("" when it is valid), as the job's dead-letter header says. */
export function reasons(s: GenStream, row: Row): string {
  const out: string[] = [];
  const fields = s.schema.fields;
  const avroRequired = new Set(
    s.format === "avro" ? fields.filter((f) => f.required).map((f) => f.name) : [],
  );
  const v = (c: string): V => row[c] ?? null;
  for (const f of fields)
    if (f.required && !avroRequired.has(f.name) && v(f.name) === null)
      out.push(`schema: required field ${f.name} is null`);
  for (const f of fields) {
    if (!f.enum) continue;
    const covered = s.quality.some(
      (q) => q.k === "enum" && q.col === f.name && q.values.every((x) => f.enum!.includes(x)),
    );
    const x = v(f.name);
    if (!covered && x !== null && !f.enum.includes(x as string))
      out.push(`schema: ${f.name} not in the enum of ${s.schema.name}`);
  }
  s.quality.forEach((q, i) => {
    if (q.k === "notNull") {
      const name = q.name ?? `not_null_${q.cols.join("_")}`;
      for (const c of q.cols)
        if (!avroRequired.has(c) && v(c) === null) out.push(`${name}: ${c} is null`);
    } else if (q.k === "check") {
      const name = q.name ?? `check_${i + 1}`;
      if (evaluate(q.e, row) === false) out.push(`${name}: check failed: ${renderExpr(q.e)}`);
    } else {
      const name = q.name ?? `enum_${q.col}`;
      const x = v(q.col);
      if (x !== null && !q.values.includes(x as string))
        out.push(`${name}: ${q.col} not in the allowed values`);
    }
  });
  return out.join("; ");
}

/** Whether a valid row comes through the stream's stateless steps (filters) to its sinks. */
export function passesSteps(s: GenStream, row: Row): boolean {
  let r: Row = { ...row };
  for (const step of s.steps) {
    if (step.k === "filter" && evaluate(step.e, r) !== true) return false;
    if (step.k === "derive") for (const d of step.cols) r[d.name] = castTo(evaluate(d.e, r), d.out);
    if (step.k === "rename") {
      const next: Row = {};
      for (const [k, v] of Object.entries(r)) next[step.map.find(([a]) => a === k)?.[1] ?? k] = v;
      r = next;
    }
  }
  return true;
}

export function reasonOf(s: GenStream, p: Produced): string {
  if (p.bad === "wire") return "not in the Confluent Avro wire format";
  if (p.bad === "body") return "undecodable Avro record";
  if (p.bad === "json") return "undecodable JSON record";
  return reasons(s, p.row!);
}

/** A sink's expected content, in canonical text (values.ts `canon`). */
export interface ExpectedSink {
  sink: Sink;
  columns: Col[];
  /**
   * "multiset": exactly these rows (with the Kafka key as a last column for Kafka sinks);
   * "latest": a Kafka sink in update mode: per group (window_start and group columns), the last
   * record is the group's final row, and no other group appears.
   */
  check: "multiset" | "latest";
  rows: Array<Array<string | null>>;
  groupCols?: string[];
}

export interface Expected {
  deadLetters: Array<{ produced: Produced; reason: string }>;
  sinks: ExpectedSink[];
  valid: number;
  late: number;
  outputRows: number;
  /** The watermark after the last run, for messages. */
  watermark: number | null;
}

type Group = { start: number; groupVals: V[]; rows: Row[] };

const keyOf = (row: Row, cols: readonly string[], types: readonly Col[]) =>
  JSON.stringify(
    cols.map((c) =>
      canon(
        row[c] ?? null,
        types.find((t) => t.name === c) ?? { name: c, type: "string", required: false },
      ),
    ),
  );

function aggregate(fn: string, col: Col | null, rows: readonly Row[]): V {
  if (fn === "count")
    return col === null ? rows.length : rows.filter((r) => (r[col.name] ?? null) !== null).length;
  const vals = rows
    .map((r) => r[col!.name] ?? null)
    .filter((x): x is Exclude<V, null> => x !== null);
  if (!vals.length) return null;
  if (fn === "min" || fn === "max")
    return vals.reduce((a, b) =>
      compare(a, b) <= 0 ? (fn === "min" ? a : b) : fn === "min" ? b : a,
    );
  if (col!.type === "decimal") {
    const sum = vals.reduce(
      (a, b) => new Dec((a as Dec).u + (b as Dec).u, col!.scale!),
      new Dec(0n, col!.scale!),
    ) as Dec;
    if (fn === "sum") return sum;
    // avg of a decimal(p, s) is a decimal(p + 4, s + 4), rounded HALF_UP
    const scaled = rescale(sum, col!.scale! + 4).u;
    const n = BigInt(vals.length);
    const neg = scaled < 0n;
    const a = neg ? -scaled : scaled;
    let q = a / n;
    if ((a % n) * 2n >= n) q += 1n;
    return new Dec(neg ? -q : q, col!.scale! + 4);
  }
  const sum = (vals as number[]).reduce((a, b) => a + b, 0);
  return fn === "sum" ? sum : sum / vals.length;
}

export function expected(s: GenStream, produced: readonly Produced[]): Expected {
  const deadLetters: Expected["deadLetters"] = [];
  const valid: Produced[] = [];
  for (const p of produced) {
    const reason = reasonOf(s, p);
    if (reason) {
      if (s.deadLetter) deadLetters.push({ produced: p, reason });
    } else valid.push(p);
  }
  // The watermark: at the first event-time step, the longest delay of any step.
  const delays = s.steps.flatMap((x) =>
    x.k === "dedupe" && x.on ? [x.watermarkMs!] : x.k === "agg" ? [x.window.watermarkMs] : [],
  );
  const delay = delays.length ? Math.max(...delays) : null;
  const firstEventStep = s.steps.findIndex((x) => (x.k === "dedupe" && !!x.on) || x.k === "agg");

  let maxEvent = -Infinity;
  const seen = new Map<string, number | null>();
  const groups = new Map<string, Group>();
  const outRows: Row[] = [];
  let late = 0;
  let cols: Col[] = s.schema.fields.map((f) => ({ ...f }));
  const schemaAt: Col[][] = [];
  // Column types at each step (for keys), computed once from the generator's shapes.
  {
    let c = cols;
    for (const step of s.steps) {
      schemaAt.push(c);
      if (step.k === "derive") c = [...c, ...step.cols.map((d) => d.out)];
      else if (step.k === "rename")
        c = c.map((x) => ({ ...x, name: step.map.find(([a]) => a === x.name)?.[1] ?? x.name }));
      else if (step.k === "drop") c = c.filter((x) => !step.cols.includes(x.name));
      else if (step.k === "select") c = step.cols.map((n) => c.find((x) => x.name === n)!);
    }
    // After an aggregation: the window bounds, the groups, the aggregates (the generator's shape).
    cols = s.steps.some((x) => x.k === "agg") ? s.output : c;
  }

  for (const phase of [1, 2] as const) {
    const W = delay === null || maxEvent === -Infinity ? -Infinity : maxEvent - delay;
    let runMax = -Infinity;
    for (const p of valid.filter((x) => x.phase === phase)) {
      let row: Row | null = { ...p.row! };
      for (const [i, step] of s.steps.entries()) {
        if (row === null) break;
        const eventTime = (on: string) => {
          const t = (row![on] as Ts | null)?.ms ?? null;
          if (i === firstEventStep && t !== null) runMax = Math.max(runMax, t);
          return t;
        };
        const isLate = (t: number | null, span: number) => {
          if (t === null || W === -Infinity) return false;
          if (t >= W - span - 2 * MIN && t < W + 30_000) throw new Ambiguous(p, t, W);
          return t < W;
        };
        switch (step.k) {
          case "filter":
            if (evaluate(step.e, row) !== true) row = null;
            break;
          case "derive":
            for (const d of step.cols) row[d.name] = castTo(evaluate(d.e, row), d.out);
            break;
          case "rename": {
            const next: Row = {};
            for (const [k, v] of Object.entries(row))
              next[step.map.find(([a]) => a === k)?.[1] ?? k] = v;
            row = next;
            break;
          }
          case "drop":
            for (const c of step.cols) delete row[c];
            break;
          case "select":
            row = Object.fromEntries(step.cols.map((c) => [c, row![c] ?? null]));
            break;
          case "dedupe": {
            const t = step.on ? eventTime(step.on) : null;
            if (step.on && isLate(t, 0)) {
              late++;
              row = null;
              break;
            }
            const k = keyOf(row, step.key, schemaAt[i]!);
            const prev = seen.get(k);
            const alive =
              prev !== undefined &&
              (!step.on || prev === null || W === -Infinity || prev + delay! >= W);
            if (alive) row = null;
            else seen.set(k, t);
            break;
          }
          case "agg": {
            const t = eventTime(step.window.on);
            if (t === null) {
              row = null;
              break;
            }
            if (isLate(t, step.window.sizeMs)) {
              late++;
              row = null;
              break;
            }
            const start = Math.floor(t / step.window.sizeMs) * step.window.sizeMs;
            const groupVals = step.groupBy.map((c) => row![c] ?? null);
            const k = JSON.stringify([
              start,
              ...step.groupBy.map((c, j) =>
                canon(
                  groupVals[j]!,
                  schemaAt[i]!.find((x) => x.name === c)!,
                ),
              ),
            ]);
            const grp = groups.get(k) ?? { start, groupVals, rows: [] };
            grp.rows.push(row);
            groups.set(k, grp);
            row = null;
            break;
          }
        }
      }
      if (row !== null) outRows.push(row);
    }
    maxEvent = Math.max(maxEvent, runMax);
  }
  const W = delay === null || maxEvent === -Infinity ? null : maxEvent - delay;

  const agg = s.steps.find((x) => x.k === "agg");
  const sinks: ExpectedSink[] = [];
  const canonRow = (row: Row) => cols.map((c) => canon(row[c.name] ?? null, c));
  const kafkaKey = (k: Sink, row: Row): string | null => {
    if (k.k !== "kafka" || k.key === null) return null;
    const v = row[k.key] ?? null;
    return v === null ? null : String(v);
  };
  if (!agg) {
    for (const k of s.sinks) {
      if (k.k === "kafka")
        sinks.push({
          sink: k,
          columns: cols,
          check: "multiset",
          rows: outRows.map((r) => [...canonRow(r), kafkaKey(k, r)]),
        });
      else if (k.mode === "append")
        sinks.push({ sink: k, columns: cols, check: "multiset", rows: outRows.map(canonRow) });
      else {
        const last = new Map<string, Row>();
        for (const r of outRows) last.set(keyOf(r, k.key, cols), r);
        sinks.push({
          sink: k,
          columns: cols,
          check: "multiset",
          rows: [...last.values()].map(canonRow),
        });
      }
    }
  } else if (agg.k === "agg") {
    const src = schemaAt[s.steps.indexOf(agg)]!;
    const finals: Row[] = [];
    for (const grp of groups.values()) {
      const row: Row = {
        window_start: new Ts(grp.start),
        window_end: new Ts(grp.start + agg.window.sizeMs),
      };
      agg.groupBy.forEach((c, j) => (row[c] = grp.groupVals[j]!));
      for (const a of agg.aggs)
        row[a.name] = aggregate(
          a.fn,
          a.col === null ? null : src.find((x) => x.name === a.col)!,
          grp.rows,
        );
      finals.push(row);
    }
    const appendMode = s.sinks.some((k) => k.k !== "kafka" && k.mode === "append");
    const emitted = appendMode
      ? finals.filter((r) => W !== null && (r.window_end as Ts).ms <= W)
      : finals;
    for (const k of s.sinks) {
      if (k.k === "kafka")
        sinks.push({
          sink: k,
          columns: cols,
          check: appendMode ? "multiset" : "latest",
          rows: emitted.map((r) => [...canonRow(r), kafkaKey(k, r)]),
          groupCols: ["window_start", ...agg.groupBy],
        });
      else sinks.push({ sink: k, columns: cols, check: "multiset", rows: emitted.map(canonRow) });
    }
    outRows.length = 0;
    outRows.push(...emitted);
  }
  return {
    deadLetters,
    sinks,
    valid: valid.length,
    late,
    outputRows: outRows.length,
    watermark: W,
  };
}
