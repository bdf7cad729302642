// The template rules of the house: no value reaches a template unescaped, so every mustache in
// templates/ is a call of a typed helper (or a comment / block helper); and the Python that the
// templates render is already what `ruff format` writes and clean for `ruff check`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PositionEncoding, Workspace } from "@astral-sh/ruff-wasm-nodejs";
import Handlebars from "handlebars";
import { afterAll, describe, expect, it } from "vitest";
import { headerComment } from "../../../../src/emit/shared/header.js";
import { helpers, render } from "../../../../src/emit/shared/templates.js";
import type { Pipeline } from "../../../../src/ir/types.js";
import { inEngineCache } from "../../engine-cache.js";

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
    expect(templates).toContain("kafka/apply_topics.py.hbs");
  });

  it.each(templates)("%s: every mustache is a registered helper call", (name) => {
    const text = readFileSync(path.join(templatesRoot, name), "utf8");
    expect(scanTemplate(text)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Rendering apply_topics.py: ruff must find nothing to format and nothing to report.

const ruffOptions = {
  // No ruff configuration in the project: its e2e runs ruff's defaults (line length 88), py311.
  "line-length": 88,
  "target-version": "py311",
  lint: { select: ["E", "F", "W", "I", "B", "UP"] },
};
const ruff = new Workspace(ruffOptions, PositionEncoding.Utf16);

interface RuffDiagnostic {
  code: string | null;
  message: string;
  start_location: { row: number; column: number };
}
const lint = (source: string): Array<[number, string | null, string]> =>
  (ruff.check(source) as RuffDiagnostic[]).map((d) => [d.start_location.row, d.code, d.message]);

describe("the ruff workspace (self-test)", () => {
  it("reports what the selected rules report", () => {
    const codes = lint(`import os\nx = 1  \ny = "${"a".repeat(90)}"\n`).map(([, code]) => code);
    expect(codes).toEqual(expect.arrayContaining(["F401", "W291", "E501"]));
  });

  it("formats like ruff format", () => {
    expect(ruff.format("x = {'a':1}\n")).toBe('x = {"a": 1}\n');
  });
});

const header = (specFile: string, environment: string | null = null): string =>
  headerComment({ specFile, environment } as Pipeline);

const ordinary: ReadonlyArray<[string, Record<string, unknown>]> = [
  [
    "an env variable for the bootstrap servers",
    {
      header: header("specs/shop_orders.yaml"),
      pipeline: "shop_orders",
      bootstrapEnv: "KAFKA_BOOTSTRAP_SERVERS",
      bootstrapDefault: null,
    },
  ],
  [
    "a literal bootstrap default",
    {
      header: header("specs/iot_sensors.yaml", "prod"),
      pipeline: "iot_sensors",
      bootstrapEnv: null,
      bootstrapDefault: "kafka-1:9092,kafka-2:9092",
    },
  ],
  [
    "no bootstrap at all",
    {
      header: header("pipelines/user_activity.yml"),
      pipeline: "user_activity",
      bootstrapEnv: null,
      bootstrapDefault: null,
    },
  ],
];

/** Data a spec can put into the template: a hostile spec path and bootstrap default. */
const hostileData = {
  header: header(
    "specs/we\"ird 'name' `x` $HOME {{py_str x}} }} %s\ttab\r\nsecond line é 😀.yaml",
    "dev",
  ),
  pipeline: "p",
  bootstrapEnv: "KAFKA_BOOTSTRAP_SERVERS",
  bootstrapDefault:
    '\'q\' "dq" """ `b` \\ \\n \n \r\n \t \0 \x1b \x7f \u0085 \u2028 \u2029 \ufeff ' +
    "{{x}} }} */ # %s %(prog)s %% é 中 😀 \ud800 broker:9092",
};

describe("kafka/apply_topics.py.hbs rendered with ordinary data", () => {
  it.each(ordinary)("with %s: already ruff-formatted", (_name, data) => {
    const out = render("kafka/apply_topics.py.hbs", data);
    expect(ruff.format(out)).toBe(out);
  });

  it.each(ordinary)("with %s: ruff check (E,F,W,I,B,UP) reports nothing", (_name, data) => {
    const out = render("kafka/apply_topics.py.hbs", data);
    expect(lint(out)).toEqual([]);
  });
});

describe("kafka/apply_topics.py.hbs rendered with hostile data", () => {
  const out = render("kafka/apply_topics.py.hbs", hostileData);
  const lines = out.split("\n");
  // Lines that carry spec data: the header comment and the literal bootstrap default. Only
  // these may exceed the line length, and only because the data is long.
  const dataLines = new Set(
    lines.flatMap((l, i) =>
      (i < lines.findIndex((x) => x.startsWith('"""')) && l.startsWith("#")) ||
      l.startsWith("BOOTSTRAP_DEFAULT = ")
        ? [i + 1]
        : [],
    ),
  );

  it("is already ruff-formatted", () => {
    expect(ruff.format(out)).toBe(out);
  });

  it("ruff check reports nothing but long lines that carry long spec data", () => {
    const problems = lint(out).filter(([row, code]) => !(code === "E501" && dataLines.has(row)));
    expect(problems).toEqual([]);
  });

  it("the long-data E501 exemption above covers only the header's spec line and the bootstrap default", () => {
    const long = lint(out).filter(([, code]) => code === "E501");
    expect(
      long.map(([row]) =>
        lines[row - 1]!.startsWith("# Generated by pipegen from ")
          ? "header"
          : lines[row - 1]!.split(" = ")[0],
      ),
    ).toEqual(["header", "BOOTSTRAP_DEFAULT"]);
  });
});

// ---------------------------------------------------------------------------------------------
// The pinned ruff of the e2e venv (test/e2e/requirements.txt), when it is installed: the WASM
// build above may trail it by a patch release.

const venvRuff = inEngineCache("venv-e2e", "bin", "ruff");
const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

// In CI the engines (and this venv) are installed before the unit tests: never skipped there.
describe.skipIf(!existsSync(venvRuff) && !process.env.CI)(
  "the pinned ruff of the e2e venv agrees",
  () => {
    it.each(ordinary)("with %s: format --check and check pass", (_name, data) => {
      const dir = mkdtempSync(path.join(tmpdir(), "pipegen-ruff-"));
      scratch.push(dir);
      const file = path.join(dir, "apply_topics.py");
      writeFileSync(file, render("kafka/apply_topics.py.hbs", data));
      const common = ["--target-version", "py311", "--no-cache", "--isolated"];
      const format = spawnSync(venvRuff, ["format", "--check", "--diff", ...common, file], {
        encoding: "utf8",
      });
      expect(format.status, format.stdout + format.stderr).toBe(0);
      const check = spawnSync(venvRuff, ["check", "--select", "E,F,W,I,B,UP", ...common, file], {
        encoding: "utf8",
      });
      expect(check.status, check.stdout + check.stderr).toBe(0);
    });
  },
);
