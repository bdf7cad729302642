// Values of the reference model: exact decimals, SQL three-valued logic, Spark's comparisons
// (strings by their UTF-8 bytes), casts (decimals rounded HALF_UP), and the canonical text a
// sink's value is compared in. Also how an expression is written in Spark SQL.
import { Bin, Day, Dec, Ts, type Col, type Expr, type V } from "./types.js";

const utf8 = (s: string) => Buffer.from(s, "utf8");

export function decToString(d: Dec): string {
  const neg = d.u < 0n;
  const digits = (neg ? -d.u : d.u).toString().padStart(d.s + 1, "0");
  const int = digits.slice(0, digits.length - d.s);
  const frac = digits.slice(digits.length - d.s);
  return `${neg ? "-" : ""}${int}${d.s ? `.${frac}` : ""}`;
}

export function parseDec(text: string): Dec {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = m[3] ?? "";
  return new Dec(BigInt(`${m[1]}${m[2] || "0"}${frac}`), frac.length);
}

/** A number the model uses (an integer or a binary fraction with few digits) as an exact decimal. */
export function numToDec(n: number): Dec {
  if (!Number.isFinite(n)) throw new Error(`not finite: ${n}`);
  const text = n.toString();
  if (/e/i.test(text)) throw new Error(`number out of the model's range: ${text}`);
  return parseDec(text);
}

const pow10 = (n: number) => 10n ** BigInt(n);

/** Java's BigDecimal.setScale(s, HALF_UP): half away from zero. */
export function rescale(d: Dec, s: number): Dec {
  if (s >= d.s) return new Dec(d.u * pow10(s - d.s), s);
  const div = pow10(d.s - s);
  const neg = d.u < 0n;
  const a = neg ? -d.u : d.u;
  let q = a / div;
  if ((a % div) * 2n >= div) q += 1n;
  return new Dec(neg ? -q : q, s);
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const s = Math.max(a.s, b.s);
  return [rescale(a, s).u, rescale(b, s).u, s];
}

const asDec = (v: number | Dec) => (v instanceof Dec ? v : numToDec(v));

/** Spark's ordering of two non-null values of comparable types. */
export function compare(a: Exclude<V, null>, b: Exclude<V, null>): number {
  if (typeof a === "string" && typeof b === "string") return Buffer.compare(utf8(a), utf8(b));
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  if ((a instanceof Dec || typeof a === "number") && (b instanceof Dec || typeof b === "number")) {
    const [x, y] = align(asDec(a), asDec(b));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (a instanceof Ts && b instanceof Ts) return Math.sign(a.ms - b.ms);
  if (a instanceof Day && b instanceof Day) return Math.sign(a.d - b.d);
  if (a instanceof Bin && b instanceof Bin)
    return Buffer.compare(Buffer.from(a.hex, "hex"), Buffer.from(b.hex, "hex"));
  throw new Error(`cannot compare ${String(a)} with ${String(b)}`);
}

function arith(op: string, a: number | Dec, b: number | Dec): number | Dec {
  if (typeof a === "number" && typeof b === "number") {
    const r = op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : a / b;
    if (!Number.isSafeInteger(r) && Number.isInteger(r)) throw new Error(`overflow: ${a}${op}${b}`);
    return r;
  }
  if (op === "/") throw new Error("the model divides numbers only");
  const x = asDec(a);
  const y = asDec(b);
  if (op === "*") return new Dec(x.u * y.u, x.s + y.s);
  const [u, w, s] = align(x, y);
  return new Dec(op === "+" ? u + w : u - w, s);
}

/** Evaluates an expression on a row with SQL's three-valued logic (null is unknown). */
export function evaluate(e: Expr, row: Record<string, V>): V {
  switch (e.k) {
    case "col": {
      if (!(e.name in row)) throw new Error(`no column ${e.name} in the row`);
      return row[e.name]!;
    }
    case "lit":
      return e.v;
    case "cmp": {
      const a = evaluate(e.a, row);
      const b = evaluate(e.b, row);
      if (a === null || b === null) return null;
      const c = compare(a, b);
      switch (e.op) {
        case "=":
          return c === 0;
        case "<>":
          return c !== 0;
        case "<":
          return c < 0;
        case "<=":
          return c <= 0;
        case ">":
          return c > 0;
        case ">=":
          return c >= 0;
      }
      break;
    }
    case "and": {
      const a = evaluate(e.a, row);
      const b = evaluate(e.b, row);
      if (a === false || b === false) return false;
      return a === null || b === null ? null : true;
    }
    case "or": {
      const a = evaluate(e.a, row);
      const b = evaluate(e.b, row);
      if (a === true || b === true) return true;
      return a === null || b === null ? null : false;
    }
    case "not": {
      const a = evaluate(e.a, row);
      return a === null ? null : !a;
    }
    case "isnull":
      return evaluate(e.a, row) === null;
    case "notnull":
      return evaluate(e.a, row) !== null;
    case "arith": {
      const a = evaluate(e.a, row);
      const b = evaluate(e.b, row);
      if (a === null || b === null) return null;
      return arith(e.op, a as number | Dec, b as number | Dec);
    }
    case "concat": {
      const a = evaluate(e.a, row);
      const b = evaluate(e.b, row);
      return a === null || b === null ? null : String(a) + String(b);
    }
    case "length": {
      const a = evaluate(e.a, row);
      // Spark's length: characters (code points), not UTF-16 units
      return a === null ? null : [...String(a)].length;
    }
  }
  throw new Error(`unknown expression ${JSON.stringify(e)}`);
}

const digits = (p: number) => 10n ** BigInt(p);

/** Spark's cast of a value to a column's type (ANSI: an overflow would fail the job; the generator avoids it). */
export function castTo(v: V, c: Col): V {
  if (v === null) return null;
  switch (c.type) {
    case "int":
    case "long": {
      const n = v instanceof Dec ? Number(v.u / pow10(v.s)) : Math.trunc(v as number);
      const limit = c.type === "int" ? 2 ** 31 : 2 ** 53;
      if (Math.abs(n) >= limit) throw new Error(`model: ${n} overflows ${c.type}`);
      return n;
    }
    case "float":
      return Math.fround(v instanceof Dec ? Number(decToString(v)) : (v as number));
    case "double":
      return v instanceof Dec ? Number(decToString(v)) : (v as number);
    case "decimal": {
      const d = rescale(asDec(v as number | Dec), c.scale!);
      const a = d.u < 0n ? -d.u : d.u;
      if (a >= digits(c.precision!))
        throw new Error(`model: ${decToString(d)} overflows ${c.precision}`);
      return d;
    }
    default:
      return v;
  }
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function isoDate(d: Day): string {
  return new Date(d.d * 86_400_000).toISOString().slice(0, 10);
}

/** "2025-01-01 10:00:00.123" (UTC), as Spark writes a timestamp literal and casts one to string. */
export function tsText(t: Ts): string {
  const x = new Date(t.ms);
  const base = `${x.getUTCFullYear()}-${pad(x.getUTCMonth() + 1)}-${pad(x.getUTCDate())} ${pad(x.getUTCHours())}:${pad(x.getUTCMinutes())}:${pad(x.getUTCSeconds())}`;
  const ms = x.getUTCMilliseconds();
  return ms ? `${base}.${String(ms).padStart(3, "0").replace(/0+$/, "")}` : base;
}

/** A Spark SQL string literal: backslash escapes (Spark's default), quote escaped. */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** The expression in Spark SQL; every column in backticks. */
export function renderExpr(e: Expr): string {
  switch (e.k) {
    case "col":
      return `\`${e.name}\``;
    case "lit": {
      const v = e.v;
      switch (e.t) {
        case "string":
          return sqlString(v as string);
        case "decimal":
          return decToString(v as Dec);
        case "timestamp":
          return `TIMESTAMP '${tsText(v as Ts)}'`;
        case "date":
          return `DATE '${isoDate(v as Day)}'`;
        case "boolean":
          return String(v);
        default:
          return String(v);
      }
    }
    case "cmp":
      return `${renderExpr(e.a)} ${e.op} ${renderExpr(e.b)}`;
    case "and":
    case "or":
      return `(${renderExpr(e.a)}) ${e.k.toUpperCase()} (${renderExpr(e.b)})`;
    case "not":
      return `NOT (${renderExpr(e.a)})`;
    case "isnull":
      return `${renderExpr(e.a)} IS NULL`;
    case "notnull":
      return `${renderExpr(e.a)} IS NOT NULL`;
    case "arith":
      return `${renderExpr(e.a)} ${e.op} ${renderExpr(e.b)}`;
    case "concat":
      return `concat(${renderExpr(e.a)}, ${renderExpr(e.b)})`;
    case "length":
      return `length(${renderExpr(e.a)})`;
  }
}

/**
 * The canonical text of a value of column `c`, the form every sink's value is compared in:
 * strings as they are, whole numbers in decimal, float/double to 12 significant digits,
 * decimals with the column's scale, booleans true/false, timestamps as epoch milliseconds,
 * dates ISO, bytes lowercase hex.
 */
export function canon(v: V, c: Col): string | null {
  if (v === null) return null;
  switch (c.type) {
    case "float":
    case "double":
      return Number(v instanceof Dec ? decToString(v) : v).toPrecision(12);
    case "decimal":
      return decToString(rescale(v instanceof Dec ? v : numToDec(v as number), c.scale!));
    case "timestamp":
      return String((v as Ts).ms);
    case "date":
      return isoDate(v as Day);
    case "bytes":
      return (v as Bin).hex;
    case "boolean":
      return String(v);
    default:
      return String(v);
  }
}

/** What a sink returned for a column (text from a database, a JSON value) in canonical text. */
export function canonFromText(text: string | number | boolean | null, c: Col): string | null {
  if (text === null) return null;
  switch (c.type) {
    case "float":
    case "double":
      return Number(text).toPrecision(12);
    case "decimal":
      return typeof text === "number"
        ? text.toFixed(c.scale!)
        : decToString(rescale(parseDec(String(text)), c.scale!));
    case "boolean":
      return String(text === true || text === "t" || text === "1" || text === "true");
    case "int":
    case "long":
      return String(Number(text));
    default:
      return String(text);
  }
}
