/**
 * A test's verdict from what the runner collected: each expected sink's rows and the dead
 * letters compared (compare.ts). A dead letter is compared as its `reason` (the
 * pipegen.reason header), `raw` (the message's bytes as UTF-8 text) and the columns of the
 * given record it was, found by its source offset.
 */
import type { Field, TestRow } from "../ir/types.js";
import { type ActualRow, type Comparison, compareRows } from "./compare.js";
import type { PlannedTest } from "./plan.js";

/** One JSON line of the runner's results. */
export interface RunnerResult {
  id: string;
  sinks: Record<string, ActualRow[]>;
  deadLetters: Array<Record<string, unknown>>;
  /** The plan's sinks the job has. */
  matched: string[];
  unmatched: string[];
  error: string | null;
  seconds: number;
}

export type Status = "passed" | "failed" | "error";

export interface Outcome {
  id: string;
  pipeline: string;
  name: string;
  stream: string;
  file: string;
  line: number;
  status: Status;
  seconds: number;
  /** Why the job could not run the test (status "error"). */
  error: string | null;
  comparisons: Comparison[];
}

const textField = (name: string): Field => ({ name, type: "string", required: false });

/** The dead letters as rows of reason, raw and the given record's columns. */
export function deadLetterRows(t: PlannedTest, dead: RunnerResult["deadLetters"]): ActualRow[] {
  const given = t.test.batches.flat();
  return dead.map((d) => {
    const value =
      typeof d.value === "string" ? Buffer.from(d.value, "base64").toString("utf8") : null;
    const record = typeof d.offset === "number" ? given[d.offset] : undefined;
    const columns: TestRow = record?.kind === "record" ? record.values : {};
    return { ...columns, reason: d.reason ?? null, raw: value };
  });
}

/** The verdict of one test, from its plan and the runner's result (undefined: never ran). */
export function judge(t: PlannedTest, r: RunnerResult | undefined): Outcome {
  const base = {
    id: t.runner.id,
    pipeline: t.pipeline.name,
    name: t.test.name,
    stream: t.stream.name,
    file: t.test.file,
    line: t.test.line,
    seconds: r?.seconds ?? 0,
  };
  if (!r)
    return {
      ...base,
      status: "error",
      error: "the runner stopped before this test",
      comparisons: [],
    };
  if (r.error) return { ...base, status: "error", error: r.error, comparisons: [] };
  const lost = t.test.expect.sinks.filter((e) => !r.matched.includes(e.name)).map((e) => e.name);
  if (lost.length)
    return {
      ...base,
      status: "error",
      error: `the job has no sink ${lost.join(", ")} as pipegen knows it: it was not built from this spec by this pipegen (rebuild it)`,
      comparisons: [],
    };
  const ordered = t.test.ordered;
  const comparisons = t.test.expect.sinks.map((e) => {
    const sink = t.runner.sinks[e.sink]!;
    return compareRows(e.name, t.stream.output, e.rows, r.sinks[e.name] ?? [], {
      ordered,
      key: sink.key,
    });
  });
  if (t.test.expect.deadLetters) {
    const fields = [
      ...(t.stream.from.topic.schema?.fields ?? []),
      textField("reason"),
      textField("raw"),
    ];
    comparisons.push(
      compareRows(
        "dead letters",
        fields,
        t.test.expect.deadLetters,
        deadLetterRows(t, r.deadLetters),
        { ordered },
      ),
    );
  }
  const status = comparisons.every((c) => c.ok) ? "passed" : "failed";
  return { ...base, status, error: null, comparisons };
}
