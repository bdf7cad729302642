/**
 * Parses one Spark SQL expression with Spark's grammar (see grammar.ts): the tokens first (an
 * unclosed quote, comment or bracket is found on them, with a precise message), then the parse
 * tree from the grammar's `expression` rule, which must take every token up to the end.
 * Positions are offsets in the expression's text (UTF-16 code units, as JavaScript counts).
 */
import { P, Parser, Lexer, antlr, expectedAt } from "./grammar.js";
import { type SqlError, grammarError, unrecognizedError } from "./messages.js";

export type { SqlError } from "./messages.js";
export type ExpressionTree = InstanceType<typeof P.ExpressionContext>;

/** A parsed expression: its tree, or the first thing Spark's parser would refuse in it. */
export type ParsedSql =
  | { ok: true; tree: ExpressionTree; offset: (t: antlr.Token) => number }
  | { ok: false; error: SqlError };

/** Parses `text` as one Spark SQL expression. */
export function parseSql(text: string): ParsedSql {
  const offset = offsetsOf(text);
  const stream = new antlr.CommonTokenStream(lexer(text));
  stream.fill();
  const tokens = stream.getTokens();
  const problem = tokenError(text, tokens, offset) ?? bracketError(tokens, offset);
  if (problem) return { ok: false, error: problem };
  const parsed = parseTokens(stream, offset);
  return "error" in parsed ? { ok: false, error: parsed.error } : { ok: true, ...parsed };
}

function lexer(text: string) {
  const lx = new Lexer(antlr.CharStreams.fromString(text));
  // The grammar ends in a catch-all token (UNRECOGNIZED), so the lexer never reports: the
  // tokens are checked below instead.
  lx.removeErrorListeners();
  return lx;
}

/**
 * From ANTLR's positions (code points) to JavaScript's (UTF-16 code units): the same unless the
 * text has characters outside the Basic Multilingual Plane (emoji, some CJK).
 */
function offsetsOf(text: string): (t: antlr.Token) => number {
  if (!/[\uD800-\uDFFF]/.test(text)) return (t) => Math.min(t.start, text.length);
  const units: number[] = [];
  for (let i = 0; i < text.length; i++) {
    units.push(i);
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) i++;
  }
  units.push(text.length);
  return (t) => units[Math.min(t.start, units.length - 1)]!;
}

/** A character the grammar has no token for (an unclosed quote, a stray '$'), or an unclosed comment. */
function tokenError(
  text: string,
  tokens: readonly antlr.Token[],
  offset: (t: antlr.Token) => number,
): SqlError | undefined {
  for (const t of tokens) {
    if (t.type === Parser.UNRECOGNIZED) return unrecognizedError(text, offset(t));
    if (t.type === Parser.BRACKETED_COMMENT && !/^\/\*[^]*\*\/$/.test(t.text ?? ""))
      return {
        offset: offset(t),
        message: "this comment is never closed: '/*' has no '*/' after it",
        hint: "end the comment with '*/', or remove it",
      };
  }
  return undefined;
}

const closers: Record<string, string> = { "(": ")", "[": "]" };

/** Parentheses and brackets that do not pair up (on tokens, so quoted text does not count). */
function bracketError(
  tokens: readonly antlr.Token[],
  offset: (t: antlr.Token) => number,
): SqlError | undefined {
  const open: antlr.Token[] = [];
  for (const t of tokens) {
    if (t.channel !== antlr.Token.DEFAULT_CHANNEL) continue;
    if (t.type === Parser.LEFT_PAREN || t.type === Parser.LEFT_BRACKET) open.push(t);
    else if (t.type === Parser.RIGHT_PAREN || t.type === Parser.RIGHT_BRACKET) {
      const o = open.pop();
      const want = o ? closers[o.text!]! : undefined;
      if (want === t.text) continue;
      return {
        offset: offset(t),
        message: o
          ? `'${t.text}' does not close the '${o.text}' before it: Spark's grammar expects '${want}' here`
          : `'${t.text}' closes nothing: there is no '${t.text === ")" ? "(" : "["}' before it`,
        hint: o
          ? `close the '${o.text}' with '${want}' first`
          : `remove this '${t.text}', or add the '${t.text === ")" ? "(" : "["}' it closes`,
      };
    }
  }
  const o = open.pop();
  if (!o) return undefined;
  const want = closers[o.text!]!;
  return {
    offset: offset(o),
    message: `this '${o.text}' is never closed: Spark's grammar expects '${want}' before the end of the expression`,
    hint: `add the missing '${want}' where the part it opens ends`,
  };
}

type TokenParse =
  { tree: ExpressionTree; offset: (t: antlr.Token) => number } | { error: SqlError };

/**
 * The tree of the grammar's `expression` rule. Fast SLL prediction first, which either succeeds
 * or bails out at the first error; then full LL, which finds where the error is.
 */
function parseTokens(
  stream: antlr.CommonTokenStream,
  offset: (t: antlr.Token) => number,
): TokenParse {
  const fast = new Parser(stream);
  fast.removeErrorListeners();
  fast.errorHandler = new antlr.BailErrorStrategy();
  fast.interpreter.predictionMode = antlr.PredictionMode.SLL;
  try {
    const tree = fast.expression();
    if (stream.LA(1) === antlr.Token.EOF) return { tree, offset };
  } catch (e) {
    if (!(e instanceof antlr.ParseCancellationException)) throw e;
  }
  stream.seek(0);
  const full = new Parser(stream);
  let bad: antlr.Token | undefined;
  full.removeErrorListeners();
  full.addErrorListener({
    syntaxError: (_r, sym, _l, _c, _m, e) =>
      void (bad ??= (e?.offendingToken ?? sym) as antlr.Token),
    reportAmbiguity() {},
    reportAttemptingFullContext() {},
    reportContextSensitivity() {},
  });
  const tree = full.expression();
  if (!bad && stream.LA(1) === antlr.Token.EOF) return { tree, offset };
  return { error: syntaxError(full, tree, bad ?? stream.LT(1)!, !bad, offset) };
}

/**
 * Where the expression stops following Spark's grammar, and what the grammar expected there.
 * The grammar's `expression` rule may end before a token that should continue it (`a >`, `a
 * BETWEEN 1`) without an error; Spark's own start rule ends with EOF, so it fails later, where
 * the expression breaks off: the first token (maybe the end) that cannot come next.
 */
function syntaxError(
  parser: Parser,
  tree: ExpressionTree,
  from: antlr.Token,
  leftOver: boolean,
  offset: (t: antlr.Token) => number,
): SqlError {
  const stream = parser.tokenStream;
  let at = from;
  let expected = expectedAt(parser, at.tokenIndex, tree);
  for (
    let steps = 0;
    steps < 200 && at.type !== antlr.Token.EOF && expected.includes(at.type);
    steps++
  ) {
    let next = at.tokenIndex + 1;
    while (stream.get(next).channel !== antlr.Token.DEFAULT_CHANNEL) next++;
    at = stream.get(next);
    expected = expectedAt(parser, at.tokenIndex, tree);
  }
  return grammarError(at, expected, offset(at), leftOver && at === from);
}
