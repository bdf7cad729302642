/**
 * What is wrong with a `${...}` reference, in words: pipegen knows two, `${env:NAME}` and
 * `${secret:NAME}` (NAME in upper case), and a value that takes a secret takes exactly one
 * `${secret:NAME}` and nothing else.
 */
import { closest } from "../diagnostics/suggest.js";

export interface RefProblem {
  code: string;
  message: string;
  hint: string;
}

const secretHint = (name = "NAME") =>
  `provide ${name} at run time (Airflow connection or variable, NiFi sensitive parameter, environment variable)`;

/** An upper-case NAME made from what was written. */
const upper = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_]/g, "_") || "NAME";

/** The first `${...}` in the value that pipegen cannot read, with what to write instead. */
function badReference(value: string, kinds: readonly string[]): RefProblem | undefined {
  for (let i = value.indexOf("${"); i >= 0; i = value.indexOf("${", i + 2)) {
    const close = value.indexOf("}", i);
    const inner = close < 0 ? value.slice(i + 2) : value.slice(i + 2, close);
    const written = close < 0 ? value.slice(i) : value.slice(i, close + 1);
    const colon = inner.indexOf(":");
    const kind = colon < 0 ? "" : inner.slice(0, colon);
    const name = colon < 0 ? inner : inner.slice(colon + 1);
    const fixedKind = kinds.includes(kind) ? kind : closest(kind, kinds);
    const good = `\${${fixedKind ?? kinds[0]}:${upper(name.trim())}}`;
    const problem = (message: string, hint: string): RefProblem => ({
      code: "PG203",
      message: `'${written}' ${message}`,
      hint,
    });
    if (close < 0) return problem("has no closing '}'", `write '${good}'`);
    if (colon < 0)
      return problem(
        "names no kind of reference",
        `write '\${env:${upper(name)}}'${kinds.includes("secret") ? `, or '\${secret:${upper(name)}}' for a secret` : ""}`,
      );
    if (!kinds.includes(kind))
      return problem(
        `is not a reference pipegen knows (${kinds.map((k) => `'\${${k}:NAME}'`).join(" or ")})`,
        fixedKind
          ? `did you mean '${good}'?`
          : `write ${kinds.map((k) => `'\${${k}:NAME}'`).join(" or ")}`,
      );
    if (!/^[A-Z][A-Z0-9_]*$/.test(name))
      return problem(
        "has a NAME that is not upper case letters, digits and '_'",
        `write '${good}'`,
      );
  }
  return undefined;
}

/** A value that takes a secret: exactly one `${secret:NAME}`. */
export function secretProblem(value: unknown, where: string): RefProblem {
  const plain: RefProblem = {
    code: "PG303",
    message: `plaintext secret in ${where}: a secret must be a '\${secret:NAME}' reference`,
    hint: `secrets never appear in a spec: write '\${secret:NAME}' and ${secretHint()}`,
  };
  if (typeof value !== "string" || !value.includes("${")) return plain;
  const env = /^\$\{env:([A-Z][A-Z0-9_]*)\}$/.exec(value);
  if (env)
    return {
      code: "PG303",
      message: `${where} is a secret: it takes a '\${secret:NAME}' reference, not '\${env:...}'`,
      hint: `write '\${secret:${env[1]}}' and ${secretHint(env[1])}`,
    };
  const bad = badReference(value, ["secret"]);
  if (bad) return bad;
  return {
    code: "PG303",
    message: `${where} must be one '\${secret:NAME}' reference and nothing around it`,
    hint: `write the whole secret as one reference, e.g. '\${secret:NAME}', and ${secretHint()}`,
  };
}

/** A value that may hold `${env:NAME}` and `${secret:NAME}` references. */
export function referenceProblem(value: unknown): RefProblem | undefined {
  return typeof value === "string" ? badReference(value, ["env", "secret"]) : undefined;
}
