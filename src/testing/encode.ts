/**
 * A test's given records as their topic carries them: Avro in the Confluent wire format (magic
 * byte 0, a 4-byte schema id, the body written with the topic's registered schema) or one JSON
 * object per message (decimals with their digits, timestamps as ISO-8601 text, dates as
 * year-month-day, bytes as base64), or `{raw: text}` as those bytes. Each record gets its
 * place in Kafka: partition 0, offsets counting up from 0 across the batches, and a timestamp
 * that grows with the offset (the order upserts keep).
 */
import { createRequire } from "node:module";
import { avroNamespace } from "../ir/names.js";
import { type Canonical, parseValue } from "../ir/test-values.js";
import type { Field, Pipeline, StreamTest, TestRecord, Topic } from "../ir/types.js";
import { avroRecord } from "../emit/shared/avro.js";

const require = createRequire(import.meta.url);

/** The Kafka timestamp of offset 0 (2024-01-01T00:00:00Z); offset n is n milliseconds later. */
export const BASE_TIMESTAMP_MS = Date.UTC(2024, 0, 1);

/** The schema id the wire format carries: the runner's seams give the job its own schema under it (pipegen_runtime.testing.seams.WRITER_ID). */
const SCHEMA_ID = 1;

/** A record as the runner's source feeds it (key and value base64). */
export interface KafkaRecord {
  key: string | null;
  value: string;
  partition: number;
  offset: number;
  timestamp: number;
}

function canonical(f: Field, v: unknown): Canonical {
  const r = parseValue(f, v as never);
  if (!r.ok) throw new Error(`column '${f.name}': ${r.error}`);
  return r.value;
}

/** A decimal's unscaled value at `scale` as Avro writes it: big-endian two's complement. */
export function decimalBytes(c: Extract<Canonical, { type: "decimal" }>, scale: number): Buffer {
  let n = c.unscaled * 10n ** BigInt(scale - c.scale);
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (!(n === 0n && (bytes[0]! & 0x80) === 0) && !(n === -1n && (bytes[0]! & 0x80) !== 0));
  return Buffer.from(bytes);
}

/** A decimal's text with its digits (10.5 at scale 2: "10.50"). */
export function decimalText(c: Extract<Canonical, { type: "decimal" }>, scale: number): string {
  const n = c.unscaled * 10n ** BigInt(scale - c.scale);
  const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return n < 0n ? `-${text}` : text;
}

/** Microseconds since the epoch as ISO-8601 text in UTC (milliseconds, or micro when needed). */
export function isoText(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const iso = new Date(Number(ms)).toISOString();
  const rest = micros - ms * 1000n;
  return rest === 0n ? iso : `${iso.slice(0, -1)}${rest.toString().padStart(3, "0")}Z`;
}

function avroValue(f: Field, v: unknown): unknown {
  const c = canonical(f, v);
  switch (c.type) {
    case "null":
      return null;
    case "decimal":
      return decimalBytes(c, f.scale ?? 0);
    case "timestamp":
      return Number(c.micros / 1000n);
    case "date":
      return c.days;
    case "integer":
      if (c.value > BigInt(Number.MAX_SAFE_INTEGER) || c.value < BigInt(Number.MIN_SAFE_INTEGER))
        throw new Error(
          `column '${f.name}': ${c.value} is beyond what pipegen test encodes exactly (2^53)`,
        );
      return Number(c.value);
    case "any":
      return c.text;
    default:
      return c.value;
  }
}

function jsonValue(f: Field, v: unknown): string {
  const c = canonical(f, v);
  switch (c.type) {
    case "null":
      return "null";
    case "decimal":
      return decimalText(c, f.scale ?? 0);
    case "timestamp":
      return JSON.stringify(isoText(c.micros));
    case "date":
      return JSON.stringify(new Date(c.days * 86_400_000).toISOString().slice(0, 10));
    case "bytes":
      return JSON.stringify(c.value.toString("base64"));
    case "integer":
      return c.value.toString();
    case "real":
      return Number.isFinite(c.value) ? JSON.stringify(c.value) : JSON.stringify(String(c.value));
    case "any":
      return JSON.stringify(c.text);
    default:
      return JSON.stringify(c.value);
  }
}

type AvroType = { toBuffer(v: unknown): Buffer };
const avroTypes = new Map<string, AvroType>();

function avroTypeOf(p: Pipeline, topic: Topic): AvroType {
  const schema = avroRecord(topic.schema!, avroNamespace(p.name));
  const key = JSON.stringify(schema);
  let t = avroTypes.get(key);
  if (!t) {
    const avsc = require("avsc") as typeof import("avsc");
    t = avsc.Type.forSchema(schema as never, { logicalTypes: {} }) as unknown as AvroType;
    avroTypes.set(key, t);
  }
  return t;
}

/** The bytes of one given record on `topic`. */
export function encodeRecord(p: Pipeline, topic: Topic, r: TestRecord): Buffer {
  if (r.kind === "raw") return Buffer.from(r.text, "utf8");
  const fields = topic.schema!.fields;
  if (topic.format === "json") {
    const parts = fields
      .filter((f) => f.name in r.values)
      .map((f) => `${JSON.stringify(f.name)}: ${jsonValue(f, r.values[f.name])}`);
    return Buffer.from(`{${parts.join(", ")}}`, "utf8");
  }
  const record = Object.fromEntries(
    fields.map((f) => [f.name, f.name in r.values ? avroValue(f, r.values[f.name]) : null]),
  );
  const header = Buffer.alloc(5);
  header.writeUInt32BE(SCHEMA_ID, 1);
  return Buffer.concat([header, avroTypeOf(p, topic).toBuffer(record)]);
}

/** A test's batches as Kafka records (see the module's docstring). */
export function kafkaBatches(p: Pipeline, topic: Topic, t: StreamTest): KafkaRecord[][] {
  let offset = 0;
  return t.batches.map((batch) =>
    batch.map((r) => {
      const o = offset++;
      return {
        key: null,
        value: encodeRecord(p, topic, r).toString("base64"),
        partition: 0,
        offset: o,
        timestamp: BASE_TIMESTAMP_MS + o,
      };
    }),
  );
}
