/**
 * YAML damage of the usual kinds, each at a line of a valid spec's text: a `${...}` unquoted in
 * a flow mapping, a tab in the indentation, a missing space after ':', a lost closing bracket
 * or quote, a line indented under a key that has a value, a line written twice, a lost ':'.
 * Each knows the line where its diagnostic must be.
 */

export interface Damage {
  kind: string;
  text: string;
  /** The line the first diagnostic must be on. */
  line: number;
}

type Damager = (lines: string[], i: number) => Damage | undefined;

const join = (lines: string[]) => lines.join("\n");

/** The text with line i replaced (or, with several, expanded). */
const replaced = (lines: string[], i: number, ...by: string[]) =>
  join([...lines.slice(0, i), ...by, ...lines.slice(i + 1)]);

/** A `key: value` line of a block mapping (the value on the line), with its parts. */
const blockEntry = (line: string) => /^(\s*)([A-Za-z_][\w.-]*): (\S.*)$/.exec(line);

const unquoteReference: Damager = (lines, i) => {
  const l = lines[i]!;
  const m = /"(\$\{[a-z]+:[A-Z][A-Z0-9_]*\})"/.exec(l);
  if (!m || !l.slice(0, m.index).includes("{")) return undefined;
  return {
    kind: "yaml: unquoted ${...} in a flow mapping",
    text: replaced(lines, i, l.replace(m[0], m[1]!)),
    line: i + 1,
  };
};

const tab: Damager = (lines, i) => {
  const m = /^( +)(\S.*)$/.exec(lines[i]!);
  return m
    ? { kind: "yaml: a tab in the indentation", text: replaced(lines, i, `\t${m[2]}`), line: i + 1 }
    : undefined;
};

const noSpaceAfterColon: Damager = (lines, i) => {
  const m = blockEntry(lines[i]!);
  if (!m || m[3]!.startsWith("#")) return undefined;
  return {
    kind: "yaml: no space after ':'",
    text: replaced(lines, i, `${m[1]}${m[2]}:${m[3]}`),
    line: i + 1,
  };
};

const lostBracket: Damager = (lines, i) => {
  const l = lines[i]!;
  if (!/^\s*[\w.-]+: [{[].*[}\]]\s*$/.test(l)) return undefined;
  const at = l.search(/[}\]]\s*$/);
  return {
    kind: "yaml: a lost closing bracket",
    text: replaced(lines, i, l.slice(0, at) + l.slice(at + 1)),
    line: i + 1,
  };
};

const lostQuote: Damager = (lines, i) => {
  const l = lines[i]!;
  const m = /: "([^"\\]*)"\s*$/.exec(l);
  if (!m) return undefined;
  return {
    kind: "yaml: a lost closing quote",
    text: replaced(lines, i, l.replace(/"\s*$/, "")),
    line: i + 1,
  };
};

/** A sibling `key: value` indented deeper than the `key: value` line above it. */
const overIndent: Damager = (lines, i) => {
  const prev = blockEntry(lines[i - 1] ?? "");
  const cur = blockEntry(lines[i]!);
  if (!prev || !cur || prev[1] !== cur[1]) return undefined;
  return {
    kind: "yaml: a line indented under a value",
    text: replaced(lines, i, `  ${lines[i]}`),
    line: i + 1,
  };
};

/** A `key: value` line written twice (a duplicate key). */
const twice: Damager = (lines, i) => {
  const m = blockEntry(lines[i]!);
  if (!m) return undefined;
  return {
    kind: "yaml: a line written twice",
    text: replaced(lines, i, lines[i]!, lines[i]!),
    line: i + 2,
  };
};

const lostColon: Damager = (lines, i) => {
  const m = blockEntry(lines[i]!);
  if (!m || /[:#{["']/.test(m[3]!)) return undefined;
  return {
    kind: "yaml: a lost ':'",
    text: replaced(lines, i, `${m[1]}${m[2]} ${m[3]}`),
    line: i + 1,
  };
};

/** An explicit YAML tag before a value. */
const tag: Damager = (lines, i) => {
  const m = blockEntry(lines[i]!);
  if (!m) return undefined;
  return {
    kind: "yaml: a tag",
    text: replaced(lines, i, `${m[1]}${m[2]}: !custom ${m[3]}`),
    line: i + 1,
  };
};

export const damagers: readonly Damager[] = [
  tag,
  unquoteReference,
  tab,
  noSpaceAfterColon,
  lostBracket,
  lostQuote,
  overIndent,
  twice,
  lostColon,
];

/** Every damage of every kind the text allows. */
export function damages(text: string): Damage[] {
  const lines = text.split("\n");
  const out: Damage[] = [];
  for (const d of damagers)
    for (let i = 0; i < lines.length; i++) {
      const x = d(lines, i);
      if (x) out.push(x);
    }
  return out;
}
