import { distance } from "fastest-levenshtein";

/** The closest candidate within a small edit distance, for "did you mean". */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lw = word.toLowerCase();
  for (const c of candidates) {
    const d = c.toLowerCase() === lw ? 0 : distance(lw, c.toLowerCase());
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      best = c;
      bestD = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestD <= limit ? best : undefined;
}

/** A hint naming the closest candidate, or listing the candidates when few. */
export function didYouMean(word: string, candidates: readonly string[], what: string): string {
  const c = closest(word, candidates);
  if (c !== undefined) return `did you mean '${c}'?`;
  if (candidates.length === 0) return `no ${what} defined`;
  const sorted = [...candidates].sort();
  const shown = sorted.slice(0, 8).map((x) => `'${x}'`);
  return `known ${what}: ${shown.join(", ")}${sorted.length > 8 ? ", ..." : ""}`;
}
