/**
 * YAML syntax errors as diagnostics. One slip makes the parser trip over everything after it,
 * so only the first error counts: when its cause is one of the usual ones (an unquoted
 * `${...}` in a flow collection, a tab, a missing space after ':', an unclosed quote or
 * bracket, an indentation that does not line up), that cause is the one diagnostic, at the
 * place to fix; otherwise the first few errors, one per line, each with a hint.
 */
import type { YAMLError } from "yaml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { scanTo, unquotedRefs } from "./scan.js";

/** At most this many syntax errors are reported when their cause is not recognised. */
export const maxSyntaxErrors = 3;

type Position = (offset: number) => { line: number; col: number };

/** The error being explained, with the text of its line. */
interface Slip {
  source: string;
  err: YAMLError;
  offset: number;
  lineStart: number;
  lineEnd: number;
  line: string;
}

/** A recognised cause: where to fix it, what is wrong and what to write. */
interface Cause {
  offset: number;
  message: string;
  hint: string;
}

function slipAt(source: string, err: YAMLError): Slip {
  const offset = Math.min(err.pos[0], source.length);
  const lineStart = source.lastIndexOf("\n", offset - 1) + 1;
  const nl = source.indexOf("\n", offset);
  const lineEnd = nl < 0 ? source.length : nl;
  return { source, err, offset, lineStart, lineEnd, line: source.slice(lineStart, lineEnd) };
}

/** The content line before the slip's line (blank lines and comments skipped), with its start. */
function previousLine(s: Slip): { start: number; text: string } | undefined {
  let end = s.lineStart - 1;
  while (end > 0) {
    const start = s.source.lastIndexOf("\n", end - 1) + 1;
    const text = s.source.slice(start, end);
    if (text.trim() !== "" && !text.trim().startsWith("#")) return { start, text };
    end = start - 1;
  }
  return undefined;
}

const unquotedReference = (s: Slip): Cause | undefined => {
  const ref = unquotedRefs(s.source, s.lineStart, s.lineEnd).find((r) => r.inFlow);
  if (!ref) return undefined;
  return {
    offset: ref.at,
    message: `'${ref.text}' is not quoted: inside { } or [ ] YAML reads its '{' as the start of a mapping`,
    hint: `put it in double quotes: "${ref.text}"`,
  };
};

/** The slip's line and the content line after it (a tab there may trip the parser a line early). */
function thisAndNextLine(s: Slip): Array<{ start: number; text: string }> {
  const out = [{ start: s.lineStart, text: s.line }];
  let start = s.lineEnd + 1;
  while (start < s.source.length) {
    const nl = s.source.indexOf("\n", start);
    const text = s.source.slice(start, nl < 0 ? s.source.length : nl);
    if (text.trim() !== "" && !text.trim().startsWith("#")) return [...out, { start, text }];
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

const tabIndent = (s: Slip): Cause | undefined => {
  const at = thisAndNextLine(s)
    .map((l) => ({ l, tab: /^[ \t]*/.exec(l.text)![0].indexOf("\t") }))
    .find((x) => x.tab >= 0);
  if (!at && s.err.code !== "TAB_AS_INDENT") return undefined;
  return {
    offset: at ? at.l.start + at.tab : s.lineStart,
    message: "a tab in the indentation: YAML indents with spaces only",
    hint: "replace the tab with spaces, lined up with the keys around it",
  };
};

const unclosedQuote = (s: Slip): Cause | undefined => {
  if (!/closing .?quote/i.test(s.err.message)) return undefined;
  const at = scanTo(s.source, s.offset).quote;
  if (at === undefined) return undefined;
  const q = s.source[at]!;
  return {
    offset: at,
    message: `this ${q === '"' ? "double" : "single"} quote is never closed`,
    hint: `close the value with ${q} on the same line`,
  };
};

const unclosedBracket = (s: Slip): Cause | undefined => {
  if (!/end with an? [}\]]|flow (map|sequence|collection)/i.test(s.err.message)) return undefined;
  const open = scanTo(s.source, s.offset).open;
  const at = open[open.length - 1];
  if (at === undefined) return undefined;
  const map = s.source[at] === "{";
  return {
    offset: at,
    message: `this '${s.source[at]}' is never closed`,
    hint: `end the ${map ? "mapping with '}'" : "list with ']'"} on the same line (or indent its continuation lines deeper than its key)`,
  };
};

const strayBracket = (s: Slip): Cause | undefined => {
  const ch = s.source[s.offset];
  if (s.err.code !== "UNEXPECTED_TOKEN" || (ch !== "}" && ch !== "]")) return undefined;
  if (!scanTo(s.source, s.offset + 1).strayClose.includes(s.offset)) return undefined;
  return {
    offset: s.offset,
    message: `this '${ch}' closes nothing`,
    hint: `remove it, or add the '${ch === "}" ? "{" : "["}' it was meant to close`,
  };
};

/** `key:value` without the space YAML needs after ':' (block or flow). */
const missingSpace = (s: Slip): Cause | undefined => {
  const block = /^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_.-]*):(?=[^\s:/])(\S*)/;
  const flow = /[{,]\s*([A-Za-z_][A-Za-z0-9_.-]*):(?=[^\s:/,}\]])([^\s,}\]]*)/;
  const prev = previousLine(s);
  for (const [start, line] of [
    [s.lineStart, s.line] as const,
    [prev?.start, prev?.text] as const,
  ]) {
    if (start === undefined || line === undefined) continue;
    // What is quoted is a value, whatever it holds: blank it out, keeping the columns.
    const text = line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, (q) => " ".repeat(q.length));
    const b = block.exec(text);
    const f = b ? undefined : flow.exec(text);
    const m = b
      ? { at: b[1]!.length, key: b[2]!, value: b[3]! }
      : f && {
          at: f.index + f[0].indexOf(f[1]!),
          key: f[1]!,
          value: f[2]!,
        };
    if (!m) continue;
    return {
      offset: start + m.at + m.key.length + 1,
      message: `'${m.key}:${m.value}' needs a space after ':'`,
      hint: `write '${m.key}: ${m.value}': without the space YAML reads it as one word`,
    };
  }
  return undefined;
};

const colonInValue = (s: Slip): Cause | undefined => {
  const m = /^(\s*(?:-\s+)?)([A-Za-z_][\w.-]*): +([^'"{[#\s][^#]*?: .*)$/.exec(s.line);
  if (s.err.code !== "BLOCK_AS_IMPLICIT_KEY" || !m) return undefined;
  return {
    offset: s.lineStart + m[1]!.length + m[2]!.length + 2,
    message: `the value of '${m[2]}' holds ': ', which YAML reads as one more key`,
    hint: `quote the value: ${m[2]}: "${m[3]!.trim()}"`,
  };
};

const reservedStart = (s: Slip): Cause | undefined => {
  if (s.err.code !== "BAD_SCALAR_START" && s.err.code !== "BAD_ALIAS") return undefined;
  const word = /^\S*/.exec(s.source.slice(s.offset, s.lineEnd))![0].replace(/[,}\]]+$/, "");
  return {
    offset: s.offset,
    message: `a value cannot start with '${word[0] ?? s.source[s.offset]}' unless it is quoted`,
    hint: `put it in quotes: "${word}"`,
  };
};

/** The next content line, when it is indented deeper than the slip's `key: value` line. */
function deeperLineAfter(s: Slip): { offset: number } | undefined {
  if (!/^\s*(-\s+)?[^\s:#][^:#]*:\s+[^\s#|>]/.test(s.line)) return undefined;
  const indent = /^\s*/.exec(s.line)![0].length;
  let start = s.lineEnd + 1;
  while (start < s.source.length) {
    const nl = s.source.indexOf("\n", start);
    const text = s.source.slice(start, nl < 0 ? s.source.length : nl);
    if (text.trim() !== "" && !text.trim().startsWith("#")) {
      const deeper = /^\s*/.exec(text)![0].length;
      return deeper > indent ? { offset: start + deeper } : undefined;
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return undefined;
}

const indentation = (s: Slip): Cause | undefined => {
  const codes = ["BAD_INDENT", "MULTILINE_IMPLICIT_KEY", "BLOCK_AS_IMPLICIT_KEY", "MISSING_CHAR"];
  if (!codes.includes(s.err.code)) return undefined;
  const first = s.lineStart + /^\s*/.exec(s.line)![0].length;
  if (!s.line.includes(":") && s.line.trim() !== "")
    return {
      offset: first,
      message: `'${s.line.trim()}' has no ':' after it`,
      hint: `write it as a key and its value ('${s.line.trim()}: <value>'), or as a list item ('- ${s.line.trim()}')`,
    };
  const deeper = deeperLineAfter(s);
  if (deeper)
    return {
      offset: deeper.offset,
      message: `this line is indented deeper than '${s.line.trim()}' above it, which already has a value`,
      hint: "indent it like the key above, or move that key's value onto indented lines below it",
    };
  return {
    offset: first,
    message: "this line's indentation does not line up with the keys around it",
    hint: "indent the keys of one mapping by the same number of spaces; a key nested under another is indented further, under a key with no value on its line",
  };
};

const secondDocument = (s: Slip): Cause | undefined =>
  s.err.code === "MULTIPLE_DOCS"
    ? {
        offset: s.offset,
        message: "a spec is one YAML document, and a second one starts here",
        hint: "remove this '---' and what follows it, or move the second document into a spec file of its own",
      }
    : undefined;

/** The usual causes, most specific first. */
const causes = [
  secondDocument,
  unquotedReference,
  tabIndent,
  unclosedQuote,
  unclosedBracket,
  strayBracket,
  missingSpace,
  colonInValue,
  reservedStart,
  indentation,
];

/** The parser's words for a token, in the user's: the character itself. */
function plainMessage(s: Slip): string {
  const first = s.err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  if (!/^Unexpected /.test(first)) return first;
  const ch = s.source[s.offset];
  return ch && ch.trim() ? `unexpected '${ch}' here` : "unexpected end of the value here";
}

const genericHint =
  "look here and just above for an unclosed quote or bracket, a missing space after ':', or an indentation that does not line up";

/** The syntax errors to report (duplicate keys aside): one recognised cause, or the first few. */
export function syntaxDiagnostics(
  file: string,
  source: string,
  errors: readonly YAMLError[],
  pos: Position,
): Diagnostic[] {
  const sorted = [...errors].sort((a, b) => a.pos[0] - b.pos[0]);
  const make = (offset: number, message: string, hint: string): Diagnostic => ({
    code: "PG101",
    severity: "error",
    message,
    file,
    ...pos(offset),
    pointer: "",
    hint,
  });
  const first = sorted[0];
  if (!first) return [];
  const slip = slipAt(source, first);
  for (const find of causes) {
    const c = find(slip);
    if (c) return [make(c.offset, c.message, c.hint)];
  }
  const out: Diagnostic[] = [];
  for (const err of sorted) {
    const s = slipAt(source, err);
    const d = make(s.offset, plainMessage(s), genericHint);
    if (out.some((o) => o.line === d.line)) continue;
    out.push(d);
    if (out.length === maxSyntaxErrors) break;
  }
  return out;
}
