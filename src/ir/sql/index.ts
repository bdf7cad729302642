/**
 * Spark SQL expressions read with Spark's grammar: the columns an expression uses, its type, its
 * string literals, or the first thing Spark's parser would refuse (with its offset in the text).
 * Each distinct text is parsed once per process: specs repeat the same expressions.
 */
import type { Field } from "../types.js";
import type { antlr } from "./grammar.js";
import { bareColumn, typeOf, typePlan } from "./infer.js";
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

/** An aggregate of the `aggregate:` step: a function of one column, or count(*). */
export type SqlAggregate =
  { fn: string; column: ColumnRef | null; error?: undefined } | { error: SqlError };

/**
 * An expression as Spark reads it; `error` set means Spark's parser would refuse it. Plain data
 * (the parse tree is not kept: it weighs some 20 kB).
 */
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
  /** It as an aggregate (`count(*)`, `sum(amount)`), or why it is not one. */
  readonly aggregate: SqlAggregate;
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

/** Reads `count(*)`, `sum(amount)`, ...: the function's name (lower case) and its column. */
export const readAggregate = (text: string): SqlAggregate => readSql(text).aggregate;

function read(text: string): SqlExpr {
  const parsed = parseSql(text);
  const failed = (error: SqlError): SqlExpr => ({
    text,
    error,
    columns: [],
    strings: [],
    type: () => undefined,
    aggregate: { error },
  });
  if (!parsed.ok) return failed(parsed.error);
  const { tree, offset } = parsed;
  const error = treeError(tree, offset);
  if (error) return failed(error);
  const bare = bareColumn(tree);
  const plan = typePlan(tree);
  return {
    text,
    columns: columnRefs(tree, offset),
    strings: stringLiterals(tree, offset),
    type: (cols) => typeOf(bare, plan, cols),
    ...(bare !== undefined ? { bare } : {}),
    aggregate: aggregateOf(tree, offset),
  };
}

const shape = "an aggregate is <function>(<column>), or count(*)";

/** The tree as an aggregate: a call of one argument, `*` or a column. */
function aggregateOf(tree: ExpressionTree, at: (t: antlr.Token) => number): SqlAggregate {
  const call = callOf(tree);
  const args = call?.functionArgument() ?? [];
  const arg = args.length === 1 ? args[0]!.expression() : null;
  const quantifier = call?.setQuantifier();
  if (quantifier)
    return {
      error: {
        offset: at(quantifier.start!),
        message: `'${quantifier.getText()}' is not part of an aggregate here: ${shape}`,
        hint: "approx_count_distinct(<column>) counts distinct values",
      },
    };
  if (call && arg) {
    const fn = call.functionName()!.getText().toLowerCase();
    if (arg.getText() === "*") return { fn, column: null };
    const name = bareColumn(arg);
    if (name !== undefined) return { fn, column: { name, offset: at(arg.start!) } };
  }
  return {
    error: {
      offset: arg ? at(arg.start!) : 0,
      message: `${arg ? `'${arg.getText()}' is not a column: ` : ""}${shape}`,
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
