/**
 * The Spark SQL grammar: the ANTLR lexer and parser that dt-sql-parser generates from Spark's
 * SqlBase grammar, on the antlr4ng runtime. They are loaded when this module is first imported
 * (the CLI imports the compiler only for the commands that compile), never on `--version`; not
 * at the first expression, because the compiler is synchronous and the parser can only be
 * loaded with import() (below). A parse then builds ANTLR's prediction cache (tens of ms for
 * each new shape of expression); index.ts memoises parses by text.
 *
 * dt-sql-parser ships ES modules written for bundlers: its parser imports '../SQLParserBase'
 * without the '.js' that Node's ES module loader requires. So the parser's text is imported as
 * a data: URL with its two imports written as the absolute URLs they mean: the same module
 * instances as everyone else's (one antlr4ng, checked below). A resolve hook would do it too,
 * but Node starts a loader thread for it in every thread that compiles, and sends every later
 * import through that thread.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CodeCompletionCore } from "antlr4-c3";
import * as antlr from "antlr4ng";
import type * as SparkParser from "dt-sql-parser/dist/lib/spark/SparkSqlParser.js";
import type { SparkSqlLexer as SparkLexer } from "dt-sql-parser/dist/lib/spark/SparkSqlLexer.js";

const lexerModule = await import("dt-sql-parser/dist/lib/spark/SparkSqlLexer.js");
const parserModule = (await import(parserAsDataUrl())) as typeof SparkParser;

/** dt-sql-parser's parser module as a data: URL, its imports made absolute. */
function parserAsDataUrl(): string {
  const url = import.meta.resolve("dt-sql-parser/dist/lib/spark/SparkSqlParser.js");
  const imports: Array<[string, string]> = [
    [`"antlr4ng"`, import.meta.resolve("antlr4ng")],
    [`'../SQLParserBase'`, new URL("../SQLParserBase.js", url).href],
  ];
  let text = readFileSync(fileURLToPath(url), "utf8");
  for (const [from, to] of imports) {
    const at = text.indexOf(`from ${from};`);
    // package.json pins dt-sql-parser: another release is another install than pipegen's own.
    if (at < 0)
      throw new Error(`dt-sql-parser's parser no longer imports ${from}; reinstall pipegen`);
    text = `${text.slice(0, at)}from ${JSON.stringify(to)};${text.slice(at + from.length + 6)}`;
  }
  // Stack traces and profiles name the file, not the data: URL.
  return `data:text/javascript,${encodeURIComponent(`${text}\n//# sourceURL=${url}\n`)}`;
}

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
