import { describe, expect, it } from "vitest";
import {
  columnsUsed,
  inferField,
  inferType,
  readAggregate,
  readSql,
  sqlError,
} from "../../../src/ir/expressions.js";
import { unescapeSql } from "../../../src/ir/sql/literals.js";
import type { Field } from "../../../src/ir/types.js";
import { loadSpec } from "../../../src/load/load.js";

// Spark SQL expressions read with Spark's grammar, one table row each: the expression as a
// spec writes it, and what pipegen makes of it (columns, type, string values, or the error).

const cols = (e: string) => columnsUsed(e).map((u) => u.name);

const columnTable: Array<[string, string[]]> = [
  ["amount >= 0", ["amount"]],
  ["status <> 'CANCELLED' and note is not null", ["status", "note"]],
  ["a > 0 AND a < 10", ["a", "a"]],
  ["upper(name) LIKE 'A%'", ["name"]],
  ["cast(amount AS double) * 0.92", ["amount"]],
  ["ts > current_timestamp() - interval 1 hour", ["ts"]],
  ['`odd col` = "x"', ["odd col"]],
  ["`a``b` = 1", ["a`b"]],
  ["`😀` = 'ü'", ["😀"]],
  ["payload.user.id = 1", ["payload"]],
  ["f(x).field > 0", ["x"]],
  ["transform(items, x -> x + bonus)", ["items", "bonus"]],
  ["exists(items, (k, v) -> k = v AND v > lim)", ["items", "lim"]],
  ["extract(YEAR FROM ts) = 2024", ["ts"]],
  ["struct(a AS b, c).b", ["a", "c"]],
  ["arr[i + 1]", ["arr", "i"]],
  ["amount-discount > 0", ["amount", "discount"]],
  ["s.a-b.c > 0", ["s", "b"]],
  ["CASE WHEN qty > 1 THEN 'many' ELSE other END", ["qty", "other"]],
  ["X'00' = raw AND date '2024-01-01' = day", ["raw", "day"]],
  ["named_struct('k', v).k", ["v"]],
  ["'a''b' = s", ["s"]],
  ["sum(x) OVER (PARTITION BY p ORDER BY o)", ["x", "p", "o"]],
  ["a = 1 -- the rest is a comment: b", ["a"]],
  ["a = /* b */ 1", ["a"]],
];

describe("columns come from the parse tree", () => {
  for (const [given, want] of columnTable) it(given, () => expect(cols(given)).toEqual(want));
  it("offsets point at the column (in UTF-16 units, past astral characters)", () => {
    expect(columnsUsed("'😀' = `x`")).toEqual([{ name: "x", offset: 7 }]);
    expect(columnsUsed("a + b")).toEqual([
      { name: "a", offset: 0 },
      { name: "b", offset: 4 },
    ]);
  });
  it("an expression Spark cannot parse uses no column", () => expect(cols("a +")).toEqual([]));
});

const fields: Field[] = [
  { name: "i", type: "int", required: true },
  { name: "l", type: "long", required: false },
  { name: "d", type: "double", required: false },
  { name: "f", type: "float", required: false },
  { name: "m", type: "decimal", required: false, precision: 12, scale: 2 },
  { name: "s", type: "string", required: false },
  { name: "t", type: "timestamp", required: false },
];

const typeTable: Array<[string, Field["type"] | undefined]> = [
  ["i", "int"],
  ["(s)", "string"],
  ["`t`", "timestamp"],
  ["i + l", "long"],
  ["i - l", "long"],
  ["i-l", "long"],
  ["-i", "long"],
  ["i * 2", "long"],
  ["2L + 3S", "long"],
  ["i * d", "double"],
  ["i + f", "double"],
  ["i / 2", "double"],
  ["i * 0.5", "double"],
  ["1e3 + i", "double"],
  ["i div 2", "long"],
  ["d div 2", undefined],
  ["i % 2", undefined],
  ["m + 1", undefined],
  ["1.5BD * i", undefined],
  ["i > 1", "boolean"],
  ["s = 'x' OR i IS NULL", "boolean"],
  ["NOT (i IN (1, 2))", "boolean"],
  ["s LIKE 'a%'", "boolean"],
  ["true", "boolean"],
  ["upper(s) = 'X'", "boolean"],
  ["upper(s)", undefined],
  ["CASE WHEN i > 1 THEN 'a' ELSE 'b' END", undefined],
  ["if(i > 1, 2, 3)", undefined],
  ["cast(i AS bigint)", undefined],
  ["'x'", undefined],
  ["null", undefined],
  ["s || 'x'", undefined],
  ["i + s", undefined],
  ["i + nope", undefined],
  ["nope", undefined],
  ["s.x + 1", undefined],
  ["i >", undefined],
];

describe("types come from the parse tree, conservatively", () => {
  for (const [given, want] of typeTable)
    it(`${given} -> ${want}`, () => expect(inferType(given, fields)).toBe(want));
  it("a derived bare decimal keeps its precision and scale", () => {
    expect(inferField("copy", "(m)", fields)).toEqual({
      name: "copy",
      type: "decimal",
      required: false,
      precision: 12,
      scale: 2,
    });
    expect(inferField("twice", "i * 2", fields)).toEqual({
      name: "twice",
      type: "long",
      required: false,
    });
  });
});

const errorTable: Array<[string, number, RegExp]> = [
  ["status IN ('A', 'B'", 10, /this '\(' is never closed: Spark's grammar expects '\)'/],
  ["a = 'x", 4, /quote opens a string that is never closed/],
  ['a = "x', 4, /double quote opens a string that is never closed/],
  ["`odd = 1", 0, /backtick opens a quoted name that is never closed/],
  ["a = 'it\\'s", 4, /never closed/],
  ["a + 1)", 5, /'\)' closes nothing/],
  ["(a]", 2, /'\]' does not close the '\('/],
  ["a >", 3, /ends too early: Spark's grammar expects a value/],
  ["a BETWEEN 1", 11, /ends too early: Spark's grammar expects 'AND' or an operator/],
  ["a IS", 4, /expects 'DISTINCT', 'NOT', 'FALSE', 'TRUE', 'UNKNOWN' or 'NULL' next/],
  ["CASE WHEN a THEN 1", 18, /expects 'END', 'ELSE', 'WHEN' or an operator/],
  ["x AS y", 2, /unexpected 'AS'/],
  ["a b", 2, /unexpected 'b': Spark's grammar expects an operator/],
  ["a, b", 1, /unexpected ','/],
  ["a = 1;", 5, /unexpected ';'/],
  ["a > 1 GROUP BY a", 6, /unexpected 'GROUP'/],
  ["from = 1", 0, /unexpected 'from'/],
  ["a IN (1,)", 8, /unexpected '\)'/],
  ["", 0, /ends too early/],
  ["   ", 3, /ends too early/],
  ["ñame = 1", 0, /'ñame': a name without backticks is ASCII/],
  ["naïve = 1", 2, /'naïve'/],
  ["a\u00a0= 1", 1, /U\+00A0 is not a space/],
  ["a $ b", 2, /'\$' is not part of Spark SQL/],
  ["'😀' = 😀", 7, /'😀' is not part of Spark SQL/],
  ["a = 1 /* open", 6, /comment is never closed/],
  ["x IN (SELECT id FROM t)", 6, /subquery/],
  ["EXISTS (SELECT 1)", 8, /subquery/],
  [":p > 1", 0, /parameter marker/],
  ["a = ?", 4, /parameter marker/],
  ["foo 'bar'", 0, /no literals of type 'foo'/],
  ['"col".x = 1 OR struct(1 AS "n").n = 1', 27, /"n" is a string in Spark SQL, not a name/],
];

describe("what Spark's parser refuses is an error at the offending character", () => {
  for (const [given, offset, message] of errorTable)
    it(JSON.stringify(given), () => {
      const e = sqlError(given);
      expect(e?.offset).toBe(offset);
      expect(e?.message).toMatch(message);
      expect(e?.hint?.length).toBeGreaterThan(10);
    });
  it("a long list of expected tokens is summarised, never dumped", () => {
    for (const [given] of errorTable) expect(sqlError(given)!.message.length).toBeLessThan(160);
  });
  it("hints say how to fix", () => {
    expect(sqlError("from = 1")?.hint).toBe(
      "if 'from' is a column, quote it with backticks: `from`",
    );
    expect(sqlError("x AS y")?.hint).toMatch(/no alias/);
    expect(sqlError("a BETWEEN 1")?.hint).toBe("write <value> BETWEEN <low> AND <high>");
  });
  it("Spark reads these, so pipegen does", () => {
    for (const ok of [
      "a = 'it\\'s'",
      'a = "it\'s"',
      "a = 'x' 'y'",
      "'a''b' = s",
      "`a``b` > 0",
      "a = 'un)balanced (in a string'",
      "a = 1 -- (",
      "transform(xs, x -> x * 2)",
      "a <=> b AND c != d AND e == f",
      "R'C:\\new' = path",
    ])
      expect(sqlError(ok), ok).toBeUndefined();
  });
});

const literalTable: Array<[string, string[]]> = [
  ["'a''b'", ["ab"]],
  ["'a' 'b' \"c\"", ["abc"]],
  ["'it\\'s'", ["it's"]],
  ["'tab\\there\\nnew'", ["tab\there\nnew"]],
  ["'\\u0041\\U0001F600\\101'", ["A😀A"]],
  ["'100\\%' = '\\_x'", ["100\\%", "\\_x"]],
  ["'\\q\\\\'", ["q\\"]],
  ["R'raw\\n' = r\"x\\y\"", ["raw\\n", "x\\y"]],
  ["'😀 ü'", ["😀 ü"]],
];

describe("string literals read as Spark reads them", () => {
  for (const [given, want] of literalTable)
    it(given, () => expect(readSql(given).strings.map((s) => s.value)).toEqual(want));
  it("unescapes single tokens", () => {
    expect(unescapeSql("'\\0'")).toBe("\u0000");
    expect(unescapeSql("'\\Z'")).toBe("\u001A");
  });
});

describe("aggregates", () => {
  const table: Array<[string, object]> = [
    ["count(*)", { fn: "count", column: null }],
    ["sum(amount)", { fn: "sum", column: { name: "amount", offset: 4 } }],
    [" max( score ) ", { fn: "max", column: { name: "score", offset: 6 } }],
    ["approx_count_distinct(user_id)", { fn: "approx_count_distinct" }],
  ];
  for (const [given, want] of table)
    it(given, () => expect(readAggregate(given)).toMatchObject(want));
  it("an argument that is not a column is an error at the argument", () => {
    const r = readAggregate("sum(null)");
    expect(r.error).toMatchObject({
      offset: 4,
      message: expect.stringMatching(/'null' is not a column/),
    });
    expect(readAggregate("count(distinct x)").error).toMatchObject({
      offset: 6,
      message: expect.stringMatching(/'distinct' is not part of an aggregate/),
    });
    expect(readAggregate("sum(a +)").error?.message).toMatch(/expects a value/);
  });
});

describe("parsing", () => {
  it("is memoised by text", () => expect(readSql("a + 1")).toBe(readSql("a + 1")));
  it("survives hostile input", () => {
    for (const hostile of [
      "(".repeat(200),
      "'".repeat(101),
      "`".repeat(7),
      "a".repeat(5000),
      "\u0000",
      "\\",
    ])
      expect(() => readSql(hostile)).not.toThrow();
    expect(sqlError("(".repeat(200))).toMatchObject({
      offset: 48,
      message: "the expression nests brackets more than 48 deep",
    });
    expect(sqlError("(".repeat(48) + "a" + ")".repeat(48))).toBeUndefined();
    expect(sqlError("a" + " + a".repeat(1500))).toMatchObject({
      offset: 4000,
      message: "the expression is longer than 2000 tokens",
    });
    expect(sqlError("x BETWEEN 1" + " + 1".repeat(300))?.offset).toBe(1211);
  });
});

describe("an offset inside a scalar maps to its line and column", () => {
  const src = [
    "plain: a > 1 AND",
    "single: 'it''s ''x'' $'",
    'double: "tab\\t\\u00e9 \\"q\\" $"',
    "block: |",
    "  a $ b",
    "flow: {f: 'x $'}",
  ].join("\n");
  const spec = loadSpec("s.yaml", src).spec!;
  const table: Array<[string, number, { line: number; col: number }]> = [
    ["/plain", 2, { line: 1, col: 10 }],
    ["/plain", 9, { line: 1, col: 17 }],
    ["/single", 9, { line: 2, col: 22 }],
    ["/double", 10, { line: 3, col: 28 }],
    ["/block", 2, { line: 4, col: 8 }],
    ["/flow/f", 2, { line: 6, col: 14 }],
  ];
  for (const [pointer, offset, want] of table)
    it(`${pointer} @${offset}`, () => expect(spec.locate(pointer, "value", offset)).toEqual(want));
  it("the character found there is the one meant", () => {
    const lines = src.split("\n");
    expect(lines[0]![9]).toBe(">");
    expect(lines[1]![21]).toBe("$");
    expect(lines[2]![27]).toBe("$");
  });
});
