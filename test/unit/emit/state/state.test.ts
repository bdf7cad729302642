// The state target: what the running systems hold, with a spec pointer for every entry.
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { compilePaths, resolveSpec } from "../../../../src/api/index.js";
import { emitState, pipelineState } from "../../../../src/emit/state/index.js";
import { streamJob } from "../../../../src/emit/spark/stream-job.js";
import { statePath } from "../../../../src/ir/names.js";
import { loadSpec } from "../../../../src/load/load.js";
import { unescapePointer } from "../../../../src/load/pointer.js";
import { readFileSync } from "node:fs";

const r = compilePaths(["specs"]);
const files = new Map(r.outputs.flatMap((o) => o.files.map((f) => [f.path, f.content])));

/** Every `at` in a value, with where it is. */
function pointers(v: unknown, where = ""): Array<[string, string]> {
  if (Array.isArray(v)) return v.flatMap((x, i) => pointers(x, `${where}[${i}]`));
  if (v && typeof v === "object")
    return Object.entries(v).flatMap(([k, x]) =>
      k === "at" && typeof x === "string"
        ? [[where, x] as [string, string]]
        : pointers(x, `${where}.${k}`),
    );
  return [];
}

function has(value: unknown, pointer: string): boolean {
  let v = value;
  for (const seg of pointer.split("/").slice(1).map(unescapePointer)) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, seg)) return false;
    v = (v as Record<string, unknown>)[seg];
  }
  return true;
}

describe("the state of the examples", () => {
  it.each(r.pipelines.map((p) => [p.name, p] as const))(
    "%s: every entry points into its spec",
    (_, p) => {
      const spec = loadSpec(p.specFile, readFileSync(p.specFile, "utf8")).spec!;
      const all = pointers(pipelineState(p));
      expect(all.length).toBeGreaterThan(10);
      // An entry's own part of the spec is there; a setting of it may be a default (not written).
      const entry = (at: string) =>
        at
          .split("/")
          .slice(0, at.startsWith("/platform") ? 2 : 3)
          .join("/");
      for (const [where, at] of all)
        expect(has(spec.value, entry(at)), `${where}: ${at}`).toBe(true);
    },
  );

  it("is what the state file holds, byte for byte on a second build", () => {
    for (const p of r.pipelines) {
      const [file] = emitState(p);
      expect(file!.path).toBe(statePath(p.name));
      expect(files.get(file!.path)).toBe(file!.content);
      expect(emitState(p)[0]!.content).toBe(file!.content);
    }
  });

  it("names what the other targets generate: task ids, NiFi ids, checkpoints, tables", () => {
    const s = pipelineState(r.pipelines.find((p) => p.name === "shop_orders")!);
    const dags = Object.values(s.airflow.dags);
    for (const d of dags)
      for (const t of d.tasks) expect(files.get(d.file), t).toContain(t.split(".").pop()!);
    const flow = files.get("shop_orders/nifi/shop_orders.flow.json")!;
    const ids = new Set([...flow.matchAll(/"identifier": "([0-9a-f-]{36})"/g)].map((m) => m[1]));
    for (const id of Object.keys(s.nifi!.components)) expect(ids).toContain(id);
    const q = s.spark.jobs.orders_per_minute!.queries;
    expect(Object.fromEntries(Object.entries(q).map(([k, v]) => [k, v.checkpoint]))).toEqual({
      dead_letter: "shop_orders/orders_per_minute/dead_letter",
      sinks: "shop_orders/orders_per_minute/sinks",
    });
    expect(q.sinks!.stateful).toEqual([
      {
        kind: "aggregate",
        at: "/streams/orders_per_minute/steps/2",
        window: { on: "updated_at", sizeMs: 60_000, slideMs: null },
        watermarkMs: 600_000,
        groupBy: [{ name: "customer_id", type: "string" }],
        aggregates: [
          { name: "orders", fn: "count", column: null, type: null },
          { name: "revenue", fn: "sum", column: "amount_eur", type: "decimal(12,2)" },
          { name: "largest", fn: "max", column: "amount_eur", type: "decimal(12,2)" },
        ],
      },
    ]);
    const table = s.sinks["analytics/orders_per_minute"]!;
    expect(table.columns.find((c) => c.name === "revenue")).toEqual({
      name: "revenue",
      type: "decimal(22,2)",
      required: false,
      storeType: "NUMERIC(22, 2)",
    });
    expect(table.batchMarker).toBe("shop_orders.orders_per_minute.0.orders_per_minute");
  });
});

describe("stateVersion", () => {
  const spec = (version: number | undefined) =>
    YAML.stringify({
      pipegen: 1,
      pipeline: "sv",
      connections: {
        db: { type: "postgres", host: "h", database: "d", user: "u", password: "${secret:PW}" },
        lake: { type: "files", path: "/data" },
      },
      schemas: {
        e: {
          fields: {
            id: { type: "long", required: true },
            at: { type: "timestamp", required: true },
          },
        },
      },
      topics: { t: { schema: "e", partitions: 1 }, dlq: { partitions: 1 } },
      streams: {
        s: {
          from: { topic: "t" },
          onInvalid: { deadLetter: "dlq" },
          steps: [{ dedupe: { key: ["id"], on: "at", watermark: "1m" } }],
          to: [
            { connection: "db", table: "t", mode: "upsert", key: ["id"] },
            { connection: "lake", path: "s", format: "parquet" },
          ],
          ...(version !== undefined ? { stateVersion: version } : {}),
        },
      },
    });
  const build = (v: number | undefined) =>
    resolveSpec({ file: "sv.yaml", text: spec(v) }).pipeline!;

  it("1 (the default) keeps the checkpoints; 2 moves the stateful queries' to <query>.v2", () => {
    const one = build(undefined);
    const two = build(2);
    expect(streamJob(one, one.streams[0]!)).toContain('checkpoint=f"{checkpoints}/sinks",');
    const job = streamJob(two, two.streams[0]!);
    expect(job).toContain('checkpoint=f"{checkpoints}/" + "sinks.v2",');
    expect(job).toContain('checkpoint=f"{checkpoints}/" + "files_1.v2",');
    expect(job).toContain('checkpoint=f"{checkpoints}/dead_letter",');
    const q = pipelineState(two).spark.jobs.s!.queries;
    expect([q.dead_letter!.checkpoint, q.sinks!.checkpoint, q.files_1!.checkpoint]).toEqual([
      "sv/s/dead_letter",
      "sv/s/sinks.v2",
      "sv/s/files_1.v2",
    ]);
  });

  it("is not below 1", () => {
    const bad = resolveSpec({ file: "sv.yaml", text: spec(0) });
    expect(bad.diagnostics.map((d) => d.pointer)).toContain("/streams/s/stateVersion");
  });
});
