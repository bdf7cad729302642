/**
 * Checks on an expression's tokens, before it is parsed: a character no token starts with (an
 * unclosed quote, a stray symbol), an unclosed comment, brackets that do not pair up, and the
 * limits that keep a hostile expression from costing seconds (the parser's prediction grows
 * faster than linearly with nesting).
 */
import { Parser, antlr } from "./grammar.js";
import { type SqlError, unrecognizedError } from "./messages.js";

/** At most this many tokens in one expression. */
export const maxTokens = 2000;
/** At most this many brackets open at once, as the loader's limit on YAML nesting. */
export const maxDepth = 48;

/**
 * From ANTLR's positions (code points) to JavaScript's (UTF-16 code units): the same unless the
 * text has characters outside the Basic Multilingual Plane (emoji, some CJK).
 */
export function offsetsOf(text: string): (t: antlr.Token) => number {
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
export function tokenError(
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
export function bracketError(
  tokens: readonly antlr.Token[],
  offset: (t: antlr.Token) => number,
): SqlError | undefined {
  const open: antlr.Token[] = [];
  for (const t of tokens) {
    if (t.channel !== antlr.Token.DEFAULT_CHANNEL) continue;
    if (t.type === Parser.LEFT_PAREN || t.type === Parser.LEFT_BRACKET) {
      if (open.push(t) > maxDepth)
        return {
          offset: offset(t),
          message: `the expression nests brackets more than ${maxDepth} deep`,
          hint: "a pipeline's expression never needs this much nesting: compute parts of it in a 'derive' step before",
        };
    } else if (t.type === Parser.RIGHT_PAREN || t.type === Parser.RIGHT_BRACKET) {
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

/** An expression longer than `maxTokens` tokens. */
export function sizeError(
  tokens: readonly antlr.Token[],
  offset: (t: antlr.Token) => number,
): SqlError | undefined {
  const visible = tokens.filter((t) => t.channel === antlr.Token.DEFAULT_CHANNEL);
  if (visible.length <= maxTokens + 1) return undefined; // + EOF
  return {
    offset: offset(visible[maxTokens]!),
    message: `the expression is longer than ${maxTokens} tokens`,
    hint: "split it: compute parts of it in a 'derive' step before",
  };
}
