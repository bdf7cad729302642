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

/** The type of the expression, or undefined when it does not follow from the tree. */
export function typeOf(tree: Ctx, cols: Cols): Field["type"] | undefined {
  const bare = bareColumn(tree);
  if (bare !== undefined) return cols.find((c) => c.name === bare)?.type;
  const k = kind(tree, cols);
  return k === "boolean" ? "boolean" : k === "integral" ? "long" : k && "double";
}

function kind(n: Ctx | null | undefined, cols: Cols): Kind {
  if (n instanceof P.ExpressionContext) return kind(n.booleanExpression(), cols);
  if (n instanceof P.BooleanExpressionContext) {
    if (n.getChildCount() === 1) return kind(n.valueExpression(), cols);
    return "boolean"; // NOT, EXISTS, AND, OR, or a value with a predicate
  }
  if (n instanceof P.ValueExpressionContext) return valueKind(n, cols);
  if (n instanceof P.PrimaryExpressionContext) {
    if (n.constant()) return constantKind(n.constant()!);
    if (n.columnNamePath()) return pathKind(n.columnNamePath()!, cols);
    if (isParenthesised(n)) return kind(n.expression(0), cols);
  }
  return undefined;
}

function valueKind(n: InstanceType<typeof P.ValueExpressionContext>, cols: Cols): Kind {
  if (n.primaryExpression()) return kind(n.primaryExpression(), cols);
  if (n.comparisonOperator()) return "boolean";
  const [l, r] = n.valueExpression().map((v) => kind(v, cols));
  const op = n._operator?.type;
  if (n.valueExpression().length === 1)
    return op === Parser.MINUS || op === Parser.PLUS ? numeric(l) : undefined; // not ~
  if (op === Parser.ASTERISK || op === Parser.PLUS || op === Parser.MINUS) return arith(l, r);
  if (op === Parser.SLASH) return arith(l, r) && "fractional";
  if (op === Parser.KW_DIV) return l === "integral" && r === "integral" ? "integral" : undefined;
  return undefined; // %, ||, &, |, ^
}

const numeric = (k: Kind): Kind => (k === "integral" || k === "fractional" ? k : undefined);

function arith(l: Kind, r: Kind): Kind {
  if (!numeric(l) || !numeric(r)) return undefined;
  return l === "fractional" || r === "fractional" ? "fractional" : "integral";
}

function constantKind(c: InstanceType<typeof P.ConstantContext>): Kind {
  if (c.booleanValue()) return "boolean";
  const t = c.number()?.stop?.type;
  if (t === undefined) return undefined;
  return integral.has(t) ? "integral" : fractional.has(t) ? "fractional" : undefined;
}

/** A column, or columns subtracted (`a-b`, which this grammar reads as one dashed name). */
function pathKind(p: InstanceType<typeof P.ColumnNamePathContext>, cols: Cols): Kind {
  const parts = p.multipartIdentifier().errorCapturingIdentifier();
  if (parts.length !== 1) return undefined; // a struct's field: its type is not known here
  const names = [parts[0]!.identifier(), ...parts[0]!.errorCapturingIdentifierExtra().identifier()];
  return names
    .map((id): Kind => {
      const t = cols.find((c) => c.name === identifierName(id))?.type;
      return t === "int" || t === "long"
        ? "integral"
        : t === "float" || t === "double"
          ? "fractional"
          : undefined;
    })
    .reduce((a, b) => arith(a, b));
}
