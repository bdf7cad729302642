/**
 * The catalogue of diagnostic codes, for `pipegen explain`: for every code what it means, an
 * example that gives it (a unit test compiles each one and compares what pipegen says), the
 * fix, and the example fixed.
 */
import { type Code, codes } from "../codes.js";
import type { Diagnostic } from "../diagnostic.js";
import { formatDiagnostic } from "../format.js";
import { closest } from "../suggest.js";
import { loadEntries } from "./load.js";
import { meaningEntries } from "./meaning.js";
import { outputEntries } from "./output.js";
import { schemaEntries } from "./schema.js";
import { stackEntries } from "./stack.js";
import type { CatalogueEntry, Says } from "./types.js";

export type { CatalogueEntry, Example, Says } from "./types.js";

export const catalogue: { readonly [C in Code]: CatalogueEntry } = {
  ...loadEntries,
  ...schemaEntries,
  ...meaningEntries,
  ...outputEntries,
  ...stackEntries,
};

/** The code a person typed (PG201, pg201, 201), or undefined when there is none such. */
export function findCode(typed: string): Code | undefined {
  const code = `PG${typed.trim().replace(/^pg/i, "")}`;
  return Object.hasOwn(catalogue, code) ? (code as Code) : undefined;
}

/** "did you mean" for a code that does not exist. */
export function closestCode(typed: string): Code | undefined {
  return closest(typed.toUpperCase(), Object.keys(catalogue)) as Code | undefined;
}

/** The diagnostic an entry's example gives, as pipegen reports it. */
export function exampleDiagnostic(code: Code, says: Says = catalogue[code].says): Diagnostic {
  const m = /^(.*?)(?::(\d+):(\d+))?$/.exec(says.at)!;
  return {
    code,
    severity: says.severity ?? "error",
    message: says.message,
    file: m[1]!,
    line: Number(m[2] ?? 0),
    col: Number(m[3] ?? 0),
    pointer: "",
    ...(says.hint ? { hint: says.hint } : {}),
  };
}

const indent = (text: string) =>
  text
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => (l ? `    ${l}` : l))
    .join("\n");

const specsText = (specs: Readonly<Record<string, string>>, shown?: string) =>
  Object.entries(specs)
    .map(([file, text]) => `  ${file}:\n${indent(shown ?? text)}`)
    .join("\n\n");

/** The catalogue entry as `pipegen explain` prints it. */
export function explainText(code: Code, opts: { color: boolean }): string {
  const e = catalogue[code];
  const bold = (s: string) => (opts.color ? `\u001b[1m${s}\u001b[0m` : s);
  const sources = new Map(Object.entries(e.example.specs));
  const said = formatDiagnostic(exampleDiagnostic(code), { color: opts.color, sources });
  const command = [
    `pipegen ${e.example.command ?? "build"}`,
    ...(e.example.inputs ?? Object.keys(e.example.specs)),
    ...(e.example.env ? ["--env", e.example.env] : []),
  ].join(" ");
  const parts = [
    `${bold(`${code}: ${codes[code]}`)}\n\n${e.means}`,
    `${bold("Example")}${e.example.setup ? ` (${e.example.setup.says})` : ""}:` +
      (Object.keys(e.example.specs).length
        ? `\n\n${specsText(e.example.specs, e.example.shown)}`
        : ""),
    `${bold(`${command} says`)}:\n\n${indent(said)}`,
    `${bold("Fix")}: ${e.fix}`,
  ];
  if (e.fixed) parts.push(`${bold("Fixed")}:\n\n${specsText(e.fixed)}`);
  return parts.join("\n\n") + "\n";
}

/** The entry as data, for `pipegen explain --format json`. */
export function explainJson(code: Code) {
  const e = catalogue[code];
  return {
    code,
    title: codes[code],
    means: e.means,
    example: {
      specs: e.example.shown
        ? Object.fromEntries(Object.keys(e.example.specs).map((f) => [f, e.example.shown]))
        : e.example.specs,
      ...(e.example.setup ? { setup: e.example.setup.says } : {}),
      ...(e.example.env ? { env: e.example.env } : {}),
    },
    says: exampleDiagnostic(code),
    fix: e.fix,
    ...(e.fixed ? { fixed: e.fixed } : {}),
  };
}

/** Every code with its title, for `pipegen explain` without a code. */
export function codeList(): string {
  return (
    (Object.keys(codes) as Code[]).map((c) => `${c}  ${codes[c]}`).join("\n") +
    "\n\npipegen explain <code> prints what a code means, an example and the fix.\n"
  );
}
