/**
 * What a parse tree says: the columns an expression reads, the string literals it holds (with
 * Spark's values), and the constructs that Spark's grammar accepts but a stream's expression
 * cannot use (a subquery, a parameter marker, a literal of a type Spark does not have...).
 */
import { P, antlr } from "./grammar.js";
import { unescapeSql } from "./literals.js";
import type { SqlError } from "./messages.js";

type Ctx = antlr.ParserRuleContext;
type Offset = (t: antlr.Token) => number;

/** A column the expression reads: the first name of a path (`a` in `a.b.c`), where it starts. */
export interface ColumnRef {
  name: string;
  offset: number;
}

/** The name an identifier stands for: backticks removed (``` `` ``` is one backtick). */
export function identifierName(id: InstanceType<typeof P.IdentifierContext>): string {
  const q = id.strictIdentifier()?.quotedIdentifier()?.BACKQUOTED_IDENTIFIER();
  return q ? q.getText().slice(1, -1).replace(/``/g, "`") : id.getText();
}

/**
 * The heads of the paths in `a.b-c.d`: this grammar reads `b-c` as one dashed identifier where
 * Spark reads a subtraction (`a.b - c.d`), so each `-name` starts another column's path.
 */
function pathHeads(
  m: InstanceType<typeof P.MultipartIdentifierContext>,
): InstanceType<typeof P.IdentifierContext>[] {
  const parts = m.errorCapturingIdentifier();
  return [
    parts[0]!.identifier(),
    ...parts.flatMap((p) => p.errorCapturingIdentifierExtra().identifier()),
  ];
}

/** The columns the tree reads, in the order they are written; lambda variables are not columns. */
export function columnRefs(tree: Ctx, offset: Offset): ColumnRef[] {
  const out: ColumnRef[] = [];
  const ref = (
    id: InstanceType<typeof P.IdentifierContext> | null | undefined,
    bound: ReadonlySet<string>,
  ) => {
    if (!id) return;
    const name = identifierName(id);
    if (!bound.has(name.toLowerCase())) out.push({ name, offset: offset(id.start!) });
  };
  const visit = (n: antlr.ParseTree | null | undefined, bound: ReadonlySet<string>): void => {
    if (!(n instanceof antlr.ParserRuleContext)) return;
    if (n instanceof P.ColumnNamePathContext)
      return pathHeads(n.multipartIdentifier()).forEach((id) => ref(id, bound));
    if (n instanceof P.ColumnNameContext) {
      const m = n.multipartIdentifierAllowEmpty()?.multipartIdentifier();
      return m ? pathHeads(m).forEach((id) => ref(id, bound)) : undefined;
    }
    if (n instanceof P.TableAllColumnsContext) return ref(n.qualifiedName(0)?.identifier(0), bound);
    if (n instanceof P.PrimaryExpressionContext) {
      if (n.ARROW()) {
        const vars = n.identifier().map((id) => identifierName(id).toLowerCase());
        return visit(n.expression(0), new Set([...bound, ...vars]));
      }
      if (n._fieldName) return visit(n._base, bound);
      if (n.KW_EXTRACT()) return visit(n._source, bound);
      if (n.qualifiedName() && n.ASTERISK()) return ref(n.qualifiedName()!.identifier(0), bound);
    }
    if (n instanceof P.NamedExpressionContext) return visit(n.getChild(0), bound);
    if (n instanceof P.NamedArgumentExpressionContext) return visit(n._value, bound);
    if (
      n instanceof P.FunctionNameContext ||
      n instanceof P.ConstantContext ||
      n instanceof P.DataTypeContext
    )
      return;
    for (const c of n.children ?? []) visit(c, bound);
  };
  visit(tree, new Set());
  return out;
}

/** A string constant: adjacent literals joined, each unescaped as Spark does. */
export interface StringLiteral {
  value: string;
  offset: number;
}

/** Every string constant of the tree, with the value Spark gives it. */
export function stringLiterals(tree: Ctx, offset: Offset): StringLiteral[] {
  return nodes(tree, P.ConstantContext)
    .filter((c) => c.stringLit().length > 0 && !c.literalType())
    .map((c) => ({
      value: c
        .stringLit()
        .map((s) => unescapeSql(s.getText()))
        .join(""),
      offset: offset(c.start!),
    }));
}

/** Every context of one class under `tree` (itself included), in the order they are written. */
function nodes<C extends Ctx>(tree: Ctx, cls: abstract new (...a: never[]) => C): C[] {
  const out: C[] = [];
  const visit = (n: antlr.ParseTree) => {
    if (!(n instanceof antlr.ParserRuleContext)) return;
    if (n instanceof cls) out.push(n);
    for (const c of n.children ?? []) visit(c);
  };
  visit(tree);
  return out;
}

/** What the tree holds that Spark would refuse in a stream's expression (the first, by position). */
export function treeError(tree: Ctx, offset: Offset): SqlError | undefined {
  const found: SqlError[] = [];
  const at = (c: Ctx | antlr.TerminalNode) =>
    offset(c instanceof antlr.TerminalNode ? c.symbol : c.start!);
  for (const q of nodes(tree, P.QueryContext))
    found.push({
      offset: at(q),
      message: "a subquery cannot be part of a stream's expression",
      hint: "a streaming job evaluates the expression on each record; look values up with a 'join' step",
    });
  for (const c of nodes(tree, P.ConstantContext)) {
    const marker = c.QUESTION() ?? c.COLON();
    if (marker)
      found.push({
        offset: at(marker),
        message: "a parameter marker ('?' or ':name') has no value in a pipeline's expression",
        hint: "write the value itself",
      });
  }
  for (const t of nodes(tree, P.LiteralTypeContext))
    if (t._unsupportedType)
      found.push({
        offset: at(t),
        message: `Spark SQL has no literals of type '${t.getText()}'`,
        hint: "typed literals are DATE '...', TIMESTAMP '...', TIMESTAMP_LTZ '...', TIMESTAMP_NTZ '...', INTERVAL '...' and X'...'; otherwise write cast('...' AS <type>)",
      });
  for (const q of nodes(tree, P.QuotedIdentifierContext))
    if (q.DOUBLEQUOTED_STRING())
      found.push({
        offset: at(q),
        message: `${q.getText()} is a string in Spark SQL, not a name`,
        hint: `quote a name with backticks: \`${q.getText().slice(1, -1)}\``,
      });
  return found.sort((a, b) => a.offset - b.offset)[0];
}
