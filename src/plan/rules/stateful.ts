/**
 * Stateful operators of a query restarting from the same checkpoint. The Spark guide
 * ("Recovery Semantics after Changes in a Streaming Query"): any change to the stateful
 * operations (additions, deletions, changes to the grouping keys, aggregates or dedupe columns)
 * is not allowed between restarts from the same checkpoint.
 */
import type { StatefulOp, StateColumn } from "../../emit/state/index.js";
import type { Finding } from "../types.js";
import { duration, same } from "./common.js";

/** What a query's findings share: the object, and the way out. */
export interface QueryAt {
  object: string;
  stream: string | null;
  /** The stream's state version now (the way out raises it). */
  stateVersion: number;
}

const opName = (op: StatefulOp) =>
  op.kind === "dedupe"
    ? `dedupe on ${op.keys.map((k) => k.name).join(", ")}${op.withinWatermark ? " (within the watermark)" : ""}`
    : `aggregation by ${[...(op.window ? ["window"] : []), ...op.groupBy.map((k) => k.name)].join(", ") || "nothing"}`;

const cols = (c: StateColumn[]) => c.map((x) => `${x.name} ${x.type}`).join(", ") || "none";

/** The way out of a state change: a new checkpoint. */
export function wayOut(q: QueryAt): string {
  if (!q.stream) return "give the job a new checkpoint";
  return `raise the stream's state version (stateVersion: ${q.stateVersion + 1}): its stateful queries start on new checkpoints, and plan says from where and what that means for the sinks`;
}

/** Spark 4.0's errors when a restart meets state of another shape (seen on the e2e engine). */
const errors = {
  operator: "STREAMING_STATEFUL_OPERATOR_NOT_MATCH_IN_STATE_METADATA",
  key: "STATE_STORE_KEY_SCHEMA_NOT_COMPATIBLE",
  value: "STATE_STORE_VALUE_SCHEMA_NOT_COMPATIBLE",
  /** The first stateful operator of a query that had none: its checkpoint has no state files. */
  missing: "CANNOT_LOAD_STATE_STORE.CANNOT_READ_DELTA_FILE_NOT_EXISTS",
};

const refused = (what: string, error: keyof typeof errors) =>
  `Spark refuses to restart the query from its checkpoint (${errors[error]}): ${what}, and the state the checkpoint holds no longer fits the query; the job exits 1, at every restart, and nothing is written`;

function added(q: QueryAt, op: StatefulOp, index: number, first: boolean): Finding {
  return {
    rule: "SPARK_STATEFUL_OPERATOR_ADDED",
    object: q.object,
    action: "~",
    at: op.at,
    message: refused(
      `stateful operator ${index + 1} (${opName(op)}) is new`,
      first ? "missing" : "operator",
    ),
    hint: wayOut(q),
  };
}

function removed(q: QueryAt, op: StatefulOp, index: number, fallback: string): Finding {
  return {
    rule: "SPARK_STATEFUL_OPERATOR_REMOVED",
    object: q.object,
    action: "~",
    at: fallback,
    message: refused(`stateful operator ${index + 1} (${opName(op)}) is gone`, "operator"),
    hint: wayOut(q),
  };
}

/** The first position where the two lists of operators differ in kind, or their common length. */
function firstMismatch(b: StatefulOp[], a: StatefulOp[]): number {
  let i = 0;
  while (i < b.length && i < a.length && b[i]!.kind === a[i]!.kind) i++;
  return i;
}

function samePosition(q: QueryAt, b: StatefulOp, a: StatefulOp, i: number): Finding[] {
  const at = a.at;
  if (
    a.kind !== b.kind ||
    (a.kind === "dedupe" && b.kind === "dedupe" && a.withinWatermark !== b.withinWatermark)
  )
    return [
      {
        rule: "SPARK_STATEFUL_OPERATOR_CHANGED",
        object: q.object,
        action: "~",
        at,
        message: refused(
          `stateful operator ${i + 1} was ${opName(b)} and is ${opName(a)}`,
          "operator",
        ),
        hint: wayOut(q),
      },
    ];
  const out: Finding[] = [];
  const keys = (op: StatefulOp) =>
    op.kind === "dedupe"
      ? op.keys
      : [...(op.window ? [{ name: "window", type: "struct" }] : []), ...op.groupBy];
  if (!same(keys(b), keys(a)))
    out.push({
      rule: "SPARK_STATE_KEY_CHANGED",
      object: q.object,
      action: "~",
      at,
      message: refused(
        `the state of ${opName(a)} is keyed by (${cols(keys(a))}), it was (${cols(keys(b))})`,
        "key",
      ),
      hint: wayOut(q),
    });
  if (a.kind === "aggregate" && b.kind === "aggregate") {
    if (!same(a.aggregates, b.aggregates)) {
      const show = (op: typeof a) =>
        op.aggregates
          .map((x) => `${x.name} = ${x.fn}(${x.column ?? "*"}${x.type ? ` ${x.type}` : ""})`)
          .join(", ");
      out.push({
        rule: "SPARK_AGGREGATES_CHANGED",
        object: q.object,
        action: "~",
        at: `${at}/aggregate`,
        message: refused(
          `the aggregates are (${show(a)}), they were (${show(b)}); the state holds one buffer per aggregate`,
          "value",
        ),
        hint: wayOut(q),
      });
    }
    if (a.window && b.window && !same(a.window, b.window))
      out.push(windowChange(q, b.window, a.window, `${at}/window`));
  }
  if (a.watermarkMs !== b.watermarkMs && a.watermarkMs !== null && b.watermarkMs !== null)
    out.push({
      rule: "SPARK_WATERMARK_CHANGED",
      object: q.object,
      action: "~",
      at,
      message: `watermark delay ${duration(b.watermarkMs)} -> ${duration(a.watermarkMs)}: Spark allows it; the query restarts with the watermark its checkpoint recorded and moves it with the new delay from then on, so records are dropped as late (and windows written) ${a.watermarkMs < b.watermarkMs ? "sooner" : "later"} than before`,
    });
  return out;
}

type Window = NonNullable<Extract<StatefulOp, { kind: "aggregate" }>["window"]>;

function windowChange(q: QueryAt, b: Window, a: Window, at: string): Finding {
  const show = (w: Window) =>
    `${duration(w.sizeMs)}${w.slideMs ? ` sliding by ${duration(w.slideMs)}` : ""} on ${w.on}`;
  return {
    rule: "SPARK_WINDOW_CHANGED",
    object: q.object,
    action: "~",
    at,
    message: `window ${show(b)} -> ${show(a)}: Spark does not notice (the state is keyed by each window's start and end either way) and restarts: windows already in the state keep their old size and are still updated and written, new ones have the new size, and a window that spans the change holds only the records after it; in a table keyed by window start, rows of both sizes mix and a new window overwrites the old row with the same start`,
    hint: wayOut(q),
  };
}

/** The findings for a query's stateful operators, before and after, from the same checkpoint. */
export function statefulChanges(
  q: QueryAt,
  b: StatefulOp[],
  a: StatefulOp[],
  queryAt: string,
): Finding[] {
  if (b.length !== a.length) {
    const i = firstMismatch(b, a);
    return a.length > b.length
      ? [added(q, a[i]!, i, b.length === 0)]
      : [removed(q, b[i]!, i, a[i]?.at ?? queryAt)];
  }
  const out = b.flatMap((op, i) => samePosition(q, op, a[i]!, i));
  // One watermark per query: said once, at the first operator that has it.
  const first = out.findIndex((f) => f.rule === "SPARK_WATERMARK_CHANGED");
  return out.filter((f, i) => f.rule !== "SPARK_WATERMARK_CHANGED" || i === first);
}
