/**
 * JSON pointers into a parsed spec, and back from a pointer to the position in the source that
 * diagnostics show.
 */
import { isMap, isPair, isScalar, isSeq, visit, type Document, type ParsedNode } from "yaml";
import { offsetInScalar } from "./scalar.js";

export function unescapePointer(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function escapePointer(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function pointerOf(...parts: Array<string | number>): string {
  return parts.map((p) => "/" + escapePointer(String(p))).join("");
}

/** The position of the value (or key) at a JSON pointer; the deepest existing node when it is missing. */
export function locator(
  doc: Document.Parsed,
  source: string,
  pos: (offset: number) => { line: number; col: number },
) {
  return (pointer: string, part: "key" | "value" = "value", offset?: number) => {
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
}

/** The JSON pointer of every mapping key, by the offset where the key starts. */
export function keyPointers(doc: Document.Parsed): Map<number, string> {
  const out = new Map<number, string>();
  visit(doc, {
    Pair(_, pair, path) {
      const key = pair.key as ParsedNode | null;
      if (!key?.range) return;
      const parts: string[] = [];
      let child: unknown = pair;
      for (let i = path.length - 1; i >= 0; i--) {
        const parent = path[i];
        if (isPair(parent) && isScalar(parent.key) && child === parent.value)
          parts.unshift(String(parent.key.value));
        else if (isSeq(parent)) parts.unshift(String(parent.items.indexOf(child as never)));
        child = parent;
      }
      out.set(key.range[0], pointerOf(...parts, isScalar(key) ? String(key.value) : ""));
    },
  });
  return out;
}

/** Whether a document (plain values) has a value at the JSON pointer. */
export function hasPointer(value: unknown, pointer: string): boolean {
  let v = value;
  for (const seg of pointer.split("/").slice(1).map(unescapePointer)) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, seg)) return false;
    v = (v as Record<string, unknown>)[seg];
  }
  return true;
}
