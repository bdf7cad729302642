/**
 * The aggregation step of a stream (`window`, `groupBy` and `aggregate` together): one row per
 * group (and per window), with the group columns and the aggregates' typed columns.
 */
import type * as I from "../../types.js";
import { durationMs } from "../../values.js";
import { err } from "../context.js";
import { readAggregate } from "../../expressions.js";
import { type Shape, need, needTimestamp, sqlError, withFields } from "./shape.js";
import type { StepArgs, StepAt, StepOut } from "./steps.js";

type Window = Extract<I.StreamStep, { kind: "aggregate" }>["window"];
type Aggregate = { name: string; fn: string; column: string | null };

/** window + groupBy + aggregate: the shape after it is the window bounds, the groups, the aggregates. */
export function aggregate(at: StepAt, spec: StepArgs["aggregate"], shape: Shape): StepOut {
  if (!spec.aggregate) {
    err(
      at.ctx,
      "PG204",
      at.pointer,
      "an aggregation step needs 'aggregate'",
      'add what to compute per group, e.g. aggregate: {orders: "count(*)", revenue: "sum(amount)"}',
      "key",
    );
    return { step: null, shape };
  }
  const window = spec.window ? resolveWindow(at, spec.window, shape) : null;
  const groupBy = spec.groupBy ?? [];
  const out: I.Field[] = window
    ? [
        { name: "window_start", type: "timestamp", required: true },
        { name: "window_end", type: "timestamp", required: true },
      ]
    : [];
  groupBy.forEach((c, j) => {
    const f = need(at.ctx, shape, `${at.pointer}/groupBy/${j}`, c, at.where);
    if (f) out.push(f);
  });
  const aggregates: Aggregate[] = [];
  for (const [a, e] of Object.entries(spec.aggregate)) {
    const r = aggregateColumn(at, a, e, shape, out);
    if (!r) continue;
    out.push(r.field);
    aggregates.push(r.agg);
  }
  return {
    step: { kind: "aggregate", window, groupBy, aggregates },
    shape: shape.checked ? withFields(shape, out) : shape,
  };
}

/** A tumbling or sliding window on a timestamp column. */
function resolveWindow(
  at: StepAt,
  w: NonNullable<StepArgs["aggregate"]["window"]>,
  shape: Shape,
): NonNullable<Window> {
  const rule = "a window is 'on' a timestamp column";
  needTimestamp(at.ctx, shape, `${at.pointer}/window/on`, w.on, at.where, rule);
  const window = {
    on: w.on,
    sizeMs: durationMs(w.size),
    slideMs: w.slide ? durationMs(w.slide) : null,
    watermarkMs: durationMs(w.watermark),
  };
  if (window.slideMs !== null && window.slideMs > window.sizeMs)
    err(
      at.ctx,
      "PG305",
      `${at.pointer}/window/slide`,
      `slide ${w.slide} is longer than the window size ${w.size}: records would fall between windows`,
      `make the slide at most ${w.size}, or leave it out for tumbling windows`,
    );
  return window;
}

/**
 * One aggregate `name: fn(column)` (or count(*)), read with Spark's grammar (PG309 when it is not
 * a function of a column); `out` holds the output columns before it.
 */
function aggregateColumn(
  at: StepAt,
  name: string,
  expr: string,
  shape: Shape,
  out: readonly I.Field[],
): { agg: Aggregate; field: I.Field } | undefined {
  const ap = `${at.pointer}/aggregate/${name}`;
  const read = readAggregate(expr);
  if (read.error) {
    sqlError(at.ctx, ap, read.error);
    return undefined;
  }
  const fn = read.fn;
  const column = read.column?.name ?? null;
  if (column === null && fn !== "count")
    err(
      at.ctx,
      "PG203",
      ap,
      `${fn}(*) is not an aggregate; only count(*) takes '*'`,
      `name the column: ${fn}(<column>), or count the rows with count(*)`,
    );
  let src: I.Field | undefined;
  if (column !== null) {
    src = need(at.ctx, shape, ap, column, at.where);
    if (src && (fn === "sum" || fn === "avg") && !numeric.has(src.type))
      err(
        at.ctx,
        "PG307",
        ap,
        `${fn}(${column}) needs a numeric column; '${column}' is ${src.type}`,
        `aggregate a number, or count it: count(${column}), approx_count_distinct(${column}), min(${column}), max(${column})`,
      );
  }
  if (out.some((x) => x.name === name))
    err(
      at.ctx,
      "PG302",
      ap,
      `aggregate '${name}' has the name of another output column`,
      `give the aggregate another name, e.g. '${name}_${fn}'`,
      "key",
    );
  return { agg: { name, fn, column }, field: aggregateField(name, fn, src) };
}

const numeric = new Set<I.FieldType>(["int", "long", "float", "double", "decimal", "unknown"]);

/** The column an aggregate makes: a count is a long, avg a double, sum widens, any other keeps the type. */
function aggregateField(name: string, fn: string, src: I.Field | undefined): I.Field {
  if (fn === "count" || fn === "approx_count_distinct")
    return { name, type: "long", required: true };
  if (!src) return { name, type: "unknown", required: false };
  if (fn === "avg") return { name, type: "double", required: false };
  if (fn === "sum") {
    if (src.type === "decimal")
      return {
        name,
        type: "decimal",
        required: false,
        precision: Math.min(38, (src.precision ?? 38) + 10),
        scale: src.scale ?? 0,
      };
    if (src.type === "int" || src.type === "long") return { name, type: "long", required: false };
    return { name, type: src.type === "unknown" ? "unknown" : "double", required: false };
  }
  return { ...src, name, required: false };
}
