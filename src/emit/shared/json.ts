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
 * v with every object's keys in stableJson's order, or integerKey. An object or array that is
 * already in that order (nothing to drop, every key in place, every member unchanged) is
 * returned as it is; anything else is copied into plain objects, which are faster to build and
 * to serialise than null-prototype ones ("__proto__" stays an own key).
 */
function sortedCopy(v: unknown): unknown {
  const keys = checkedKeys(v);
  if (Array.isArray(v)) return arrayCopy(v);
  if (!keys) return v;
  const o = v as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  if (!inOrder(keys)) {
    keys.sort(compareKeys);
    out = {};
  }
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = o[k];
    if (x === undefined) {
      out ??= prefix(o, keys, i);
      continue;
    }
    if (isIndexKey(k)) return integerKey;
    const y = sortedCopy(x);
    if (y === integerKey) return integerKey;
    if (out === undefined && y !== x) out = prefix(o, keys, i);
    if (out !== undefined) setKey(out, k, y);
  }
  return out ?? v;
}

function arrayCopy(v: unknown[]): unknown {
  let out: unknown[] | undefined;
  for (let i = 0; i < v.length; i++) {
    const y = sortedCopy(v[i]);
    if (y === integerKey) return integerKey;
    if (out === undefined && y !== v[i]) out = v.slice(0, i);
    if (out !== undefined) out.push(y);
  }
  return out ?? v;
}

const inOrder = (keys: readonly string[]) => {
  for (let i = 1; i < keys.length; i++) if (compareKeys(keys[i - 1]!, keys[i]!) > 0) return false;
  return true;
};

/** A plain object with o's first n keys (in order, every value kept as it is). */
function prefix(o: Record<string, unknown>, keys: readonly string[], n: number) {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) setKey(out, keys[i]!, o[keys[i]!]);
  return out;
}

function setKey(out: Record<string, unknown>, k: string, x: unknown) {
  if (k === "__proto__")
    Object.defineProperty(out, k, {
      value: x,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else out[k] = x;
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
