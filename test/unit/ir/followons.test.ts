import { describe, expect, it } from "vitest";
import { diagnose, edited } from "../schema/spec-edit.js";

const codes = (text: string) => diagnose(text).map((d) => `${d.code} ${d.line}:${d.col}`);

describe("no follow-on error after its cause", () => {
  it("an unknown groupBy column: one error, not one more per sink keyed on the real column", () => {
    const ds = diagnose(edited("shop_orders", "groupBy: [customer_id]", "groupBy: [customer_idx]"));
    expect(ds.map((d) => [d.code, d.message, d.hint])).toEqual([
      ["PG304", "unknown column 'customer_idx' in step 3", "did you mean 'customer_id'?"],
    ]);
  });

  it("a window without the groupBy the sinks key on: one error that says to add it", () => {
    const ds = diagnose(edited("shop_orders", "        groupBy: [customer_id]\n", ""));
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message).toBe("unknown column 'customer_id' in the stream's output");
    expect(ds[0]!.hint).toMatch(/add 'customer_id' to that step's groupBy/);
  });

  it("a misspelled aggregate column: no 'type is unknown' error at the table sink after it", () => {
    const ds = diagnose(
      edited("shop_orders", 'revenue: "sum(amount_eur)"', 'revenue: "sum(amount_eurx)"'),
    );
    expect(ds.map((d) => [d.code, d.message])).toEqual([
      ["PG304", "unknown column 'amount_eurx' in step 3"],
    ]);
  });

  it("a column the stream never had is still reported after a broken step", () => {
    const text = edited("shop_orders", "groupBy: [customer_id]", "groupBy: [customer_idx]").replace(
      "key: [customer_id, window_start]",
      "key: [customer_id, window_begin]",
    );
    expect(codes(text)).toEqual(["PG304 65:19", "PG304 68:92"]);
  });

  it("independent mistakes in steps that do not shape the record are each reported", () => {
    const text = edited(
      "shop_orders",
      `filter: "status <> 'CANCELLED'"`,
      `filter: "statuss <> 'X'"`,
    ).replace(
      'aggregate: {orders: "count(*)", revenue: "sum(amount_eur)"',
      'aggregate: {orders: "count(*)", revenue: "sum(amount_eurr)"',
    );
    expect(diagnose(text).map((d) => d.message)).toEqual([
      "unknown column 'statuss' in step 1",
      "unknown column 'amount_eurr' in step 3",
    ]);
  });
});
