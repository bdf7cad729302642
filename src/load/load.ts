/**
 * The load stage: YAML text -> a document with source positions. Limits first (size, nesting,
 * aliases), then the YAML errors (a duplicate key is reported and the load goes on), then the
 * value with a locator from JSON pointers back to line and column.
 */
import { Document, LineCounter, parseDocument, visit, type Node } from "yaml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { fastValue } from "./fast.js";
import { defaultLimits, findTooDeep, roughDepth, type LoadLimits } from "./limits.js";
import { keyPointers, locator } from "./pointer.js";
import { unsupportedNode } from "./nodes.js";
import { syntaxDiagnostics } from "./syntax.js";

export { defaultLimits, type LoadLimits } from "./limits.js";
export { escapePointer, pointerOf, unescapePointer } from "./pointer.js";

/** A parsed spec with the means to turn a JSON pointer back into a source position. */
export interface LoadedSpec {
  file: string;
  source: string;
  value: unknown;
  /** Position of the value (or, with part "key", of the key) at a JSON pointer. */
  /** With `offset`, the position of that character of a one-line scalar's value (a SQL expression's error). */
  locate(pointer: string, part?: "key" | "value", offset?: number): { line: number; col: number };
}

export interface LoadResult {
  spec?: LoadedSpec;
  diagnostics: Diagnostic[];
}

const diag = (
  file: string,
  code: string,
  message: string,
  line: number,
  col: number,
  hint?: string,
): Diagnostic => ({
  code,
  severity: "error",
  message,
  file,
  line,
  col,
  pointer: "",
  ...(hint ? { hint } : {}),
});

type Position = (offset: number) => { line: number; col: number };

/** Size and flow nesting, checked before the parser sees the text. */
function beforeParsing(file: string, source: string, limits: LoadLimits): Diagnostic | undefined {
  const bytes = Buffer.byteLength(source, "utf8");
  if (bytes > limits.maxBytes)
    return diag(
      file,
      "PG103",
      `the spec is ${bytes} bytes; the limit is ${limits.maxBytes}`,
      0,
      0,
      "split the pipeline into several specs, or check that this is the file you meant",
    );
  if (roughDepth(source, limits.maxDepth) > limits.maxDepth)
    return diag(
      file,
      "PG104",
      `the spec nests deeper than ${limits.maxDepth} levels`,
      1,
      1,
      "a pipeline spec never needs this much nesting; flatten it",
    );
  return undefined;
}

/** Duplicate keys (PG102): each is reported, and the document stays usable. */
function duplicateKeys(file: string, source: string, doc: Document.Parsed, pos: Position) {
  let pointers: Map<number, string> | undefined;
  return doc.errors
    .filter((err) => err.code === "DUPLICATE_KEY")
    .map((err) => {
      const { line, col } = pos(err.pos[0]);
      const pointer = (pointers ??= keyPointers(doc)).get(err.pos[0]) ?? "";
      const keyText =
        /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:,{}[\]#\n]+)/.exec(source.slice(err.pos[0]))?.[1]?.trim() ??
        "";
      return {
        ...diag(
          file,
          "PG102",
          `duplicate key${keyText ? ` '${keyText}'` : ""}: YAML keys must be unique in a mapping`,
          line,
          col,
          "remove one of the two entries or rename it; pipegen never guesses which one you meant",
        ),
        pointer,
      };
    });
}

/** An alias (`*name`) with no anchor (`&name`) before it: YAML cannot resolve it. */
function unresolvedAlias(file: string, doc: Document.Parsed, pos: Position) {
  let found: Diagnostic | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      const { line, col } = pos(node.range?.[0] ?? 0);
      found = diag(
        file,
        "PG101",
        `'*${node.source}' refers to no anchor: YAML reads a value starting with '*' as an alias`,
        line,
        col,
        `put the value in quotes ("*${node.source}"), or define '&${node.source}' on an earlier value`,
      );
      return visit.BREAK;
    },
  });
  return found;
}

/** The document's value (aliases expanded within the limit), or the diagnostic that stops it. */
function toValue(
  file: string,
  doc: Document.Parsed,
  limits: LoadLimits,
): { value?: Record<string, unknown>; diagnostic?: Diagnostic } {
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (e) {
    if (!(e instanceof ReferenceError || /alias/i.test(String(e)))) throw e;
    return {
      diagnostic: diag(
        file,
        "PG105",
        `the spec expands YAML aliases more than ${limits.maxAliasCount} times`,
        1,
        1,
        "write the values out instead of nesting aliases",
      ),
    };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return {
      diagnostic: diag(
        file,
        "PG106",
        "the spec must be a YAML mapping with at least 'pipegen: 1' and 'pipeline: <name>'",
        1,
        1,
      ),
    };
  return { value: value as Record<string, unknown> };
}

function parse(source: string, lineCounter: LineCounter): Document.Parsed | undefined {
  try {
    return parseDocument(source, {
      lineCounter,
      uniqueKeys: true,
      prettyErrors: false,
      strict: true,
      version: "1.2",
      customTags: [],
    });
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

/**
 * A spec's value with its locator. A plain spec (fast.ts) is read by the fast path and parsed
 * again with positions only when something asks where a value is; any other goes the full way.
 */
export function loadSpec(
  file: string,
  source: string,
  limits: LoadLimits = defaultLimits,
): LoadResult {
  const early = beforeParsing(file, source, limits);
  if (early) return { diagnostics: [early] };
  const value = fastValue(source, limits.maxDepth);
  if (!value) return fullLoad(file, source, limits);
  let located: LoadedSpec["locate"] | undefined;
  const locate: LoadedSpec["locate"] = (pointer, part, offset) => {
    located ??= fullLoad(file, source, limits).spec?.locate ?? (() => ({ line: 1, col: 1 }));
    return located(pointer, part, offset);
  };
  return { spec: { file, source, value, locate }, diagnostics: [] };
}

/** The full path: the `yaml` library's document, every diagnostic, and the locator. */
export function fullLoad(file: string, source: string, limits: LoadLimits): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parse(source, lineCounter);
  if (!doc)
    return { diagnostics: [diag(file, "PG104", "the spec nests too deeply to parse", 1, 1)] };
  const pos: Position = (offset) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  // A syntax error stops here: whatever follows it (duplicate keys included) may be its echo.
  const syntax = doc.errors.filter((e) => e.code !== "DUPLICATE_KEY");
  if (syntax.length) return { diagnostics: syntaxDiagnostics(file, source, syntax, pos) };
  const unusable = unresolvedAlias(file, doc, pos) ?? unsupportedNode(file, source, doc, pos);
  if (unusable) return { diagnostics: [unusable] };
  // Duplicate keys leave a usable document: keep going so every other error is reported too.
  const diagnostics = duplicateKeys(file, source, doc, pos);
  // Depth after parsing covers block nesting, which the rough scan does not see.
  const tooDeep = findTooDeep(doc.contents as Node | null, limits.maxDepth);
  if (tooDeep) {
    const { line, col } = pos(tooDeep.range?.[0] ?? 0);
    return {
      diagnostics: [
        diag(file, "PG104", `the spec nests deeper than ${limits.maxDepth} levels`, line, col),
      ],
    };
  }
  const { value, diagnostic } = toValue(file, doc, limits);
  if (diagnostic) return { diagnostics: [diagnostic] };
  return { spec: { file, source, value, locate: locator(doc, source, pos) }, diagnostics };
}
