// Test-only stand-in for the compiler core's rendering of templates/kafka/apply_topics.py.hbs:
// the same Handlebars options (noEscape, strict) with trivial versions of the typed helpers.
// The e2e tests use it for their hand-written manifests; generated/<pipeline>/kafka/ holds the
// core's own rendering, which the tests run as it is.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import Handlebars from "handlebars";
import { REPO_ROOT } from "./paths.js";

export interface ApplyTopicsContext {
  header: string;
  pipeline: string;
  bootstrapEnv: string | null;
  bootstrapDefault: string | null;
}

/** A Python string literal (a JSON string is one for the text the tests use). */
const pyStr = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`py_str: not a string: ${String(value)}`);
  return JSON.stringify(value);
};

export async function renderApplyTopics(context: ApplyTopicsContext): Promise<string> {
  const source = await readFile(join(REPO_ROOT, "templates/kafka/apply_topics.py.hbs"), "utf8");
  const hbs = Handlebars.create();
  hbs.registerHelper("py_comment", (text: unknown) =>
    String(text)
      .split("\n")
      .map((line) => (line ? `# ${line}` : "#"))
      .join("\n"),
  );
  hbs.registerHelper("py_str", pyStr);
  hbs.registerHelper("py_str_or_none", (value: unknown) => (value == null ? "None" : pyStr(value)));
  return hbs.compile(source, { noEscape: true, strict: true })(context);
}
