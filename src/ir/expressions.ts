import type { Field, FieldType } from "./types.js";
/**
 * A light reader of Spark SQL expressions: enough to find the column names an expression
 * uses, so they can be checked against the record schema at build time. It is not a parser;
 * it never rejects an expression, it only reports identifiers it is sure are column references.
 */
const keywords = new Set(
  `and or not null is in like rlike ilike between case when then else end true false cast as
  distinct interval year years month months day days hour hours minute minutes second seconds
  millisecond milliseconds microsecond microseconds week weeks current_date current_timestamp
  date timestamp string int integer bigint smallint tinyint long float double decimal boolean
  binary over partition by order asc desc nulls first last escape div exists any some all
  try_cast struct array map`
    .split(/\s+/)
    .filter(Boolean),
);

export interface ColumnUse {
  name: string;
  /** Offset in the expression string. */
  offset: number;
}

export function columnsUsed(expr: string): ColumnUse[] {
  const out: ColumnUse[] = [];
  let i = 0;
  let prevWord = "";
  while (i < expr.length) {
    const ch = expr[i]!;
    if (ch === "'" || ch === '"') {
      // string literal: skip, honouring doubled quotes and backslash escapes
      i++;
      while (i < expr.length && expr[i] !== ch) i += expr[i] === "\\" ? 2 : 1;
      i++;
      prevWord = "";
      continue;
    }
    if (ch === "`") {
      const end = expr.indexOf("`", i + 1);
      const name = expr.slice(i + 1, end < 0 ? expr.length : end);
      out.push({ name, offset: i });
      i = end < 0 ? expr.length : end + 1;
      prevWord = "";
      continue;
    }
    if (/[0-9]/.test(ch)) {
      while (i < expr.length && /[0-9.eE_a-zA-Z]/.test(expr[i]!)) i++;
      prevWord = "";
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < expr.length && /[A-Za-z0-9_]/.test(expr[i]!)) i++;
      const word = expr.slice(start, i);
      let j = i;
      while (j < expr.length && /\s/.test(expr[j]!)) j++;
      const isCall = expr[j] === "(";
      const afterDot = start > 0 && expr[start - 1] === ".";
      const lw = word.toLowerCase();
      if (
        !isCall &&
        !afterDot &&
        !keywords.has(lw) &&
        prevWord !== "as" &&
        prevWord !== "interval"
      ) {
        out.push({ name: word, offset: start });
      }
      prevWord = lw;
      continue;
    }
    if (!/\s/.test(ch)) prevWord = "";
    i++;
  }
  return out;
}

const comparison = /(<=|>=|<>|!=|==|=|<|>)|\b(and|or|not|like|rlike|ilike|in|is|between|exists)\b/i;

/**
 * The type of a derived column, when it follows from the expression without guessing:
 * a bare column keeps its type; comparisons and logic are boolean; arithmetic on whole
 * numbers is long, with any float or double (or division) it is double. Anything else,
 * decimal arithmetic included (whose precision Spark widens), needs an explicit type.
 */
export function inferType(expr: string, cols: readonly Field[]): FieldType | undefined {
  const e = expr.trim();
  const bare = /^`?([A-Za-z_][A-Za-z0-9_]*)`?$/.exec(e);
  if (bare) return cols.find((c) => c.name === bare[1])?.type;
  const noStrings = e.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  if (comparison.test(noStrings)) return "boolean";
  if (/[A-Za-z_]\s*\(/.test(noStrings) || noStrings.includes("''")) return undefined;
  if (!/^[\sA-Za-z0-9_.+\-*/()`]+$/.test(noStrings)) return undefined;
  const used = columnsUsed(e).map((u) => cols.find((c) => c.name === u.name)?.type);
  if (used.some((t) => t === undefined || t === "decimal" || t === "unknown")) return undefined;
  if (!used.every((t) => t === "int" || t === "long" || t === "float" || t === "double"))
    return undefined;
  if (
    used.some((t) => t === "float" || t === "double") ||
    noStrings.includes("/") ||
    /\d\.\d|\de/i.test(noStrings)
  )
    return "double";
  return "long";
}
