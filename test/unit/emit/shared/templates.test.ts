// The template rules of the house: no value reaches a template unescaped, so every mustache in
// templates/ is a call of a typed helper (or a comment / block helper). That the Python they
// render is what `ruff format` writes and clean for `ruff check` is checked on what each target
// renders (test/unit/emit/*.test.ts, test/unit/format/python.test.ts).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { describe, expect, it } from "vitest";
import { helpers } from "../../../../src/emit/shared/templates.js";

const templatesRoot = fileURLToPath(new URL("../../../../templates/", import.meta.url));

function listTemplates(dir: string, rel = ""): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => {
      const r = rel ? `${rel}/${e.name}` : e.name;
      return e.isDirectory() ? listTemplates(dir, r) : e.name.endsWith(".hbs") ? [r] : [];
    })
    .sort();
}

// ---------------------------------------------------------------------------------------------
// The scanner: parses a template with Handlebars' own parser and reports every statement that
// is not a comment, an allowed block helper (each/if/unless, with {{else}}) or a call of a
// registered helper with positional arguments that are plain paths or literals.

const blockHelpers = new Set(["each", "if", "unless"]);
const isHelper = (name: string) => Object.hasOwn(helpers, name);

interface Finding {
  line: number;
  column: number;
  problem: string;
}

type Node = hbs.AST.Node;

function where(node: Node): { line: number; column: number } {
  return { line: node.loc?.start.line ?? 0, column: node.loc?.start.column ?? 0 };
}

function checkParams(params: readonly Node[], hash: hbs.AST.Hash | undefined): string[] {
  const problems: string[] = [];
  for (const p of params) {
    if (p.type === "SubExpression") problems.push("a sub-expression as an argument");
    else if (
      ![
        "PathExpression",
        "StringLiteral",
        "NumberLiteral",
        "BooleanLiteral",
        "NullLiteral",
        "UndefinedLiteral",
      ].includes(p.type)
    )
      problems.push(`an argument of kind ${p.type}`);
  }
  if (hash && hash.pairs.length) problems.push("hash arguments (key=value)");
  return problems;
}

function pathName(p: Node): string {
  return p.type === "PathExpression" ? (p as hbs.AST.PathExpression).original : `<${p.type}>`;
}

function scanProgram(program: hbs.AST.Program | undefined, out: Finding[]): void {
  if (!program) return;
  for (const node of program.body) {
    switch (node.type) {
      case "ContentStatement":
      case "CommentStatement":
        break;
      case "MustacheStatement": {
        const m = node as hbs.AST.MustacheStatement;
        const name = pathName(m.path);
        const problems: string[] = [];
        if (!m.escaped) problems.push("triple-stash or {{& }}: say which helper escapes the value");
        if (!isHelper(name)) problems.push(`'${name}' is not a registered helper`);
        else if (m.params.length === 0) problems.push(`helper '${name}' called without a value`);
        problems.push(...checkParams(m.params, m.hash));
        for (const problem of problems) out.push({ ...where(m), problem });
        break;
      }
      case "BlockStatement": {
        const b = node as hbs.AST.BlockStatement;
        const name = pathName(b.path);
        if (!blockHelpers.has(name))
          out.push({ ...where(b), problem: `block '{{#${name}}}' is not each, if or unless` });
        else if (b.params.length !== 1)
          out.push({ ...where(b), problem: `block '{{#${name}}}' needs exactly one argument` });
        for (const problem of checkParams(b.params, b.hash)) out.push({ ...where(b), problem });
        scanProgram(b.program, out);
        scanProgram(b.inverse, out);
        break;
      }
      case "PartialStatement": {
        // A partial is a shared piece of template (templates/<dir>/_<name>.py.hbs); it takes
        // no arguments and is scanned as a file of its own.
        const p = node as hbs.AST.PartialStatement;
        const name =
          p.name.type === "PathExpression" ? (p.name as hbs.AST.PathExpression).original : "";
        if (!/^[a-z]+\/_[a-z_]+$/.test(name) || p.params.length || p.hash)
          out.push({
            ...where(node),
            problem: `partial '${name}' must be a plain {{> dir/_name}}`,
          });
        break;
      }
      default:
        // partial blocks, decorators, and anything a later Handlebars adds
        out.push({ ...where(node), problem: `${node.type} is not allowed in a template` });
    }
  }
}

/** Every mustache in `text` that is not allowed; throws if Handlebars cannot parse it. */
function scanTemplate(text: string): Finding[] {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parseWithoutProcessing(text);
  } catch (e) {
    // e.g. "}}}" closing a Python dict right after a helper call: a triple-stash close
    const line = Number(/on line (\d+)/.exec(String(e))?.[1] ?? 0);
    return [{ line, column: 0, problem: `Handlebars cannot parse it: ${String(e)}` }];
  }
  const out: Finding[] = [];
  scanProgram(program, out);
  return out;
}

describe("the template scanner (self-test)", () => {
  const flagged: ReadonlyArray<[string, string]> = [
    ["a bare value", "x = {{value}}\n"],
    ["a bare value with whitespace control", "x = {{~value~}}\n"],
    ["triple-stash", "x = {{{value}}}\n"],
    ["triple-stash around a helper", "x = {{{py_str value}}}\n"],
    ["ampersand (unescaped)", "x = {{&value}}\n"],
    ["a dotted path", "x = {{topic.name}}\n"],
    ["this", "{{#each xs}}{{this}}{{/each}}\n"],
    ["a built-in helper", '{{lookup map "k"}}\n'],
    ["log", "{{log value}}\n"],
    ["a prototype member as helper name", "{{constructor value}}\n"],
    ["a helper without a value", "{{py_str}}\n"],
    ["a helper with a sub-expression", "{{py_str (lookup map value)}}\n"],
    ["a helper with hash arguments", "{{py_str value quote=true}}\n"],
    ["with block", "{{#with x}}{{py_str y}}{{/with}}\n"],
    ["a block helper that is not allowed", "{{#py_str x}}y{{/py_str}}\n"],
    ["a partial outside templates/<dir>/_<name>", "{{> header}}\n"],
    ["a partial with a context", "{{> spark/_decode other}}\n"],
    ["a bare value inside each", "{{#each xs}}{{name}}{{/each}}\n"],
    ["a bare value in an else branch", "{{#if x}}{{py_str x}}{{else}}{{y}}{{/if}}\n"],
    ["a Python f-string with doubled braces", 'f"{{x}}"\n'],
    ["a helper call closed by a Python brace", '{"k": {{py_str x}}}\n'],
  ];
  it.each(flagged)("flags %s", (_name, text) => {
    expect(scanTemplate(text)).not.toEqual([]);
  });

  const allowed: ReadonlyArray<[string, string]> = [
    ["text only", "x = 1\n"],
    ["single braces (Python f-strings, dicts)", 'f"{x}" {"a": 1}\n'],
    ["a helper call", "x = {{py_str value}}\n"],
    ["a helper call with a dotted path", "x = {{py_literal topic.configs}}\n"],
    ["whitespace control", "x = {{~py_str value~}}\n"],
    ["a comment", "{{! a comment }}\n"],
    ["a long comment holding braces", "{{!-- {{value}} }} --}}\n"],
    ["each", "{{#each xs}}{{py_str this}}{{/each}}\n"],
    ["each with @index", "{{#each xs}}{{py_int @index}}{{/each}}\n"],
    ["if / else", "{{#if x}}{{py_str x}}{{else}}None{{/if}}\n"],
    ["else if", "{{#if x}}a{{else if y}}b{{/if}}\n"],
    ["unless", "{{#unless x}}y{{/unless}}\n"],
    ["whitespace-controlled blocks", "{{~#if x~}}a{{~else~}}b{{~/if~}}\n"],
    ["escaped mustache (literal text)", "\\{{value}}\n"],
  ];
  it.each(allowed)("allows %s", (_name, text) => {
    expect(scanTemplate(text)).toEqual([]);
  });
});

describe("templates/", () => {
  const templates = listTemplates(templatesRoot);

  it("holds templates", () => {
    expect(templates).toContain("airflow/ingestion_dag.py.hbs");
  });

  it.each(templates)("%s: every mustache is a registered helper call", (name) => {
    const text = readFileSync(path.join(templatesRoot, name), "utf8");
    expect(scanTemplate(text)).toEqual([]);
  });
});
