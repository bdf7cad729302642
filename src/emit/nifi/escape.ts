/**
 * Property values that NiFi reads back exactly. A NiFi property value is parsed twice: for
 * parameter references (`#{name}`, escaped as `##{`), and, where the property supports the
 * Expression Language, for expressions (`${...}`, escaped as `$${` with NiFi's own rules for
 * runs of `$`). NiFi also drops characters that XML 1.0 cannot hold (control characters other
 * than tab, LF and CR) from every property value. The rules below follow NiFi 2.8.0's
 * ExpressionLanguageAgnosticParameterParser, ExpressionLanguageAwareParameterParser,
 * EscapedParameterReference, Query.prepare and CharacterFilterUtils:
 *
 * - A value without `{` cannot start a reference or an expression: it is written as it is.
 * - In an EL property, a literal that holds `$` or `#` next to any `{` (its own, or that of a
 *   reference written beside it), or a character NiFi would drop, is written with every such
 *   character as an expression of its own: `${literal('$')}`, `${literal('#')}`, and
 *   `${literal('<base64>'):base64Decode()}`. What is left of the literal then holds neither `$`
 *   nor `#`, so neither parser sees anything in it. (A string literal inside an expression is
 *   itself parsed for `${` and backslash escapes, so only one-character literals and base64
 *   text are ever put inside quotes.)
 * - In a property without EL, only parameter references matter: a run of `#` just before a
 *   `{` that has a `}` after it is doubled, and every `#` up to that `}` too (NiFi turns each
 *   `##` of an escaped reference back into `#`).
 *
 * A parameter's value is never parsed for references; in an EL property NiFi does evaluate
 * expressions in it (Query.prepareWithParametersPreEvaluated), so parameter values pipegen
 * writes for EL properties go through `literalParameterValue`.
 */

/** A piece of a property value: literal text, a parameter reference, or an environment variable (EL only). */
export type Fragment = string | { param: string } | { env: string };

/** Characters NiFi removes from every property value (not in XML 1.0's Char production). */
// eslint-disable-next-line no-control-regex
const droppedByNifi = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/u;

/** Parameter names NiFi accepts: letters, digits, spaces, '.', '-' and '_'. */
const parameterName = /^[A-Za-z0-9 ._-]+$/;

/** Environment variable names pipegen writes into `${NAME}` expressions. */
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isParameterName(name: string): boolean {
  return parameterName.test(name);
}

function merge(parts: readonly Fragment[]): Fragment[] {
  const out: Fragment[] = [];
  for (const p of parts) {
    if (typeof p === "string" && p === "") continue;
    const last = out[out.length - 1];
    if (typeof p === "string" && typeof last === "string") out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

function refText(p: Exclude<Fragment, string>, el: boolean): string {
  if ("param" in p) {
    if (!isParameterName(p.param)) throw new Error(`not a NiFi parameter name: ${p.param}`);
    return `#{${p.param}}`;
  }
  if (!el) throw new Error(`\${${p.env}} needs a property that supports the Expression Language`);
  if (!envName.test(p.env)) throw new Error(`not an environment variable name: ${p.env}`);
  return `\${${p.env}}`;
}

/** One character (or a surrogate pair) as an expression whose value is exactly that text. */
function elChar(ch: string): string {
  if (ch === "$" || ch === "#") return `\${literal('${ch}')}`;
  const cp = ch.codePointAt(0)!;
  if (cp >= 0xd800 && cp <= 0xdfff) {
    throw new Error("a lone surrogate cannot be written into a NiFi property");
  }
  return `\${literal('${Buffer.from(ch, "utf8").toString("base64")}'):base64Decode()}`;
}

const elEscaped = /[$#\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/gu;

/** A non-EL literal with its parameter-reference look-alikes escaped (see the module comment). */
function escapeParameterSyntax(s: string): string {
  let out = "";
  let i = 0;
  while (i < s.length) {
    if (s[i] !== "#") {
      out += s[i];
      i++;
      continue;
    }
    let j = i;
    while (s[j] === "#") j++;
    const run = j - i;
    const close = s[j] === "{" ? s.indexOf("}", j) : -1;
    if (close < 0) {
      out += "#".repeat(run);
      i = j;
      continue;
    }
    // ##..{ ... } with every '#' doubled: NiFi reads the run as escapes and the rest as an
    // escaped reference whose '##' become '#'; it skips to the '}' without parsing further.
    out += "#".repeat(2 * run) + s.slice(j, close + 1).replace(/#/g, "##");
    i = close + 1;
  }
  return out;
}

/**
 * The raw value of a property that NiFi evaluates to exactly the concatenation of `parts`
 * (literal text, then each reference's value). `el`: whether the property supports the
 * Expression Language (its scope does not matter here).
 */
export function propertyValue(parts: readonly Fragment[], el: boolean): string {
  const merged = merge(parts);
  const literals = merged.filter((p): p is string => typeof p === "string");
  const hasRef = merged.some((p) => typeof p !== "string");
  const hasBrace = hasRef || literals.some((s) => s.includes("{"));
  if (el) {
    const escapeAll =
      literals.some((s) => droppedByNifi.test(s)) ||
      (hasBrace && literals.some((s) => /[$#]/.test(s)));
    return merged
      .map((p) =>
        typeof p === "string" ? (escapeAll ? p.replace(elEscaped, elChar) : p) : refText(p, true),
      )
      .join("");
  }
  if (literals.some((s) => droppedByNifi.test(s))) {
    throw new Error("NiFi drops control characters from a property without Expression Language");
  }
  if (!hasBrace || !literals.some((s) => s.includes("#"))) {
    return merged.map((p) => (typeof p === "string" ? p : refText(p, false))).join("");
  }
  if (merged.length === 1) return escapeParameterSyntax(merged[0] as string);
  // A literal '#' beside a reference in a property without EL: never needed by the emitter.
  throw new Error("cannot write '#' next to a parameter reference in a property without EL");
}

/** A literal property value (see propertyValue). */
export function literal(value: string, el: boolean): string {
  return propertyValue([value], el);
}

/**
 * The value of a parameter that pipegen writes and that EL properties reference: NiFi
 * evaluates expressions in it after substitution, so it is written like an EL literal.
 */
export function literalParameterValue(value: string, usedInEl: boolean): string {
  if (!usedInEl) {
    if (droppedByNifi.test(value)) throw new Error("NiFi drops control characters from parameters");
    return value;
  }
  return /[$#]/.test(value) || droppedByNifi.test(value) ? value.replace(elEscaped, elChar) : value;
}

/** Characters that may stand in an EL string literal as they are (no quote, backslash, '$', '{' ...). */
const plainElString = /^[A-Za-z0-9 _.,:;@+=/-]*$/;

/**
 * A boolean EL expression body (no `${` `}`) testing whether the attribute `attr` equals one
 * of `values` exactly. Plain values are compared as EL string literals; when any value holds
 * other characters, both sides are compared as base64 text (NiFi parses a string literal for
 * expressions and backslash escapes, so arbitrary text cannot be quoted safely).
 */
export function elAttributeIn(attr: string, values: readonly string[]): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(attr)) throw new Error(`attribute name ${attr}`);
  const plain = values.every((v) => plainElString.test(v));
  const subject = plain ? attr : `${attr}:base64Encode()`;
  const args = values.map((v) => `'${plain ? v : Buffer.from(v, "utf8").toString("base64")}'`);
  return args.length === 1 ? `${subject}:equals(${args[0]})` : `${subject}:in(${args.join(", ")})`;
}
