import { describe, expect, it } from "vitest";
import { compile } from "../../../src/api/compile.js";

// `tests:` resolved against the spec's streams, inline and in a sibling tests file: one row per
// case, the tests as YAML in, the diagnostics (code, file:line, message, hint) or the resolved
// tests out.

const spec = `pipegen: 1
pipeline: shop
connections:
  db: {type: postgres, host: h, database: d, user: u, password: "\${secret:PW}"}
schemas:
  order:
    key: order_id
    fields:
      order_id: {type: long, required: true}
      customer: {type: string, required: true}
      amount: {type: decimal, precision: 10, scale: 2}
      at: {type: timestamp, required: true}
topics:
  orders: {schema: order, partitions: 1}
  orders.json: {schema: order, partitions: 1, format: json}
  orders.dlq: {partitions: 1}
  totals: {partitions: 1, format: json}
  enriched.out: {partitions: 1, format: json}
streams:
  per_minute:
    from: {topic: orders}
    quality: [{check: "amount >= 0"}]
    onInvalid: {deadLetter: orders.dlq}
    steps:
      - window: {on: at, size: 1m, watermark: 1m}
        groupBy: [customer]
        aggregate: {n: "count(*)"}
    to:
      - {connection: db, table: per_minute, mode: upsert, key: [customer, window_start]}
      - {topic: totals}
  enriched:
    from: {topic: orders.json}
    onInvalid: drop
    steps:
      - join: {connection: db, table: customers, on: [customer], select: [segment]}
    to:
      - {topic: enriched.out}
`;

const ok = `
  counts:
    stream: per_minute
    given:
      - batch:
          - {order_id: 1, customer: c1, amount: "1.50", at: "2024-01-01T00:00:10Z"}
          - {raw: "junk"}
    expect:
      sinks:
        db.per_minute: [{customer: c1, n: 1}]
        totals: []
      deadLetters: [{reason: "not in the Confluent Avro wire format", raw: junk}]
    ordered: true`;

function run(inline: string | null, sibling: string | null) {
  const r = compile([
    {
      file: "shop.yaml",
      text: inline === null ? spec : `${spec}tests:${inline}\n`,
      ...(sibling === null ? {} : { tests: { file: "shop.tests.yaml", text: sibling } }),
    },
  ]);
  return {
    diagnostics: r.diagnostics.map(
      (d) => `${d.code} ${d.file}:${d.line} ${d.message}${d.hint ? ` | ${d.hint}` : ""}`,
    ),
    tests: r.pipelines[0]?.tests.map(
      (t) =>
        `${t.name}@${t.file}:${t.line} ${t.stream} batches=${t.batches.map((b) => b.map((x) => x.kind).join("+")).join(",")} sinks=${t.expect.sinks.map((s) => `${s.name}#${s.sink}:${s.rows.length}`).join(",")} dead=${t.expect.deadLetters?.length ?? "-"} lookups=${t.lookups.map((l) => l.step).join(",")} ordered=${t.ordered}`,
    ),
  };
}

const table: Array<{ name: string; inline: string | null; sibling: string | null; want: object }> =
  [
    {
      name: "a valid inline test resolves",
      inline: ok,
      sibling: null,
      want: {
        diagnostics: [],
        tests: [
          "counts@shop.yaml:39 per_minute batches=record+raw sinks=db.per_minute#0:1,totals#1:0 dead=1 lookups= ordered=true",
        ],
      },
    },
    {
      name: "a sibling file adds its tests after the spec's",
      inline: ok,
      sibling: `tests:
  joined:
    stream: enriched
    given: [{batch: [{order_id: 2, customer: c2, at: "2024-01-01T00:00:00Z"}, {customer: null}]}]
    lookups: {db.customers: [{customer: c2, segment: gold}]}
    expect: {sinks: {enriched.out: [{order_id: 2, segment: gold}]}}
`,
      want: {
        diagnostics: [],
        tests: [
          "counts@shop.yaml:39 per_minute batches=record+raw sinks=db.per_minute#0:1,totals#1:0 dead=1 lookups= ordered=true",
          "joined@shop.tests.yaml:2 enriched batches=record+record sinks=enriched.out#0:1 dead=- lookups=0 ordered=false",
        ],
      },
    },
    {
      name: "unknown stream, sink and columns, with did-you-mean",
      inline: null,
      sibling: `tests:
  a:
    stream: per_minut
    given: [{batch: []}]
    expect: {deadLetters: []}
  b:
    stream: per_minute
    given: [{batch: [{order_id: 1, custmer: c1, at: "2024-01-01T00:00:00Z"}]}]
    expect:
      sinks: {db.per_minut: [], totals: [{window_strt: "2024-01-01T00:00:00Z"}]}
      deadLetters: [{reasn: x}]
`,
      want: {
        diagnostics: [
          "PG301 shop.tests.yaml:3 unknown stream 'per_minut' | did you mean 'per_minute'?",
          "PG304 shop.tests.yaml:8 unknown column 'custmer' in the records of topic 'orders' (schema 'order') | did you mean 'customer'?",
          "PG301 shop.tests.yaml:10 unknown sink 'db.per_minut' of stream 'per_minute' | did you mean 'db.per_minute'? (a sink is named <connection>.<table|collection>, or by its Kafka topic)",
          "PG304 shop.tests.yaml:10 unknown column 'window_strt' in the rows of sink 'totals' | did you mean 'window_start'?",
          "PG304 shop.tests.yaml:11 unknown column 'reasn' in a dead letter (its 'reason', 'raw', or a column of the given record) | did you mean 'reason'?",
        ],
      },
    },
    {
      name: "values of the wrong type, raw mixed with columns, Avro's required fields",
      inline: `
  t:
    stream: per_minute
    given:
      - batch:
          - {order_id: one, customer: c1, at: "2024-01-01T00:00:00Z"}
          - {raw: x, order_id: 1}
          - {raw: 5}
          - {order_id: 1, at: "2024-01-01T00:00:00Z"}
          - {order_id: 1, customer: null, at: "2024-01-01T00:00:00Z"}
    expect: {sinks: {totals: [{n: "many"}]}}`,
      sibling: null,
      want: {
        diagnostics: [
          "PG307 shop.yaml:43 column 'order_id' is long: it takes a whole number, not \"one\" | write a value of type long",
          "PG305 shop.yaml:44 'raw' gives a message's bytes as they are: it cannot be mixed with columns | give either {raw: \"...\"} alone, or the record's columns (encoded as the topic carries them)",
          "PG307 shop.yaml:45 'raw' takes text (the message's bytes, UTF-8), not 5 | write it in quotes",
          "PG204 shop.yaml:46 the record has no 'customer': it is required in the Avro schema of topic 'orders' | give it a value; to test bytes the topic should not carry, write the message as {raw: \"...\"}",
          "PG307 shop.yaml:47 'customer' is required in the Avro schema of topic 'orders': an Avro record cannot carry null there | give it a value; to test bytes the topic should not carry, write the message as {raw: \"...\"}",
          "PG307 shop.yaml:48 column 'n' is long: it takes a whole number, not \"many\" | write a value of type long",
        ],
      },
    },
    {
      name: "dead letters of a stream that drops, a join without its lookup rows, an unknown lookup",
      inline: null,
      sibling: `tests:
  t:
    stream: enriched
    given: [{batch: [{order_id: 1}]}]
    lookups: {db.customer: []}
    expect: {deadLetters: []}
`,
      want: {
        diagnostics: [
          "PG204 shop.tests.yaml:2 stream 'enriched' joins 'db.customers' in step 1: the test must give that table's rows | add 'lookups: {db.customers: [...]}' with the rows the join should find",
          "PG301 shop.tests.yaml:5 unknown lookup table 'db.customer' | did you mean 'db.customers'?",
          "PG305 shop.tests.yaml:6 stream 'enriched' drops invalid records (onInvalid: drop): it writes no dead letters | remove 'deadLetters', or give the stream 'onInvalid: {deadLetter: <topic>}'",
        ],
      },
    },
    {
      name: "the tests file holds only tests, each name once; schema errors in plain words",
      inline: ok,
      sibling: `pipeline: x
tests:
  counts:
    stream: per_minute
    given: [{batch: []}]
    expect: {deadLetters: []}
  other:
    stream: per_minute
    given: []
    expect: {}
`,
      want: {
        diagnostics: [
          "PG201 shop.tests.yaml:1 unknown key 'pipeline': a tests file holds only 'tests:' | put the rest in the spec beside it (shop.yaml)",
          "PG302 shop.tests.yaml:3 test 'counts' is also defined in shop.yaml | rename one of them",
          expect.stringMatching(/^PG\d+ shop\.tests\.yaml:9 /),
          expect.stringMatching(/^PG\d+ shop\.tests\.yaml:10 /),
        ],
      },
    },
  ];

describe("tests: resolved against the streams", () => {
  it.each(table)("$name", ({ inline, sibling, want }) => {
    expect(run(inline, sibling)).toMatchObject(want);
  });

  it("tests change no generated file", () => {
    const files = (inline: string | null) =>
      compile([
        { file: "shop.yaml", text: inline === null ? spec : `${spec}tests:${inline}\n` },
      ]).outputs[0]!.files.map((f) => `${f.path}\n${f.content}`);
    expect(files(ok)).toEqual(files(null));
  });
});
