import { describe, expect, it } from "vitest";
import { schemaDocument } from "../../../src/schema/validate.js";
import { shapes } from "../../../src/schema/words.js";
import { diagnose, edited } from "./spec-edit.js";

type Node = Record<string, unknown>;

/** Every schema node with a pattern or format, with its path in the schema. */
function patterned(node: unknown, path: string, out: string[] = []): string[] {
  if (node === null || typeof node !== "object") return out;
  const n = node as Node;
  if (typeof n.pattern === "string" || typeof n.format === "string") out.push(path);
  for (const [k, v] of Object.entries(n)) patterned(v, `${path}/${k}`, out);
  return out;
}

/** Signs of a regular expression in a message. */
const regexLike = /\^|\$"|\\[sdw(]|\[a-z|\{0,|\(\?/;

const cases: Array<{
  name: string;
  spec?: string;
  from: string;
  to: string;
  message: RegExp;
  hint: RegExp;
}> = [
  {
    name: "a date in another order",
    from: 'startDate: "2025-01-01"',
    to: 'startDate: "01/31/2025"',
    message: /must be a date \(year-month-day\)/,
    hint: /'2025-01-31'/,
  },
  {
    name: "a misspelled aggregate function",
    from: 'revenue: "sum(amount_eur)"',
    to: 'revenue: "summ(amount_eur)"',
    message: /must be an aggregate such as/,
    hint: /did you mean 'sum\(amount_eur\)'\?/,
  },
  {
    name: "an aggregate of an expression",
    from: 'revenue: "sum(amount_eur)"',
    to: 'revenue: "sum(amount_eur * 2)"',
    message: /must be an aggregate/,
    hint: /'derive' step/,
  },
  {
    name: "a duration written as a number",
    from: "window: {on: updated_at, size: 1m, watermark: 10m}",
    to: "window: {on: updated_at, size: 300, watermark: 10m}",
    message:
      /'window.size' of step 3 of stream 'orders_per_minute' must be a duration, not number 300/,
    hint: /'300s'.*'5m'/,
  },
  {
    name: "a duration with a long unit",
    from: "retention: 7d, compatibility",
    to: "retention: 7days, compatibility",
    message: /must be a duration or "forever"/,
    hint: /write '7d'/,
  },
  {
    name: "a misspelled secret reference",
    from: 'password: "${secret:SHOP_DB_PASSWORD}"',
    to: 'password: "${secrets:SHOP_DB_PASSWORD}"',
    message: /'\$\{secrets:SHOP_DB_PASSWORD\}' is not a reference pipegen knows/,
    hint: /did you mean '\$\{secret:SHOP_DB_PASSWORD\}'\?/,
  },
  {
    name: "an env reference in lower case",
    from: 'host: "${env:SHOP_DB_HOST}"',
    to: 'host: "${env:shop_db_host}"',
    message: /NAME that is not upper case/,
    hint: /'\$\{env:SHOP_DB_HOST\}'/,
  },
  {
    name: "a dead-letter topic written without its key",
    from: "onInvalid: {deadLetter: orders.dlq}",
    to: "onInvalid: orders.dlq",
    message: /must be 'drop' or \{deadLetter: <topic>\}/,
    hint: /'onInvalid: \{deadLetter: orders.dlq\}'/,
  },
  {
    name: "Airflow 2's sla",
    from: "  deadline: 30m",
    to: "  sla: 30m",
    message: /unknown key 'sla' in 'orchestration'/,
    hint: /deadline/,
  },
  {
    name: "a port in quotes",
    from: 'port: "${env:SHOP_DB_PORT}"',
    to: 'port: "5432"',
    message: /must be a port number or an '\$\{env:NAME\}' reference/,
    hint: /without quotes: 5432/,
  },
  {
    name: "a source topic written without its key",
    from: "from: {topic: orders.raw, startingOffsets: earliest, maxOffsetsPerTrigger: 100000}",
    to: "from: orders.raw",
    message: /'from' of stream 'orders_per_minute' must be a mapping/,
    hint: /write \{topic: orders.raw\}/,
  },
  {
    name: "an SLA on a stream is its freshness",
    from: "    freshness: 5m",
    to: "    sla: 5m",
    message: /unknown key 'sla'/,
    hint: /a job's promise about its data is its freshness: write 'freshness'/,
  },
  {
    name: "a misspelled required key, said once",
    from: "onInvalid: {deadLetter: orders.dlq}",
    to: "onInvalid: {deadletter: orders.dlq}",
    message: /unknown key 'deadletter'/,
    hint: /did you mean 'deadLetter'\?/,
  },
  {
    name: "a missing space after ':' inside a flow mapping",
    from: "partitions: 6, retention: 7d",
    to: "partitions:6, retention: 7d",
    message: /unknown key 'partitions:6'/,
    hint: /space is missing after ':': write 'partitions: 6'/,
  },
  {
    name: "a YAML 1.1 merge key, said once",
    from: "  orders.dlq: {partitions: 1, retention: 30d, maxMessageBytes: 2097152}",
    to: "  orders.dlq: {<<: {partitions: 1}, retention: 30d}",
    message: /unknown key '<<' in topic 'orders.dlq'/,
    hint: /YAML 1.1.*write the keys out/,
  },
  {
    name: "a missing required key says what to add",
    from: "    from: {connection: shop_db, table: public.orders, incrementalColumn: updated_at, every: 1m}",
    to: "    from: {connection: shop_db, table: public.orders, incrementalColumn: updated_at}",
    message: /is missing the required key 'every'/,
    hint: /add 'every: 1m'/,
  },
];

describe("every schema error is said in plain words", () => {
  it("every pattern and format belongs to a named definition that has words", () => {
    const paths = patterned(schemaDocument(), "#");
    expect(paths.length).toBeGreaterThan(10);
    for (const p of paths) {
      const m = /^#\/definitions\/([A-Za-z]+)$/.exec(p);
      expect(m, `${p} is a pattern outside a named definition`).not.toBeNull();
      expect(shapes[m![1]!], `no words for definition ${m![1]}`).toBeDefined();
    }
  });

  for (const c of cases)
    it(c.name, () => {
      const ds = diagnose(edited(c.spec ?? "shop_orders", c.from, c.to));
      expect(ds).toHaveLength(1);
      expect(ds[0]!.message).toMatch(c.message);
      expect(ds[0]!.message).not.toMatch(regexLike);
      expect(ds[0]!.hint).toMatch(c.hint);
    });
});

describe("list items count from 1 in every message; pointers stay JSON pointers", () => {
  it("the schema stage and the resolver both say 'step 3' for /steps/2", () => {
    const [schema] = diagnose(
      edited(
        "shop_orders",
        "window: {on: updated_at, size: 1m, watermark: 10m}",
        "window: {on: updated_at, size: 300, watermark: 10m}",
      ),
    );
    expect(schema!.pointer).toBe("/streams/orders_per_minute/steps/2/window/size");
    expect(schema!.message).toContain("of step 3 of stream 'orders_per_minute'");
    const [resolver] = diagnose(
      edited("shop_orders", 'revenue: "sum(amount_eur)"', 'revenue: "sum(amount_eurx)"'),
    );
    expect(resolver!.pointer).toBe("/streams/orders_per_minute/steps/2/aggregate/revenue");
    expect(resolver!.message).toContain("in step 3");
  });
});
