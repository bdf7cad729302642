/**
 * No follow-on error after its cause, within a stream's record flow. A step that goes wrong
 * where it shapes the record (a misspelled `select`, `groupBy`, `rename` or aggregate column, a
 * derived column of unknown type) leaves later steps and sinks a record that is not the one
 * the user meant: a column the stream had before is missing after it, a type is unknown. Those
 * later errors are echoes of the first and are not reported; a column the stream never had is
 * still reported (an independent typo). An error about a column already reported in the stream
 * (two sinks keyed on one nullable column) is said once, and so is a step with an error in it
 * (not again for how it fits the other steps).
 */
import type { Ctx } from "./context.js";

/** What is known of one stream's flow so far. */
export interface FlowState {
  /** A step that shapes the record went wrong: later column errors are checked for echoes. */
  shapeBroken: boolean;
  /** Columns already named by an error in this stream. */
  columns: Set<string>;
  /** Steps with an error ("/streams/s/steps/2"). */
  steps: Set<string>;
}

const flowCodes = new Set(["PG304", "PG307", "PG308"]);

/** An error about the stream's columns (a key column that can be null included). */
const isFlowError = (code: string, pointer: string) =>
  flowCodes.has(code) || (code === "PG305" && /\/key\/\d+$/.test(pointer));

/** Whether an error at this place leaves the record's shape other than the user meant. */
const breaksShape = (code: string, pointer: string) =>
  /\/steps\/\d+\/(select|groupBy|aggregate|rename)(\/|$)/.test(pointer) ||
  (code === "PG308" && /\/steps\/\d+\/derive\//.test(pointer));

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The raw value at a JSON pointer of the spec, if there is one. */
function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const seg of pointer.slice(1).split("/")) {
    const key = seg.replace(/~1/g, "/").replace(/~0/g, "~");
    v = Array.isArray(v) ? v[Number(key)] : isObj(v) ? v[key] : undefined;
  }
  return v;
}

/** Every column a stream has at some point: its topic's fields and what its steps make. */
export function columnsEverIn(ctx: Ctx, stream: string): Set<string> {
  const root = ctx.spec.value;
  const out = new Set<string>(["window_start", "window_end"]);
  const topic = valueAt(root, `${stream}/from/topic`);
  const schema =
    typeof topic === "string"
      ? valueAt(root, `/topics/${topic.replace(/~/g, "~0").replace(/\//g, "~1")}/schema`)
      : undefined;
  const fields =
    typeof schema === "string" ? valueAt(root, `/schemas/${schema}/fields`) : undefined;
  if (isObj(fields)) for (const f of Object.keys(fields)) out.add(f);
  const steps = valueAt(root, `${stream}/steps`);
  for (const step of Array.isArray(steps) ? steps : []) {
    if (!isObj(step)) continue;
    for (const k of ["derive", "aggregate"])
      if (isObj(step[k])) for (const c of Object.keys(step[k])) out.add(c);
    if (isObj(step.rename)) for (const c of Object.values(step.rename)) out.add(String(c));
    const join = step.join;
    if (isObj(join) && Array.isArray(join.select)) for (const c of join.select) out.add(String(c));
  }
  return out;
}

/** The index of the stream's aggregation step, if it has one. */
export function aggregationStep(ctx: Ctx, stream: string): number | undefined {
  const steps = valueAt(ctx.spec.value, `${stream}/steps`);
  const i = Array.isArray(steps) ? steps.findIndex((s) => isObj(s) && "aggregate" in s) : -1;
  return i < 0 ? undefined : i;
}

/**
 * Whether an error is a follow-on of an earlier one in its stream (see above); records it
 * otherwise. `column` is the column it is about, when the caller knows it.
 */
export function isFollowOn(ctx: Ctx, code: string, pointer: string, column?: string): boolean {
  const stream = /^\/streams\/[^/]+/.exec(pointer)?.[0];
  if (!stream) return false;
  ctx.flows ??= new Map();
  const state = ctx.flows.get(stream) ?? {
    shapeBroken: false,
    columns: new Set(),
    steps: new Set(),
  };
  ctx.flows.set(stream, state);
  // An error about a whole step (how it fits the others) after one inside it is its echo.
  const step = /^\/streams\/[^/]+\/steps\/\d+/.exec(pointer)?.[0];
  if (step === pointer && state.steps.has(step)) return true;
  if (step) state.steps.add(step);
  if (!isFlowError(code, pointer)) return false;
  const at = valueAt(ctx.spec.value, pointer);
  const col = column ?? (typeof at === "string" && /^[a-z][a-z0-9_]*$/.test(at) ? at : undefined);
  if (col !== undefined && state.columns.has(col)) return true;
  if (
    state.shapeBroken &&
    (code !== "PG304" || col === undefined || columnsEverIn(ctx, stream).has(col))
  )
    return true;
  if (col !== undefined) state.columns.add(col);
  if (breaksShape(code, pointer)) state.shapeBroken = true;
  return false;
}
