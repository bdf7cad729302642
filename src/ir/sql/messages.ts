/**
 * What Spark's grammar refuses, in plain words: the token it found, what it expected there
 * (summarised when ANTLR's list of expected tokens is long), and a hint on how to fix it.
 */
import { Lexer, Parser, antlr } from "./grammar.js";

/** A problem at `offset` (UTF-16) in the expression's text. */
export interface SqlError {
  offset: number;
  message: string;
  hint?: string;
}

const T = Parser;
const numbers = [
  T.INTEGER_VALUE,
  T.BIGINT_LITERAL,
  T.SMALLINT_LITERAL,
  T.TINYINT_LITERAL,
  T.DECIMAL_VALUE,
  T.EXPONENT_VALUE,
  T.DOUBLE_LITERAL,
  T.FLOAT_LITERAL,
  T.BIGDECIMAL_LITERAL,
];
const strings = [T.STRING_LITERAL, T.DOUBLEQUOTED_STRING];
const names: Record<number, string> = {
  [T.EQ]: "'='",
  [T.LTE]: "'<='",
  [T.GTE]: "'>='",
  [T.IDENTIFIER]: "a name",
  [T.BACKQUOTED_IDENTIFIER]: "a `quoted` name",
  [antlr.Token.EOF]: "the end of the expression",
  ...Object.fromEntries(strings.map((t) => [t, "a string"])),
  ...Object.fromEntries(numbers.map((t) => [t, "a number"])),
};

/** How a token type is shown: `'AND'`, `'('`, "a name", "a number"... */
function nameOf(type: number): string {
  return names[type] ?? Lexer.literalNames[type] ?? Lexer.symbolicNames[type] ?? String(type);
}

const isKeyword = (type: number) => /^'[A-Z_]+'$/.test(Lexer.literalNames[type] ?? "");

const operators = new Set([
  T.EQ,
  T.NSEQ,
  T.NEQ,
  T.NEQJ,
  T.LT,
  T.LTE,
  T.GT,
  T.GTE,
  T.PLUS,
  T.MINUS,
  T.ASTERISK,
  T.SLASH,
  T.PERCENT,
  T.KW_DIV,
  T.CONCAT_PIPE,
  T.AMPERSAND,
  T.PIPE,
  T.HAT,
]);
/** Tokens that come with the operators after a value: not worth listing one by one. */
const afterValue = new Set([
  ...strings,
  T.DOT,
  T.LEFT_BRACKET,
  T.LEFT_PAREN,
  T.ARROW,
  T.KW_NOT,
  T.KW_BETWEEN,
  T.KW_IN,
  T.KW_LIKE,
  T.KW_ILIKE,
  T.KW_RLIKE,
  T.KW_REGEXP,
  T.KW_IS,
]);

/** What the grammar expected, in words: a value, an operator, or the few tokens that fit. */
export function describeExpected(types: readonly number[]): string {
  if (types.includes(T.IDENTIFIER))
    return types.some((t) => strings.includes(t) || numbers.includes(t))
      ? "a value (a column, a literal, a function call or a parenthesised expression)"
      : "a name";
  let rest = types;
  let operator = "";
  if (types.filter((t) => operators.has(t)).length >= 3) {
    const logic = types.includes(T.KW_AND) && types.includes(T.KW_OR);
    rest = types.filter(
      (t) =>
        !operators.has(t) && !afterValue.has(t) && !(logic && (t === T.KW_AND || t === T.KW_OR)),
    );
    operator = logic ? "an operator (such as =, +, AND, IN or IS)" : "an operator (such as = or +)";
  }
  const shown = [...new Set(rest.map(nameOf))];
  if (operator) shown.push(operator);
  if (shown.length === 0) return "nothing more";
  if (shown.length === 1) return shown[0]!;
  if (shown.length <= 6) return `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)}`;
  return `one of ${shown.slice(0, 6).join(", ")} (or ${shown.length - 6} more)`;
}

/** A token as the user wrote it: `'IN'`, `string 'x'`, `number 12`. */
function describeToken(t: antlr.Token): string {
  if (strings.includes(t.type)) return `string ${t.text}`;
  if (numbers.includes(t.type)) return `number ${t.text}`;
  return `'${t.text}'`;
}

const valueLike = (t: antlr.Token) =>
  t.type === T.IDENTIFIER ||
  t.type === T.BACKQUOTED_IDENTIFIER ||
  strings.includes(t.type) ||
  numbers.includes(t.type);

/** Hints for a token after an expression that is complete without it, by the token's type. */
const leftOverHints: Record<number, string> = {
  [T.KW_AS]:
    "an expression here has no alias: remove 'AS ...' (a derived column is named by its key)",
  [T.COMMA]: "write one expression; combine conditions with AND or OR",
  [T.SEMICOLON]: "an expression has no ';': remove it",
};

/** How to fix an expression that breaks off at `found`, where the grammar expected `expected`. */
function grammarHint(found: antlr.Token, expected: readonly number[], leftOver: boolean): string {
  const has = (t: number) => expected.includes(t);
  if (leftOver && leftOverHints[found.type]) return leftOverHints[found.type]!;
  if (leftOver && valueLike(found))
    return "two values in a row: an operator (=, AND, +, ...) is missing, or a name with a space in it needs backticks";
  if (leftOver && isKeyword(found.type))
    return `'${found.text}' does not continue the expression: remove it, or quote it with backticks if it is a column`;
  if (isKeyword(found.type) && has(T.IDENTIFIER))
    return `if '${found.text}' is a column, quote it with backticks: \`${found.text}\``;
  if (found.type === T.DOUBLEQUOTED_STRING && has(T.IDENTIFIER))
    return "double quotes make a string in Spark SQL; quote a column name with backticks: `name`";
  if (!has(T.IDENTIFIER) && (has(T.KW_END) || has(T.KW_THEN)))
    return "a CASE reads: CASE WHEN <condition> THEN <value> [ELSE <value>] END";
  if (!has(T.IDENTIFIER) && has(T.KW_NULL) && has(T.KW_DISTINCT))
    return "write IS [NOT] NULL, IS [NOT] TRUE, IS [NOT] FALSE or IS [NOT] DISTINCT FROM <value>";
  if (has(T.KW_AND) && !has(T.KW_OR)) return "write <value> BETWEEN <low> AND <high>";
  if (found.type === antlr.Token.EOF)
    return "the expression stops in the middle: complete it, or remove its last operator";
  return "Spark reads the expression up to this point: check what comes before and here";
}

/** The expression breaks off at `found` (`leftOver`: after a part that is complete without it). */
export function grammarError(
  found: antlr.Token,
  expected: readonly number[],
  offset: number,
  leftOver: boolean,
): SqlError {
  const what = describeExpected(expected);
  return {
    offset,
    message:
      found.type === antlr.Token.EOF
        ? `the expression ends too early: Spark's grammar expects ${what} next`
        : `unexpected ${describeToken(found)}: Spark's grammar expects ${what} here`,
    hint: grammarHint(found, expected, leftOver),
  };
}

/** Spark's whitespace that this grammar does not know as whitespace. */
const spaces = /[\f\u000B\u00A0\u1680\u2000-\u200A\u2028\u202F\u205F\u3000]/u;

/** A character no token of the grammar starts with: an unclosed quote, a stray symbol, a non-ASCII name. */
export function unrecognizedError(text: string, offset: number): SqlError {
  const ch = String.fromCodePoint(text.codePointAt(offset)!);
  if (ch === "'" || ch === '"')
    return {
      offset,
      message: `this ${ch === "'" ? "quote" : "double quote"} opens a string that is never closed`,
      hint: `end the string with ${ch}; inside a string, write \\${ch} for ${ch}`,
    };
  if (ch === "`")
    return {
      offset,
      message: "this backtick opens a quoted name that is never closed",
      hint: "end the name with `; inside it, write `` for a backtick",
    };
  if (spaces.test(ch))
    return {
      offset,
      message: `the character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} is not a space Spark's grammar accepts here`,
      hint: "replace it with an ordinary space",
    };
  if (/\p{L}/u.test(ch)) {
    const before = /[\p{L}\p{N}_]*$/u.exec(text.slice(0, offset))![0];
    const word = before + /^[\p{L}\p{N}_]+/u.exec(text.slice(offset))![0];
    return {
      offset,
      message: `'${word}': a name without backticks is ASCII letters, digits and '_' in Spark SQL`,
      hint: `quote the name with backticks: \`${word}\``,
    };
  }
  return {
    offset,
    message: `'${ch}' is not part of Spark SQL's syntax here`,
    hint: "remove it, or put it inside a string ('...') or a backtick-quoted name",
  };
}
