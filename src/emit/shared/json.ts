/**
 * Deterministic JSON: keys sorted by code unit (a leading "$comment" header stays first),
 * two-space indent, LF, final newline. The value is first checked and copied with its keys in
 * that order, then serialised by the engine's own JSON.stringify (several times faster than a
 * serialiser in JavaScript). JavaScript objects always enumerate integer-like keys ("2", "10")
 * first, whatever order they were added in: a value with such a key is serialised by hand.
 */
export function stableJson(value: unknown): string {
  const copy = sortedCopy(value);
  return (copy === integerKey ? write(value) : JSON.stringify(copy, null, 2)) + "\n";
}

/** JSON in the order the caller built it (for formats with a conventional key order, like Avro). */
export function orderedJson(value: unknown): string {
  check(value); // JSON.stringify enumerates keys as Object.keys does: the caller's order
  return JSON.stringify(value, null, 2) + "\n";
}

const compareKeys = (a: string, b: string) =>
  a === "$comment" ? -1 : b === "$comment" ? 1 : a < b ? -1 : a > b ? 1 : 0;

/** An array index as a key: JavaScript enumerates these first, so insertion order is lost. */
const isIndexKey = (k: string) => /^(?:0|[1-9]\d{0,9})$/.test(k) && Number(k) < 4294967295;

/** What sortedCopy returns when the value has an integer-like key somewhere. */
const integerKey = Symbol("integer-like key");

/** Throws for what JSON cannot hold; for a plain object, its keys (undefined values dropped). */
function checkedKeys(v: unknown): string[] | undefined {
  if (v === null || typeof v !== "object") {
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`cannot write ${v} as JSON`);
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean" && v !== null)
      throw new Error(`cannot write ${typeof v} as JSON`);
    return undefined;
  }
  if (Array.isArray(v)) return undefined;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null)
    throw new Error("only plain objects are written as JSON");
  return Object.keys(v);
}

/**
 * A copy with every object's keys in stableJson's order, or integerKey. Plain objects: faster to
 * build and to serialise than null-prototype ones; "__proto__" stays an own key.
 */
function sortedCopy(v: unknown): unknown {
  const keys = checkedKeys(v);
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = sortedCopy(v[i]);
      if (x === integerKey) return integerKey;
      out[i] = x;
    }
    return out;
  }
  if (!keys) return v;
  keys.sort(compareKeys);
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (o[k] === undefined) continue;
    if (isIndexKey(k)) return integerKey;
    const x = sortedCopy(o[k]);
    if (x === integerKey) return integerKey;
    if (k === "__proto__")
      Object.defineProperty(out, k, {
        value: x,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[k] = x;
  }
  return out;
}

/** Throws, as sortedCopy does, for what JSON cannot hold; copies nothing. */
function check(v: unknown): void {
  const keys = checkedKeys(v);
  if (Array.isArray(v)) for (const x of v) check(x);
  else if (keys)
    for (const k of keys)
      if ((v as Record<string, unknown>)[k] !== undefined) check((v as Record<string, unknown>)[k]);
}

/** The JSON text of an already checked v in stableJson's order, by hand, pieces joined once. */
function write(v: unknown): string {
  const out: string[] = [];
  put(v, "", out);
  return out.join("");
}

function put(v: unknown, indent: string, out: string[]): void {
  if (v === null || typeof v !== "object") return void out.push(JSON.stringify(v));
  const inner = indent + "  ";
  if (Array.isArray(v)) {
    if (v.length === 0) return void out.push("[]");
    for (let i = 0; i < v.length; i++) {
      out.push(i ? ",\n" : "[\n", inner);
      put(v[i], inner, out);
    }
    return void out.push("\n", indent, "]");
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  keys.sort(compareKeys);
  let any = false;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue;
    out.push(any ? ",\n" : "{\n", inner, JSON.stringify(k), ": ");
    any = true;
    put(x, inner, out);
  }
  out.push(any ? `\n${indent}}` : "{}");
}
