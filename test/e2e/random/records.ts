// The records of a random stream, in two phases (one job run each), from a seeded generator:
// valid rows with event times in order, exact duplicates, updates of a key (in one batch and
// across runs), late rows (three hours older than anything: behind every watermark), and
// invalid records: undecodable bytes (Avro and JSON), null in required fields (JSON: Avro
// cannot carry one), out-of-enum values, failing checks, nulls that notNull refuses; plus a row
// whose optional fields are all null. Which rows are valid is decided by the reference model.
import { rng } from "../spark/orders-data.js";
import { FRAGMENTS, MIN, T0, type Domain, type GenStream } from "./spec-gen.js";
import { passesSteps, reasons } from "./model.js";
import { Bin, Day, Dec, Ts, type Col, type V } from "./types.js";
import { decToString, evaluate } from "./values.js";

export type Row = Record<string, V>;

export interface Produced {
  phase: 1 | 2;
  key: string | null;
  /** The decoded record (null for undecodable bytes). */
  row: Row | null;
  /** What the producer sends: an Avro record to encode, JSON text, or raw bytes (hex). */
  avro?: Record<string, unknown>;
  text?: string;
  rawHex?: string;
  /** Undecodable: which kind. */
  bad?: "wire" | "body" | "json";
  /** What the record is for (a note in assertion messages). */
  note: string;
}

const DAY0 = Math.floor(Date.UTC(2025, 0, 1) / 86_400_000);
const STEP = 41_000;

/** The record's value for the producer: what fastavro takes (produce.py converts decimals and bytes). */
function avroValue(row: Row, fields: readonly Col[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = row[f.name] ?? null;
    out[f.name] =
      v === null
        ? null
        : v instanceof Dec
          ? decToString(v)
          : v instanceof Ts
            ? v.ms
            : v instanceof Day
              ? v.d
              : v instanceof Bin
                ? v.hex
                : v;
  }
  return out;
}

/** JSON text of a row, written by hand so decimals keep their digits; nulls written or left out. */
function jsonText(row: Row, fields: readonly Col[], omitNulls: boolean): string {
  const parts: string[] = [];
  for (const f of fields) {
    const v = row[f.name] ?? null;
    if (v === null && omitNulls) continue;
    let text: string;
    if (v === null) text = "null";
    else if (v instanceof Dec) text = decToString(v);
    else if (v instanceof Ts) text = JSON.stringify(new Date(v.ms).toISOString());
    else if (v instanceof Day)
      text = JSON.stringify(new Date(v.d * 86_400_000).toISOString().slice(0, 10));
    else if (v instanceof Bin) text = JSON.stringify(Buffer.from(v.hex, "hex").toString("base64"));
    else text = JSON.stringify(v);
    parts.push(`${JSON.stringify(f.name)}: ${text}`);
  }
  return `{${parts.join(", ")}}`;
}

export function streamRecords(s: GenStream, seed: number): Produced[] {
  const r = rng(seed);
  const int = (min: number, max: number) => min + Math.floor(r() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const fields = s.schema.fields;
  const notNullCols = new Set(s.quality.flatMap((q) => (q.k === "notNull" ? q.cols : [])));

  function value(c: Col, d: Domain | undefined): V {
    switch (c.type) {
      case "string":
        if (d?.free)
          return (
            Array.from({ length: int(1, 3) }, () => pick(FRAGMENTS)).join(int(0, 1) ? "" : " ") +
            String(int(0, 99))
          );
        return pick(d?.pool ?? FRAGMENTS);
      case "int":
        return d?.lowCard ? int(0, 4) : int(-100, 1000);
      case "long":
        return d?.lowCard ? int(0, 4) : int(-1000, 8000) * 1_000_000 + int(0, 999);
      case "float":
        return int(-800, 800) / 2;
      case "double":
        return int(-800, 800) / 4;
      case "decimal": {
        const span = 10 ** Math.min(c.precision! - 1, 8);
        return new Dec(BigInt(int(-span, span)), c.scale!);
      }
      case "boolean":
        return r() < 0.5;
      case "timestamp":
        return new Ts(T0 + int(0, 90 * 60) * 1000 + int(0, 999));
      case "date":
        return new Day(DAY0 + int(0, d?.lowCard ? 3 : 3000));
      case "bytes":
        return new Bin(
          Buffer.from(Array.from({ length: int(0, 6) }, () => int(0, 255))).toString("hex"),
        );
    }
  }

  /** A random row with this id and event time; nulls only where nothing refuses them (unless `nulls`). */
  function randomRow(id: number, ts: number, nulls = false): Row {
    const row: Row = {};
    for (const f of fields) {
      if (f.name === s.id) row[f.name] = id;
      else if (f.name === s.ts) row[f.name] = new Ts(ts);
      else if (!f.required && (nulls || !notNullCols.has(f.name)) && r() < 0.12) row[f.name] = null;
      else row[f.name] = value(f, s.domains[f.name]);
    }
    return row;
  }

  /** A row the model finds valid, if one comes up in a few tries. */
  function validRow(id: number, ts: number): Row {
    let row = randomRow(id, ts);
    for (let i = 0; i < 30 && reasons(s, row) !== ""; i++) row = randomRow(id, ts);
    return row;
  }

  const out: Produced[] = [];
  const push = (phase: 1 | 2, row: Row, note: string, key?: string | null) => {
    const id = row[s.id];
    const k = key !== undefined ? key : id === null ? `noid-${out.length}` : `id-${String(id)}`;
    const p: Produced = { phase, key: k, row, note };
    if (s.format === "avro") p.avro = avroValue(row, fields);
    else p.text = jsonText(row, fields, r() < 0.5);
    out.push(p);
    return p;
  };
  const bad = (phase: 1 | 2, kind: NonNullable<Produced["bad"]>, hex: string, key: string | null) =>
    out.push({ phase, key, row: null, rawHex: hex, bad: kind, note: `undecodable (${kind})` });

  let nextId = 1;
  let t = T0 + 1000;
  const nextTs = () => {
    t += STEP;
    return t + ((nextId * 7) % 1000);
  };

  // Phase 1: valid rows, then duplicates, updates and invalid records.
  const base: Produced[] = [];
  const n1 = int(110, 140);
  for (let i = 0; i < n1; i++) base.push(push(1, validRow(nextId++, nextTs()), "row"));
  for (let i = 0; i < 4; i++) {
    const o = pick(base);
    out.push({ ...o, note: "exact duplicate" });
  }
  const upsertNoDedupe =
    s.sinks.some((k) => k.k !== "kafka" && k.mode === "upsert") &&
    !s.steps.some((x) => x.k === "dedupe" || x.k === "agg");
  if (upsertNoDedupe) {
    // Originals and updates that both reach the sinks, so the table shows which one won.
    const through = base.filter((o) => passesSteps(s, o.row!));
    for (const o of [through[2] ?? base[5]!, through[5] ?? base[10]!]) {
      const id = Number(o.row![s.id]);
      const ts = (o.row![s.ts] as Ts | null)?.ms ?? nextTs();
      let row = validRow(id, ts);
      for (let i = 0; i < 40 && !passesSteps(s, row); i++) row = validRow(id, ts);
      push(1, row, "update of an earlier id in the same run");
    }
  }
  const special = (mutate: (row: Row) => boolean, note: string) => {
    const row = randomRow(nextId++, nextTs());
    if (mutate(row)) push(1, row, note);
  };
  for (const c of notNullCols)
    special((row) => {
      row[c] = null;
      return true;
    }, `null in notNull column ${c}`);
  for (const f of fields.filter((x) => x.enum))
    special((row) => {
      row[f.name] = pick(FRAGMENTS.filter((x) => !f.enum!.includes(x)));
      return true;
    }, `${f.name} outside the schema's enum`);
  for (const q of s.quality) {
    if (q.k === "enum")
      special((row) => {
        const outside = FRAGMENTS.filter((x) => !q.values.includes(x));
        if (!outside.length) return false;
        row[q.col] = pick(outside);
        return true;
      }, `${q.col} outside a quality enum`);
    if (q.k === "check")
      for (let n = 0; n < 2; n++)
        special((row) => {
          for (let i = 0; i < 60; i++) {
            const candidate = randomRow(Number(row[s.id]), (row[s.ts] as Ts).ms, true);
            if (evaluate(q.e, candidate) === false) {
              Object.assign(row, candidate);
              return true;
            }
          }
          return false;
        }, "failing a check");
  }
  if (s.format === "json")
    for (const f of fields.filter((x) => x.required))
      special((row) => {
        row[f.name] = null;
        return true;
      }, `JSON: null in required field ${f.name}`);
  // Every optional field null (a valid record unless a rule refuses a null).
  special((row) => {
    for (const f of fields) if (!f.required && f.name !== s.id) row[f.name] = null;
    return true;
  }, "every optional field null");
  if (fields.every((f) => !f.required))
    push(1, Object.fromEntries(fields.map((f) => [f.name, null])), "every field null");
  if (s.format === "avro") {
    bad(1, "wire", Buffer.from('{"id": 1}').toString("hex"), "bad-1");
    bad(1, "wire", "0000", null);
    bad(1, "body", "0000000001f0", "bad-3");
    bad(1, "body", "0000000001f0f0f0", "bad-4");
  } else {
    bad(1, "json", Buffer.from('{"broken": ').toString("hex"), "bad-1");
    bad(1, "json", Buffer.from("not json at all").toString("hex"), null);
    const row = randomRow(nextId++, nextTs());
    const wrong = JSON.parse(jsonText(row, fields, false)) as Record<string, unknown>;
    wrong[s.id] = "not a number";
    bad(1, "json", Buffer.from(JSON.stringify(wrong)).toString("hex"), "bad-3");
  }
  const maxT1 = t + 1000;

  // Phase 2: on-time rows after phase 1, late rows, duplicates, updates across runs, invalid ones.
  const n2 = int(30, 40);
  for (let i = 0; i < n2; i++) push(2, validRow(nextId++, nextTs()), "row");
  for (let i = 0; i < 4; i++)
    push(2, validRow(nextId++, T0 - 180 * MIN + i * STEP + 3), "late (three hours behind)");
  const recent = base.filter((o) => ((o.row![s.ts] as Ts | null)?.ms ?? 0) >= maxT1 - 60_000);
  for (const o of [...recent.slice(-2), base[1]!])
    out.push({ ...o, phase: 2, note: "exact duplicate from run 1" });
  if (
    s.sinks.some((k) => k.k !== "kafka" && k.mode === "upsert") &&
    !s.steps.some((x) => x.k === "agg")
  )
    for (const o of [base[2]!, base[3]!])
      push(2, validRow(Number(o.row![s.id]), nextTs()), "update of a run-1 id");
  if (s.format === "avro") bad(2, "body", "00000000010a", "bad-2-1");
  else bad(2, "json", Buffer.from("{").toString("hex"), "bad-2-1");
  for (const c of [...notNullCols].slice(0, 1)) {
    const row = randomRow(nextId++, nextTs());
    row[c] = null;
    push(2, row, `null in notNull column ${c}`);
  }
  return out;
}
