/**
 * Where a broken place is in a spec's text, found with the yaml package alone (not with
 * pipegen's locator, which is under test): the source range of the value at a JSON pointer,
 * or of its whole entry (key and value), and the offset of a diagnostic's line and column.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, type Node } from "yaml";

export interface Broken {
  /** JSON pointer of what was broken. */
  pointer: string;
  /** "entry": the key and its value (an unknown or missing key, a key's name); "value": the value. */
  part: "entry" | "value";
}

export interface Range {
  start: number;
  end: number;
}

const unescape = (s: string) => s.replace(/~1/g, "/").replace(/~0/g, "~");

/** The range of the value (or entry) at a pointer, in the text. */
export function rangeOf(text: string, broken: Broken): Range | undefined {
  const doc = parseDocument(text, { uniqueKeys: false });
  const parts = broken.pointer === "" ? [] : broken.pointer.slice(1).split("/").map(unescape);
  let node: unknown = doc.contents;
  let entry: Range | undefined;
  for (const seg of parts) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg,
      );
      if (!pair) return undefined;
      const k = (pair.key as Node).range!;
      const v = (pair.value as Node | null)?.range ?? k;
      entry = { start: k[0], end: Math.max(v[1], k[1]) };
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as Node | undefined;
      if (!item?.range) return undefined;
      entry = { start: item.range[0], end: item.range[1] };
      node = item;
    } else return undefined;
  }
  const value = (node as Node | null)?.range;
  if (broken.part === "entry") return entry ?? { start: 0, end: text.length };
  return value ? { start: value[0], end: value[1] } : entry;
}

/** The offset of a 1-based line and column in the text. */
export function offsetOf(text: string, line: number, col: number): number {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return text.length;
    start = nl + 1;
  }
  return start + col - 1;
}

/** The 1-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}
