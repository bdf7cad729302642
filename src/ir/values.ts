import type { ValueRef } from "./types.js";

const unitMs: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** '30s' -> 30000. The schema has already checked the shape. */
export function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * unitMs[m[2]!]!;
}

const refRe = /\$\{(env|secret):([A-Z][A-Z0-9_]*)\}/g;

/** Parses a string that may hold ${env:NAME} / ${secret:NAME} references. */
export function valueRef(s: string): ValueRef {
  const whole = /^\$\{(env|secret):([A-Z][A-Z0-9_]*)\}$/.exec(s);
  if (whole) return { kind: whole[1] as "env" | "secret", name: whole[2]! };
  if (!s.includes("${")) return { kind: "literal", value: s };
  const parts: Array<string | { kind: "env" | "secret"; name: string }> = [];
  let last = 0;
  for (const m of s.matchAll(refRe)) {
    if (m.index! > last) parts.push(s.slice(last, m.index));
    parts.push({ kind: m[1] as "env" | "secret", name: m[2]! });
    last = m.index! + m[0].length;
  }
  if (last < s.length) parts.push(s.slice(last));
  return { kind: "template", parts };
}

/** True when a literal string carries credentials in a URI (scheme://user:password@host). */
export function hasInlineCredentials(s: string): boolean {
  const withoutRefs = s.replace(refRe, "REF");
  return (
    /[a-z][a-z0-9+.-]*:\/\/[^/@\s:]+:[^/@\s]+@/i.test(withoutRefs) &&
    !/:\/\/[^/@]*:REF@/.test(withoutRefs)
  );
}

/** Deeply freezes a value so no emitter can change the shared model. */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}
