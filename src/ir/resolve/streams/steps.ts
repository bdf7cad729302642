/**
 * `streams.<name>.steps`: the step-by-step flow of a stream's records. Each kind of step is a
 * small function from one record shape (the fields flowing through) to the next, listed in the
 * table `stepKinds`; `resolveSteps` looks each step's kind up and threads the shape along.
 */
import type * as S from "../../../schema/spec.gen.js";
import { inferField } from "../../expressions.js";
import type * as I from "../../types.js";
import { durationMs } from "../../values.js";
import { type Ctx, type Refs, err } from "../context.js";
import { decimalSettings } from "../schemas.js";
import { aggregate } from "./aggregate.js";
import { type Shape, checkExpr, need, needTimestamp, withFields } from "./shape.js";
import { defaults } from "../defaults.js";

/** One step of a stream, as written in the spec. */
export type StepSpec = NonNullable<NonNullable<S.PipegenSpec["streams"]>[string]["steps"]>[number];

/** The keys of an aggregation: they belong together, in one step. */
const aggregationKeys: readonly string[] = ["window", "groupBy", "aggregate"];

/** A step's kind: its one key, or "aggregate" for a step of window, groupBy and aggregate. */
export type StepKindName = Exclude<keyof StepSpec, "window" | "groupBy">;

/** What each kind of step reads: the value under its key; an aggregation reads its three keys. */
export type StepArgs = {
  [K in StepKindName]: K extends "aggregate"
    ? Pick<StepSpec, "window" | "groupBy" | "aggregate">
    : NonNullable<StepSpec[K]>;
};

/** Where a step is, for its diagnostics (`where` is e.g. "step 2"), and the lookups it may need. */
export interface StepAt {
  ctx: Ctx;
  refs: Refs;
  pointer: string;
  where: string;
}

/** What a step makes: its IR step (null when it does not resolve) and the shape after it. */
export interface StepOut {
  step: I.StreamStep | null;
  shape: Shape;
}

/** A kind of step: from the record shape before it to the shape after it. */
type StepKind<A> = (at: StepAt, args: A, shape: Shape) => StepOut;

/** Every kind of step, by the key it is written with (window and groupBy go with aggregate). */
const stepKinds: { [K in StepKindName]: StepKind<StepArgs[K]> } = {
  filter,
  select,
  derive,
  rename,
  drop,
  dedupe,
  join,
  aggregate,
};

/** The steps of a stream, and the shape of the records they output. */
export function resolveSteps(
  ctx: Ctx,
  refs: Refs,
  p: string,
  given: readonly StepSpec[],
  input: Shape,
): { steps: I.StreamStep[]; shape: Shape } {
  const steps: I.StreamStep[] = [];
  let shape = input;
  given.forEach((spec, i) => {
    const at: StepAt = { ctx, refs, pointer: `${p}/steps/${i}`, where: `step ${i + 1}` };
    const kind = kindOf(at, spec);
    if (kind === undefined) return;
    const out = runStep(kind, at, spec, shape);
    if (out.step) steps.push(out.step);
    shape = out.shape;
  });
  checkEventTime(ctx, p, steps);
  return { steps, shape };
}

/** The kind of a step; undefined (and a PG206) when the step does more than one thing. */
function kindOf(at: StepAt, spec: StepSpec): StepKindName | undefined {
  const kinds = Object.keys(spec).filter((k) => (spec as Record<string, unknown>)[k] !== undefined);
  const isAgg = kinds.some((k) => aggregationKeys.includes(k));
  if (isAgg ? kinds.some((k) => !aggregationKeys.includes(k)) : kinds.length !== 1) {
    err(
      at.ctx,
      "PG206",
      at.pointer,
      `a step does one thing; this one has: ${kinds.join(", ")}`,
      "split it into several steps (window, groupBy and aggregate belong together)",
    );
    return undefined;
  }
  const kind = isAgg ? "aggregate" : kinds[0]!;
  return Object.hasOwn(stepKinds, kind) ? (kind as StepKindName) : undefined;
}

/** Looks the kind up in the table and runs it on what the step says under its key(s). */
function runStep<K extends StepKindName>(
  kind: K,
  at: StepAt,
  spec: StepSpec,
  shape: Shape,
): StepOut {
  const args = (kind === "aggregate" ? spec : spec[kind]) as StepArgs[K];
  return stepKinds[kind](at, args, shape);
}

/** filter: keeps the records the expression holds for; the shape is unchanged. */
function filter(at: StepAt, expr: string, shape: Shape): StepOut {
  checkExpr(at.ctx, shape, `${at.pointer}/filter`, expr, at.where);
  return { step: { kind: "filter", expr }, shape };
}

/** select: the listed columns, in that order. */
function select(at: StepAt, columns: StepArgs["select"], shape: Shape): StepOut {
  const next: I.Field[] = [];
  columns.forEach((c, j) => {
    const f = need(at.ctx, shape, `${at.pointer}/select/${j}`, c, at.where);
    if (f) next.push(f);
  });
  return {
    step: { kind: "select", columns },
    shape: shape.checked ? withFields(shape, next) : shape,
  };
}

/** derive: new (or replaced) columns computed from expressions; each may use the ones before it. */
function derive(at: StepAt, given: StepArgs["derive"], shape: Shape): StepOut {
  const columns: Record<string, { expr: string; field: I.Field }> = {};
  let next = shape;
  for (const [c, d] of Object.entries(given)) {
    const dp = `${at.pointer}/derive/${c}`;
    const expr = typeof d === "string" ? d : d.expr;
    const ok = checkExpr(at.ctx, next, typeof d === "string" ? dp : `${dp}/expr`, expr, at.where);
    let field: I.Field;
    if (typeof d === "string")
      field = ok
        ? inferredField(at, dp, c, expr, next)
        : { name: c, type: "unknown", required: false };
    else {
      field = { name: c, type: d.type, required: false };
      decimalSettings(at.ctx, field, d, dp, "columns");
    }
    columns[c] = { expr, field };
    next = withFields(next, [...next.fields.filter((x) => x.name !== c), field]);
  }
  return { step: { kind: "derive", columns }, shape: next };
}

/** A derived column written without a type: the type its expression has (PG308 if unknown). */
function inferredField(
  at: StepAt,
  pointer: string,
  name: string,
  expr: string,
  shape: Shape,
): I.Field {
  const f = inferField(name, expr, shape.fields);
  if (f === undefined && shape.checked)
    err(
      at.ctx,
      "PG308",
      pointer,
      `cannot tell the type of the derived column '${name}' from its expression`,
      `write it with a type, e.g. ${name}: {expr: ${JSON.stringify(expr)}, type: decimal, precision: 12, scale: 2}`,
    );
  return f ?? { name, type: "unknown", required: false };
}

/** rename: columns get new names, in place; a new name may not be taken. */
function rename(at: StepAt, columns: StepArgs["rename"], shape: Shape): StepOut {
  let next = shape;
  for (const [a, b] of Object.entries(columns)) {
    const f = need(at.ctx, next, `${at.pointer}/rename/${a}`, a, at.where);
    if (f && next.fields.some((x) => x.name === b))
      err(
        at.ctx,
        "PG302",
        `${at.pointer}/rename/${a}`,
        `renaming '${a}' to '${b}' would replace the existing column '${b}'`,
        `choose another name, or drop '${b}' in a step before: '- drop: [${b}]'`,
      );
    next = withFields(
      next,
      next.fields.map((x) => (x.name === a ? { ...x, name: b } : x)),
    );
  }
  return { step: { kind: "rename", columns }, shape: next };
}

/** drop: the listed columns are removed. */
function drop(at: StepAt, columns: StepArgs["drop"], shape: Shape): StepOut {
  columns.forEach((c, j) => need(at.ctx, shape, `${at.pointer}/drop/${j}`, c, at.where));
  return {
    step: { kind: "drop", columns },
    shape: withFields(
      shape,
      shape.fields.filter((x) => !columns.includes(x.name)),
    ),
  };
}

/** dedupe: one record per key (within the watermark when 'on' an event time); the shape is unchanged. */
function dedupe(at: StepAt, d: StepArgs["dedupe"], shape: Shape): StepOut {
  d.key.forEach((c, j) => need(at.ctx, shape, `${at.pointer}/dedupe/key/${j}`, c, at.where));
  if (d.on) {
    const rule = "dedupe 'on' must be a timestamp column";
    needTimestamp(at.ctx, shape, `${at.pointer}/dedupe/on`, d.on, at.where, rule);
    if (!d.watermark)
      err(
        at.ctx,
        "PG204",
        `${at.pointer}/dedupe`,
        "dedupe 'on' an event-time column needs a 'watermark' to bound its state",
        "add how late a duplicate may arrive, e.g. dedupe: {key: [id], on: at, watermark: 10m}",
        "key",
      );
  }
  return {
    step: {
      kind: "dedupe",
      key: d.key,
      on: d.on ?? null,
      watermarkMs: d.watermark ? durationMs(d.watermark) : null,
    },
    shape,
  };
}

/** join: a lookup in a SQL table; its selected columns are added (type unknown). */
function join(at: StepAt, j: StepArgs["join"], shape: Shape): StepOut {
  const conn = at.refs.connRef(
    `${at.pointer}/join/connection`,
    j.connection,
    ["postgres", "mysql"],
    "a lookup join",
  );
  j.on.forEach((c, k) => need(at.ctx, shape, `${at.pointer}/join/on/${k}`, c, at.where));
  let fields = shape.fields;
  for (const c of j.select)
    fields = [...fields.filter((x) => x.name !== c), { name: c, type: "unknown", required: false }];
  const step: I.StreamStep | null = conn
    ? {
        kind: "join",
        connection: conn,
        table: j.table,
        on: j.on,
        select: j.select,
        how: j.how ?? defaults.joinHow,
      }
    : null;
  return { step, shape: withFields(shape, fields) };
}

/** Spark keeps one watermark per stream: every dedupe and window uses the same event-time column. */
function checkEventTime(ctx: Ctx, p: string, steps: readonly I.StreamStep[]) {
  const eventTime = steps.flatMap((x, i) =>
    x.kind === "dedupe" && x.on
      ? [[x.on, i] as const]
      : x.kind === "aggregate" && x.window
        ? [[x.window.on, i] as const]
        : [],
  );
  for (const [col, i] of eventTime.slice(1))
    if (col !== eventTime[0]![0])
      err(
        ctx,
        "PG305",
        `${p}/steps/${i}`,
        `this step's event time is '${col}' but an earlier step's is '${eventTime[0]![0]}'`,
        "Spark keeps one watermark per stream: use the same event-time column in every dedupe and window",
      );
}
