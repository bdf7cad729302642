import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { avroRecord } from "../../../src/emit/shared/avro.js";
import { decimal } from "../../../src/ir/test-values.js";
import type { Field, RecordSchema, Topic } from "../../../src/ir/types.js";
import { decimalBytes, decimalText, encodeRecord, isoText } from "../../../src/testing/encode.js";
import { pipeline, topic } from "../ir-builder.js";

// Given records as their topic carries them: decoded back with an independent reader (avsc)
// for Avro, read as JSON text for JSON topics.

const require = createRequire(import.meta.url);
const avsc = require("avsc") as typeof import("avsc");

const fields: Field[] = [
  { name: "id", type: "long", required: true },
  { name: "amount", type: "decimal", required: false, precision: 10, scale: 2 },
  { name: "at", type: "timestamp", required: true },
  { name: "day", type: "date", required: false },
  { name: "ok", type: "boolean", required: false },
  { name: "raw_bytes", type: "bytes", required: false },
  { name: "ratio", type: "double", required: false },
  { name: "name", type: "string", required: false },
];
const schema: RecordSchema = { name: "rec", key: ["id"], fields };

describe("decimals and timestamps", () => {
  it.each([
    ["10.5", 2, "041a", "10.50"],
    ["-0.01", 2, "ff", "-0.01"],
    ["1.28", 2, "0080", "1.28"],
    ["-1.28", 2, "80", "-1.28"],
    ["-1.29", 2, "ff7f", "-1.29"],
    ["0", 2, "00", "0.00"],
    ["12345678.99", 2, "499602db", "12345678.99"],
  ])("%s at scale %d", (v, scale, hex, text) => {
    const c = decimal(v);
    if (!c.ok || c.value.type !== "decimal") throw new Error("not a decimal");
    expect(decimalBytes(c.value, scale).toString("hex")).toBe(hex);
    expect(decimalText(c.value, scale)).toBe(text);
  });

  it("timestamps as ISO text, with microseconds only when there are some", () => {
    expect(isoText(1704067210000000n)).toBe("2024-01-01T00:00:10.000Z");
    expect(isoText(1704067210123456n)).toBe("2024-01-01T00:00:10.123456Z");
  });
});

describe("records", () => {
  const avroTopic: Topic = topic({ name: "t", schema, format: "avro" });
  const jsonTopic: Topic = topic({ name: "j", schema, format: "json" });
  const p = pipeline({ topics: [avroTopic, jsonTopic] });
  const values = {
    id: 7,
    amount: "10.5",
    at: "2024-01-01T00:00:10Z",
    day: "2024-03-01",
    ok: true,
    raw_bytes: "AAEC",
    ratio: 0.25,
    name: "é",
  };

  it("Avro in the Confluent wire format, readable with the topic's schema", () => {
    const bytes = encodeRecord(p, avroTopic, { kind: "record", values });
    expect(bytes.subarray(0, 5).toString("hex")).toBe("0000000001");
    const type = avsc.Type.forSchema(avroRecord(schema, `pipegen.${p.name}`) as never, {
      logicalTypes: {},
    });
    const back = type.fromBuffer(bytes.subarray(5)) as Record<string, unknown>;
    expect({
      ...back,
      amount: (back.amount as Buffer).toString("hex"),
      raw_bytes: (back.raw_bytes as Buffer).toString("hex"),
    }).toEqual({
      id: 7,
      amount: "041a",
      at: 1704067210000,
      day: 19783,
      ok: true,
      raw_bytes: "000102",
      ratio: 0.25,
      name: "é",
    });
  });

  it("an Avro record without an optional column carries null", () => {
    const bytes = encodeRecord(p, avroTopic, {
      kind: "record",
      values: { id: 1, at: "2024-01-01T00:00:00Z" },
    });
    const type = avsc.Type.forSchema(avroRecord(schema, `pipegen.${p.name}`) as never, {
      logicalTypes: {},
    });
    expect(type.fromBuffer(bytes.subarray(5))).toMatchObject({ id: 1, amount: null, name: null });
  });

  it("JSON with decimals' digits, ISO timestamps, dates, base64 bytes; absent columns left out", () => {
    const text = encodeRecord(p, jsonTopic, {
      kind: "record",
      values: { ...values, name: null },
    }).toString();
    expect(text).toBe(
      '{"id": 7, "amount": 10.50, "at": "2024-01-01T00:00:10.000Z", "day": "2024-03-01", "ok": true, "raw_bytes": "AAEC", "ratio": 0.25, "name": null}',
    );
    expect(encodeRecord(p, jsonTopic, { kind: "record", values: { id: 1 } }).toString()).toBe(
      '{"id": 1}',
    );
  });

  it("raw: the text's bytes, whatever the format", () => {
    expect(encodeRecord(p, avroTopic, { kind: "raw", text: "not avro" }).toString()).toBe(
      "not avro",
    );
  });
});
