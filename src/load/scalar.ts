/**
 * Where a character of a scalar's value is in the source: for a scalar written on one line,
 * plain or in quotes, the value's offset maps to a source offset (past the opening quote and
 * any escapes before it); for any other scalar (a block, several lines) there is no such map.
 */
import type { Scalar } from "yaml";

/** The source offset of character `at` (UTF-16) of the scalar's value, if it can be told. */
export function offsetInScalar(node: Scalar, source: string, at: number): number | undefined {
  const [start, end] = node.range ?? [];
  if (start === undefined || end === undefined || typeof node.value !== "string") return undefined;
  const raw = source.slice(start, end);
  if (/[\r\n]/.test(raw)) return undefined;
  const value = node.value;
  if (node.type === "PLAIN") return raw === value && at <= raw.length ? start + at : undefined;
  const steps =
    node.type === "QUOTE_SINGLE"
      ? singleQuoted(raw)
      : node.type === "QUOTE_DOUBLE"
        ? doubleQuoted(raw)
        : [];
  // steps[i]: where in `raw` the i-th UTF-16 unit of the value starts; steps[length]: the closing quote
  if (steps.length !== value.length + 1 || at > value.length) return undefined;
  return start + steps[at]!;
}

/** 'it''s': a doubled quote is one quote of the value. */
function singleQuoted(raw: string): number[] {
  if (!raw.startsWith("'") || !raw.endsWith("'") || raw.length < 2) return [];
  const steps: number[] = [];
  for (let i = 1; i < raw.length - 1; i += raw[i] === "'" ? 2 : 1) steps.push(i);
  steps.push(raw.length - 1);
  return steps;
}

const escapeLength: Record<string, number> = { x: 4, u: 6, U: 10 };

/** "a\tb\u00e9": an escape is one character of the value (two UTF-16 units past U+FFFF). */
function doubleQuoted(raw: string): number[] {
  if (!raw.startsWith('"') || !raw.endsWith('"') || raw.length < 2) return [];
  const steps: number[] = [];
  for (let i = 1; i < raw.length - 1;) {
    steps.push(i);
    if (raw[i] !== "\\") {
      i++;
      continue;
    }
    const len = escapeLength[raw[i + 1]!] ?? 2;
    if (raw[i + 1] === "U" && parseInt(raw.slice(i + 2, i + 10), 16) > 0xffff) steps.push(i);
    i += len;
  }
  steps.push(raw.length - 1);
  return steps;
}
