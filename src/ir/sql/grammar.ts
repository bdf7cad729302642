/**
 * The Spark SQL grammar: the ANTLR lexer and parser that dt-sql-parser generates from Spark's
 * SqlBase grammar, on the antlr4ng runtime. They are loaded when this module is first imported
 * (the CLI imports the compiler only for the commands that compile), never on `--version`; not
 * at the first expression, because the compiler is synchronous and the parser can only be
 * loaded with import() (below). A parse then builds ANTLR's prediction cache (tens of ms for
 * each new shape of expression); index.ts memoises parses by text.
 *
 * dt-sql-parser ships ES modules written for bundlers: its parser imports '../SQLParserBase'
 * without the '.js' that Node's ES module loader requires. A resolve hook, registered once per
 * process, adds it for relative imports inside dt-sql-parser's own dist/ folder and nowhere else.
 */
import { register } from "node:module";
import { CodeCompletionCore } from "antlr4-c3";
import * as antlr from "antlr4ng";
import type * as SparkParser from "dt-sql-parser/dist/lib/spark/SparkSqlParser.js";
import type { SparkSqlLexer as SparkLexer } from "dt-sql-parser/dist/lib/spark/SparkSqlLexer.js";

/** Adds '.js' to extensionless relative imports made by dt-sql-parser's dist/ files only. */
const hook = `export async function resolve(specifier, context, next) {
  const parent = context.parentURL ?? "";
  if (parent.includes("/dt-sql-parser/dist/") && /^\\.\\.?\\//.test(specifier) && !/\\.[cm]?js$/.test(specifier))
    return next(specifier + ".js", context);
  return next(specifier, context);
}`;

// What loads without the hook first: every import resolved through it waits on the hook's thread.
const lexerModule = await import("dt-sql-parser/dist/lib/spark/SparkSqlLexer.js");
await import("dt-sql-parser/dist/lib/SQLParserBase.js");
const registered = Symbol.for("pipegen.sql.resolveHook");
const state = globalThis as { [registered]?: boolean };
if (!state[registered]) {
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  state[registered] = true;
}
const parserModule = await import("dt-sql-parser/dist/lib/spark/SparkSqlParser.js");

/** The generated parser module: the parser class and one context class per grammar rule. */
export const P: typeof SparkParser = parserModule;
/** The generated lexer class. */
export const Lexer: typeof SparkLexer = lexerModule.SparkSqlLexer;
/** The generated parser class; its static fields are the token types. */
export const Parser = P.SparkSqlParser;
export type Parser = InstanceType<typeof P.SparkSqlParser>;
export { antlr };

/** The tokens Spark's grammar allows at token `index` of `parser`'s stream, after those before it. */
export function expectedAt(
  parser: Parser,
  index: number,
  start: antlr.ParserRuleContext,
): number[] {
  return [...new CodeCompletionCore(parser).collectCandidates(index, start).tokens.keys()];
}

// One antlr4ng for the grammar and for this code, or the parse tree's classes would not match.
if (!(Parser.prototype instanceof antlr.Parser))
  throw new Error("dt-sql-parser uses another copy of antlr4ng than pipegen; reinstall");
