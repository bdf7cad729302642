/**
 * The values of test rows (`tests:` in a spec): what a column of each type accepts as YAML
 * writes it, and one canonical form per type, so that a given record can be encoded as its
 * topic carries it and an expected row compared with what a sink received (the runner's JSON).
 * Pure; used by the resolver (errors) and by `pipegen test` (encoding and comparison).
 */
import type { Field, FieldType, TestValue } from "./types.js";

/** A value in its canonical form, by type. */
export type Canonical =
  | { type: "string"; value: string }
  | { type: "integer"; value: bigint }
  | { type: "real"; value: number }
  | { type: "boolean"; value: boolean }
  /** `unscaled` * 10^-scale, with no trailing zero in the fraction (10.50 -> 105, 1). */
  | { type: "decimal"; unscaled: bigint; scale: number }
  /** Microseconds since the epoch, UTC. */
  | { type: "timestamp"; micros: bigint }
  /** Days since the epoch. */
  | { type: "date"; days: number }
  | { type: "bytes"; value: Buffer }
  | { type: "null" }
  /** A column whose type pipegen does not know (a lookup's): compared by its text. */
  | { type: "any"; text: string };

export type Parsed = { ok: true; value: Canonical } | { ok: false; error: string };

const ok = (value: Canonical): Parsed => ({ ok: true, value });
const fail = (error: string): Parsed => ({ ok: false, error });

const INT_RANGE = { int: [-(2n ** 31n), 2n ** 31n - 1n], long: [-(2n ** 63n), 2n ** 63n - 1n] };

function integer(type: "int" | "long", v: TestValue): Parsed {
  let n: bigint | undefined;
  if (typeof v === "number" && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === "string" && /^-?\d+$/.test(v.trim())) n = BigInt(v.trim());
  if (n === undefined) return fail(`a whole number, not ${shown(v)}`);
  const [lo, hi] = INT_RANGE[type];
  if (n < lo! || n > hi!) return fail(`a whole number within ${type} range, not ${n}`);
  return ok({ type: "integer", value: n });
}

function real(v: TestValue): Parsed {
  if (typeof v === "number") return ok({ type: "real", value: v });
  if (typeof v === "string" && /^(NaN|-?Infinity)$/.test(v))
    return ok({ type: "real", value: Number(v) });
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)))
    return ok({ type: "real", value: Number(v) });
  return fail(`a number, not ${shown(v)}`);
}

/** A decimal from a number or text; within `precision`/`scale` when they are given. */
export function decimal(v: TestValue, precision?: number, scale?: number): Parsed {
  const text = typeof v === "number" ? numberText(v) : typeof v === "string" ? v.trim() : "";
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === ""))
    return fail(`a decimal number such as "10.00", not ${shown(v)}`);
  let digits = (m[2] ?? "") + (m[3] ?? "");
  let exp = -(m[3] ?? "").length + Number(m[4] ?? 0);
  while (digits.length > 1 && digits.endsWith("0") && exp < 0) {
    digits = digits.slice(0, -1);
    exp += 1;
  }
  let unscaled = BigInt(digits || "0") * (exp > 0 ? 10n ** BigInt(exp) : 1n);
  let s = exp > 0 ? 0 : -exp;
  if (unscaled === 0n) s = 0;
  if (m[1] === "-") unscaled = -unscaled;
  if (scale !== undefined && s > scale)
    return fail(`a decimal with at most ${scale} digits after the point, not ${text}`);
  if (precision !== undefined && scale !== undefined) {
    const intDigits = (unscaled < 0n ? -unscaled : unscaled).toString().length - s;
    if (unscaled !== 0n && intDigits > precision - scale)
      return fail(
        `a decimal with at most ${precision - scale} digits before the point (precision ${precision}, scale ${scale}), not ${text}`,
      );
  }
  return ok({ type: "decimal", unscaled, scale: s });
}

/** A number's digits without exponent loss where possible (1e-7 -> "0.0000001"). */
function numberText(n: number): string {
  return Number.isInteger(n) ? BigInt(n).toString() : String(n);
}

const TS_RE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** ISO-8601 text (a zone or none: UTC) -> microseconds since the epoch. */
export function timestamp(v: TestValue): Parsed {
  const m = typeof v === "string" ? TS_RE.exec(v.trim()) : null;
  if (!m) return fail(`a timestamp such as "2024-01-01T00:00:10Z", not ${shown(v)}`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  const back = new Date(ms);
  if (Number.isNaN(ms) || back.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59)
    return fail(`a valid date and time, not ${shown(v)}`);
  if (frac && frac.length > 6 && !/^0+$/.test(frac.slice(6)))
    return fail(`a timestamp with at most microseconds, not ${shown(v)}`);
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    offsetMin = (z[1] === "-" ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
  }
  const micros =
    BigInt(ms - offsetMin * 60_000) * 1000n + BigInt(((frac ?? "") + "000000").slice(0, 6));
  return ok({ type: "timestamp", micros });
}

export function date(v: TestValue): Parsed {
  const m = typeof v === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim()) : null;
  if (!m) return fail(`a date such as "2024-01-01", not ${shown(v)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).getUTCDate() !== Number(m[3])) return fail(`a valid date, not ${shown(v)}`);
  return ok({ type: "date", days: ms / 86_400_000 });
}

function bytes(v: TestValue): Parsed {
  if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
    return fail(`bytes as base64 text such as "AAEC", not ${shown(v)}`);
  return ok({ type: "bytes", value: Buffer.from(v, "base64") });
}

/** A YAML value as a message shows it. */
export function shown(v: TestValue): string {
  if (typeof v === "string") return JSON.stringify(v);
  return v === null ? "null" : String(v);
}

const parsers: Record<Exclude<FieldType, "decimal">, (v: TestValue) => Parsed> = {
  string: (v) =>
    typeof v === "string" ? ok({ type: "string", value: v }) : fail(`text, not ${shown(v)}`),
  int: (v) => integer("int", v),
  long: (v) => integer("long", v),
  float: real,
  double: real,
  boolean: (v) =>
    typeof v === "boolean"
      ? ok({ type: "boolean", value: v })
      : fail(`true or false, not ${shown(v)}`),
  timestamp,
  date,
  bytes,
  unknown: (v) => ok({ type: "any", text: typeof v === "string" ? v : String(v) }),
};

/**
 * A value of a column of `field`'s type, in canonical form, or what the column takes instead
 * ("a whole number, not \"x\""). Null is always a value here: whether the column may hold it
 * is the caller's question.
 */
export function parseValue(
  field: Pick<Field, "type" | "precision" | "scale">,
  v: TestValue,
): Parsed {
  if (v === null) return ok({ type: "null" });
  if (field.type === "decimal") return decimal(v, field.precision, field.scale);
  return parsers[field.type](v);
}
