/** Deterministic JSON: keys sorted (a leading "$comment" header stays first), two-space indent, LF, final newline. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

/** JSON in the order the caller built it (for formats with a conventional key order, like Avro). */
export function orderedJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const keys = Object.keys(v).sort((a, b) =>
      a === "$comment" ? -1 : b === "$comment" ? 1 : a < b ? -1 : a > b ? 1 : 0,
    );
    const out: Record<string, unknown> = Object.create(null);
    for (const k of keys) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
