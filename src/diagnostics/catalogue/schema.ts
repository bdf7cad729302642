/** The catalogue's PG2xx codes: the spec against the JSON Schema. */
import type { Entries } from "./types.js";

const head = "pipegen: 1\npipeline: shop\n";
const topic = (settings: string) => `${head}topics:\n  orders: {${settings}}\n`;

export const schemaEntries: Entries<"PG201" | "PG202" | "PG203" | "PG204" | "PG205" | "PG206"> = {
  PG201: {
    means:
      "A key the spec language does not have at this place, usually a typo. Nothing is silently ignored: the hint names the closest key that exists.",
    example: { specs: { "shop.yaml": `${head}descripton: Orders from the shop.\n` } },
    says: {
      at: "shop.yaml:3:1",
      message: "unknown key 'descripton' in the spec",
      hint: "did you mean 'description'?",
    },
    fix: "Spell the key as the schema does (your editor completes keys with the JSON Schema: see 'pipegen schema'), or remove it.",
    fixed: { "shop.yaml": `${head}description: Orders from the shop.\n` },
  },
  PG202: {
    means:
      "A value has the wrong type: a list where a number belongs, text where a mapping belongs.",
    example: { specs: { "shop.yaml": topic("partitions: three") } },
    says: {
      at: "shop.yaml:4:24",
      message: "'partitions' of topic 'orders' must be a whole number, not the string \"three\"",
      hint: "write a number, e.g. 1",
    },
    fix: "Write a value of the type the key takes; 'pipegen explain' and your editor's hover show it.",
    fixed: { "shop.yaml": topic("partitions: 3") },
  },
  PG203: {
    means:
      "A value has the right type but not the right form or range: a duration written 7days, a number below its minimum, a name with capitals, a cron expression that cannot run.",
    example: { specs: { "shop.yaml": topic("partitions: 3, retention: 7days") } },
    says: {
      at: "shop.yaml:4:38",
      message:
        "'retention' of topic 'orders' must be a duration or \"forever\", not the string \"7days\"",
      hint: "write '7d'",
    },
    fix: "Write the value in the form the hint gives: durations as a number and a unit (30s, 5m, 7d), names in lowercase with _.",
    fixed: { "shop.yaml": topic("partitions: 3, retention: 7d") },
  },
  PG204: {
    means:
      "A key that must be there is missing: a topic's partitions, a stream's 'to', an upsert's key, what a stream does with invalid records.",
    example: { specs: { "shop.yaml": topic("retention: 7d") } },
    says: {
      at: "shop.yaml:4:3",
      message: "topic 'orders' is missing the required key 'partitions'",
      hint: "add 'partitions: 1'",
    },
    fix: "Add the key; pipegen does not guess a value for it.",
    fixed: { "shop.yaml": topic("partitions: 3, retention: 7d") },
  },
  PG205: {
    means: "The value is not one of those the key allows.",
    example: { specs: { "shop.yaml": topic("partitions: 3, format: xml") } },
    says: {
      at: "shop.yaml:4:35",
      message: "'format' of topic 'orders' is the string \"xml\"; allowed: avro, json",
      hint: "known values: 'avro', 'json'",
    },
    fix: "Use one of the values listed.",
    fixed: { "shop.yaml": topic("partitions: 3, format: json") },
  },
  PG206: {
    means:
      "A mapping has too many or too few keys for what it is: a stream step does exactly one thing, a quality rule is exactly one of notNull, check and enum, a route condition tests one way.",
    example: {
      specs: {
        "shop.yaml": `${head}schemas:
  order:
    fields:
      order_id: {type: long, required: true}
      amount: {type: double}
topics:
  orders: {schema: order, partitions: 3}
  big_orders: {schema: order, partitions: 3}
streams:
  big:
    from: {topic: orders}
    onInvalid: drop
    steps:
      - {filter: "amount > 100", select: [order_id, amount]}
    to:
      - {topic: big_orders}
`,
      },
    },
    says: {
      at: "shop.yaml:16:9",
      message: "a step does one thing; this one has: filter, select",
      hint: "split it into several steps (window, groupBy and aggregate belong together)",
    },
    fix: "Split it: one list item per step, in the order they should run.",
    fixed: {
      "shop.yaml": `${head}schemas:
  order:
    fields:
      order_id: {type: long, required: true}
      amount: {type: double}
topics:
  orders: {schema: order, partitions: 3}
  big_orders: {schema: order, partitions: 3}
streams:
  big:
    from: {topic: orders}
    onInvalid: drop
    steps:
      - filter: "amount > 100"
      - select: [order_id, amount]
    to:
      - {topic: big_orders}
`,
    },
  },
};
