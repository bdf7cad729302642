/**
 * Expected rows against what a sink (or the dead-letter topic) received. Only the columns an
 * expected row names are compared, each by its column's type (decimals by value, timestamps
 * as instants, floating point to 12 significant digits); rows match as a multiset (a maximum
 * matching of expected to actual rows), or position by position when ordered. What does not
 * match is paired for the report, each expected row with the unmatched actual row it agrees
 * with most, so a report shows only the columns that differ.
 */
import { type Canonical, parseValue } from "../ir/test-values.js";
import type { Field, TestRow, TestValue } from "../ir/types.js";

/** A row as the runner reports it (JSON values). */
export type ActualRow = Readonly<Record<string, unknown>>;

export interface ColumnDiff {
  column: string;
  expected: TestValue;
  actual: unknown;
}

export interface RowPair {
  expected: TestRow;
  actual: ActualRow;
  /** Columns the two agree on, to tell which row this is (at most three). */
  same: Array<[string, unknown]>;
  differs: ColumnDiff[];
  /** With `ordered`: the position (0-based) of both. */
  position?: number;
}

export interface Comparison {
  /** What was compared: a sink's name, or "dead letters". */
  target: string;
  ok: boolean;
  expected: number;
  actual: number;
  matched: number;
  pairs: RowPair[];
  missing: TestRow[];
  unexpected: ActualRow[];
}

const real = (n: number) => (Number.isFinite(n) ? Number(n.toPrecision(12)) : n);

function equalCanonical(a: Canonical, b: Canonical): boolean {
  if (a.type === "any" || b.type === "any") {
    const ta = a.type === "any" ? a.text : textOf(a);
    const tb = b.type === "any" ? b.text : textOf(b);
    const na = Number(ta);
    const nb = Number(tb);
    return ta === tb || (ta.trim() !== "" && tb.trim() !== "" && na === nb);
  }
  if (a.type !== b.type) return false;
  switch (a.type) {
    case "integer":
      return a.value === (b as typeof a).value;
    case "real":
      return (
        Object.is(real(a.value), real((b as typeof a).value)) ||
        real(a.value) === real((b as typeof a).value)
      );
    case "decimal":
      return a.unscaled === (b as typeof a).unscaled && a.scale === (b as typeof a).scale;
    case "timestamp":
      return a.micros === (b as typeof a).micros;
    case "date":
      return a.days === (b as typeof a).days;
    case "bytes":
      return a.value.equals((b as typeof a).value);
    case "null":
      return true;
    default:
      return a.value === (b as typeof a).value;
  }
}

function textOf(c: Canonical): string {
  switch (c.type) {
    case "null":
      return "null";
    case "decimal":
      return c.scale ? `${c.unscaled}e-${c.scale}` : String(c.unscaled);
    case "timestamp":
      return String(c.micros);
    case "date":
      return String(c.days);
    case "bytes":
      return c.value.toString("base64");
    case "any":
      return c.text;
    default:
      return String(c.value);
  }
}

/** Whether an actual value equals the expected one, as values of `field`'s type. */
export function valueEquals(
  field: Field | undefined,
  expected: TestValue,
  actual: unknown,
): boolean {
  const type = field ?? { type: "unknown" as const };
  const e = parseValue(type, expected);
  // An actual value is as the sink holds it: its precision is the sink's business.
  const a = parseValue({ type: type.type }, (actual ?? null) as TestValue);
  if (!e.ok || !a.ok) return JSON.stringify(expected) === JSON.stringify(actual ?? null);
  return equalCanonical(e.value, a.value);
}

type Fields = ReadonlyMap<string, Field>;

function differences(fields: Fields, e: TestRow, a: ActualRow): ColumnDiff[] {
  return Object.entries(e)
    .filter(([c, v]) => !valueEquals(fields.get(c), v, a[c]))
    .map(([c, v]) => ({ column: c, expected: v, actual: a[c] ?? null }));
}

/** A maximum matching of expected to actual rows (Kuhn's augmenting paths). */
function matching(fits: boolean[][], actualCount: number): number[] {
  const owner: number[] = new Array(actualCount).fill(-1);
  const tryRow = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < actualCount; j++) {
      if (!fits[i]![j] || seen[j]) continue;
      seen[j] = true;
      if (owner[j] === -1 || tryRow(owner[j]!, seen)) {
        owner[j] = i;
        return true;
      }
    }
    return false;
  };
  fits.forEach((_, i) => tryRow(i, new Array(actualCount).fill(false)));
  return owner;
}

function pair(fields: Fields, key: readonly string[], e: TestRow, a: ActualRow): RowPair {
  const differs = differences(fields, e, a);
  const bad = new Set(differs.map((d) => d.column));
  const agree = Object.keys(e).filter((c) => !bad.has(c));
  const byKey = [...agree.filter((c) => key.includes(c)), ...agree.filter((c) => !key.includes(c))];
  return { expected: e, actual: a, same: byKey.slice(0, 3).map((c) => [c, a[c] ?? null]), differs };
}

/** Pairs each leftover expected row with the leftover actual row that agrees most with it. */
function pairLeftovers(
  fields: Fields,
  key: readonly string[],
  expected: TestRow[],
  actual: ActualRow[],
): { pairs: RowPair[]; missing: TestRow[]; unexpected: ActualRow[] } {
  const left = [...actual];
  const pairs: RowPair[] = [];
  const missing: TestRow[] = [];
  for (const e of expected) {
    let best = -1;
    let bestScore = 0;
    left.forEach((a, j) => {
      const agree = Object.keys(e).length - differences(fields, e, a).length;
      const keyed =
        key.length > 0 && key.every((k) => !(k in e) || valueEquals(fields.get(k), e[k]!, a[k]));
      const score = agree + (keyed ? 100 : 0);
      if (score > bestScore) {
        best = j;
        bestScore = score;
      }
    });
    if (best < 0) missing.push(e);
    else pairs.push(pair(fields, key, e, left.splice(best, 1)[0]!));
  }
  return { pairs, missing, unexpected: left };
}

/** Expected rows against actual ones (see the module's docstring). */
export function compareRows(
  target: string,
  fields: readonly Field[],
  expected: readonly TestRow[],
  actual: readonly ActualRow[],
  opts: { ordered?: boolean; key?: readonly string[] } = {},
): Comparison {
  const byName: Fields = new Map(fields.map((f) => [f.name, f]));
  const key = opts.key ?? [];
  const base = { target, expected: expected.length, actual: actual.length };
  if (opts.ordered) {
    const pairs: RowPair[] = [];
    const n = Math.min(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const p = pair(byName, key, expected[i]!, actual[i]!);
      if (p.differs.length) pairs.push({ ...p, position: i });
    }
    const missing = expected.slice(n);
    const unexpected = actual.slice(n);
    const ok = pairs.length === 0 && missing.length === 0 && unexpected.length === 0;
    return {
      ...base,
      ok,
      matched: n - pairs.length,
      pairs,
      missing: [...missing],
      unexpected: [...unexpected],
    };
  }
  const fits = expected.map((e) => actual.map((a) => differences(byName, e, a).length === 0));
  const owner = matching(fits, actual.length);
  const matchedExpected = new Set(owner.filter((i) => i >= 0));
  const leftE = expected.filter((_, i) => !matchedExpected.has(i));
  const leftA = actual.filter((_, j) => owner[j] === -1);
  const rest = pairLeftovers(byName, key, leftE, leftA);
  const ok = leftE.length === 0 && leftA.length === 0;
  return { ...base, ok, matched: matchedExpected.size, ...rest };
}
