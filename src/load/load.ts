import {
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node,
  type ParsedNode,
} from "yaml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { offsetInScalar } from "./scalar.js";

/** Limits that cut malicious or accidental monsters off before they cost time or memory. */
export interface LoadLimits {
  maxBytes: number;
  maxDepth: number;
  maxAliasCount: number;
}

export const defaultLimits: LoadLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 48,
  maxAliasCount: 100,
};

/** A parsed spec with the means to turn a JSON pointer back into a source position. */
export interface LoadedSpec {
  file: string;
  source: string;
  value: unknown;
  /**
   * Position of the value (or, with part "key", of the key) at a JSON pointer; with `offset`,
   * of that character of a string value, when the value is on one line (else of the value).
   */
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

/** Deepest nesting of flow brackets or block indentation, measured without parsing. */
function roughDepth(source: string, stopAt: number): number {
  let depth = 0;
  let max = 0;
  let quote = "";
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (quote) {
      if (ch === "\\" && quote === '"') i++;
      else if (ch === quote) quote = "";
      else if (ch === "\n") quote = quote === "'" || quote === '"' ? quote : "";
      continue;
    }
    if (ch === '"' || ch === "'") {
      const prev = i > 0 ? source[i - 1] : " ";
      if (
        prev === " " ||
        prev === "[" ||
        prev === "{" ||
        prev === "," ||
        prev === ":" ||
        prev === "\n"
      )
        quote = ch;
    } else if (ch === "#") {
      const nl = source.indexOf("\n", i);
      i = nl < 0 ? source.length : nl - 1;
    } else if (ch === "[" || ch === "{") {
      if (++depth > max) max = depth;
      if (max > stopAt) return max;
    } else if (ch === "]" || ch === "}") depth = Math.max(0, depth - 1);
  }
  return max;
}

export function loadSpec(
  file: string,
  source: string,
  limits: LoadLimits = defaultLimits,
): LoadResult {
  const bytes = Buffer.byteLength(source, "utf8");
  if (bytes > limits.maxBytes) {
    return {
      diagnostics: [
        diag(
          file,
          "PG103",
          `the spec is ${bytes} bytes; the limit is ${limits.maxBytes}`,
          0,
          0,
          "split the pipeline into several specs, or check that this is the file you meant",
        ),
      ],
    };
  }
  if (roughDepth(source, limits.maxDepth) > limits.maxDepth) {
    return {
      diagnostics: [
        diag(
          file,
          "PG104",
          `the spec nests deeper than ${limits.maxDepth} levels`,
          1,
          1,
          "a pipeline spec never needs this much nesting; flatten it",
        ),
      ],
    };
  }
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(source, {
      lineCounter,
      uniqueKeys: true,
      prettyErrors: false,
      strict: true,
      version: "1.2",
      customTags: [],
    });
  } catch (e) {
    if (e instanceof RangeError) {
      return { diagnostics: [diag(file, "PG104", "the spec nests too deeply to parse", 1, 1)] };
    }
    throw e;
  }
  const pos = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const diagnostics: Diagnostic[] = [];
  for (const err of doc.errors) {
    const { line, col } = pos(err.pos[0]);
    const firstLine = err.message.split("\n")[0] ?? err.message;
    if (err.code === "DUPLICATE_KEY") {
      const keyText =
        /^("(?:[^"\\]|\\.)*"|'[^']*'|[^:,{}[\]#\n]+)/.exec(source.slice(err.pos[0]))?.[1]?.trim() ??
        "";
      diagnostics.push(
        diag(
          file,
          "PG102",
          `duplicate key${keyText ? ` '${keyText}'` : ""}: YAML keys must be unique in a mapping`,
          line,
          col,
          "remove one of the two entries or rename it; pipegen never guesses which one you meant",
        ),
      );
    } else {
      diagnostics.push(
        diag(file, "PG101", firstLine.replace(/ at line \d+, column \d+:?$/, ""), line, col),
      );
    }
  }
  // Duplicate keys leave a usable document: keep going so every other error is reported too.
  if (diagnostics.some((d) => d.code !== "PG102")) return { diagnostics };

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

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (e) {
    if (e instanceof ReferenceError || /alias/i.test(String(e))) {
      return {
        diagnostics: [
          diag(
            file,
            "PG105",
            `the spec expands YAML aliases more than ${limits.maxAliasCount} times`,
            1,
            1,
            "write the values out instead of nesting aliases",
          ),
        ],
      };
    }
    throw e;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      diagnostics: [
        diag(
          file,
          "PG106",
          "the spec must be a YAML mapping with at least 'pipegen: 1' and 'pipeline: <name>'",
          1,
          1,
        ),
      ],
    };
  }

  const locate = (pointer: string, part: "key" | "value" = "value", offset?: number) => {
    const parts = pointer === "" ? [] : pointer.slice(1).split("/").map(unescapePointer);
    let node: unknown = doc.contents;
    let lastOffset = (doc.contents as ParsedNode | null)?.range?.[0] ?? 0;
    for (let i = 0; i < parts.length; i++) {
      const seg = parts[i]!;
      const isLast = i === parts.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg,
        );
        if (!pair) break;
        const keyNode = pair.key as ParsedNode;
        if (isLast && part === "key") {
          lastOffset = keyNode.range?.[0] ?? lastOffset;
          break;
        }
        const v = pair.value as ParsedNode | null;
        lastOffset = v?.range?.[0] ?? keyNode.range?.[0] ?? lastOffset;
        node = v;
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)] as ParsedNode | undefined;
        if (!item) break;
        lastOffset = item.range?.[0] ?? lastOffset;
        node = item;
      } else break;
      if (isLast && offset !== undefined && isScalar(node))
        lastOffset = offsetInScalar(node, source, offset) ?? lastOffset;
    }
    return pos(lastOffset);
  };

  return { spec: { file, source, value, locate }, diagnostics };
}

function findTooDeep(root: Node | null, maxDepth: number): Node | undefined {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (isMap(node) || isSeq(node)) {
      if (depth > maxDepth) return node as Node;
      for (const it of node.items) {
        if (isPair(it)) stack.push([it.value, depth + 1]);
        else stack.push([it, depth + 1]);
      }
    }
  }
  return undefined;
}

export function unescapePointer(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function escapePointer(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function pointerOf(...parts: Array<string | number>): string {
  return parts.map((p) => "/" + escapePointer(String(p))).join("");
}
