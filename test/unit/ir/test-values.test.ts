import { describe, expect, it } from "vitest";
import { parseValue } from "../../../src/ir/test-values.js";
import type { Field, TestValue } from "../../../src/ir/types.js";

// The values test rows take per column type, and their canonical form (what encoding and
// comparison use): one row per case, the YAML value in, the canonical value or the error out.

const dec: Pick<Field, "type" | "precision" | "scale"> = {
  type: "decimal",
  precision: 6,
  scale: 2,
};
const show = (f: Pick<Field, "type" | "precision" | "scale">, v: TestValue) => {
  const r = parseValue(f, v);
  return r.ok
    ? JSON.stringify(r.value, (_k, x) => (typeof x === "bigint" ? `${x}n` : x))
    : `error: ${r.error}`;
};

const table: Array<[Pick<Field, "type" | "precision" | "scale">, TestValue, string]> = [
  [{ type: "string" }, "EUR", '{"type":"string","value":"EUR"}'],
  [{ type: "string" }, 5, "error: text, not 5"],
  [{ type: "long" }, 7, '{"type":"integer","value":"7n"}'],
  [{ type: "long" }, "9007199254740993", '{"type":"integer","value":"9007199254740993n"}'],
  [{ type: "int" }, 2 ** 31, "error: a whole number within int range, not 2147483648"],
  [{ type: "int" }, 1.5, "error: a whole number, not 1.5"],
  [{ type: "double" }, 2.5, '{"type":"real","value":2.5}'],
  [{ type: "float" }, "x", 'error: a number, not "x"'],
  [{ type: "boolean" }, true, '{"type":"boolean","value":true}'],
  [{ type: "boolean" }, "true", 'error: true or false, not "true"'],
  [dec, "10.00", '{"type":"decimal","unscaled":"10n","scale":0}'],
  [dec, 10.5, '{"type":"decimal","unscaled":"105n","scale":1}'],
  [dec, "-0.50", '{"type":"decimal","unscaled":"-5n","scale":1}'],
  [dec, "0.00", '{"type":"decimal","unscaled":"0n","scale":0}'],
  [dec, "10.005", "error: a decimal with at most 2 digits after the point, not 10.005"],
  [
    dec,
    "12345.6",
    "error: a decimal with at most 4 digits before the point (precision 6, scale 2), not 12345.6",
  ],
  [dec, "1e2", '{"type":"decimal","unscaled":"100n","scale":0}'],
  [dec, "abc", 'error: a decimal number such as "10.00", not "abc"'],
  [
    { type: "timestamp" },
    "2024-01-01T00:00:10Z",
    '{"type":"timestamp","micros":"1704067210000000n"}',
  ],
  [
    { type: "timestamp" },
    "2024-01-01 00:00:10",
    '{"type":"timestamp","micros":"1704067210000000n"}',
  ],
  [
    { type: "timestamp" },
    "2024-01-01T01:00:10+01:00",
    '{"type":"timestamp","micros":"1704067210000000n"}',
  ],
  [
    { type: "timestamp" },
    "2024-01-01T00:00:10.123456Z",
    '{"type":"timestamp","micros":"1704067210123456n"}',
  ],
  [
    { type: "timestamp" },
    "2024-02-30T00:00:00Z",
    'error: a valid date and time, not "2024-02-30T00:00:00Z"',
  ],
  [
    { type: "timestamp" },
    "yesterday",
    'error: a timestamp such as "2024-01-01T00:00:10Z", not "yesterday"',
  ],
  [{ type: "date" }, "2024-03-01", '{"type":"date","days":19783}'],
  [{ type: "date" }, "2024-3-1", 'error: a date such as "2024-01-01", not "2024-3-1"'],
  [{ type: "bytes" }, "AAEC", '{"type":"bytes","value":{"type":"Buffer","data":[0,1,2]}}'],
  [
    { type: "bytes" },
    "not base64!",
    'error: bytes as base64 text such as "AAEC", not "not base64!"',
  ],
  [{ type: "unknown" }, 3, '{"type":"any","text":"3"}'],
  [{ type: "string" }, null, '{"type":"null"}'],
];

describe("test values", () => {
  it.each(table)("%j %j", (field, value, want) => {
    expect(show(field, value)).toBe(want);
  });
});
