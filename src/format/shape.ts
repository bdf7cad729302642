/**
 * The shape of a block of generated Python: the pipeline's name replaced, wherever it occurs,
 * by a placeholder of the same length. Across pipelines, generated blocks differ mostly by the
 * name (in DAG ids, task names, strings and comments), and ruff lays a block out the same
 * whatever name it holds, given its length: the placeholder is made of the same kind of
 * characters (letters, so an identifier stays an identifier and a string keeps its content
 * class, and no keyword or pragma can appear), and only the width counts for line breaking. So a
 * block is formatted once per shape, and each block of that shape gets its own name put back
 * (python.ts). The unit tests check that this gives exactly what ruff gives, on every generated
 * file and on random names.
 */

/** What may be abstracted: a pipeline name (the schema's pattern), 4 characters or more. */
const abstractable = /^[a-z][a-z0-9_]{3,}$/;

/** Python's keywords (soft ones too) of 4 characters or more: a name inside one is not swapped. */
const keywords = [
  "assert",
  "async",
  "await",
  "break",
  "case",
  "class",
  "continue",
  "elif",
  "else",
  "except",
  "finally",
  "from",
  "global",
  "import",
  "lambda",
  "match",
  "nonlocal",
  "pass",
  "raise",
  "return",
  "type",
  "while",
  "with",
  "yield",
];

/** Identifies the shaping (part of formatterId: the incremental layer's key). */
export const shapeId = `name-shape/1 ${abstractable.source}`;

export interface Shape {
  /** The block with every occurrence of the name replaced by the placeholder. */
  text: string;
  placeholder: string;
  name: string;
  /** How many times the name occurs. */
  count: number;
}

/** The block's shape, or undefined when it does not hold the name (or cannot be shaped safely). */
export function shapeOf(block: string, name: string | undefined): Shape | undefined {
  if (!name || !abstractable.test(name) || keywords.some((k) => k.includes(name))) return undefined;
  const n = count(block, name);
  if (n === 0) return undefined;
  const placeholder = `Qz${"q".repeat(name.length - 2)}`;
  if (block.includes(placeholder) || placeholder.includes(name)) return undefined;
  const text = block.split(name).join(placeholder);
  // The name must not overlap itself (aaaa in aaaaa): then splitting is not a clean swap.
  if (count(text, placeholder) !== n) return undefined;
  return { text, placeholder, name, count: n };
}

/** The formatted shape with the name put back; undefined when the placeholder count changed. */
export function fill(formatted: string, shape: Shape): string | undefined {
  if (count(formatted, shape.placeholder) !== shape.count) return undefined;
  return formatted.split(shape.placeholder).join(shape.name);
}

function count(text: string, part: string): number {
  let n = 0;
  for (let i = text.indexOf(part); i !== -1; i = text.indexOf(part, i + part.length)) n++;
  return n;
}
