// Reads what a random stream wrote, in the canonical text of values.ts: PostgreSQL and MariaDB
// tables (strings and bytes as hex, timestamps as epoch milliseconds, so nothing depends on a
// client's formatting) and JSON Kafka topics (to_json leaves null fields out: a missing field is
// null). Compares multisets of rows and reports the differences readably.
import type { Mariadb } from "../harness/mariadb.js";
import type { Postgres } from "../harness/postgres.js";
import type { Col } from "./types.js";
import { canonFromText } from "./values.js";

export type CanonRow = Array<string | null>;

const hexText = (h: string | null) => (h === null ? null : Buffer.from(h, "hex").toString("utf8"));

function pgExpr(c: Col): string {
  const q = `"${c.name}"`;
  switch (c.type) {
    case "string":
      return `encode(convert_to(${q}, 'UTF8'), 'hex')`;
    case "timestamp":
      return `(round(extract(epoch from ${q}) * 1000))::bigint::text`;
    case "date":
      return `to_char(${q}, 'YYYY-MM-DD')`;
    case "bytes":
      return `encode(${q}, 'hex')`;
    case "float":
      return `${q}::float8::text`;
    default:
      return `${q}::text`;
  }
}

function mariaExpr(c: Col): string {
  const q = `\`${c.name}\``;
  switch (c.type) {
    case "string":
      return `HEX(${q})`;
    case "timestamp":
      return `TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${q}) DIV 1000`;
    case "date":
      return `DATE_FORMAT(${q}, '%Y-%m-%d')`;
    case "bytes":
      return `LOWER(HEX(${q}))`;
    case "float":
      return `CAST(${q} AS DOUBLE)`;
    default:
      return q;
  }
}

function fromDb(values: Array<string | null>, cols: readonly Col[]): CanonRow {
  return cols.map((c, i) => {
    const v = values[i] ?? null;
    if (v === null) return null;
    if (c.type === "string") return hexText(v);
    if (c.type === "timestamp" || c.type === "date" || c.type === "bytes") return v;
    return canonFromText(v, c);
  });
}

export async function pgRows(
  pg: Postgres,
  table: string,
  cols: readonly Col[],
): Promise<CanonRow[]> {
  const rows = await pg.query(`SELECT ${cols.map(pgExpr).join(", ")} FROM "${table}"`);
  return rows.map((r) => fromDb(r, cols));
}

export async function mariaRows(
  db: Mariadb,
  table: string,
  cols: readonly Col[],
): Promise<CanonRow[]> {
  const rows = await db.query(`SELECT ${cols.map(mariaExpr).join(", ")} FROM \`${table}\``);
  return rows.map((r) => fromDb(r, cols));
}

export interface KafkaRecord {
  key: string | null;
  value_hex: string;
  headers: Record<string, string>;
}

/** A JSON sink record as a canonical row, with its key as the last column. */
export function fromJson(rec: KafkaRecord, cols: readonly Col[]): CanonRow {
  const obj = JSON.parse(Buffer.from(rec.value_hex, "hex").toString("utf8")) as Record<
    string,
    unknown
  >;
  const row = cols.map((c) => {
    const v = obj[c.name];
    if (v === undefined || v === null) return null;
    switch (c.type) {
      case "string":
      case "date":
        return String(v);
      case "timestamp":
        return String(Date.parse(String(v)));
      case "bytes":
        return Buffer.from(String(v), "base64").toString("hex");
      default:
        return canonFromText(v as string | number | boolean, c);
    }
  });
  return [...row, rec.key];
}

const text = (r: CanonRow) => JSON.stringify(r);

/** The rows one side has more often than the other, both ways; empty when the multisets are equal. */
export function multisetDiff(
  got: readonly CanonRow[],
  want: readonly CanonRow[],
): { missing: string[]; extra: string[] } {
  const count = new Map<string, number>();
  for (const r of want) count.set(text(r), (count.get(text(r)) ?? 0) + 1);
  const extra: string[] = [];
  for (const r of got) {
    const n = count.get(text(r)) ?? 0;
    if (n > 0) count.set(text(r), n - 1);
    else extra.push(text(r));
  }
  const missing = [...count.entries()].flatMap(([k, n]) => Array.from({ length: n }, () => k));
  return { missing: missing.sort(), extra: extra.sort() };
}
