import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ValueRef } from "../../ir/types.js";
import { pyComment, pyIdent, pyLiteral, pyStr, pyValue } from "./escape.js";

const require = createRequire(import.meta.url);
const templatesRoot = new URL("../../../templates/", import.meta.url);

/** Every helper a template may call; a bare {{value}} is refused by a test and by strict mode. */
export const helpers: Record<string, (...args: unknown[]) => string> = {
  py_str: (v) => pyStr(String(v)),
  py_str_or_none: (v) => (v === null || v === undefined ? "None" : pyStr(String(v))),
  py_literal: (v) => pyLiteral(v),
  py_comment: (v) => pyComment(String(v)),
  py_int: (v) => {
    if (!Number.isInteger(v)) throw new Error(`py_int: not an integer: ${String(v)}`);
    return String(v);
  },
  py_int_or_none: (v) => {
    if (v === null || v === undefined) return "None";
    if (!Number.isInteger(v)) throw new Error(`py_int_or_none: not an integer: ${String(v)}`);
    return String(v);
  },
  py_bool: (v) => {
    if (typeof v !== "boolean") throw new Error(`py_bool: not a boolean: ${String(v)}`);
    return v ? "True" : "False";
  },
  py_ident: (v) => pyIdent(String(v)),
  /** A list of strings as comma-separated Python string literals (call arguments). */
  py_str_args: (v) => {
    if (!Array.isArray(v)) throw new Error("py_str_args: not a list");
    return v.map((x) => pyStr(String(x))).join(", ");
  },
  /** A list of strings as a Python tuple literal: (), ("a",), ("a", "b"). */
  py_str_tuple: (v) => {
    if (!Array.isArray(v)) throw new Error("py_str_tuple: not a list");
    const items = v.map((x) => pyStr(String(x)));
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  },
  /** A ValueRef as a Python expression: a literal, or os.environ[...] for ${env:..} and ${secret:..}. */
  py_value: (v) => pyValue(v as ValueRef),
  /** Like py_value, but None instead of failing when an environment variable is unset (argparse defaults). */
  py_value_or_none: (v) => (v === null || v === undefined ? "None" : pyValue(v as ValueRef, true)),
};

type Render = (data: object) => string;
const knownHelpers = Object.fromEntries(Object.keys(helpers).map((k) => [k, true]));
let hb: typeof import("handlebars") | undefined;
const cache = new Map<string, Render>();

/** Renders templates/<name> with noEscape and strict: values pass only through typed helpers. */
export function render(name: string, data: object): string {
  let fn = cache.get(name);
  if (!fn) {
    if (!hb) {
      hb = (require("handlebars") as typeof import("handlebars")).create();
      // Partials: templates/<dir>/_<name>.py.hbs, included as {{> <dir>/_<name>}}.
      for (const dir of readdirSync(templatesRoot, { withFileTypes: true })) {
        if (!dir.isDirectory()) continue;
        for (const f of readdirSync(new URL(`${dir.name}/`, templatesRoot)))
          if (f.startsWith("_") && f.endsWith(".hbs"))
            hb.registerPartial(
              `${dir.name}/${f.replace(/\.py\.hbs$|\.hbs$/, "")}`,
              readFileSync(new URL(`${dir.name}/${f}`, templatesRoot), "utf8"),
            );
      }
      for (const [k, h] of Object.entries(helpers)) hb.registerHelper(k, h);
    }
    const text = readFileSync(new URL(name, templatesRoot), "utf8");
    // Known helpers are called directly, not looked up among the data's names at each use.
    fn = hb.compile(text, { noEscape: true, strict: true, knownHelpers });
    cache.set(name, fn);
  }
  return fn(data);
}

export function templatePath(name: string): string {
  return new URL(name, templatesRoot).pathname;
}
