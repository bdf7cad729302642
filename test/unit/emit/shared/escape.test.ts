import fc from "fast-check";
// Exact tests for every escaper in src/emit/shared/escape.ts and the JSON writers in
// src/emit/shared/json.ts, plus round trips through the real readers: one python3 process
// evaluates every Python literal and parses every comment, one sh process echoes every word.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  pyComment,
  pyIdent,
  pyLiteral,
  pyStr,
  shStr,
  sqlIdent,
  sqlStr,
} from "../../../../src/emit/shared/escape.js";
import { orderedJson, stableJson } from "../../../../src/emit/shared/json.js";

/** Runs `python3 -c code` with `input` as JSON on stdin and returns its JSON stdout. */
function python(code: string, input: unknown): unknown {
  const r = spawnSync("python3", ["-c", code], {
    input: JSON.stringify(input), // lone surrogates become \udXXX escapes: stdin stays UTF-8
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`python3 exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const codePoints = (s: string): number[] => [...s].map((c) => c.codePointAt(0)!);
const hasLoneSurrogate = (s: string): boolean => /\p{Cs}/u.test(s);

/** Strings that have broken code generators: quotes, escapes, line ends, template syntax. */
const hostile: readonly string[] = [
  "",
  "plain",
  "it's",
  'say "hi"',
  `'a' "b"`,
  `"'`,
  `""'`,
  "'''",
  '"""',
  `"""'''`,
  "`id` and `rm -rf /`",
  "\\",
  "\\\\",
  "ends with a backslash\\",
  '\\"',
  "\\'",
  "\\n \\x41 \\u0041 \\N{EM DASH} \\0",
  "line1\nline2",
  "cr\rcrlf\r\nlf\n",
  "tab\there",
  "nul\0byte",
  Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join(""),
  "\x7f del \x80 \x9f c1",
  "\u0085 next line",
  "\u2028 line sep \u2029 para sep",
  "\ufeff bom",
  "\x0b vt \x0c ff \x1c \x1d \x1e",
  "\ud800 lone high",
  "lone low \udfff",
  "\udc00\ud800 reversed pair",
  "😀 emoji 🇫🇷 flag \u{10ffff} max",
  "é 中 ü Ω",
  "\u00a0nbsp\u3000ideographic",
  "\ufffe\uffff nonchars",
  "*/ /* <!-- --> ]]>",
  "{{py_str x}} }} {{{raw}}} {{!c}}",
  "${HOME} ${env:X} $(id) $1",
  "__proto__",
  "constructor",
  "%s %(prog)s %% {x} {{y}} f'{z}'",
  "# not a comment",
  "#!/bin/sh\nimport os; os.system('id')",
  "x".repeat(500) + '"' + "'".repeat(2),
];

describe("pyStr", () => {
  const cases: ReadonlyArray<[string, string, string]> = [
    ["empty", "", `""`],
    ["plain", "hello", `"hello"`],
    ["apostrophe stays unescaped in double quotes", "it's", `"it's"`],
    ["more double quotes: single quotes", 'say "hi"', `'say "hi"'`],
    ["tie 1:1: double quotes, the double one escaped", `"'`, String.raw`"\"'"`],
    ["tie 2:2: double quotes", `'a' "b"`, String.raw`"'a' \"b\""`],
    ["2 double vs 1 single: single quotes, the single one escaped", `""'`, String.raw`'""\''`],
    ["triple double quotes", '"""', `'"""'`],
    ["triple single quotes", "'''", `"'''"`],
    ["3:3 triples: double quotes", `"""'''`, String.raw`"\"\"\"'''"`],
    ["backtick", "`id`", '"`id`"'],
    ["backslash", "a\\b", String.raw`"a\\b"`],
    ["trailing backslash", "end\\", String.raw`"end\\"`],
    ["backslash then double quote", '\\"', String.raw`'\\"'`],
    ["backslash then single quote", "\\'", String.raw`"\\'"`],
    [
      "escape look-alikes stay literal",
      "\\n\\x41\\u0041\\N{EM DASH}",
      String.raw`"\\n\\x41\\u0041\\N{EM DASH}"`,
    ],
    ["newline", "a\nb", String.raw`"a\nb"`],
    ["carriage return", "a\rb", String.raw`"a\rb"`],
    ["CRLF", "\r\n", String.raw`"\r\n"`],
    ["tab", "a\tb", String.raw`"a\tb"`],
    ["NUL", "\0", String.raw`"\x00"`],
    ["C0 controls", "\x01\x07\x08\x0b\x0c\x1b\x1f", String.raw`"\x01\x07\x08\x0b\x0c\x1b\x1f"`],
    ["DEL", "\x7f", String.raw`"\x7f"`],
    ["C1 controls other than NEL stay literal", "\x80\x9f", '"\x80\x9f"'],
    ["NEL U+0085", "\u0085", String.raw`"\u0085"`],
    ["LS U+2028 and PS U+2029", "\u2028\u2029", String.raw`"\u2028\u2029"`],
    ["BOM U+FEFF", "\ufeff", String.raw`"\ufeff"`],
    ["lone high surrogate", "a\ud800b", String.raw`"a\ud800b"`],
    ["lone low surrogate", "\udfff", String.raw`"\udfff"`],
    ["reversed pair: two lone surrogates", "\udc00\ud800", String.raw`"\udc00\ud800"`],
    ["emoji (a valid pair) stays literal", "😀", '"😀"'],
    ["flag and max code point stay literal", "🇫🇷\u{10ffff}", '"🇫🇷\u{10ffff}"'],
    ["non-ASCII stays literal", "é 中", '"é 中"'],
    ["NBSP stays literal", "\u00a0", '"\u00a0"'],
    ["comment close", "*/", '"*/"'],
    ["mustaches", "{{x}} }} {{{y}}}", '"{{x}} }} {{{y}}}"'],
    ["interpolation syntax", "${HOME} ${env:X} $(id)", '"${HOME} ${env:X} $(id)"'],
    ["__proto__", "__proto__", '"__proto__"'],
    ["percent formats", "%s %(x)s %%", '"%s %(x)s %%"'],
    ["f-string braces", "{x} {{y}}", '"{x} {{y}}"'],
    ["hash", "# x", '"# x"'],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    expect(pyStr(input)).toBe(expected);
  });

  it("writes what the code-point-by-code-point definition writes, for any string (fast path included)", () => {
    const definition = (v: string) => {
      const cps = [...v];
      const quote =
        cps.filter((c) => c === '"').length > cps.filter((c) => c === "'").length ? "'" : '"';
      const named: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
      const hex = (cp: number, w: number) => cp.toString(16).padStart(w, "0");
      const esc = (c: string) => {
        const cp = c.codePointAt(0)!;
        if (named[c]) return named[c];
        if (c === quote) return "\\" + quote;
        if (cp < 0x20 || cp === 0x7f) return "\\x" + hex(cp, 2);
        if ([0x85, 0x2028, 0x2029, 0xfeff].includes(cp) || (cp >= 0xd800 && cp <= 0xdfff))
          return "\\u" + hex(cp, 4);
        return c;
      };
      return quote + cps.map(esc).join("") + quote;
    };
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary" }),
      fc.string({ unit: fc.constantFrom("a", " ", '"', "'", "\\", "\n", "\u2028", "\ud800", "é") }),
    );
    fc.assert(
      fc.property(text, (v) => {
        expect(pyStr(v)).toBe(definition(v));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("pyLiteral", () => {
  const cases: ReadonlyArray<[string, unknown, string]> = [
    ["null", null, "None"],
    ["undefined", undefined, "None"],
    ["true", true, "True"],
    ["false", false, "False"],
    ["zero", 0, "0"],
    ["negative int", -7, "-7"],
    ["float", 1.5, "1.5"],
    ["big float", 1e21, "1e+21"],
    ["small float", 5e-7, "5e-7"],
    ["2^53", 2 ** 53, "9007199254740992"],
    ["string", "it's", `"it's"`],
    ["string with more double quotes", 'a "b"', `'a "b"'`],
    ["empty list", [], "[]"],
    ["list", [1, "a", null, true], `[1, "a", None, True]`],
    ["nested lists", [[{}], []], "[[{}], []]"],
    ["empty dict", {}, "{}"],
    ["dict keeps insertion order", { b: 1, a: [false] }, `{"b": 1, "a": [False]}`],
    ["dict keys are escaped like values", { 'say "x"': "it's" }, `{'say "x"': "it's"}`],
    [
      "control characters in keys and values",
      { "a\nb": "\u2028\0" },
      String.raw`{"a\nb": "\u2028\x00"}`,
    ],
    [
      "__proto__ as an own key (from JSON)",
      JSON.parse('{"__proto__": {"polluted": 1}}'),
      `{"__proto__": {"polluted": 1}}`,
    ],
    [
      "constructor as a key",
      Object.assign(Object.create(null), { constructor: "x" }),
      `{"constructor": "x"}`,
    ],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    expect(pyLiteral(input)).toBe(expected);
  });

  const refused: ReadonlyArray<[string, unknown]> = [
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["-Infinity", -Infinity],
    ["NaN inside a list", [1, NaN]],
    ["bigint", 10n],
    ["symbol", Symbol("s")],
    ["function", () => 1],
  ];
  it.each(refused)("refuses %s", (_name, input) => {
    expect(() => pyLiteral(input)).toThrow();
  });

  it("leaves Object.prototype alone", () => {
    pyLiteral(JSON.parse('{"__proto__": {"polluted": 1}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("pyComment", () => {
  const cases: ReadonlyArray<[string, string, string]> = [
    ["plain", "hello", "# hello"],
    ["empty", "", "#"],
    ["blank", "   ", "#"],
    ["leading spaces kept", "  indented", "#   indented"],
    ["trailing spaces dropped", "trailing   ", "# trailing"],
    ["LF", "a\nb", "# a\n# b"],
    ["CRLF", "a\r\nb", "# a\n# b"],
    ["CR", "a\rb", "# a\n# b"],
    ["LF CR is two breaks", "a\n\rb", "# a\n#\n# b"],
    ["blank line in the middle", "a\n\nb", "# a\n#\n# b"],
    ["trailing newline", "a\n", "# a\n#"],
    ["VT and FF break lines", "a\x0bb\x0cc", "# a\n# b\n# c"],
    ["FS GS RS break lines", "a\x1cb\x1dc\x1ed", "# a\n# b\n# c\n# d"],
    ["NEL U+0085 breaks lines", "a\u0085b", "# a\n# b"],
    ["LS U+2028 and PS U+2029 break lines", "a\u2028b\u2029c", "# a\n# b\n# c"],
    ["tab becomes ?", "a\tb", "# a?b"],
    ["NUL becomes ?", "nul\0x", "# nul?x"],
    ["ESC becomes ?", "\x1b[31mred", "# ?[31mred"],
    ["DEL becomes ?", "a\x7fb", "# a?b"],
    ["other C0 become ?", "\x01\x08\x1f", "# ???"],
    ["C1 other than NEL stays", "a\x80b", "# a\x80b"],
    ["quotes stay", `'a' "b" """c""" \`d\``, `# 'a' "b" """c""" \`d\``],
    ["backslash stays", "a\\nb\\", "# a\\nb\\"],
    ["comment close stays", "*/", "# */"],
    ["mustaches stay", "{{x}} }}", "# {{x}} }}"],
    ["interpolation stays", "${HOME} $(id)", "# ${HOME} $(id)"],
    ["a hash stays", "# x", "# # x"],
    ["code on the next line stays a comment", "x\nimport os", "# x\n# import os"],
    ["BOM stays", "\ufeffx", "# \ufeffx"],
    ["a lone surrogate (not writable as UTF-8) becomes ?", "a\ud800b", "# a?b"],
    ["non-ASCII stays", "é 中 😀", "# é 中 😀"],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    expect(pyComment(input)).toBe(expected);
  });

  it("every line of every output starts with #", () => {
    for (const s of hostile)
      for (const line of pyComment(s).split("\n")) expect(line.startsWith("#"), line).toBe(true);
  });
});

describe("pyIdent", () => {
  const cases: ReadonlyArray<[string, string]> = [
    ["ok", "ok"],
    ["snake_case_1", "snake_case_1"],
    ["Upper", "Upper"],
    ["_private", "_private"],
    ["__proto__", "__proto__"],
    ["constructor", "constructor"],
    ["print", "print"],
    ["class", "class_"],
    ["None", "None_"],
    ["True", "True_"],
    ["lambda", "lambda_"],
    ["async", "async_"],
    ["await", "await_"],
    ["nonlocal", "nonlocal_"],
    ["match", "match_"],
    ["case", "case_"],
    ["type", "type_"],
    ["_", "__"],
  ];
  it.each(cases)("%s -> %s", (input, expected) => {
    expect(pyIdent(input)).toBe(expected);
  });

  const refused = ["", "1a", "a-b", "a b", "a.b", "é", "a\n", "\na", "a\0", "${x}", "a'"];
  it.each(refused.map((s) => [JSON.stringify(s), s]))("refuses %s", (_name, input) => {
    expect(() => pyIdent(input)).toThrow();
  });
});

describe("sqlStr", () => {
  const cases: ReadonlyArray<[string, string, string]> = [
    ["empty", "", "''"],
    ["plain", "abc", "'abc'"],
    ["single quote doubled", "it's", "'it''s'"],
    ["two single quotes", "''", "''''''"],
    ["double quote stays", 'a"b', `'a"b'`],
    ["backslash is literal (standard SQL)", "a\\b\\", "'a\\b\\'"],
    ["backslash before a quote", "\\'", "'\\'''"],
    ["newline stays", "a\nb", "'a\nb'"],
    ["non-ASCII stays", "é 中 😀", "'é 中 😀'"],
    ["comment syntax stays inside the literal", "x'; DROP TABLE t; --", "'x''; DROP TABLE t; --'"],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    expect(sqlStr(input)).toBe(expected);
  });
  it("refuses NUL", () => {
    expect(() => sqlStr("a\0b")).toThrow();
  });
});

describe("sqlIdent", () => {
  const cases: ReadonlyArray<[string, "postgres" | "mysql" | "cql", string]> = [
    ["a", "postgres", '"a"'],
    ["a", "cql", '"a"'],
    ["a", "mysql", "`a`"],
    ['a"b', "postgres", '"a""b"'],
    ['a"b', "cql", '"a""b"'],
    ['a"b', "mysql", '`a"b`'],
    ["a`b", "mysql", "`a``b`"],
    ["a`b", "postgres", '"a`b"'],
    ["it's", "postgres", `"it's"`],
    ["it's", "mysql", "`it's`"],
    ['""', "postgres", '""""""'],
    ["``", "mysql", "``````"],
    ["Mixed Case", "postgres", '"Mixed Case"'],
    ["é", "cql", '"é"'],
  ];
  it.each(cases)("%s (%s)", (input, dialect, expected) => {
    expect(sqlIdent(input, dialect)).toBe(expected);
  });
  it.each(["postgres", "mysql", "cql"] as const)("refuses NUL (%s)", (dialect) => {
    expect(() => sqlIdent("a\0b", dialect)).toThrow();
  });
});

describe("shStr", () => {
  const cases: ReadonlyArray<[string, string, string]> = [
    ["empty", "", "''"],
    ["plain", "abc", "'abc'"],
    ["single quote", "it's", `'it'"'"'s'`],
    ["only a single quote", "'", `''"'"''`],
    ["expansions stay literal", "$HOME `id` $(id) ${x}", "'$HOME `id` $(id) ${x}'"],
    ["backslash and double quote stay", '\\ "', `'\\ "'`],
    ["newline stays", "a\nb", "'a\nb'"],
    ["glob and operators stay", "* ? [a] ; & | > <", "'* ? [a] ; & | > <'"],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    expect(shStr(input)).toBe(expected);
  });

  it("round-trips through sh (argv cannot hold NUL or lone surrogates)", () => {
    const words = hostile.filter((s) => !s.includes("\0") && !hasLoneSurrogate(s));
    const script = `printf '%s\\000' ${words.map(shStr).join(" ")}`;
    const r = spawnSync("sh", ["-c", script], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(words);
  });
});

describe("Python round trip (one python3 process)", () => {
  // For each value: the literal must be exactly one STRING token (no implicit concatenation,
  // no f-string), and ast.literal_eval must give back the same code points.
  const code = String.raw`
import ast, io, json, sys, tokenize

def tokens(src):
    skip = {tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER}
    return [t for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type not in skip]

def lit(src):
    ts = tokens(src)
    return {
        "tokens": [tokenize.tok_name[t.type] for t in ts],
        "value": ast.literal_eval(src),
    }

def cps(v):
    return [ord(c) for c in v]

req = json.loads(sys.stdin.buffer.read().decode("utf-8"))
out = {"str": [], "literal": [], "structure": None, "comments": []}
for src in req["str"]:
    r = lit(src)
    out["str"].append({"tokens": r["tokens"], "cps": cps(r["value"])})
for src in req["literal"]:
    r = lit(src)
    out["literal"].append({"tokens": r["tokens"], "cps": cps(r["value"])})
out["structure"] = ast.literal_eval(req["structure"])
for c in req["comments"]:
    tree = ast.parse(c + "\nx = 1\n")
    before = []
    for t in tokens(c + "\nx = 1\n"):
        if t.type == tokenize.NAME:
            break
        before.append(tokenize.tok_name[t.type])
    out["comments"].append({
        "statements": [type(s).__name__ for s in tree.body],
        "before": sorted(set(before)),
    })
sys.stdout.write(json.dumps(out, ensure_ascii=True))
`;
  // A structure with every hostile string as a key and in a value (JSON-like data).
  const structure = Object.fromEntries(
    hostile.map((s, i) => [s, [s, i, i % 2 === 0, null, i + 0.5, { [s]: -i - 1 }]]),
  );
  // Comments cannot carry lone surrogates into a file (UTF-8 has no encoding for them); they are
  // tested exactly in the pyComment table above.
  const commentInputs = hostile.filter((s) => !hasLoneSurrogate(s));
  const result = python(code, {
    str: hostile.map(pyStr),
    literal: hostile.map((s) => pyLiteral(s)),
    structure: pyLiteral(structure),
    comments: commentInputs.map(pyComment),
  }) as {
    str: Array<{ tokens: string[]; cps: number[] }>;
    literal: Array<{ tokens: string[]; cps: number[] }>;
    structure: unknown;
    comments: Array<{ statements: string[]; before: string[] }>;
  };

  it.each(hostile.map((s, i) => [i, JSON.stringify(s).slice(0, 60), s] as const))(
    "pyStr #%i %s: one STRING token that evaluates to the input",
    (i, _shown, s) => {
      expect(result.str[i]!.tokens).toEqual(["STRING"]);
      expect(result.str[i]!.cps).toEqual(codePoints(s));
    },
  );

  it.each(hostile.map((s, i) => [i, JSON.stringify(s).slice(0, 60), s] as const))(
    "pyLiteral #%i %s: one STRING token that evaluates to the input",
    (i, _shown, s) => {
      expect(result.literal[i]!.tokens).toEqual(["STRING"]);
      expect(result.literal[i]!.cps).toEqual(codePoints(s));
    },
  );

  it("pyLiteral of a dict/list structure with hostile keys and values evaluates to it exactly", () => {
    // json.dumps(ensure_ascii=True) escapes lone surrogates, which JSON.parse restores exactly.
    expect(result.structure).toEqual(structure);
  });

  it.each(commentInputs.map((s, i) => [i, JSON.stringify(s).slice(0, 60)] as const))(
    "pyComment #%i %s followed by code: only comments, then exactly one statement",
    (i) => {
      expect(result.comments[i]).toEqual({ statements: ["Assign"], before: ["COMMENT"] });
    },
  );
});

describe("stableJson", () => {
  it("sorts keys, two-space indent, LF, final newline", () => {
    expect(stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      [
        "{",
        '  "a": {',
        '    "c": null,',
        '    "d": [',
        "      3,",
        "      {",
        '        "y": 2,',
        '        "z": 1',
        "      }",
        "    ]",
        "  },",
        '  "b": 1',
        "}",
        "",
      ].join("\n"),
    );
  });

  it("puts $comment first, then the other keys by UTF-16 code units", () => {
    const value = { é: 1, a: 1, B: 1, _: 1, "!": 1, $a: 1, $comment: "h", "": 1 };
    expect(stableJson(value)).toBe(
      '{\n  "$comment": "h",\n  "": 1,\n  "!": 1,\n  "$a": 1,\n  "B": 1,\n  "_": 1,\n  "a": 1,\n  "é": 1\n}\n',
    );
  });

  it("puts $comment first in nested objects too", () => {
    expect(stableJson({ x: { z: 1, $comment: "c" } })).toBe(
      '{\n  "x": {\n    "$comment": "c",\n    "z": 1\n  }\n}\n',
    );
  });

  it("keeps array order and prints empty containers inline", () => {
    expect(stableJson({ a: [3, 1, 2], e: [], o: {} })).toBe(
      '{\n  "a": [\n    3,\n    1,\n    2\n  ],\n  "e": [],\n  "o": {}\n}\n',
    );
  });

  it("ends every value with exactly one newline", () => {
    expect(stableJson("x")).toBe('"x"\n');
    expect(stableJson(null)).toBe("null\n");
    expect(stableJson(1)).toBe("1\n");
    expect(stableJson([])).toBe("[]\n");
    expect(stableJson({})).toBe("{}\n");
  });

  it("does not depend on insertion order", () => {
    expect(stableJson({ a: 1, b: { c: 1, d: 2 } })).toBe(stableJson({ b: { d: 2, c: 1 }, a: 1 }));
  });

  it("escapes strings exactly (controls, quotes, backslash, lone surrogates; U+2028 literal)", () => {
    const s = '"\\\n\r\t\0\x1b\x7f\u0085\u2028\u2029\ufeff\ud800é中😀{{x}}${y}*/';
    const out = stableJson({ s });
    expect(out).toBe(
      '{\n  "s": "\\"\\\\\\n\\r\\t\\u0000\\u001b\x7f\u0085\u2028\u2029\ufeff\\ud800é中😀{{x}}${y}*/"\n}\n',
    );
    expect((JSON.parse(out) as { s: string }).s).toBe(s);
  });

  it("keeps __proto__ and constructor as literal keys and pollutes nothing", () => {
    const value = JSON.parse(
      '{"z": 1, "__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}',
    ) as unknown;
    const out = stableJson(value);
    expect(out).toBe(
      '{\n  "__proto__": {\n    "polluted": "yes"\n  },\n  "constructor": {\n    "prototype": {\n      "polluted": "yes"\n    }\n  },\n  "z": 1\n}\n',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(JSON.parse(out) as object)).toEqual(["__proto__", "constructor", "z"]);
  });

  it("puts $comment first and sorts keys as strings even when keys look like array indexes", () => {
    // JS enumerates integer-like keys first in numeric order, whatever the insertion order.
    const out = stableJson({ b: 1, "10": 1, "9": 1, $comment: "h" });
    expect(out).toBe('{\n  "$comment": "h",\n  "10": 1,\n  "9": 1,\n  "b": 1\n}\n');
  });

  it("omits undefined properties, as JSON.stringify does", () => {
    expect(stableJson({ b: undefined, a: 1 })).toBe('{\n  "a": 1\n}\n');
  });

  it("round-trips every hostile string as key and value through JSON.parse", () => {
    const value = Object.fromEntries(hostile.map((s, i) => [s, { [s]: [s, i, null, true] }]));
    expect(JSON.parse(stableJson(value))).toEqual(value);
  });
});

describe("orderedJson", () => {
  it("keeps the caller's key order, two-space indent, final newline", () => {
    expect(orderedJson({ type: "record", name: "r", $comment: "h", fields: [] })).toBe(
      '{\n  "type": "record",\n  "name": "r",\n  "$comment": "h",\n  "fields": []\n}\n',
    );
  });

  it("writes what JSON.stringify(v, null, 2) writes, for hostile keys and values", () => {
    const value = {
      list: hostile,
      map: Object.fromEntries(hostile.map((s) => [s, { s, n: -1.5e-7, b: false, z: null }])),
    };
    expect(orderedJson(value)).toBe(JSON.stringify(value, null, 2) + "\n");
  });
});
