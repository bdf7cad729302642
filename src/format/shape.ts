/**
 * The shape of a block of generated Python: the pipeline's name replaced, wherever it occurs,
 * by a placeholder of the same length, and so is each short hash pipegen derives from names
 * (ir/names.ts shortHash: 8 hex digits after an underscore, as in a staging table's
 * "pipegen_stage_<stream>_<hash>"), which differs in every pipeline. Across pipelines,
 * generated blocks differ mostly by the name (in DAG ids, task names, strings and comments),
 * and ruff lays a block out the same
 * whatever name it holds, given its length: the placeholder is made of the same kind of
 * characters (letters, so an identifier stays an identifier and a string keeps its content
 * class, and no keyword or pragma can appear), and only the width counts for line breaking. So a
 * block is formatted once per shape, and each block of that shape gets its own name and hashes
 * put back (python.ts). A hash is swapped only inside a word that starts with a letter (an
 * identifier, or a word in a string or comment), never in a number. The unit tests check that
 * this gives exactly what ruff gives, on every generated file and on random names.
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
export const shapeId = `name-shape/2 ${abstractable.source}`;

/** Eight hex digits ending a word that starts with a letter (never a number: 1_12345678). */
const hashToken = /(?<=\b[A-Za-z][A-Za-z0-9_]*_)[0-9a-f]{8}(?![0-9A-Za-z_])/g;
/**
 * What every hashToken match has, without the look-behind, which the engine tries at every
 * position: most blocks hold no hash, and this rules them out in one cheap scan.
 */
const maybeHash = /_[0-9a-f]{8}(?![0-9A-Za-z_])/;
/** The hashes' placeholders: "Hz" and 6 letters (the i-th in base 26). */
const hashPlaceholder = /Hz[a-z]{6}/;

export interface Swap {
  /** What the block holds (the name, or a hash). */
  token: string;
  /** What the shape holds instead: as long, of letters. */
  placeholder: string;
  /** How many times the block holds it. */
  count: number;
}

export interface Shape {
  /** The block with every swapped token replaced by its placeholder. */
  text: string;
  swaps: Swap[];
}

/**
 * The block's shape, or undefined when it holds neither the name nor a hash (or cannot be
 * shaped safely).
 */
export function shapeOf(block: string, name: string | undefined): Shape | undefined {
  const swaps: Swap[] = [];
  let text = block;
  if (name && abstractable.test(name) && !keywords.some((k) => k.includes(name))) {
    const n = count(block, name);
    const placeholder = `Qz${"q".repeat(name.length - 2)}`;
    if (n > 0) {
      if (block.includes(placeholder) || placeholder.includes(name)) return undefined;
      text = block.split(name).join(placeholder);
      // The name must not overlap itself (aaaa in aaaaa): then splitting is not a clean swap.
      if (count(text, placeholder) !== n) return undefined;
      swaps.push({ token: name, placeholder, count: n });
    }
  }
  if (!hashPlaceholder.test(text) && maybeHash.test(text)) text = swapHashes(text, swaps);
  return swaps.length ? { text, swaps } : undefined;
}

function swapHashes(text: string, swaps: Swap[]): string {
  const placeholders = new Map<string, Swap>();
  const out = text.replace(hashToken, (token) => {
    let swap = placeholders.get(token);
    if (!swap) {
      swap = { token, placeholder: `Hz${letters(placeholders.size)}`, count: 0 };
      placeholders.set(token, swap);
    }
    swap.count++;
    return swap.placeholder;
  });
  swaps.push(...placeholders.values());
  return out;
}

/** i in base 26 as 6 letters (aaaaaa, aaaaab, ...). */
function letters(i: number): string {
  let out = "";
  for (let k = 0; k < 6; k++, i = Math.floor(i / 26))
    out = String.fromCharCode(97 + (i % 26)) + out;
  return out;
}

/** The formatted shape with its tokens put back; undefined when a placeholder's count changed. */
export function fill(formatted: string, shape: Shape): string | undefined {
  let out = formatted;
  // Hashes first: putting the name back could make a hash placeholder's letters ("...H" + "z..."),
  // never the other way round (hashes are hex digits, the name's placeholder starts with "Qz").
  for (const s of [...shape.swaps].reverse()) {
    if (count(out, s.placeholder) !== s.count) return undefined;
    out = out.split(s.placeholder).join(s.token);
  }
  return out;
}

function count(text: string, part: string): number {
  let n = 0;
  for (let i = text.indexOf(part); i !== -1; i = text.indexOf(part, i + part.length)) n++;
  return n;
}
