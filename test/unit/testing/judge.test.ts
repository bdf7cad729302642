import { describe, expect, it } from "vitest";
import { compile } from "../../../src/api/compile.js";
import { deadLetterRows, judge, type RunnerResult } from "../../../src/testing/judge.js";
import { planTests } from "../../../src/testing/plan.js";

// A test's verdict from what the runner collected: dead letters found by their offset, a sink
// the job does not have, a job that failed.

const spec = `pipegen: 1
pipeline: shop
schemas:
  order: {fields: {id: {type: long, required: true}, n: {type: int}}}
topics:
  orders: {schema: order, partitions: 1}
  dlq: {partitions: 1}
  out: {partitions: 1, format: json}
streams:
  s:
    from: {topic: orders}
    quality: [{check: "n > 0", name: positive}]
    onInvalid: {deadLetter: dlq}
    to: [{topic: out}]
tests:
  t:
    stream: s
    given:
      - batch: [{id: 1, n: 1}, {raw: "junk"}]
      - batch: [{id: 2, n: -1}]
    expect:
      sinks: {out: [{id: 1}]}
      deadLetters: [{reason: "not in the Confluent Avro wire format", raw: junk}, {reason: "positive: check failed: n > 0", id: 2}]
`;

const [planned] = planTests(compile([{ file: "shop.yaml", text: spec }]).pipelines, "/jobs");
const b64 = (s: string) => Buffer.from(s).toString("base64");
const result = (over: Partial<RunnerResult> = {}): RunnerResult => ({
  id: "shop.t",
  sinks: { out: [{ id: "1", n: 1 }] },
  deadLetters: [
    { reason: "not in the Confluent Avro wire format", offset: 1, value: b64("junk") },
    {
      reason: "positive: check failed: n > 0",
      offset: 2,
      value: planned!.runner.batches[1]![0]!.value,
    },
  ],
  matched: ["out"],
  unmatched: [],
  error: null,
  seconds: 1.5,
  ...over,
});

describe("judge", () => {
  it("dead letters are their reason, their bytes as text and the given record they were", () => {
    expect(
      deadLetterRows(planned!, result().deadLetters).map((r) => [r.reason, r.id ?? null]),
    ).toEqual([
      ["not in the Confluent Avro wire format", null],
      ["positive: check failed: n > 0", 2],
    ]);
    expect(deadLetterRows(planned!, result().deadLetters)[0]!.raw).toBe("junk");
  });

  it("passes when every expectation holds", () => {
    expect(judge(planned!, result())).toMatchObject({ status: "passed", seconds: 1.5, line: 16 });
  });

  it("fails on a wrong dead letter", () => {
    const o = judge(planned!, result({ deadLetters: [] }));
    expect(o.status).toBe("failed");
    expect(o.comparisons.find((c) => c.target === "dead letters")!.missing).toHaveLength(2);
  });

  it("a failed job, a sink the job does not have, no result at all: errors", () => {
    expect(judge(planned!, result({ error: "boom" }))).toMatchObject({
      status: "error",
      error: "boom",
    });
    expect(judge(planned!, result({ matched: [] })).error).toMatch(
      /^the job has no sink out as pipegen knows it/,
    );
    expect(judge(planned!, undefined)).toMatchObject({
      status: "error",
      error: "the runner stopped before this test",
    });
  });
});
