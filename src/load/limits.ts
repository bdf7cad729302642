/** Limits that cut malicious or accidental monsters off before they cost time or memory. */
import { isMap, isPair, isSeq, type Node } from "yaml";

export { defaultLimits, type LoadLimits } from "./defaults.js";

/** Deepest nesting of flow brackets or block indentation, measured without parsing. */
export function roughDepth(source: string, stopAt: number): number {
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

/** The first map or sequence nested deeper than maxDepth (block nesting included), if any. */
export function findTooDeep(root: Node | null, maxDepth: number): Node | undefined {
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
