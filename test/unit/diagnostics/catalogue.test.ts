/**
 * The catalogue behind `pipegen explain`: every code pipegen reports has an entry, and every
 * entry's example, built as `pipegen build` builds it in an empty folder, gives that code with
 * exactly what the entry says; the fixed example builds without errors.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../../../src/api/index.js";
import { stack } from "../../../src/api/stack.js";
import {
  catalogue,
  closestCode,
  exampleDiagnostic,
  explainJson,
  explainText,
  findCode,
} from "../../../src/diagnostics/catalogue/index.js";
import { type Code, codes } from "../../../src/diagnostics/codes.js";
import { hasErrors } from "../../../src/diagnostics/diagnostic.js";

const src = path.resolve(import.meta.dirname, "../../../src");

/** Every "PGnnn" string in the compiler's sources, outside the catalogue itself. */
function codesUsed(): Set<string> {
  const used = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (p !== path.join(src, "diagnostics")) walk(p);
      } else if (e.name.endsWith(".ts"))
        for (const m of readFileSync(p, "utf8").matchAll(/"(PG\d{3})"/g)) used.add(m[1]!);
    }
  };
  walk(src);
  return used;
}

/** Writes files and links into a fresh folder and builds there, as the CLI would. */
function buildIn(
  specs: Readonly<Record<string, string>>,
  opts: {
    files?: Readonly<Record<string, string>>;
    links?: Readonly<Record<string, string>>;
    inputs?: readonly string[];
    env?: string;
    command?: "build" | "stack";
  } = {},
) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pipegen-explain-"));
  for (const [f, text] of Object.entries({ ...specs, ...opts.files })) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  for (const [f, target] of Object.entries(opts.links ?? {})) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    symlinkSync(target, path.join(dir, f));
  }
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const run = opts.command === "stack" ? stack : build;
    return run(opts.inputs ?? Object.keys(specs), { env: opts.env ?? null, out: "generated" });
  } finally {
    process.chdir(cwd);
  }
}

const entries = Object.entries(catalogue) as Array<[Code, (typeof catalogue)[Code]]>;

describe("the diagnostic catalogue", () => {
  it("has an entry for every code the compiler reports, and no code it does not", () => {
    const used = codesUsed();
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((c) => !(c in catalogue)).sort()).toEqual([]);
    expect(Object.keys(codes).filter((c) => !used.has(c))).toEqual([]);
  });

  it.each(entries)("%s: the example gives the code with what the entry says", (code, e) => {
    const r = buildIn(e.example.specs, { ...e.example.setup, ...e.example });
    const want = exampleDiagnostic(code);
    const got = r.diagnostics.filter((d) => d.code === code);
    expect(got.length, JSON.stringify(r.diagnostics, null, 1)).toBeGreaterThan(0);
    expect(got.map(({ pointer: _, ...d }) => d)).toContainEqual(
      (({ pointer: _, ...d }) => d)(want),
    );
  });

  it.each(entries.filter(([, e]) => e.fixed))("%s: the fixed example builds", (_code, e) => {
    const r = buildIn(e.fixed!, {
      ...(e.example.env ? { env: e.example.env } : {}),
      ...(e.example.command ? { command: e.example.command } : {}),
    });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    // A warning's fixed example gives no warning of its code either.
    expect(r.diagnostics.filter((d) => d.code === _code)).toEqual([]);
    expect(hasErrors(r.diagnostics)).toBe(false);
  });

  it("gives the fixed example for every code a spec alone can give", () => {
    const withoutFix = entries.filter(([, e]) => !e.fixed).map(([c]) => c);
    expect(withoutFix).toEqual(
      entries.filter(([, e]) => e.example.setup && !e.fixed).map(([c]) => c),
    );
    expect(withoutFix).toEqual(["PG100", "PG401", "PG403"]);
  });

  it.each([
    ["PG201", "PG201"],
    ["pg201", "PG201"],
    ["201", "PG201"],
    [" PG309 ", "PG309"],
    ["PG999", undefined],
    ["PG2011", undefined],
    ["toString", undefined],
  ])("finds the code %j: %s", (typed, code) => {
    expect(findCode(typed)).toBe(code);
  });

  it("suggests the closest code for one that does not exist", () => {
    expect(closestCode("PG2O1")).toBe("PG201");
  });

  it("prints an entry: meaning, example with its code frame, what pipegen says, fix, fixed", () => {
    const text = explainText("PG201", { color: false });
    expect(text).toContain("PG201: unknown key\n\nA key the spec language does not have");
    expect(text).toContain("  shop.yaml:\n    pipegen: 1\n    pipeline: shop\n    descripton:");
    expect(text).toContain("pipegen build shop.yaml says:");
    expect(text).toContain("    shop.yaml:3:1 error PG201 unknown key 'descripton' in the spec");
    expect(text).toContain("    > 3 | descripton: Orders from the shop.");
    expect(text).toContain("      hint: did you mean 'description'?");
    expect(text).toMatch(/Fix: Spell the key/);
    expect(text).toContain("Fixed:\n\n  shop.yaml:\n    pipegen: 1");
    expect(text).not.toMatch(/\u001b\[/);
  });

  it("prints a long example shortened, and a setup in words", () => {
    const big = explainText("PG103", { color: false });
    expect(big.length).toBeLessThan(3000);
    expect(explainText("PG403", { color: false })).toContain(
      "Example (generated/shop/kafka/topics.json exists, written by hand)",
    );
    expect(explainText("PG306", { color: false })).toContain(
      "pipegen build shop.yaml --env prd says",
    );
  });

  it("gives the entry as data", () => {
    const j = explainJson("PG103");
    expect(j).toMatchObject({ code: "PG103", title: codes.PG103, says: { line: 0 } });
    expect(JSON.stringify(j).length).toBeLessThan(3000);
  });
});
