/** Helpers the rules share. */

/** The keys only in `after`, only in `before`, and in both; each sorted. */
export function keyDiff<T>(
  before: Readonly<Record<string, T>>,
  after: Readonly<Record<string, T>>,
): { added: string[]; removed: string[]; common: string[] } {
  const b = Object.keys(before);
  const a = Object.keys(after);
  return {
    added: a.filter((k) => !Object.hasOwn(before, k)).sort(),
    removed: b.filter((k) => !Object.hasOwn(after, k)).sort(),
    common: a.filter((k) => Object.hasOwn(before, k)).sort(),
  };
}

/** Two JSON values are equal. */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/** A list in words: "a, b and c". */
export function words(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** Milliseconds in the largest whole unit: "7 days", "90 minutes". */
export function duration(ms: number): string {
  const units: Array<[number, string]> = [
    [604_800_000, "week"],
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1000, "second"],
  ];
  for (const [size, name] of units)
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}${ms === size ? "" : "s"}`;
  return `${ms} ms`;
}
