/**
 * The type of an expression, read from its parse tree, when it follows without guessing: a bare
 * column keeps its type; comparisons, predicates (IN, LIKE, IS NULL...) and logic are boolean;
 * arithmetic (+ - * and unary minus) on whole numbers is long, with a float, a double or a
 * fractional literal it is double; '/' is double; 'div' on whole numbers is long. Anything else
 * (decimal arithmetic, whose precision Spark widens, functions, CASE, CAST...) is undefined: the
 * spec must say the type.
 */
import type { Field } from "../types.js";
import { P, Parser, antlr } from "./grammar.js";
import { identifierName } from "./tree.js";

type Ctx = antlr.ParserRuleContext;
type Kind = "boolean" | "integral" | "fractional" | undefined;
type Cols = readonly Field[];

const integral = new Set([
  Parser.INTEGER_VALUE,
  Parser.BIGINT_LITERAL,
  Parser.SMALLINT_LITERAL,
  Parser.TINYINT_LITERAL,
]);
const fractional = new Set([
  Parser.DECIMAL_VALUE,
  Parser.EXPONENT_VALUE,
  Parser.DOUBLE_LITERAL,
  Parser.FLOAT_LITERAL,
]);

/** The column the whole expression is, maybe in parentheses (`a`, `(a)`, `` `a` ``), if it is one. */
export function bareColumn(tree: Ctx): string | undefined {
  let n: Ctx | null | undefined = tree;
  for (;;) {
    if (n instanceof P.ExpressionContext) n = n.booleanExpression();
    else if (n instanceof P.BooleanExpressionContext)
      n = n.predicate() || n.getChildCount() !== 1 ? undefined : n.valueExpression();
    else if (n instanceof P.ValueExpressionContext) n = n.primaryExpression();
    else if (n instanceof P.PrimaryExpressionContext && isParenthesised(n)) n = n.expression(0);
    else break;
  }
  if (!(n instanceof P.PrimaryExpressionContext)) return undefined;
  const parts = n.columnNamePath()?.multipartIdentifier().errorCapturingIdentifier();
  if (parts?.length !== 1 || parts[0]!.errorCapturingIdentifierExtra().identifier().length > 0)
    return undefined;
  return identifierName(parts[0]!.identifier());
}

/** `( expression )`, as opposed to the other alternatives that hold an expression. */
function isParenthesised(n: InstanceType<typeof P.PrimaryExpressionContext>): boolean {
  return n.getChildCount() === 3 && n.LEFT_PAREN(0) !== null && n.expression().length === 1;
}

/**
 * What the type depends on, read from the tree once: a plain value kept with the memoised
 * expression (the tree is not kept), evaluated against each record's fields by `typeOf`.
 */
export type TypePlan =
  | Kind
  | { col: string }
  | { op: "arith" | "div" | "idiv"; args: readonly TypePlan[] }
  | { op: "neg"; arg: TypePlan };

/** The plan of the expression's type; a bare column is planned by `bareColumn`. */
export function typePlan(n: Ctx | null | undefined): TypePlan {
  if (n instanceof P.ExpressionContext) return typePlan(n.booleanExpression());
  if (n instanceof P.BooleanExpressionContext) {
    if (n.getChildCount() === 1) return typePlan(n.valueExpression());
    return "boolean"; // NOT, EXISTS, AND, OR, or a value with a predicate
  }
  if (n instanceof P.ValueExpressionContext) return valuePlan(n);
  if (n instanceof P.PrimaryExpressionContext) {
    if (n.constant()) return constantKind(n.constant()!);
    if (n.columnNamePath()) return pathPlan(n.columnNamePath()!);
    if (isParenthesised(n)) return typePlan(n.expression(0));
  }
  return undefined;
}

function valuePlan(n: InstanceType<typeof P.ValueExpressionContext>): TypePlan {
  if (n.primaryExpression()) return typePlan(n.primaryExpression());
  if (n.comparisonOperator()) return "boolean";
  const args = n.valueExpression().map(typePlan);
  const op = n._operator?.type;
  if (args.length === 1)
    return op === Parser.MINUS || op === Parser.PLUS ? { op: "neg", arg: args[0]! } : undefined; // not ~
  if (op === Parser.ASTERISK || op === Parser.PLUS || op === Parser.MINUS)
    return { op: "arith", args };
  if (op === Parser.SLASH) return { op: "div", args };
  if (op === Parser.KW_DIV) return { op: "idiv", args };
  return undefined; // %, ||, &, |, ^
}

function constantKind(c: InstanceType<typeof P.ConstantContext>): Kind {
  if (c.booleanValue()) return "boolean";
  const t = c.number()?.stop?.type;
  if (t === undefined) return undefined;
  return integral.has(t) ? "integral" : fractional.has(t) ? "fractional" : undefined;
}

/** A column, or columns subtracted (`a-b`, which this grammar reads as one dashed name). */
function pathPlan(p: InstanceType<typeof P.ColumnNamePathContext>): TypePlan {
  const parts = p.multipartIdentifier().errorCapturingIdentifier();
  if (parts.length !== 1) return undefined; // a struct's field: its type is not known here
  const ids = [parts[0]!.identifier(), ...parts[0]!.errorCapturingIdentifierExtra().identifier()];
  const cols = ids.map((id) => ({ col: identifierName(id) }));
  return cols.length === 1 ? cols[0]! : { op: "arith", args: cols };
}

/** The type of an expression: its bare column's, or its plan's against the record's fields. */
export function typeOf(
  bare: string | undefined,
  plan: TypePlan,
  cols: Cols,
): Field["type"] | undefined {
  if (bare !== undefined) return cols.find((c) => c.name === bare)?.type;
  const k = kindOf(plan, cols);
  return k === "boolean" ? "boolean" : k === "integral" ? "long" : k && "double";
}

function kindOf(plan: TypePlan, cols: Cols): Kind {
  if (plan === undefined || typeof plan === "string") return plan;
  if ("col" in plan) {
    const t = cols.find((c) => c.name === plan.col)?.type;
    return t === "int" || t === "long"
      ? "integral"
      : t === "float" || t === "double"
        ? "fractional"
        : undefined;
  }
  if (plan.op === "neg") return numeric(kindOf(plan.arg, cols));
  const kinds = plan.args.map((a) => kindOf(a, cols));
  if (plan.op === "arith") return kinds.reduce(arith);
  if (plan.op === "div") return kinds.reduce(arith) && "fractional";
  return kinds.every((k) => k === "integral") ? "integral" : undefined; // div
}

const numeric = (k: Kind): Kind => (k === "integral" || k === "fractional" ? k : undefined);

function arith(l: Kind, r: Kind): Kind {
  if (!numeric(l) || !numeric(r)) return undefined;
  return l === "fractional" || r === "fractional" ? "fractional" : "integral";
}
