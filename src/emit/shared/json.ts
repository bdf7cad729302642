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

const quoted = new Map<string, string>();
/** A key as JSON: keys repeat across every file, so each is quoted once per process. */
function quoteKey(k: string): string {
  let q = quoted.get(k);
  if (q === undefined) {
    q = JSON.stringify(k);
    if (quoted.size > 50_000) quoted.clear();
    quoted.set(k, q);
  }
  return q;
}

/** The JSON text of v: pieces pushed to one array and joined once (a flat string, no rope). */
function write(v: unknown, indent: string, sorted: boolean): string {
  const out: string[] = [];
  put(v, indent, sorted, out);
  return out.join("");
}

// Plain loops: it serialises every JSON file of every pipeline.
function put(v: unknown, indent: string, sorted: boolean, out: string[]): void {
  if (v === null || typeof v !== "object") {
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`cannot write ${v} as JSON`);
    const s = JSON.stringify(v);
    if (s === undefined) throw new Error(`cannot write ${typeof v} as JSON`);
    out.push(s);
    return;
  }
  const inner = indent + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) return void out.push("[]");
    for (let i = 0; i < v.length; i++) {
      out.push(i ? ",\n" : "[\n", inner);
      put(v[i], inner, sorted, out);
    }
    return void out.push("\n", indent, "]");
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null)
    throw new Error("only plain objects are written as JSON");
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (sorted) keys.sort(compareKeys);
  let any = false;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue;
    out.push(any ? ",\n" : "{\n", inner, quoteKey(k), ": ");
    any = true;
    put(x, inner, sorted, out);
  }
  out.push(any ? `\n${indent}}` : "{}");
}
