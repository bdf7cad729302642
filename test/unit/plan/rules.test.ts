// Every rule of pipegen plan, both ways: its case's edit makes it fire, the near miss does not.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { resolveSpec } from "../../../src/api/compile.js";
import { pipelineState, type PipelineState } from "../../../src/emit/state/index.js";
import { catalogue, ruleIds } from "../../../src/plan/catalogue.js";
import { compare } from "../../../src/plan/compare.js";
import type { Finding } from "../../../src/plan/types.js";
import { baseSpec, type Spec } from "./base.js";
import { cases, type Case } from "./cases.js";

export function stateOf(spec: Spec): PipelineState {
  const r = resolveSpec({ file: "fx.yaml", text: YAML.stringify(spec) });
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (!r.pipeline) throw new Error(errors.map((d) => `${d.pointer}: ${d.message}`).join("\n"));
  return pipelineState(r.pipeline);
}

function findings(c: Case, edit: (s: Spec) => void): Finding[] {
  const before = baseSpec();
  c.before?.(before);
  const after = structuredClone(before);
  edit(after);
  const history = new Map(
    Object.entries(c.history ?? {}).map(([k, v]) => [
      k,
      v.map((schema, i) => ({ schema, from: `version ${i + 1}` })),
    ]),
  );
  return compare({ before: stateOf(before), after: stateOf(after), history });
}

describe("the base spec", () => {
  it("has no changes against itself", () => {
    const s = stateOf(baseSpec());
    expect(compare({ before: s, after: s, history: new Map() })).toEqual([]);
  });
});

describe.each(cases)("$rule", (c) => {
  it("fires", () => {
    const found = findings(c, c.after);
    expect(found.map((f) => f.rule)).toContain(c.rule);
    for (const f of found.filter((x) => x.rule === c.rule)) {
      expect(f.message.length).toBeGreaterThan(20);
      if (catalogue[f.rule].class !== "safe") expect(f.hint ?? f.ddl ?? f.message).toBeTruthy();
    }
  });
  it("does not fire on a near miss", () => {
    const found = findings(c, c.near);
    expect(found.map((f) => f.rule)).not.toContain(c.rule);
  });
});

describe("the fixtures", () => {
  it("cover every rule of the catalogue", () => {
    const covered = new Set(cases.map((c) => c.rule));
    expect(ruleIds.filter((r) => !covered.has(r))).toEqual([]);
  });
});

describe("the README", () => {
  it("documents every rule with its class and an example", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    for (const id of ruleIds) {
      const row = readme.split("\n").find((l) => l.startsWith(`| \`${id}\``));
      expect(row, id).toBeDefined();
      const cells = row!.split("|").map((c) => c.trim());
      expect(cells[2], id).toBe(catalogue[id].class);
      expect(cells[3]!.length, `${id} example`).toBeGreaterThan(3);
    }
  });
});

describe("SINK_KEY_CHANGED says what each store does (plan-spark and plan-sinks e2e)", () => {
  const keyed = (key: string[]) => (s: Spec) => {
    for (const sink of s.streams.copier.to) if (sink.key) sink.key = key;
  };
  const messages = (key: string[]) => {
    const c: Case = { rule: "SINK_KEY_CHANGED", after: keyed(key), near: () => {} };
    const found = findings(c, c.after).filter((f) => f.rule === "SINK_KEY_CHANGED");
    return Object.fromEntries(found.map((f) => [f.object, f.message]));
  };
  it.each([
    ["table my/orders_copy", ["id", "customer"], /ON DUPLICATE KEY needs the new key/],
    [
      "table cass/ks.orders_copy",
      ["id", "customer"],
      /runs without an error and rows stay keyed by \(id\): records with the same \(id\) and another customer overwrite one row/,
    ],
    [
      "table cass/ks.orders_copy",
      ["customer"],
      /rows stay keyed by \(id\): .*records with the same \(customer\) and another id stay rows of their own/,
    ],
    [
      "collection mongo/orders_copy",
      ["id", "customer"],
      /_id .*a record whose \(id\) was written before becomes a second document beside the old one/,
    ],
  ])("%s, key -> %j", (object, key, message) => {
    expect(messages(key)[object]).toMatch(message);
  });
});

describe("NIFI_SOURCE_STATE_RESET says what NiFi's source does (plan-nifi e2e)", () => {
  const messages = (edit: (s: Spec) => void) => {
    const c: Case = { rule: "NIFI_SOURCE_STATE_RESET", after: edit, near: () => {} };
    return findings(c, edit)
      .filter((f) => f.rule === "NIFI_SOURCE_STATE_RESET")
      .map((f) => [f.action, f.message]);
  };
  it.each<[string, (s: Spec) => void, string, RegExp]>([
    [
      "another column",
      (s) => (s.ingest.load.from.incrementalColumn = "id"),
      "~",
      /reads \(public\.orders, id\) now instead of \(public\.orders, at\).*every row of the table again \(unless an earlier deploy read that pair.*every row above the value it kept then\)/,
    ],
    [
      "another table",
      (s) => (s.ingest.load.from.table = "public.orders2"),
      "~",
      /reads \(public\.orders2, at\) now instead of \(public\.orders, at\)/,
    ],
    [
      "the ingest renamed",
      (s) => {
        s.ingest.load2 = s.ingest.load;
        delete s.ingest.load;
      },
      "-/+",
      /a new component \(a new id\).*has no largest value seen and publishes every row of the table again/,
    ],
  ])("%s", (_, edit, action, message) => {
    const found = messages(edit);
    expect(found).toHaveLength(1);
    expect(found[0]![0]).toBe(action);
    expect(found[0]![1]).toMatch(message);
  });
});
