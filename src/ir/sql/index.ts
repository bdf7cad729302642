/**
 * Spark SQL expressions read with Spark's grammar: the columns an expression uses, its type, its
 * string literals, or the first thing Spark's parser would refuse (with its offset in the text).
 * Each distinct text is parsed once per process: specs repeat the same expressions.
 */
import type { Field } from "../types.js";
import type { antlr } from "./grammar.js";
import { bareColumn, typeOf } from "./infer.js";
import { type ExpressionTree, type SqlError, parseSql } from "./parse.js";
import {
  type ColumnRef,
  type StringLiteral,
  columnRefs,
  stringLiterals,
  treeError,
} from "./tree.js";

export type { SqlError } from "./parse.js";
export type { ColumnRef, StringLiteral } from "./tree.js";

/** An expression as Spark reads it; `error` set means Spark's parser would refuse it. */
export interface SqlExpr {
  readonly text: string;
  readonly error?: SqlError;
  /** The columns it reads, in order (a column used twice is listed twice); [] with an error. */
  readonly columns: readonly ColumnRef[];
  /** Its string constants with Spark's values; [] with an error. */
  readonly strings: readonly StringLiteral[];
  /** The type of its value given the record's fields; undefined when it does not follow. */
  type(cols: readonly Field[]): Field["type"] | undefined;
  /** The column it is, when it is nothing but a column (maybe in parentheses). */
  readonly bare?: string;
  /** The parse tree, and a token's offset in the text (absent with an error). */
  readonly tree?: ExpressionTree;
  readonly at?: (t: antlr.Token) => number;
}

const memo = new Map<string, SqlExpr>();
const memoLimit = 10_000;

/** The expression `text`, parsed with Spark's grammar (memoised by text). */
export function readSql(text: string): SqlExpr {
  let e = memo.get(text);
  if (!e) {
    if (memo.size >= memoLimit) memo.clear();
    e = read(text);
    memo.set(text, e);
  }
  return e;
}

function read(text: string): SqlExpr {
  const parsed = parseSql(text);
  const failed = (error: SqlError): SqlExpr => ({
    text,
    error,
    columns: [],
    strings: [],
    type: () => undefined,
  });
  if (!parsed.ok) return failed(parsed.error);
  const { tree, offset } = parsed;
  const error = treeError(tree, offset);
  if (error) return failed(error);
  const bare = bareColumn(tree);
  return {
    text,
    columns: columnRefs(tree, offset),
    strings: stringLiterals(tree, offset),
    type: (cols) => typeOf(tree, cols),
    ...(bare !== undefined ? { bare } : {}),
    tree,
    at: offset,
  };
}

/** An aggregate of the `aggregate:` step: a function of one column, or count(*). */
export type SqlAggregate =
  { fn: string; column: ColumnRef | null; error?: undefined } | { error: SqlError };

/** Reads `count(*)`, `sum(amount)`, ...: the function's name (lower case) and its column. */
export function readAggregate(text: string): SqlAggregate {
  const e = readSql(text);
  if (e.error) return { error: e.error };
  const call = callOf(e.tree!);
  const args = call?.functionArgument() ?? [];
  const arg = args.length === 1 ? args[0]!.expression() : null;
  const quantifier = call?.setQuantifier();
  if (quantifier)
    return {
      error: {
        offset: e.at!(quantifier.start!),
        message: `'${quantifier.getText()}' is not part of an aggregate here: an aggregate is <function>(<column>), or count(*)`,
        hint: "approx_count_distinct(<column>) counts distinct values",
      },
    };
  if (call && arg) {
    const fn = call.functionName()!.getText().toLowerCase();
    if (arg.getText() === "*") return { fn, column: null };
    const name = bareColumn(arg);
    if (name !== undefined) return { fn, column: { name, offset: e.at!(arg.start!) } };
  }
  return {
    error: {
      offset: arg ? e.at!(arg.start!) : 0,
      message: `${arg ? `'${arg.getText()}' is not a column: ` : ""}an aggregate is <function>(<column>), or count(*)`,
      hint: "aggregate a column of the record; compute other values in a 'derive' step before",
    },
  };
}

/** The function call the whole expression is, if it is one. */
function callOf(tree: ExpressionTree) {
  const b = tree.booleanExpression();
  const v = b.getChildCount() === 1 ? b.valueExpression() : null;
  const p = v?.primaryExpression();
  return p?.functionName() ? p : undefined;
}
