import { describe, expect, it } from "vitest";
import { compile } from "../../../src/api/index.js";
import { keyPlaces } from "../../../src/schema/normalize.js";
import { schemaDocument } from "../../../src/schema/validate.js";
import { diagnose, edited } from "./spec-edit.js";

type Node = Record<string, unknown>;

/** Where the schema refers to `definitions/columns`, as keyPlaces writes places. */
function columnsPlaces(): string[] {
  const root = schemaDocument() as Node;
  const defs = root.definitions as Record<string, Node>;
  const out = new Set<string>();
  const walk = (n: unknown, place: string, seen: Set<string>) => {
    if (n === null || typeof n !== "object") return;
    const node = n as Node;
    if (typeof node.$ref === "string") {
      const name = node.$ref.split("/").pop()!;
      if (name === "columns") out.add(place);
      else if (!seen.has(name)) walk(defs[name], place, new Set([...seen, name]));
    }
    for (const [k, v] of Object.entries((node.properties ?? {}) as Node))
      walk(v, `${place}/${k}`, seen);
    if (typeof node.additionalProperties === "object")
      walk(node.additionalProperties, `${place}/*`, seen);
    if (node.items) walk(node.items, `${place}/#`, seen);
    for (const k of ["anyOf", "allOf"])
      for (const b of (node[k] ?? []) as unknown[]) walk((b as Node).then ?? b, place, seen);
  };
  walk(root, "", new Set());
  return [...out].sort();
}

const outputs = (text: string) => {
  const r = compile([{ file: "specs/x.yaml", text }]);
  expect(r.diagnostics).toEqual([]);
  return r.outputs[0]!.files;
};

describe("a key is a single column or a list of columns, everywhere", () => {
  it("the normaliser knows every place of a key in the schema", () => {
    expect([...keyPlaces].sort()).toEqual(columnsPlaces());
  });

  /** `written`: the form the example spec has. */
  const forms: Array<{
    name: string;
    spec: string;
    list: string;
    single: string;
    written: "list" | "single";
  }> = [
    {
      name: "a schema's key",
      spec: "shop_orders",
      list: "key: [order_id]\n",
      single: "key: order_id\n",
      written: "list",
    },
    {
      name: "an ingest's record key",
      spec: "shop_orders",
      list: "to: {topic: orders.raw, key: [order_id], format: avro}",
      single: "to: {topic: orders.raw, key: order_id, format: avro}",
      written: "single",
    },
    {
      name: "a sink's key",
      spec: "shop_orders",
      list: "{topic: orders.per_minute, key: [customer_id]}",
      single: "{topic: orders.per_minute, key: customer_id}",
      written: "list",
    },
    {
      name: "a dedupe key",
      spec: "user_activity",
      list: "dedupe: {key: [event_id],",
      single: "dedupe: {key: event_id,",
      written: "list",
    },
  ];
  for (const f of forms)
    it(`${f.name}: both forms build the same files`, () => {
      const original = f[f.written];
      const a = outputs(edited(f.spec, original, f.list));
      const b = outputs(edited(f.spec, original, f.single));
      expect(b).toEqual(a);
    });

  it("a Kafka record key is one column: a list of two is an error with a hint", () => {
    const ds = diagnose(
      edited(
        "shop_orders",
        "to: {topic: orders.raw, key: order_id, format: avro}",
        "to: {topic: orders.raw, key: [order_id, status], format: avro}",
      ),
    );
    expect(ds.map((d) => [d.code, d.message])).toEqual([
      ["PG305", "a Kafka record key is one column, not 2"],
    ]);
    expect(ds[0]!.hint).toMatch(/key: order_id/);
  });
});
