import { describe, expect, it } from "vitest";
import type { Field, TestRow } from "../../../src/ir/types.js";
import { type ActualRow, compareRows } from "../../../src/testing/compare.js";
import { junitReport, shownValue, textReport } from "../../../src/testing/report.js";
import type { Outcome } from "../../../src/testing/judge.js";

// Expected rows against what a sink received: one row per case, with the verdict in short
// (matched / pairs with their differing columns / missing / unexpected).

const fields: Field[] = [
  { name: "customer", type: "string", required: true },
  { name: "window_start", type: "timestamp", required: true },
  { name: "orders", type: "long", required: true },
  { name: "revenue", type: "decimal", required: false, precision: 22, scale: 2 },
  { name: "avg", type: "double", required: false },
];

const row = (c: string, ts: string, orders: number, revenue: string, avg = 1.5): ActualRow => ({
  customer: c,
  window_start: `${ts}.000000Z`,
  orders: String(orders),
  revenue,
  avg,
});
const actual = [
  row("c1", "2024-01-01T00:00:00", 2, "11.04"),
  row("c2", "2024-01-01T00:01:00", 1, "0.92", 1 / 3),
];

function verdict(expected: TestRow[], got: readonly ActualRow[], ordered = false) {
  const c = compareRows("s", fields, expected, got, { ordered, key: ["customer", "window_start"] });
  return {
    ok: c.ok,
    matched: c.matched,
    pairs: c.pairs.map((p) =>
      p.differs.map((d) => `${d.column}:${String(d.expected)}!=${String(d.actual)}`).join(","),
    ),
    missing: c.missing.length,
    unexpected: c.unexpected.length,
  };
}

const table: Array<{
  name: string;
  expected: TestRow[];
  got?: ActualRow[];
  ordered?: boolean;
  want: object;
}> = [
  {
    name: "only named columns count; values by type (decimal 11.040 = 11.04, instants, 12 digits)",
    expected: [
      { customer: "c2", avg: 0.333333333333, revenue: 0.92 },
      { customer: "c1", window_start: "2024-01-01T01:00:00+01:00", orders: 2, revenue: "11.040" },
    ],
    want: { ok: true, matched: 2, pairs: [], missing: 0, unexpected: 0 },
  },
  {
    name: "a differing row is paired by its key and shows only what differs",
    expected: [
      { customer: "c1", window_start: "2024-01-01T00:00:00Z", orders: 1, revenue: "9.20" },
      { customer: "c2", orders: 1 },
    ],
    want: {
      ok: false,
      matched: 1,
      pairs: ["orders:1!=2,revenue:9.20!=11.04"],
      missing: 0,
      unexpected: 0,
    },
  },
  {
    name: "rows missing and one too many (paired only when they agree on a column)",
    expected: [
      { customer: "c1" },
      { customer: "c3", orders: 1 },
      { customer: "c2" },
      { customer: "c4" },
    ],
    got: [...actual, row("c9", "2024-01-01T00:09:00", 9, "9")],
    want: { ok: false, matched: 2, pairs: [], missing: 2, unexpected: 1 },
  },
  {
    name: "a multiset: two equal expected rows need two actual ones",
    expected: [{ orders: 1 }, { orders: 1 }],
    want: { ok: false, matched: 1, pairs: ["orders:1!=2"], missing: 0, unexpected: 0 },
  },
  {
    name: "a maximum matching, not the first fit (a general row does not take a specific one's match)",
    expected: [{ customer: "c1" }, { customer: "c1", orders: 2 }],
    got: [row("c1", "2024-01-01T00:00:00", 2, "1"), row("c1", "2024-01-01T00:05:00", 3, "1")],
    want: { ok: true, matched: 2, pairs: [], missing: 0, unexpected: 0 },
  },
  {
    name: "ordered: position by position",
    expected: [{ customer: "c2" }, { customer: "c1" }],
    ordered: true,
    want: {
      ok: false,
      matched: 0,
      pairs: ["customer:c2!=c1", "customer:c1!=c2"],
      missing: 0,
      unexpected: 0,
    },
  },
  {
    name: "[] expects nothing",
    expected: [],
    want: { ok: false, matched: 0, pairs: [], missing: 0, unexpected: 2 },
  },
  {
    name: "null expects null",
    expected: [{ customer: "c1", avg: null }],
    got: [{ ...actual[0]!, avg: null }],
    want: { ok: true, matched: 1 },
  },
];

describe("compareRows", () => {
  it.each(table)("$name", ({ expected, got, ordered, want }) => {
    expect(verdict(expected, got ?? actual, ordered)).toMatchObject(want);
  });
});

describe("reports", () => {
  const failing = compareRows(
    "db.per_minute",
    fields,
    [
      { customer: "c1", window_start: "2024-01-01T00:00:00Z", orders: 1 },
      { customer: "c7", orders: 1 },
    ],
    actual,
    { key: ["customer", "window_start"] },
  );
  const outcomes: Outcome[] = [
    {
      id: "shop.ok",
      pipeline: "shop",
      name: "ok",
      stream: "s",
      file: "shop.yaml",
      line: 40,
      status: "passed",
      seconds: 1.25,
      error: null,
      comparisons: [],
    },
    {
      id: "shop.bad",
      pipeline: "shop",
      name: "bad",
      stream: "s",
      file: "shop.tests.yaml",
      line: 2,
      status: "failed",
      seconds: 2,
      error: null,
      comparisons: [failing],
    },
    {
      id: "shop.boom",
      pipeline: "shop",
      name: "boom",
      stream: "s",
      file: "shop.tests.yaml",
      line: 9,
      status: "error",
      seconds: 0.5,
      error: "AnalysisException: <cannot resolve>",
      comparisons: [],
    },
  ];
  const summary = { passed: 1, failed: 1, errors: 1, seconds: 12.5 };

  it("text: a line per test, only the differing rows and columns side by side", () => {
    expect(textReport(outcomes, summary)).toBe(
      [
        "ok   shop.ok  (stream s, shop.yaml:40)  1.3s",
        "FAIL shop.bad  (stream s, shop.tests.yaml:2)  2.0s",
        "       sink db.per_minute: 0 of 2 expected rows found (2 written)",
        "         row customer=c1 window_start=2024-01-01T00:00:00Z:",
        "           column  expected  actual",
        "           orders  1         2",
        "         row orders=1:",
        "           column    expected  actual",
        "           customer  c7        c2",
        "ERR  shop.boom  (stream s, shop.tests.yaml:9)  0.5s",
        "       AnalysisException: <cannot resolve>",
        "1 passed, 1 failed, 1 errors (12.5s)",
        "",
      ].join("\n"),
    );
  });

  it("JUnit: a failure with the differences, an error with its message, XML escaped", () => {
    const xml = junitReport(outcomes, summary);
    expect(xml).toContain('<testsuites tests="3" failures="1" errors="1" time="12.500">');
    expect(xml).toContain(
      '<testcase classname="shop" name="ok" file="shop.yaml" line="40" time="1.250"/>',
    );
    expect(xml).toContain('<failure message="expected rows differ">sink db.per_minute: 0 of 2');
    expect(xml).toContain('<error message="AnalysisException: &lt;cannot resolve&gt;">');
  });

  it("values as a report shows them", () => {
    expect([
      shownValue("2024-01-01T00:00:00.000000Z"),
      shownValue("2024-01-01T00:00:00.120000Z"),
      shownValue("a b"),
      shownValue(null),
    ]).toEqual(["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.12Z", '"a b"', "null"]);
  });
});
