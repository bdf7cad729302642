import { describe, expect, it } from "vitest";
import { mentionedNames, streamLineage } from "../../../src/graph/lineage.js";
import type { Field, StreamStep } from "../../../src/ir/types.js";

const f = (name: string, type: Field["type"] = "string"): Field => ({
  name,
  type,
  required: false,
});

describe("mentionedNames", () => {
  it.each([
    ["amount * 0.92", ["amount"]],
    ["status <> 'CANCELLED'", ["status"]],
    ["concat(first, ' it''s ', `last name`)", ["concat", "first", "last name"]],
    ['"quoted text" || code', ["code"]],
    ["a.b + 1e3", ["a", "b", "e3"]],
  ])("%s", (expr, want) => {
    expect(mentionedNames(expr)).toEqual(want);
  });
});

const input = [f("id", "long"), f("amount", "decimal"), f("status"), f("at", "timestamp")];
const cases: Array<[string, StreamStep[], Field[], Record<string, string[]>]> = [
  [
    "a filter keeps every column's source",
    [{ kind: "filter", expr: "amount > 0" }],
    input,
    {
      id: ["id"],
      amount: ["amount"],
      status: ["status"],
      at: ["at"],
    },
  ],
  [
    "derive, rename and drop",
    [
      { kind: "derive", columns: { net: { expr: "amount - id", field: f("net", "decimal") } } },
      { kind: "rename", columns: { net: "net_amount" } },
      { kind: "drop", columns: ["status"] },
    ],
    [f("id"), f("net_amount")],
    { id: ["id"], net_amount: ["amount", "id"] },
  ],
  [
    "a window's bounds come from its time column, count(*) from nothing",
    [
      {
        kind: "aggregate",
        window: { on: "at", sizeMs: 60000, slideMs: null, watermarkMs: 0 },
        groupBy: ["status"],
        aggregates: [
          { name: "n", fn: "count", column: null },
          { name: "total", fn: "sum", column: "amount" },
        ],
      },
    ],
    [f("window_start"), f("window_end"), f("status"), f("n"), f("total")],
    { window_start: ["at"], window_end: ["at"], status: ["status"], n: [], total: ["amount"] },
  ],
  [
    "a join's columns come from the looked-up table",
    [
      {
        kind: "join",
        connection: {} as never,
        table: "t",
        on: ["id"],
        select: ["name"],
        how: "left",
      },
    ],
    [f("id"), f("name")],
    { id: ["id"], name: ["lookup:name"] },
  ],
];

describe("streamLineage", () => {
  it.each(cases)("%s", (_, steps, output, want) => {
    const got = streamLineage(input, steps, output);
    expect(Object.fromEntries([...got].map(([k, v]) => [k, [...v].sort()]))).toEqual(want);
  });
});
