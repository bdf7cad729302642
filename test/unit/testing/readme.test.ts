import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";

// The README's "Testing your pipeline" example is the example spec's test, word for word, and
// the examples' tests are valid and cover what the issue asks of them.

describe("the examples' tests", () => {
  it("README's example is specs/shop_orders.tests.yaml's test as written", () => {
    const readme = readFileSync("README.md", "utf8");
    const block = /<!-- prettier-ignore -->\n```yaml\ntests:\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    expect(readFileSync("specs/shop_orders.tests.yaml", "utf8")).toContain(block!);
  });

  it("are valid, and cover every step kind, dead letters, lookups and several batches", () => {
    const c = compilePaths(["specs"]);
    expect(c.diagnostics).toEqual([]);
    const tested = new Set(c.pipelines.flatMap((p) => p.tests.map((t) => `${p.name}.${t.stream}`)));
    const streams = c.pipelines.flatMap((p) =>
      p.streams.map((s) => ({ id: `${p.name}.${s.name}`, s })),
    );
    expect(streams.filter((x) => !tested.has(x.id)).map((x) => x.id)).toEqual([]);
    const kinds = new Set(streams.flatMap((x) => x.s.steps.map((st) => st.kind)));
    expect([...kinds].sort()).toEqual([
      "aggregate",
      "dedupe",
      "derive",
      "drop",
      "filter",
      "join",
      "rename",
      "select",
    ]);
    const tests = c.pipelines.flatMap((p) => p.tests);
    expect(tests.some((t) => t.batches.length > 1)).toBe(true);
    expect(tests.some((t) => t.lookups.length > 0)).toBe(true);
    const reasons = new Set(
      tests.flatMap((t) =>
        (t.expect.deadLetters ?? []).map((d) => String(d.reason).split("; ")).flat(),
      ),
    );
    for (const r of [
      "not in the Confluent Avro wire format",
      "undecodable Avro record",
      "undecodable JSON record",
      "schema: required field reported_at is null",
      "schema: status not in the enum of order",
      "not_null_order_id_customer_id_amount: amount is null",
      "amount_not_negative: check failed: amount >= 0",
      "enum_currency: currency not in the allowed values",
    ])
      expect(reasons).toContain(r);
  });
});
