/**
 * Parses one Spark SQL expression with Spark's grammar (see grammar.ts): the tokens first (an
 * unclosed quote, comment or bracket is found on them, with a precise message), then the parse
 * tree from the grammar's `expression` rule, which must take every token up to the end.
 * Positions are offsets in the expression's text (UTF-16 code units, as JavaScript counts).
 */
import { P, Parser, Lexer, antlr, expectedAt } from "./grammar.js";
import { type SqlError, grammarError } from "./messages.js";
import { bracketError, offsetsOf, sizeError, tokenError } from "./tokens.js";

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
  const problem =
    tokenError(text, tokens, offset) ?? sizeError(tokens, offset) ?? bracketError(tokens, offset);
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
 * the expression breaks off: the first token (maybe the end) that cannot come next after the
 * ones before it. `leftOver`: `from` is where the `expression` rule ended without an error.
 */
function syntaxError(
  parser: Parser,
  tree: ExpressionTree,
  from: antlr.Token,
  leftOver: boolean,
  offset: (t: antlr.Token) => number,
): SqlError {
  const stream = parser.tokenStream as antlr.CommonTokenStream;
  const rest = stream.getTokens().filter((t) => t.channel === antlr.Token.DEFAULT_CHANNEL);
  const fits = (t: antlr.Token) =>
    t.type !== antlr.Token.EOF && expectedAt(parser, t.tokenIndex, tree).includes(t.type);
  // Once a token cannot come next, none after it can: search for the first such token.
  let [lo, hi] = [0, rest.length - 1];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fits(rest[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  const at = rest[lo]!;
  return grammarError(
    at,
    expectedAt(parser, at.tokenIndex, tree),
    offset(at),
    leftOver && at === from,
  );
}
