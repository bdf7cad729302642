import type { ValueRef } from "../../ir/types.js";

/**
 * Escapers: every value from a spec reaches a generated file through one of these.
 * Each is exact for its target language and tested with hostile strings.
 */

// Characters that end a line for some reader (Python's str.splitlines, editors, JS).
const lineBreaks = /\r\n|[\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029]/;

function pyEscapeChar(ch: string, quote: string): string {
  switch (ch) {
    case "\\":
      return "\\\\";
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
    case quote:
      return "\\" + quote;
  }
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return "\\x" + cp.toString(16).padStart(2, "0");
  if (
    cp === 0x85 ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    (cp >= 0xd800 && cp <= 0xdfff) ||
    cp === 0xfeff
  )
    return "\\u" + cp.toString(16).padStart(4, "0");
  return ch;
}

/**
 * Nothing pyEscapeChar would change, and no quote (UTF-16 code units: any surrogate, paired or
 * not, takes the general path).
 */
const plainForPython = /^[^\\"'\u0000-\u001f\u007f\u0085\u2028\u2029\ud800-\udfff\ufeff]*$/;

/**
 * A Python string literal. Quotes follow `ruff format`: double quotes unless the value holds
 * more double than single quotes, so the output is already what the formatter would write.
 */
export function pyStr(value: string): string {
  // Most values hold nothing to escape and no quote: as they are, in double quotes.
  if (plainForPython.test(value)) return `"${value}"`;
  let dq = 0;
  let sq = 0;
  for (const ch of value) {
    if (ch === '"') dq++;
    else if (ch === "'") sq++;
  }
  const quote = dq > sq ? "'" : '"';
  let out = "";
  for (const ch of value) out += pyEscapeChar(ch, quote);
  return quote + out + quote;
}

/** A Python literal for JSON-like data (str, int, float, bool, None, list, dict), on one line. */
export function pyLiteral(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return pyStr(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a Python literal`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(", ")}]`;
  if (typeof value === "object")
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyStr(k)}: ${pyLiteral(v)}`)
      .join(", ")}}`;
  throw new Error(`cannot write a ${typeof value} as a Python literal`);
}

/** Python `# ` comment lines; no value can end the comment early or start code. */
export function pyComment(text: string): string {
  return (
    text
      .split(lineBreaks)
      .map((l) => l.replace(/[\u0000-\u001f\u007f\ud800-\udfff]/gu, "?"))
      // Python reads a "coding:" declaration from the first two comment lines: never write one.
      .map((l) => l.replace(/coding([:=])/g, "coding $1"))
      .map((l) => (l.trim() === "" ? "#" : `# ${l}`.trimEnd()))
      .join("\n")
  );
}

/** A Python identifier derived from a pipegen identifier (already [a-z][a-z0-9_]*). */
export function pyIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a Python identifier: ${name}`);
  return pythonKeywords.has(name) ? `${name}_` : name;
}

const pythonKeywords = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case type _".split(
    " ",
  ),
);

/**
 * A SQL string literal ('...' with doubled quotes). Backslashes are literal in standard SQL
 * (PostgreSQL, CQL); MySQL and MariaDB treat them as escapes by default, so they are doubled there.
 */
export function sqlStr(value: string, dialect: "postgres" | "mysql" | "cql" = "postgres"): string {
  if (value.includes("\u0000")) throw new Error("SQL strings cannot hold NUL");
  const v = dialect === "mysql" ? value.replace(/\\/g, "\\\\") : value;
  return `'${v.replace(/'/g, "''")}'`;
}

/** A quoted SQL identifier: "x" for PostgreSQL and Cassandra, `x` for MySQL. */
export function sqlIdent(name: string, dialect: "postgres" | "mysql" | "cql"): string {
  if (name.includes("\u0000")) throw new Error("identifiers cannot hold NUL");
  return dialect === "mysql" ? `\`${name.replace(/`/g, "``")}\`` : `"${name.replace(/"/g, '""')}"`;
}

/** A POSIX shell word in single quotes. */
export function shStr(value: string): string {
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** A run-time value as a Python expression; references read the environment when the program runs. */
export function pyValue(ref: ValueRef, orNone = false): string {
  const env = (name: string) =>
    orNone ? `os.environ.get(${pyStr(name)})` : `os.environ[${pyStr(name)}]`;
  switch (ref.kind) {
    case "literal":
      return pyStr(ref.value);
    case "env":
    case "secret":
      return env(ref.name);
    case "template": {
      const parts = ref.parts.map((p) =>
        typeof p === "string" ? pyStr(p) : `os.environ[${pyStr(p.name)}]`,
      );
      if (!orNone) return parts.join(" + ");
      const names = ref.parts
        .filter((p) => typeof p !== "string")
        .map((p) => `${pyStr((p as { name: string }).name)} in os.environ`);
      return `(${parts.join(" + ")}) if ${names.join(" and ")} else None`;
    }
  }
}
