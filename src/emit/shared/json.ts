/**
 * Deterministic JSON: keys sorted by code unit (a leading "$comment" header stays first),
 * two-space indent, LF, final newline. Serialised by hand because JavaScript objects always
 * enumerate integer-like keys ("2", "10") first, whatever order they were added in.
 */
export function stableJson(value: unknown): string {
  return write(value, "", true) + "\n";
}

/** JSON in the order the caller built it (for formats with a conventional key order, like Avro). */
export function orderedJson(value: unknown): string {
  return write(value, "", false) + "\n";
}

const compareKeys = (a: string, b: string) =>
  a === "$comment" ? -1 : b === "$comment" ? 1 : a < b ? -1 : a > b ? 1 : 0;

function write(v: unknown, indent: string, sorted: boolean): string {
  if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`cannot write ${v} as JSON`);
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null)
      throw new Error("only plain objects are written as JSON");
  }
  if (v === null || typeof v !== "object") {
    const s = JSON.stringify(v);
    if (s === undefined) throw new Error(`cannot write ${typeof v} as JSON`);
    return s;
  }
  const inner = indent + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[\n${v.map((x) => inner + write(x, inner, sorted)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (sorted) entries.sort(([a], [b]) => compareKeys(a, b));
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${write(x, inner, sorted)}`).join(",\n")}\n${indent}}`;
}
