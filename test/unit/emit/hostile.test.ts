// Hostile specs through the public API: every free-text value that can reach a generated file
// (and a hostile spec file name, which the headers name) must come out exactly, in files that
// still parse: JSON with JSON.parse, Python with python3's own parser.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, hasErrors, type BuildResult } from "../../../src/api/index.js";

/** pipegen-runtime's sources: its apply program reads topics.json with the system python3. */
const runtimeSrc = fileURLToPath(new URL("../../../runtime/src/", import.meta.url));
const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `pipegen-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

/** The spec path as compile() shows it: relative to the cwd, or absolute when outside it. */
/** The spec path as the header shows it: every control or line-break character as "?". */
function sanitized(p: string): string {
  return p.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029\ud800-\udfff]/gu, "?");
}

function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), file).split(path.sep).join("/") || file;
  return rel.startsWith("..") ? file.split(path.sep).join("/") : rel;
}

/** Every file under dir, as POSIX paths relative to it. */
function listFiles(dir: string, rel = ""): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, r) : [r];
  });
}

/** Writes spec (an object, YAML-escaped by the yaml package, or YAML text) and builds it. */
function buildSpec(
  spec: object | string,
  fileName = "spec.yaml",
): { result: BuildResult; specFile: string; out: string } {
  const dir = tempDir("spec");
  const specFile = path.join(dir, fileName);
  writeFileSync(specFile, typeof spec === "string" ? spec : stringify(spec));
  const out = path.join(tempDir("out"), "generated");
  return { result: build([specFile], { out }), specFile, out };
}

interface PyFacts {
  error?: string;
  values?: Record<string, unknown>;
  statements?: string[];
  docstring?: string | null;
}

/**
 * Parses each file as Python does when it runs it (from bytes, so a coding cookie counts) and
 * literal_evals the module-level assignments named in `names`. One python3 process for all.
 */
function pythonFacts(files: readonly string[], names: readonly string[]): Record<string, PyFacts> {
  const code = String.raw`
import ast, json, sys
req = json.loads(sys.stdin.buffer.read().decode("utf-8"))
out = {}
for p in req["files"]:
    try:
        with open(p, "rb") as f:
            tree = ast.parse(f.read(), filename=p)
        values = {}
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in req["names"]
            ):
                values[node.targets[0].id] = ast.literal_eval(node.value)
        out[p] = {
            "values": values,
            "statements": [type(s).__name__ for s in tree.body[:1]],
            "docstring": ast.get_docstring(tree, clean=False),
        }
    except Exception as e:
        out[p] = {"error": repr(e)}
sys.stdout.write(json.dumps(out, ensure_ascii=True))
`;
  const r = spawnSync("python3", ["-c", code], {
    input: JSON.stringify({ files, names }),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`python3 exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, PyFacts>;
}

/** Every hostile ingredient at once; `|` separates them for readable failure diffs. */
const H = [
  "'single'",
  '"double"',
  '"""triple double"""',
  "'''triple single'''",
  "`backtick`",
  "back\\slash \\n \\x00 \\u2028 \\N{EM DASH} \\",
  "LF\nCRLF\r\nCR\rTAB\tNUL\0ESC\x1b[31mDEL\x7f",
  "NEL\u0085LS\u2028PS\u2029BOM\ufeffNBSP\u00a0",
  "{{py_str x}} }} {{{raw}}} {{! c}}",
  "${env:EVIL} ${secret:EVIL} ${HOME} $(id) $1",
  "*/ /* <!-- --> ]]>",
  "# not a comment",
  "%s %(prog)s %% {x} {{y}}",
  "__proto__ constructor prototype",
  "é 中 😀 🇫🇷",
  "lone \ud800 \udfff surrogates",
].join(" | ");

/** bootstrapServers is a stringOrRef: "${" may only open a reference, so it goes. */
const BOOT = H.replaceAll("${", "$ {");
const ENUM = [H, "", "a, b", "__proto__", "constructor", "{{py_str x}}"];
const enumDoc = `One of: ${ENUM.join(", ")}.`;

/** A file name with quotes, spaces, $, backtick, mustaches, %, tab, line breaks, non-ASCII. */
const hostileFileName =
  "sp\"ec 'q' $HOME `id` {{py_str x}} }} {{{raw}}} %s\ttab\u2028ls\r\nline2 é 😀.yaml";

const hostileSpec = {
  pipegen: 1,
  pipeline: "hostile",
  description: H,
  owner: H,
  platform: { kafka: { bootstrapServers: BOOT } },
  schemas: {
    rec: {
      key: ["id"],
      doc: `schema doc ${H}`,
      fields: {
        id: { type: "string", required: true, doc: `id doc ${H}` },
        status: { type: "string", enum: ENUM, doc: `status doc ${H}` },
        note: { type: "string", enum: ENUM },
        constructor: { type: "string", doc: H },
      },
    },
  },
  topics: {
    "orders.v1": {
      schema: "rec",
      partitions: 3,
      retention: "7d",
      doc: H,
      config: {
        "message.timestamp.type": H,
        "follower.replication.throttled.replicas": "__proto__",
        "leader.replication.throttled.replicas": "constructor",
        preallocate: true,
        "min.cleanable.dirty.ratio": 0.5,
      },
    },
    "raw-json": { format: "json", partitions: 1, doc: H },
  },
};

describe("a spec whose every free-text value is hostile, in a hostile file name", () => {
  let result: BuildResult;
  let specFile: string;
  let out: string;
  let files: string[];
  let header: string;

  beforeAll(() => {
    ({ result, specFile, out } = buildSpec(hostileSpec, hostileFileName));
    files = hasErrors(result.diagnostics) ? [] : listFiles(out);
    const topicsFile = path.join(out, "hostile/kafka/topics.json");
    header = hasErrors(result.diagnostics)
      ? ""
      : (JSON.parse(readFileSync(topicsFile, "utf8")) as { $comment: string }).$comment;
  });

  const json = (rel: string): Record<string, unknown> =>
    JSON.parse(readFileSync(path.join(out, rel), "utf8")) as Record<string, unknown>;

  it("builds without a diagnostic", () => {
    expect(result.diagnostics).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        "pipegen-manifest.json",
        "hostile/airflow/hostile_ingestion.py",
        "hostile/kafka/topics.json",
        "hostile/kafka/schemas/orders.v1.avsc",
      ]),
    );
  });

  it("every generated file is of a kind this test checks, and parses", () => {
    const py = files.filter((f) => f.endsWith(".py"));
    const facts = pythonFacts(
      py.map((f) => path.join(out, f)),
      [],
    );
    for (const f of files) {
      if (f.endsWith(".json") || f.endsWith(".avsc")) {
        const text = readFileSync(path.join(out, f), "utf8");
        expect(() => JSON.parse(text) as unknown, f).not.toThrow();
        expect(text.endsWith("}\n"), f).toBe(true);
      } else if (f.endsWith(".py")) {
        expect(facts[path.join(out, f)], f).not.toHaveProperty("error");
      } else if (f.endsWith("/README.md")) {
        // One HTML comment (the header, closed once), the picture, no other raw markup.
        const text = readFileSync(path.join(out, f), "utf8");
        const comment = text.split("\n")[0]!;
        expect(comment.startsWith("<!-- ") && comment.endsWith(" -->"), f).toBe(true);
        expect(comment.slice(4, -3), f).not.toContain("--");
        expect(text.match(/```mermaid\n/g), f).toHaveLength(1);
      } else {
        throw new Error(`${f}: no check for this kind of file; add one to hostile.test.ts`);
      }
    }
  });

  it("the header names the spec path (control characters as ?), in every JSON file; the manifest exactly", () => {
    const shown = shownPath(specFile);
    expect(header).toContain(sanitized(shown));
    expect(json("hostile/kafka/schemas/orders.v1.avsc").$comment).toBe(header);
    const manifest = json("pipegen-manifest.json") as {
      pipelines: Record<string, { spec: string }>;
    };
    expect(manifest.pipelines.hostile!.spec).toBe(shown);
  });

  it("the Avro schema carries the schema doc, field docs and enum values exactly", () => {
    const avsc = json("hostile/kafka/schemas/orders.v1.avsc") as {
      doc: string;
      namespace: string;
      fields: Array<{ name: string; doc?: string }>;
    };
    expect(avsc.doc).toBe(`schema doc ${H}`);
    expect(avsc.fields.map((f) => [f.name, f.doc])).toEqual([
      ["id", `id doc ${H}`],
      ["status", `status doc ${H} ${enumDoc}`],
      ["note", enumDoc],
      ["constructor", H],
    ]);
  });

  it("topics.json carries the config values exactly, as strings, keys sorted", () => {
    const manifest = json("hostile/kafka/topics.json") as {
      pipeline: string;
      topics: Array<{ name: string; configs: Record<string, string> }>;
    };
    expect(manifest.pipeline).toBe("hostile");
    expect(manifest.topics.map((t) => t.name)).toEqual(["orders.v1", "raw-json"]);
    const configs = manifest.topics[0]!.configs;
    expect(configs).toEqual({
      "follower.replication.throttled.replicas": "__proto__",
      "leader.replication.throttled.replicas": "constructor",
      "message.timestamp.type": H,
      "min.cleanable.dirty.ratio": "0.5",
      preallocate: "true",
      "retention.ms": "604800000",
    });
    expect(Object.keys(configs)).toEqual(Object.keys(configs).sort());
    const text = readFileSync(path.join(out, "hostile/kafka/topics.json"), "utf8");
    expect(text).toContain('"follower.replication.throttled.replicas": "__proto__"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("topics.json carries the bootstrap servers exactly, and the runtime's apply program reads them so", () => {
    const file = path.join(out, "hostile/kafka/topics.json");
    expect(json("hostile/kafka/topics.json").bootstrapServers).toEqual({
      env: null,
      default: BOOT,
    });
    const code = [
      "import json, sys",
      "from pathlib import Path",
      "from pipegen_runtime import kafka_apply",
      "manifest = kafka_apply.load_manifest(Path(sys.argv[1]))",
      "config = kafka_apply.client_config(manifest, {}, None, {})",
      "sys.stdout.write(json.dumps(config, ensure_ascii=True))",
    ].join("\n");
    const r = spawnSync("python3", ["-c", code, file], {
      encoding: "utf8",
      env: { ...process.env, PYTHONPATH: runtimeSrc, PYTHONDONTWRITEBYTECODE: "1" },
    });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({
      "client.id": "pipegen-apply-topics-hostile",
      "bootstrap.servers": BOOT,
    });
  });

  it("the ingestion DAG starts with comment lines naming the spec path, every one starting with #", () => {
    const text = readFileSync(path.join(out, "hostile/airflow/hostile_ingestion.py"), "utf8");
    const lines = text.split("\n");
    const docstring = lines.findIndex((l) => l.startsWith('"""'));
    const block = lines.slice(0, docstring);
    for (const line of block) expect(line.startsWith("#"), JSON.stringify(line)).toBe(true);
    // The header is exactly two lines whatever the path (its control characters become "?"),
    // then what the file needs of pipegen-runtime.
    expect(block.slice(0, 2)).toEqual([
      `# Generated by pipegen from ${sanitized(shownPath(specFile))}.`,
      "# Do not edit: change the spec and run pipegen build.",
    ]);
    expect(block.slice(2).join(" ")).toMatch(/^# Needs pipegen-runtime==\S+ in the Airflow/);
    const facts = pythonFacts([path.join(out, "hostile/airflow/hostile_ingestion.py")], []);
    expect(Object.values(facts)[0]!.statements).toEqual(["Expr"]);
  });

  it("a second build changes nothing (deterministic output)", () => {
    const again = build([specFile], { out });
    expect(again.diagnostics).toEqual([]);
    expect(again.plan?.changes).toEqual([]);
    expect(again.plan?.manifestChanged).toBe(false);
  });
});

describe("a spec file name that looks like a Python coding declaration", () => {
  it("cannot change how Python decodes the DAG file that names it", () => {
    const spec = { pipegen: 1, pipeline: "cookie", topics: { t: { partitions: 1 } } };
    const { result, out } = buildSpec(spec, "-*- coding: nope -*-.yaml");
    expect(result.diagnostics).toEqual([]);
    const file = path.join(out, "cookie/airflow/cookie_ingestion.py");
    expect(pythonFacts([file], [])[file]).not.toHaveProperty("error");
  });
});

describe("prototype-pollution-looking names", () => {
  const protoKeys = (): string[] => Object.getOwnPropertyNames(Object.prototype).sort();
  let before: string[];
  beforeAll(() => {
    before = protoKeys();
  });
  afterAll(() => {
    expect(protoKeys()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("'constructor' as pipeline, schema, field, topic and attribute name builds, twice", () => {
    const spec = {
      pipegen: 1,
      pipeline: "constructor",
      connections: { db: { type: "postgres", host: "h", database: "d", user: "u" } },
      schemas: {
        constructor: {
          key: ["constructor"],
          fields: { constructor: { type: "string", required: true, doc: "__proto__" } },
        },
      },
      topics: {
        constructor: {
          schema: "constructor",
          partitions: 1,
          config: { "message.timestamp.type": "constructor" },
        },
      },
      ingest: {
        load: {
          from: { connection: "db", table: "t", every: "1m" },
          steps: [
            {
              setAttributes: {
                constructor: "x",
                hasOwnProperty: "y",
                toString: "z",
                valueOf: "w",
                isPrototypeOf: "v",
              },
            },
          ],
          to: { topic: "constructor" },
        },
      },
    };
    const { result, specFile, out } = buildSpec(spec);
    expect(result.diagnostics).toEqual([]);
    const again = build([specFile], { out }); // reads back a manifest keyed by "constructor"
    expect(again.diagnostics).toEqual([]);
    expect(again.plan?.changes).toEqual([]);

    const read = (rel: string) => readFileSync(path.join(out, rel), "utf8");
    const avsc = JSON.parse(read("constructor/kafka/schemas/constructor.avsc")) as {
      name: string;
      fields: Array<{ name: string; doc: string }>;
    };
    expect(avsc.name).toBe("constructor");
    expect(avsc.fields).toEqual([{ name: "constructor", type: "string", doc: "__proto__" }]);
    const topics = JSON.parse(read("constructor/kafka/topics.json")) as {
      topics: Array<{ name: string; configs: Record<string, string> }>;
    };
    expect(topics.topics.map((t) => [t.name, t.configs])).toEqual([
      ["constructor", { "message.timestamp.type": "constructor" }],
    ]);
    const manifest = JSON.parse(read("pipegen-manifest.json")) as {
      pipelines: Record<string, { spec: string }>;
    };
    expect(Object.keys(manifest.pipelines)).toEqual(["constructor"]);
    expect(Object.hasOwn(manifest.pipelines, "constructor")).toBe(true);
    const entry = Object.getOwnPropertyDescriptor(manifest.pipelines, "constructor")?.value as {
      spec: string;
    };
    expect(entry.spec).toBe(shownPath(specFile));
  });

  it("'__proto__' and 'constructor' keys are refused with diagnostics, writing nothing", () => {
    const yamlText = [
      "pipegen: 1",
      "pipeline: evil",
      "__proto__: {polluted: yes}",
      "schemas:",
      "  __proto__: {fields: {polluted: {type: string}}}",
      "topics:",
      "  t:",
      "    partitions: 1",
      "    config:",
      "      __proto__: {polluted: yes}",
      "      constructor: {prototype: {polluted: yes}}",
      "      message.timestamp.type: {__proto__: {polluted: yes}}",
      "",
    ].join("\n");
    const { result, out } = buildSpec(yamlText);
    expect(hasErrors(result.diagnostics)).toBe(true);
    expect(result.outputs).toEqual([]);
    const pointers = result.diagnostics.map((d) => d.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        "/__proto__",
        "/schemas/__proto__",
        "/topics/t/config/__proto__",
        "/topics/t/config/constructor",
      ]),
    );
    expect(() => readdirSync(out)).toThrow(); // nothing was written, not even the folder
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("a top-level 'constructor' key is refused like any unknown key", () => {
    const { result } = buildSpec("pipegen: 1\npipeline: c\nconstructor: {prototype: {x: 1}}\n");
    expect(hasErrors(result.diagnostics)).toBe(true);
    expect(result.diagnostics.map((d) => d.pointer)).toContain("/constructor");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
