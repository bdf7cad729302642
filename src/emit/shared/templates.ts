import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { HelperOptions } from "handlebars";
import { pyComment, pyLiteral, pyStr } from "./escape.js";

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
  py_bool: (v) => (v ? "True" : "False"),
};

type Render = (data: object) => string;
let hb: typeof import("handlebars") | undefined;
const cache = new Map<string, Render>();

/** Renders templates/<name> with noEscape and strict: values pass only through typed helpers. */
export function render(name: string, data: object): string {
  let fn = cache.get(name);
  if (!fn) {
    if (!hb) {
      hb = (require("handlebars") as typeof import("handlebars")).create();
      for (const [k, h] of Object.entries(helpers))
        hb.registerHelper(k, (...args: unknown[]) =>
          h(...(args.slice(0, -1) as unknown[]), args.at(-1) as HelperOptions),
        );
    }
    const text = readFileSync(new URL(name, templatesRoot), "utf8");
    fn = hb.compile(text, { noEscape: true, strict: true, knownHelpersOnly: false });
    cache.set(name, fn);
  }
  return fn(data);
}

export function templatePath(name: string): string {
  return new URL(name, templatesRoot).pathname;
}
