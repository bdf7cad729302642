import { describe, expect, it } from "vitest";
import type { Ctx, Refs } from "../../../src/ir/resolve/context.js";
import type { Shape } from "../../../src/ir/resolve/streams/shape.js";
import { type StepSpec, resolveSteps } from "../../../src/ir/resolve/streams/steps.js";
import type { Field } from "../../../src/ir/types.js";
import { postgres } from "../ir-builder.js";

// A stream's steps, one table row each: the record shape flowing in (the topic's schema),
// the steps as written in a spec, and what comes out: the output columns and the diagnostics.

const input: Field[] = [
  { name: "id", type: "string", required: true },
  { name: "amount", type: "decimal", required: true, precision: 10, scale: 2 },
  { name: "qty", type: "int", required: false },
  { name: "status", type: "string", required: false },
  { name: "ts", type: "timestamp", required: true },
];

const db = postgres();
const refs: Refs = {
  topicRef: () => undefined,
  connRef: ((_p: string, name: string) => (name === "db" ? db : undefined)) as Refs["connRef"],
};

function run(steps: StepSpec[], checked = true) {
  const ctx: Ctx = {
    spec: { file: "s.yaml", source: "", value: {}, locate: () => ({ line: 1, col: 1 }) },
    diags: [],
  };
  const shape: Shape = { fields: checked ? input : [], checked };
  const out = resolveSteps(ctx, refs, "/streams/s", steps, shape);
  return {
    kinds: out.steps.map((s) => s.kind),
    output: out.shape.fields.map((f) => `${f.name}:${f.type}`),
    diagnostics: ctx.diags.map((d) => `${d.code} ${d.pointer}: ${d.message}`),
  };
}

const all = input.map((f) => `${f.name}:${f.type}`);

const table: Array<{ name: string; given: StepSpec[]; checked?: boolean; want: object }> = [
  {
    name: "filter keeps the shape; its columns must exist",
    given: [{ filter: "amount > 0 and colour = 'red'" }],
    want: {
      kinds: ["filter"],
      output: all,
      diagnostics: ["PG304 /streams/s/steps/0/filter: unknown column 'colour' in step 1"],
    },
  },
  {
    name: "select keeps the listed columns in their order",
    given: [{ select: ["ts", "id"] }],
    want: { kinds: ["select"], output: ["ts:timestamp", "id:string"], diagnostics: [] },
  },
  {
    name: "derive adds typed columns; a later one may use an earlier one",
    given: [
      {
        derive: {
          net: { expr: "amount * 0.8", type: "decimal", precision: 12, scale: 2 },
          flag: { expr: "net > 10", type: "boolean" },
        },
      },
    ],
    want: {
      kinds: ["derive"],
      output: [...all, "net:decimal", "flag:boolean"],
      diagnostics: [],
    },
  },
  {
    name: "rename renames in place, never onto an existing column",
    given: [{ rename: { status: "state", qty: "id" } }],
    want: {
      kinds: ["rename"],
      output: ["id:string", "amount:decimal", "id:int", "state:string", "ts:timestamp"],
      diagnostics: [
        "PG302 /streams/s/steps/0/rename/qty: renaming 'qty' to 'id' would replace the existing column 'id'",
      ],
    },
  },
  {
    name: "drop removes columns",
    given: [{ drop: ["qty", "status"] }],
    want: {
      kinds: ["drop"],
      output: ["id:string", "amount:decimal", "ts:timestamp"],
      diagnostics: [],
    },
  },
  {
    name: "dedupe on an event time needs a timestamp column and a watermark",
    given: [{ dedupe: { key: ["id"], on: "qty" } }],
    want: {
      kinds: ["dedupe"],
      output: all,
      diagnostics: [
        "PG307 /streams/s/steps/0/dedupe/on: dedupe 'on' must be a timestamp column; 'qty' is int",
        "PG204 /streams/s/steps/0/dedupe: dedupe 'on' an event-time column needs a 'watermark' to bound its state",
      ],
    },
  },
  {
    name: "join adds the selected columns, their type unknown",
    given: [{ join: { connection: "db", table: "t", on: ["id"], select: ["segment"] } }],
    want: { kinds: ["join"], output: [...all, "segment:unknown"], diagnostics: [] },
  },
  {
    name: "window, groupBy and aggregate make one row per window and group",
    given: [
      {
        window: { on: "ts", size: "5m", watermark: "1m" },
        groupBy: ["status"],
        aggregate: { n: "count(*)", total: "sum(amount)", units: "sum(qty)", avg: "avg(qty)" },
      },
    ],
    want: {
      kinds: ["aggregate"],
      output: [
        "window_start:timestamp",
        "window_end:timestamp",
        "status:string",
        "n:long",
        "total:decimal",
        "units:long",
        "avg:double",
      ],
      diagnostics: [],
    },
  },
  {
    name: "a step that does two things is an error and changes nothing",
    given: [{ filter: "qty > 1", select: ["id"] }],
    want: {
      kinds: [],
      output: all,
      diagnostics: [
        "PG206 /streams/s/steps/0: a step does one thing; this one has: filter, select",
      ],
    },
  },
  {
    name: "every dedupe and window uses the same event time",
    given: [
      { dedupe: { key: ["id"], on: "ts", watermark: "1m" } },
      { derive: { ts2: { expr: "ts", type: "timestamp" } } },
      { window: { on: "ts2", size: "5m", watermark: "1m" }, aggregate: { n: "count(*)" } },
    ],
    want: {
      kinds: ["dedupe", "derive", "aggregate"],
      output: ["window_start:timestamp", "window_end:timestamp", "n:long"],
      diagnostics: [
        "PG305 /streams/s/steps/2: this step's event time is 'ts2' but an earlier step's is 'ts'",
      ],
    },
  },
  {
    name: "without a schema nothing is checked; select and aggregate keep the shape",
    checked: false,
    given: [{ select: ["x"] }, { derive: { y: "x + 1" } }, { aggregate: { n: "count(*)" } }],
    want: { kinds: ["select", "derive", "aggregate"], output: ["y:unknown"], diagnostics: [] },
  },
];

describe("stream steps: one record shape to the next", () => {
  for (const { name, given, checked, want } of table)
    it(name, () => expect(run(given, checked)).toEqual(want));
});
