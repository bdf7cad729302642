// Random VALID pipegen specs, from fast-check: each spec holds a few streams, each stream its own
// Avro or JSON topic and schema (every field type, required and optional fields, enums with
// hostile values), quality rules (notNull, check, enum) with a dead-letter topic, steps (filter,
// select, derive with simple arithmetic and declared or inferred types, rename, drop, dedupe, a
// tumbling window with groupBy and count/sum/min/max/avg) and sinks (PostgreSQL and MariaDB
// tables, append or upsert, and a JSON Kafka topic). The generator keeps to pipegen's rules
// (table keys non-null, decimals with precision and scale, availableNow with a schedule) and to
// what the reference model (model.ts) computes exactly; specYaml() writes the spec.
import fc from "fast-check";
import { stringify } from "yaml";
import type {
  AggFn,
  Col,
  DeriveCol,
  Expr,
  FieldType,
  Rule,
  Sink,
  SpecModel,
  Step,
  StreamModel,
} from "./types.js";
import { Bin, Day, Dec, Ts } from "./types.js";
import { renderExpr } from "./values.js";

type G = fc.GeneratorValue;

/** Hostile pieces of text: quotes, backslashes, SQL and JSON syntax, unicode of every width. */
export const FRAGMENTS = [
  "a'b",
  "'a''b'",
  "back\\slash",
  '"dq"',
  "semi;colon",
  "-- comment",
  "%_like",
  "$1 {x}",
  "<b>&amp;</b>",
  "tab\there",
  "new\nline",
  "é",
  "日本語",
  "🎉",
  "👨‍👩‍👧",
  "Ω≈ç√",
  "\u202Ertl",
  "nb\u00a0sp",
  " lead",
  "trail ",
  "NULL",
  "plain",
  "x",
  "\\'",
];

/**
 * Group values: pairs of distinct strings that a case-, accent- or pad-insensitive collation
 * takes for one (a group column's pool has one such pair), and others.
 */
const GROUP_PAIRS = [
  ["x'y", "X'Y"],
  ["é", "e"],
  ["🎉", "😀"],
  ["a", "a "],
];
const GROUP_OTHERS = ["a\\b", "", "k1", "日本"];

const FIELD_NAMES = [
  "amount",
  "qty",
  "price",
  "label",
  "city",
  "flag",
  "score",
  "ratio",
  "weight",
  "code",
  "note",
  "payload",
  "born",
  "level",
  "kind",
  "region",
  "total",
  "seen",
  "temp",
  "rate",
  "tag",
  "value",
  "key",
  "order",
  "group",
  "date",
  "user",
  "end",
  "desc",
];

const TYPES: FieldType[] = [
  "string",
  "int",
  "long",
  "float",
  "double",
  "boolean",
  "decimal",
  "timestamp",
  "date",
  "bytes",
];

export const MIN = 60_000;
/** Event times start here; phase 1 of the records lies in the hour and a half after it. */
export const T0 = Date.UTC(2025, 5, 1, 8, 0, 0);
const DAY0 = Math.floor(Date.UTC(2025, 0, 1) / 86_400_000);

/** Value domains the record generator draws from; a filter's literals come from them too. */
export interface Domain {
  /** Strings: the values a column takes (an enum's, a group pool, or fragments to combine). */
  pool?: string[];
  /** Strings composed of 1 to 3 fragments (free text) rather than picked from the pool. */
  free?: boolean;
  /** Few distinct values (group columns). */
  lowCard?: boolean;
}

export interface GenStream extends StreamModel {
  domains: Record<string, Domain>;
}

const pick = <T>(g: G, xs: readonly T[]): T => g(fc.constantFrom, ...xs);
const chance = (g: G, percent: number) => g(fc.integer, { min: 0, max: 99 }) < percent;
const int = (g: G, min: number, max: number) => g(fc.integer, { min, max });

function subset<T>(g: G, xs: readonly T[], min: number, max: number): T[] {
  return g(fc.shuffledSubarray, [...xs], {
    minLength: Math.min(min, xs.length),
    maxLength: Math.min(max, xs.length),
  });
}

/** A literal of the column's type, drawn from its domain (so a filter keeps some rows, drops others). */
function literal(g: G, c: Col, d: Domain | undefined): Expr {
  switch (c.type) {
    case "string":
      return { k: "lit", t: "string", v: pick(g, d?.pool ?? FRAGMENTS) };
    case "int":
      return { k: "lit", t: "int", v: d?.lowCard ? int(g, 0, 4) : int(g, 100, 800) };
    case "long":
      return {
        k: "lit",
        t: "long",
        v: d?.lowCard ? int(g, 0, 4) : int(g, 1000, 6000) * 1_000_000,
      };
    case "float":
      return { k: "lit", t: "decimal", v: new Dec(BigInt(int(g, -200, 200) * 5), 1) };
    case "double":
      return { k: "lit", t: "decimal", v: new Dec(BigInt(int(g, -100, 100) * 25), 2) };
    case "decimal": {
      const span = 10 ** Math.min(c.precision! - 1, 8);
      return { k: "lit", t: "decimal", v: new Dec(BigInt(int(g, -span / 2, span / 2)), c.scale!) };
    }
    case "boolean":
      return { k: "lit", t: "boolean", v: g(fc.boolean) };
    case "timestamp":
      return {
        k: "lit",
        t: "timestamp",
        v: new Ts(T0 + int(g, 25, 65) * MIN + int(g, 0, 59) * 1000),
      };
    case "date":
      return {
        k: "lit",
        t: "date",
        v: new Day(DAY0 + (d?.lowCard ? int(g, 0, 3) : int(g, 800, 2200))),
      };
    case "bytes":
      return { k: "lit", t: "bytes", v: new Bin("00") };
  }
}

const comparable = (c: Col) => c.type !== "bytes";

/** One comparison on a column (or IS [NOT] NULL on a nullable one). */
function comparison(g: G, cols: readonly Col[], domains: Record<string, Domain>): Expr {
  const c = pick(g, cols.filter(comparable));
  const col: Expr = { k: "col", name: c.name };
  if (!c.required && chance(g, 15)) return { k: chance(g, 50) ? "isnull" : "notnull", a: col };
  if (c.type === "boolean")
    return {
      k: "cmp",
      op: pick(g, ["=", "<>"] as const),
      a: col,
      b: literal(g, c, domains[c.name]),
    };
  if (c.type === "string" && chance(g, 30))
    return {
      k: "cmp",
      op: pick(g, ["<=", ">", "<"] as const),
      a: { k: "length", a: col },
      b: { k: "lit", t: "int", v: int(g, 1, 12) },
    };
  const d = domains[c.name];
  const few = !!d?.lowCard || (c.type === "string" && !d?.free);
  const ops = few ? (["=", "<>", "<", ">="] as const) : (["<", "<=", ">", ">=", "<>"] as const);
  return { k: "cmp", op: pick(g, ops), a: col, b: literal(g, c, d) };
}

function usesCol(e: Expr, name: string): boolean {
  if (e.k === "col") return e.name === name;
  if (e.k === "lit") return false;
  return Object.values(e).some(
    (x) => typeof x === "object" && x !== null && "k" in x && usesCol(x as Expr, name),
  );
}

/** A check most records pass: a range or an inequality, never one equality or IS NULL (rules could contradict). */
function checkExpr(g: G, c: Col, d: Domain | undefined): Expr {
  const col: Expr = { k: "col", name: c.name };
  if (c.type === "string" && chance(g, 50))
    return {
      k: "cmp",
      op: "<=",
      a: { k: "length", a: col },
      b: { k: "lit", t: "int", v: int(g, 8, 30) },
    };
  return { k: "cmp", op: pick(g, ["<>", ">=", "<="] as const), a: col, b: literal(g, c, d) };
}

function predicate(g: G, cols: readonly Col[], domains: Record<string, Domain>): Expr {
  const a = comparison(g, cols, domains);
  const r = int(g, 0, 9);
  if (r < 5) return a;
  if (r < 7) return { k: "or", a, b: comparison(g, cols, domains) };
  if (r < 9) return { k: "and", a, b: comparison(g, cols, domains) };
  return { k: "not", a };
}

/** A derived column: simple arithmetic (or a concat, or a comparison) with its declared or inferred type. */
function deriveCol(g: G, name: string, cols: readonly Col[]): DeriveCol | undefined {
  const ints = cols.filter((c) => c.type === "int" || c.type === "long");
  const fracs = cols.filter((c) => c.type === "float" || c.type === "double");
  const decs = cols.filter((c) => c.type === "decimal");
  const strs = cols.filter((c) => c.type === "string");
  const kinds = [
    ...(ints.length ? ["int"] : []),
    ...(fracs.length ? ["frac"] : []),
    ...(decs.length ? ["dec"] : []),
    ...(strs.length ? ["str"] : []),
    ...(ints.length + fracs.length ? ["bool"] : []),
  ];
  if (!kinds.length) return undefined;
  const col = (c: Col): Expr => ({ k: "col", name: c.name });
  const lit = (v: number): Expr => ({ k: "lit", t: "int", v });
  switch (pick(g, kinds)) {
    case "int": {
      const a = pick(g, ints);
      const others = ints.filter((c) => c.name !== a.name);
      const b = others.length ? pick(g, others) : a;
      const e: Expr =
        others.length && chance(g, 50)
          ? { k: "arith", op: pick(g, ["+", "-"] as const), a: col(a), b: col(b) }
          : { k: "arith", op: pick(g, ["*", "+", "-"] as const), a: col(a), b: lit(int(g, 2, 5)) };
      const allInt = [a, b].every((c) => c.type === "int");
      const declared = pick(g, [null, "long", "decimal", ...(allInt ? ["int"] : [])] as const);
      if (declared === null)
        return { name, e, declared: false, out: { name, type: "long", required: false } };
      if (declared === "decimal")
        return {
          name,
          e,
          declared: true,
          out: { name, type: "decimal", precision: 16, scale: int(g, 0, 2), required: false },
        };
      return {
        name,
        e,
        declared: true,
        out: { name, type: declared as "int" | "long", required: false },
      };
    }
    case "frac": {
      const a = pick(g, fracs);
      const e: Expr = chance(g, 50)
        ? { k: "arith", op: pick(g, ["*", "+"] as const), a: col(a), b: lit(int(g, 2, 4)) }
        : { k: "arith", op: "/", a: col(a), b: lit(2) };
      if (chance(g, 50))
        return { name, e, declared: false, out: { name, type: "double", required: false } };
      return {
        name,
        e,
        declared: true,
        out: { name, type: "decimal", precision: 14, scale: 3, required: false },
      };
    }
    case "dec": {
      const a = pick(g, decs);
      const smallInts = ints.filter((c) => c.type === "int");
      const other = smallInts.length && chance(g, 40) ? pick(g, smallInts) : null;
      const e: Expr = other
        ? { k: "arith", op: "+", a: col(a), b: col(other) }
        : { k: "arith", op: pick(g, ["*", "+", "-"] as const), a: col(a), b: lit(int(g, 2, 9)) };
      // Rounding probe: one digit less than the source's scale (HALF_UP) when it has one.
      const scale = a.scale! > 0 && chance(g, 50) ? a.scale! - 1 : a.scale!;
      const precision = Math.min(38, Math.max(a.precision!, 12) + 4);
      return {
        name,
        e,
        declared: true,
        out: { name, type: "decimal", precision, scale, required: false },
      };
    }
    case "str": {
      const a = pick(g, strs);
      const e: Expr = {
        k: "concat",
        a: col(a),
        b: { k: "lit", t: "string", v: pick(g, FRAGMENTS) },
      };
      return { name, e, declared: true, out: { name, type: "string", required: false } };
    }
    default: {
      const a = pick(g, [...ints, ...fracs]);
      const e: Expr = {
        k: "cmp",
        op: pick(g, [">", "<=", "="] as const),
        a: col(a),
        b: lit(int(g, 0, 50)),
      };
      return { name, e, declared: false, out: { name, type: "boolean", required: false } };
    }
  }
}

function field(g: G, name: string, domains: Record<string, Domain>): Col {
  const type = pick(g, TYPES);
  const required = chance(g, 30);
  const c: Col = { name, type, required };
  if (type === "decimal") {
    c.precision = int(g, 4, 18);
    c.scale = int(g, 0, Math.min(4, c.precision - 1));
  }
  if (type === "string") {
    const r = int(g, 0, 9);
    if (r < 3) {
      c.enum = subset(g, FRAGMENTS, 2, 4);
      domains[name] = { pool: c.enum };
    } else if (r < 6)
      domains[name] = {
        pool: [...pick(g, GROUP_PAIRS), ...subset(g, GROUP_OTHERS, 1, 2)],
        lowCard: true,
      };
    else domains[name] = { pool: FRAGMENTS, free: true };
  } else if (
    (type === "int" || type === "long" || type === "date" || type === "boolean") &&
    chance(g, 40)
  )
    domains[name] = { lowCard: true };
  return c;
}

const groupable = (c: Col, d: Domain | undefined) =>
  c.type === "boolean" ||
  (c.type !== "float" && c.type !== "double" && c.type !== "bytes" && !!d?.lowCard) ||
  (c.type === "string" && !!c.enum);

function genStream(g: G, pipeline: string, index: number): GenStream {
  const name = `s${index}_${pick(g, ["orders", "events", "readings", "clicks", "trades"])}`;
  const topic = `${pipeline}.${name}.in`;
  const domains: Record<string, Domain> = {};
  const id = pick(g, ["id", "event_id", "seq"]);
  const ts = pick(g, ["ts", "at", "event_time"]);
  // Now and then a schema of optional fields only (the id then needs a notNull rule).
  const allOptional = chance(g, 15);
  const idCol: Col = {
    name: id,
    type: chance(g, 50) ? "long" : "int",
    required: !allOptional && chance(g, 75),
  };
  const tsCol: Col = { name: ts, type: "timestamp", required: !allOptional && chance(g, 60) };
  const names = subset(g, FIELD_NAMES, 3, 6);
  const fields = [idCol, tsCol, ...names.map((n) => field(g, n, domains))];
  if (allOptional) for (const f of fields) f.required = false;
  // Field order shuffled (the id and event time are not always first).
  const ordered = g(fc.shuffledSubarray, fields, {
    minLength: fields.length,
    maxLength: fields.length,
  });
  const format = chance(g, 25) ? "json" : "avro";

  // Quality rules on the input.
  const quality: Rule[] = [];
  const notNull = new Set<string>();
  const nullable = ordered.filter((f) => !f.required && f.name !== id && f.name !== ts);
  // An optional id gets a notNull rule, unless the stream leaves it nullable: then no step or
  // sink keys on it (no dedupe, no upsert by id) and a record of nulls only is valid.
  const idNullable = !idCol.required && chance(g, 40);
  if (!idCol.required && !idNullable) {
    quality.push({ k: "notNull", cols: [id] });
    notNull.add(id);
  }
  for (let i = int(g, 0, 3); i > 0; i--) {
    const r = int(g, 0, 2);
    const named = chance(g, 40) ? { name: `rule_${quality.length + 1}` } : {};
    if (r === 0 && nullable.length) {
      const cols = subset(
        g,
        nullable.map((f) => f.name),
        1,
        2,
      ).filter((c) => !notNull.has(c));
      if (cols.length) {
        quality.push({ k: "notNull", cols, ...named });
        cols.forEach((c) => notNull.add(c));
      }
    } else if (r === 1) {
      const cands = ordered.filter(
        (f) =>
          f.type !== "bytes" &&
          f.type !== "boolean" &&
          f.name !== id &&
          f.name !== ts &&
          !quality.some((q) => q.k === "check" && usesCol(q.e, f.name)),
      );
      if (cands.length) {
        const c = pick(g, cands);
        quality.push({ k: "check", e: checkExpr(g, c, domains[c.name]), ...named });
      }
    } else {
      const strs = ordered.filter(
        (f) =>
          f.type === "string" &&
          !!f.enum &&
          !quality.some((q) => q.k === "enum" && q.col === f.name),
      );
      if (strs.length) {
        const c = pick(g, strs);
        const pool = domains[c.name]?.pool ?? FRAGMENTS;
        const values = subset(g, c.enum ? c.enum : pool, 1, Math.max(1, pool.length - 1));
        // Sometimes a value outside the schema's enum: then both enums are checked.
        if (c.enum && chance(g, 30))
          values.push(
            pick(
              g,
              FRAGMENTS.filter((f) => !c.enum!.includes(f)),
            ),
          );
        quality.push({ k: "enum", col: c.name, values, ...named });
      }
    }
  }
  const deadLetter = chance(g, 85) ? `${pipeline}.${name}.dlq` : null;

  let cols: Col[] = ordered.map((f) => ({ ...f, required: f.required || notNull.has(f.name) }));
  const steps: Step[] = [];
  let idName = id;
  let tsName: string | null = ts;
  const aggregate = chance(g, 45);
  const used = new Set(cols.map((c) => c.name));
  const fresh = (base: string) => {
    let n = base;
    for (let i = 2; used.has(n); i++) n = `${base}${i}`;
    used.add(n);
    return n;
  };
  const needsTs = (): boolean => aggregate;
  const ensureTsNonNull = () => {
    if (!tsCol.required && !notNull.has(ts)) {
      quality.push({ k: "notNull", cols: [ts] });
      notNull.add(ts);
      cols = cols.map((c) => (c.name === ts ? { ...c, required: true } : c));
    }
  };
  if (aggregate) ensureTsNonNull();
  const kinds = aggregate
    ? ["filter", "derive", "dedupe"]
    : ["filter", "derive", "rename", "drop", "select", "dedupe"];
  let deduped = false;
  const derived = new Set<string>();
  for (let i = int(g, 0, aggregate ? 2 : 4); i > 0; i--) {
    const kind = pick(g, kinds);
    if (kind === "filter") {
      const known = cols.filter((c) => !derived.has(c.name) && c.name !== idName);
      steps.push({ k: "filter", e: predicate(g, known, domains) });
    } else if (kind === "derive") {
      const out: DeriveCol[] = [];
      for (let j = int(g, 1, 2); j > 0; j--) {
        const d = deriveCol(
          g,
          fresh(pick(g, ["d_amount", "d_score", "d_label", "d_flag", "d_x"])),
          cols,
        );
        if (d) out.push(d);
      }
      if (out.length) {
        steps.push({ k: "derive", cols: out });
        cols = [...cols, ...out.map((d) => d.out)];
        out.forEach((d) => derived.add(d.name));
      }
    } else if (kind === "rename") {
      const c = pick(
        g,
        cols.filter((x) => x.name !== tsName || !needsTs()),
      );
      const to = fresh(`${c.name}_r`);
      steps.push({ k: "rename", map: [[c.name, to]] });
      if (domains[c.name]) domains[to] = domains[c.name]!;
      if (derived.has(c.name)) derived.add(to);
      if (c.name === idName) idName = to;
      if (c.name === tsName) tsName = to;
      cols = cols.map((x) => (x.name === c.name ? { ...x, name: to } : x));
    } else if (kind === "drop") {
      const cands = cols.filter((x) => x.name !== idName && x.name !== tsName);
      if (cands.length > 1) {
        const c = pick(g, cands);
        steps.push({ k: "drop", cols: [c.name] });
        cols = cols.filter((x) => x.name !== c.name);
      }
    } else if (kind === "select") {
      const keep = cols.filter(
        (x) => x.name === idName || (x.name === tsName && !deduped) || chance(g, 60),
      );
      const order = g(fc.shuffledSubarray, keep, {
        minLength: keep.length,
        maxLength: keep.length,
      });
      steps.push({ k: "select", cols: order.map((x) => x.name) });
      cols = order;
      if (!cols.some((x) => x.name === tsName)) tsName = null;
    } else if (kind === "dedupe" && !deduped && !idNullable) {
      deduped = true;
      const others = cols.filter(
        (x) => x.name !== idName && x.required && x.type !== "float" && x.type !== "double",
      );
      const key = [idName, ...(others.length && chance(g, 30) ? [pick(g, others).name] : [])];
      if (tsName !== null && tsName === ts && chance(g, 60)) {
        ensureTsNonNull();
        steps.push({ k: "dedupe", key, on: tsName, watermarkMs: pick(g, [2, 5, 10, 20]) * MIN });
      } else steps.push({ k: "dedupe", key });
    }
  }

  const sinks: Sink[] = [];
  const table = `t_${pipeline}_${name}`;
  if (aggregate) {
    ensureTsNonNull();
    cols = cols.map((c) => (c.name === ts ? { ...c, required: true } : c));
    const groupCands = cols.filter((c) => groupable(c, domains[c.name]));
    const groupBy = subset(
      g,
      groupCands.map((c) => c.name),
      0,
      2,
    );
    const aggs: Array<{ name: string; fn: AggFn; col: string | null }> = [];
    const numeric = cols.filter((c) =>
      ["int", "long", "float", "double", "decimal"].includes(c.type),
    );
    const ordered2 = cols.filter((c) => c.type !== "bytes" && c.type !== "boolean");
    const aggNames = new Set<string>(["window_start", "window_end", ...groupBy]);
    for (let j = int(g, 1, 4); j > 0; j--) {
      const fn = pick(g, ["count", "count", "sum", "min", "max", "avg"] as const);
      const src =
        fn === "count"
          ? chance(g, 50)
            ? null
            : pick(g, cols)
          : fn === "sum" || fn === "avg"
            ? numeric.length
              ? pick(g, numeric)
              : undefined
            : pick(g, ordered2);
      if (src === undefined) continue;
      let n = `${fn}_${src?.name ?? "all"}`;
      for (let k = 2; aggNames.has(n); k++) n = `${fn}_${src?.name ?? "all"}${k}`;
      aggNames.add(n);
      aggs.push({ name: n, fn, col: src?.name ?? null });
    }
    if (!aggs.length) aggs.push({ name: "n", fn: "count", col: null });
    steps.push({
      k: "agg",
      window: {
        on: ts,
        sizeMs: pick(g, [1, 2, 5, 10]) * MIN,
        watermarkMs: pick(g, [2, 5, 10, 20]) * MIN,
      },
      groupBy,
      aggs,
    });
    const groupCols = groupBy.map((n) => cols.find((c) => c.name === n)!);
    const out: Col[] = [
      { name: "window_start", type: "timestamp", required: true },
      { name: "window_end", type: "timestamp", required: true },
      ...groupCols,
    ];
    for (const a of aggs) {
      const src = a.col === null ? null : cols.find((c) => c.name === a.col)!;
      out.push(aggCol(a.name, a.fn, src));
    }
    cols = out.map((c) => ({ ...c, enum: undefined }));
    const keyable = groupCols.every((c) => c.required);
    const key = ["window_start", ...groupBy];
    for (const k of ["pg", "maria"] as const)
      if (chance(g, 55))
        sinks.push({ k, table, mode: keyable && chance(g, 75) ? "upsert" : "append", key: [] });
    for (const s of sinks) if (s.k !== "kafka" && s.mode === "upsert") s.key = key;
    const kafkaKey = groupCols.find(
      (c) => c.type === "string" || c.type === "int" || c.type === "long",
    );
    if (chance(g, 60) || !sinks.length)
      sinks.push({
        k: "kafka",
        topic: `${pipeline}.${name}.out`,
        key: kafkaKey && chance(g, 70) ? kafkaKey.name : null,
      });
  } else {
    for (const k of ["pg", "maria"] as const)
      if (chance(g, 55)) {
        const upsert = !idNullable && chance(g, 60);
        sinks.push({ k, table, mode: upsert ? "upsert" : "append", key: upsert ? [idName] : [] });
      }
    const kafkaKey = cols.find((c) => c.name === idName)!;
    if (chance(g, 60) || !sinks.length)
      sinks.push({
        k: "kafka",
        topic: `${pipeline}.${name}.out`,
        key: chance(g, 60) ? kafkaKey.name : null,
      });
  }
  return {
    name,
    topic,
    format,
    partitions: int(g, 1, 3),
    schema: { name: `${name}_rec`, fields: ordered },
    id,
    ts,
    quality,
    deadLetter,
    steps,
    sinks,
    output: cols,
    domains,
  };
}

/** The column an aggregate makes (pipegen's typing: count long, avg double, sum widened). */
function aggCol(name: string, fn: AggFn, src: Col | null): Col {
  if (fn === "count") return { name, type: "long", required: true };
  if (fn === "avg") return { name, type: "double", required: false };
  if (fn === "sum") {
    if (src!.type === "decimal")
      return {
        name,
        type: "decimal",
        precision: Math.min(38, src!.precision! + 10),
        scale: src!.scale!,
        required: false,
      };
    if (src!.type === "int" || src!.type === "long") return { name, type: "long", required: false };
    return { name, type: "double", required: false };
  }
  return { ...src!, name, required: false, enum: undefined };
}

export interface GenSpec extends SpecModel {
  streams: GenStream[];
}

/** A spec of `streams` random streams. */
export const specArb = (index: number, streams: number): fc.Arbitrary<GenSpec> =>
  // Unbiased: fast-check's bias towards small and extreme values would skew every chance().
  fc.noBias(fc.gen()).map((g) => {
    const pipeline = `rnd${index}`;
    return {
      pipeline,
      streams: Array.from({ length: streams }, (_, i) =>
        genStream(g, pipeline, index * 10 + i + 1),
      ),
    };
  });

/** The random spec `rnd<index>` of a seed, with `streams` streams. */
export function randomSpec(seed: number, index: number, streams: number): GenSpec {
  return fc.sample(specArb(index, streams), { seed, numRuns: 1 })[0]!;
}

function fieldYaml(c: Col): Record<string, unknown> {
  return {
    type: c.type,
    ...(c.required ? { required: true } : {}),
    ...(c.type === "decimal" ? { precision: c.precision, scale: c.scale } : {}),
    ...(c.enum ? { enum: c.enum } : {}),
  };
}

function stepYaml(s: Step): Record<string, unknown> {
  switch (s.k) {
    case "filter":
      return { filter: renderExpr(s.e) };
    case "select":
      return { select: s.cols };
    case "drop":
      return { drop: s.cols };
    case "rename":
      return { rename: Object.fromEntries(s.map) };
    case "derive":
      return {
        derive: Object.fromEntries(
          s.cols.map((d) => [
            d.name,
            d.declared
              ? {
                  expr: renderExpr(d.e),
                  type: d.out.type,
                  ...(d.out.type === "decimal"
                    ? { precision: d.out.precision, scale: d.out.scale }
                    : {}),
                }
              : renderExpr(d.e),
          ]),
        ),
      };
    case "dedupe":
      return {
        dedupe: {
          key: s.key,
          ...(s.on ? { on: s.on, watermark: `${s.watermarkMs! / MIN}m` } : {}),
        },
      };
    case "agg":
      return {
        window: {
          on: s.window.on,
          size: `${s.window.sizeMs / MIN}m`,
          watermark: `${s.window.watermarkMs / MIN}m`,
        },
        ...(s.groupBy.length ? { groupBy: s.groupBy } : {}),
        aggregate: Object.fromEntries(s.aggs.map((a) => [a.name, `${a.fn}(${a.col ?? "*"})`])),
      };
  }
}

function ruleYaml(r: Rule): Record<string, unknown> {
  const name = r.name ? { name: r.name } : {};
  if (r.k === "notNull") return { notNull: r.cols, ...name };
  if (r.k === "check") return { check: renderExpr(r.e), ...name };
  return { enum: { column: r.col, values: r.values }, ...name };
}

/** The spec's YAML text. */
export function specYaml(spec: GenSpec): string {
  const topics: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const streams: Record<string, unknown> = {};
  for (const s of spec.streams) {
    schemas[s.schema.name] = {
      ...(s.schema.fields.find((f) => f.name === s.id)!.required ? { key: [s.id] } : {}),
      fields: Object.fromEntries(s.schema.fields.map((f) => [f.name, fieldYaml(f)])),
    };
    topics[s.topic] = {
      schema: s.schema.name,
      partitions: s.partitions,
      ...(s.format === "json" ? { format: "json" } : {}),
    };
    if (s.deadLetter) topics[s.deadLetter] = { partitions: 1 };
    for (const k of s.sinks)
      if (k.k === "kafka") topics[k.topic] = { partitions: 1, format: "json" };
    streams[s.name] = {
      from: { topic: s.topic },
      ...(s.quality.length ? { quality: s.quality.map(ruleYaml) } : {}),
      onInvalid: s.deadLetter ? { deadLetter: s.deadLetter } : "drop",
      ...(s.steps.length ? { steps: s.steps.map(stepYaml) } : {}),
      to: s.sinks.map((k) =>
        k.k === "kafka"
          ? { topic: k.topic, ...(k.key ? { key: [k.key] } : {}) }
          : {
              connection: k.k === "pg" ? "pg" : "maria",
              table: k.table,
              ...(k.mode === "upsert" ? { mode: "upsert", key: k.key } : {}),
            },
      ),
      trigger: { availableNow: true, schedule: "*/10 * * * *" },
    };
  }
  return stringify(
    {
      pipegen: 1,
      pipeline: spec.pipeline,
      description: "A random spec of the e2e suite (test/e2e/random).",
      connections: {
        pg: {
          type: "postgres",
          host: "${env:RND_PG_HOST}",
          port: "${env:RND_PG_PORT}",
          database: "rnd",
          user: "spark",
          password: "${secret:RND_PG_PASSWORD}",
        },
        maria: {
          type: "mysql",
          host: "${env:RND_MY_HOST}",
          port: "${env:RND_MY_PORT}",
          database: "rnd",
          user: "writer",
          password: "${secret:RND_MY_PASSWORD}",
        },
      },
      schemas,
      topics,
      streams,
    },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}
