/**
 * `streams:`: Spark Structured Streaming jobs. This module resolves a stream's source topic,
 * its quality rules, what happens to invalid records, its trigger and resources; the step flow
 * is in `steps.ts` (aggregations in `aggregate.ts`) and the sinks in `sinks.ts`.
 */
import type * as S from "../../../schema/spec.gen.js";
import { columnsUsed } from "../../expressions.js";
import type * as I from "../../types.js";
import { durationMs } from "../../values.js";
import { type Ctx, type EntryAt, type Refs, err } from "../context.js";
import { defaults } from "../defaults.js";
import { type Shape, checkExpr, need } from "./shape.js";
import { resolveSinks } from "./sinks.js";
import { resolveSteps } from "./steps.js";

type StreamSpec = NonNullable<S.PipegenSpec["streams"]>[string];

/** One stream, or undefined when its topic or dead letter does not resolve. */
export function resolveStream(at: EntryAt, st: StreamSpec): I.Stream | undefined {
  const { ctx, refs: r, name, pointer: p } = at;
  const from = r.topicRef(`${p}/from/topic`, st.from.topic);
  if (from && !from.schema)
    err(
      ctx,
      "PG305",
      `${p}/from/topic`,
      `topic '${from.name}' has no schema; a stream decodes records with the schema declared for its topic`,
      "give the topic a 'schema:'",
    );
  const input: Shape = {
    fields: from?.schema ? [...from.schema.fields] : [],
    checked: !!from?.schema,
  };
  const quality = resolveQuality(ctx, p, st.quality ?? [], input);
  const onInvalid = resolveOnInvalid(ctx, p, name, st, r);
  const { steps, shape } = resolveSteps(ctx, r, p, st.steps ?? [], afterQuality(input, quality));
  const sinks = resolveSinks(ctx, r, p, name, st.to, shape);
  const trigger = resolveTrigger(ctx, p, st.trigger ?? defaults.trigger);
  if (!from || !onInvalid) return undefined;
  return {
    name,
    from: {
      topic: from,
      startingOffsets: st.from.startingOffsets ?? defaults.startingOffsets,
      maxOffsetsPerTrigger: st.from.maxOffsetsPerTrigger ?? null,
      failOnDataLoss: st.from.failOnDataLoss ?? defaults.failOnDataLoss,
    },
    quality,
    onInvalid,
    steps,
    output: shape.fields,
    sinks,
    stateVersion: st.stateVersion ?? 1,
    trigger,
    freshnessMs: st.freshness ? durationMs(st.freshness) : null,
    resources: {
      executors: st.resources?.executors ?? null,
      executorCores: st.resources?.executorCores ?? null,
      executorMemory: st.resources?.executorMemory ?? null,
      driverMemory: st.resources?.driverMemory ?? null,
    },
    ...(st.doc ? { doc: st.doc } : {}),
  };
}

/** The input once the quality rules have passed: a `notNull` column can no longer be null. */
function afterQuality(input: Shape, quality: readonly I.QualityRule[]): Shape {
  const notNull = new Set(quality.flatMap((q) => (q.kind === "notNull" ? q.columns : [])));
  return {
    ...input,
    fields: input.fields.map((f) =>
      notNull.has(f.name) && !f.required ? { ...f, required: true } : f,
    ),
  };
}

/** Quality rules on the stream's input, each with a unique name (given or derived). */
function resolveQuality(
  ctx: Ctx,
  p: string,
  given: NonNullable<StreamSpec["quality"]>,
  input: Shape,
): I.QualityRule[] {
  const quality: I.QualityRule[] = [];
  given.forEach((q, i) => {
    const rule = qualityRule(ctx, `${p}/quality/${i}`, i, q, input);
    if (rule) quality.push(rule);
  });
  const names = quality.map((q) => q.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i)
      err(
        ctx,
        "PG302",
        `${p}/quality/${i}`,
        `two quality rules are named '${n}'`,
        "give one a different 'name:'",
      );
  });
  return quality;
}

/** One quality rule: exactly one of notNull, check, enum. */
function qualityRule(
  ctx: Ctx,
  qp: string,
  i: number,
  q: NonNullable<StreamSpec["quality"]>[number],
  input: Shape,
): I.QualityRule | undefined {
  const where = "the stream's input";
  const kinds = ["notNull", "check", "enum"].filter(
    (k) => (q as Record<string, unknown>)[k] !== undefined,
  );
  if (kinds.length !== 1) {
    err(
      ctx,
      "PG206",
      qp,
      "a quality rule has exactly one of: notNull, check, enum (plus an optional name)",
      "write one rule per list item, e.g. '- notNull: [id]' and '- check: \"amount >= 0\"'",
    );
    return undefined;
  }
  if (q.notNull) {
    q.notNull.forEach((c, j) => need(ctx, input, `${qp}/notNull/${j}`, c, where));
    const name = q.name ?? `not_null_${q.notNull.join("_")}`;
    return { kind: "notNull", name, columns: q.notNull };
  }
  if (q.check !== undefined) {
    checkExpr(ctx, input, `${qp}/check`, q.check, where);
    const columns = columnsUsed(q.check).map((u) => u.name);
    return { kind: "check", name: q.name ?? `check_${i + 1}`, columns, expr: q.check };
  }
  if (q.enum) {
    need(ctx, input, `${qp}/enum/column`, q.enum.column, where);
    const name = q.name ?? `enum_${q.enum.column}`;
    return { kind: "enum", name, columns: [q.enum.column], values: q.enum.values };
  }
  return undefined;
}

/** What happens to records that fail a quality rule: dropped or sent to a dead-letter topic; saying nothing is an error. */
function resolveOnInvalid(
  ctx: Ctx,
  p: string,
  name: string,
  st: StreamSpec,
  r: Refs,
): I.Stream["onInvalid"] | undefined {
  if (st.onInvalid === "drop") return { kind: "drop" };
  if (st.onInvalid) {
    const t = r.topicRef(`${p}/onInvalid/deadLetter`, st.onInvalid.deadLetter);
    return t ? { kind: "deadLetter", topic: t } : undefined;
  }
  err(
    ctx,
    "PG204",
    p,
    `stream '${name}' says nothing about invalid records`,
    "add 'onInvalid: {deadLetter: <topic>}' to keep them, or 'onInvalid: drop' to discard them on purpose",
    "key",
  );
  return undefined;
}

/** Long-running ('every', by default 1m) or scheduled ('availableNow', optionally on a schedule). */
function resolveTrigger(
  ctx: Ctx,
  p: string,
  tr: NonNullable<StreamSpec["trigger"]>,
): I.Stream["trigger"] {
  if ("availableNow" in tr && tr.availableNow) {
    if ("every" in tr && tr.every)
      err(
        ctx,
        "PG305",
        `${p}/trigger`,
        "a trigger is either 'every' (long-running) or 'availableNow' (scheduled), not both",
        "keep 'every: 1m' for a stream that runs all the time, or 'availableNow: true' with a 'schedule' for one that catches up and stops",
      );
    return { kind: "availableNow", schedule: tr.schedule ?? null };
  }
  if (tr.schedule)
    err(
      ctx,
      "PG305",
      `${p}/trigger/schedule`,
      "'schedule' applies to 'availableNow' streams; a long-running stream runs continuously",
      "add 'availableNow: true' or remove 'schedule'",
      "key",
    );
  return { kind: "every", everyMs: durationMs(tr.every ?? defaults.trigger.every) };
}
