import type { ValueRef } from "../../ir/types.js";

/**
 * Airflow renders every string of an operator's (or notifier's) template fields with Jinja
 * when a task runs. A value from the spec that lands in such a field must render to itself:
 * these helpers write it as Jinja template text. (The result still goes through py_str.)
 */

/**
 * Template text that Jinja renders to exactly `value`: every "{" (the only character that
 * can open a tag, an expression or a comment with Airflow's delimiters) is written as the
 * expression {{ "{" }}, and line breaks as expressions too, since Jinja's lexer rewrites
 * CR and CRLF in template text to LF and an environment may drop a final newline.
 */
export function jinjaText(value: string): string {
  return value.replace(/[{\r\n]/g, (c) =>
    c === "{" ? '{{ "{" }}' : c === "\r" ? '{{ "\\r" }}' : '{{ "\\n" }}',
  );
}

const name = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkName(kind: string, value: string): string {
  if (!name.test(value)) throw new Error(`${kind} ${JSON.stringify(value)} is not a Jinja name`);
  return value;
}

/** The Airflow variable NAME, rendered when the task runs. */
export function jinjaVariable(variable: string): string {
  return `{{ var.value.${checkName("variable", variable)} }}`;
}

/** A secret: the Airflow variable NAME through the DAG's pipegen_secret filter (masked). */
export function jinjaSecret(variable: string): string {
  return `{{ var.value.${checkName("variable", variable)} | pipegen_secret }}`;
}

/** A key of an Airflow connection's extra, rendered when the task runs. */
export function jinjaConnectionExtra(connId: string, key: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(key)) throw new Error(`extra key ${JSON.stringify(key)}`);
  checkName("connection", connId);
  // conn.<id> fails with "The conn_id ... isn't defined"; "get" is the accessor's own method.
  const conn = connId === "get" ? 'conn.get("get")' : `conn.${connId}`;
  return `{{ ${conn}.extra_dejson["${key}"] }}`;
}

/** A run-time value of the spec as Jinja text: literal text, Airflow variables for references. */
export function jinjaValue(ref: ValueRef): string {
  const reference = (r: { kind: "env" | "secret"; name: string }) =>
    r.kind === "env" ? jinjaVariable(r.name) : jinjaSecret(r.name);
  switch (ref.kind) {
    case "literal":
      return jinjaText(ref.value);
    case "env":
    case "secret":
      return reference(ref);
    case "template":
      return ref.parts.map((x) => (typeof x === "string" ? jinjaText(x) : reference(x))).join("");
  }
}
