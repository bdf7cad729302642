// Specs and records of plan-spark.e2e.test.ts: one pipeline per group of scenarios, its
// versions as edits of a base text, and the records each run reads.

const connection = `  pg: {type: postgres, host: "\${env:PG_HOST}", port: "\${env:PG_PORT}", database: plan, user: spark, password: "\${secret:PG_PASSWORD}"}`;

export const orderSchema = `schemas:
  order:
    fields:
      id: {type: long, required: true}
      customer: {type: string, required: true}
      region: {type: string, required: true}
      amount: {type: decimal, precision: 10, scale: 2}
      note: {type: string}
      at: {type: timestamp, required: true}`;

/** Group A: an aggregation after a dedupe, upserted by customer and window. */
export const stateSpec = (root: string) => `pipegen: 1
pipeline: pa
platform:
  spark: {checkpointRoot: "${root}", shufflePartitions: 4}
connections:
${connection}
${orderSchema}
topics:
  pa.orders: {schema: order, partitions: 2}
  pa.other: {schema: order, partitions: 1}
streams:
  agg:
    from: {topic: pa.orders}
    onInvalid: drop
    steps:
      - dedupe: {key: [id], on: at, watermark: 1h}
      - window: {on: at, size: 1m, watermark: 1h}
        groupBy: [customer]
        aggregate: {n: "count(*)", total: "sum(amount)"}
    to:
      - {connection: pg, table: pa_agg, mode: upsert, key: [customer, window_start]}
    trigger: {availableNow: true, schedule: "@hourly"}
`;

/** Group B: a stateless stream that appends to a table and writes Parquet files. */
export const copySpec = (root: string, lake: string) => `pipegen: 1
pipeline: pb
platform:
  spark: {checkpointRoot: "${root}"}
connections:
${connection}
  lake: {type: files, path: "${lake}"}
${orderSchema}
topics:
  pb.orders: {schema: order, partitions: 2}
streams:
  copier:
    from: {topic: pb.orders}
    onInvalid: drop
    steps:
      - filter: "amount >= 0"
      - select: [id, customer, amount]
    to:
      - {connection: pg, table: pb_copy, mode: append}
      - {connection: lake, path: copy, format: parquet}
    trigger: {availableNow: true, schedule: "@hourly"}
`;

/** Group B2: a stateless stream with dead letters, appending to a table. */
export const dupSpec = (root: string) => `pipegen: 1
pipeline: pr
platform:
  spark: {checkpointRoot: "${root}"}
connections:
${connection}
${orderSchema}
topics:
  pr.orders: {schema: order, partitions: 2}
  pr.dlq: {partitions: 1}
streams:
  dup:
    from: {topic: pr.orders}
    quality:
      - notNull: [amount]
    onInvalid: {deadLetter: pr.dlq}
    steps:
      - select: [id, customer, amount]
    to:
      - {connection: pg, table: pr_dup, mode: append}
    trigger: {availableNow: true, schedule: "@hourly"}
`;

/** Group C: an upsert into a table whose shape each version changes. */
export const sinkSpec = (root: string) => `pipegen: 1
pipeline: pc
platform:
  spark: {checkpointRoot: "${root}"}
connections:
${connection}
${orderSchema}
topics:
  pc.orders: {schema: order, partitions: 1}
streams:
  items:
    from: {topic: pc.orders}
    quality:
      - notNull: [note, amount]
    onInvalid: drop
    steps:
      - select: [id, customer, amount, note]
    to:
      - {connection: pg, table: pc_items, mode: upsert, key: [id]}
    trigger: {availableNow: true, schedule: "@hourly"}
`;

/**
 * Group D (plan-sinks): a stateless stream upserted into a Cassandra table and a MongoDB collection
 * (no decimal column: with one, FerretDB 1.24 closed the connection on the batch's write).
 */
export const keySpec = (root: string) => `pipegen: 1
pipeline: pd
platform:
  spark: {checkpointRoot: "${root}"}
connections:
  cs: {type: cassandra, contactPoints: ["\${env:CASSANDRA_HOST}"], port: "\${env:CASSANDRA_PORT}", keyspace: pd, replication: {class: SimpleStrategy, factor: 1}}
  mg: {type: mongodb, uri: "\${secret:PD_MONGO_URI}", database: pd}
${orderSchema}
topics:
  pd.orders: {schema: order, partitions: 1}
streams:
  items:
    from: {topic: pd.orders}
    onInvalid: drop
    steps:
      - select: [id, customer, note]
    to:
      - {connection: cs, table: pd_items, key: [id]}
      - {connection: mg, collection: pd_items, key: [id]}
    trigger: {availableNow: true, schedule: "@hourly"}
`;

/** Replaces `from` by `to` in a spec text; throws when it is not there (a test that tests nothing). */
export function edit(text: string, ...pairs: Array<[string, string]>): string {
  let out = text;
  for (const [from, to] of pairs) {
    if (!out.includes(from)) throw new Error(`not in the spec: ${from}`);
    out = out.replace(from, to);
  }
  return out;
}

export interface Order {
  id: number;
  customer: string;
  region: string;
  amount: string | null;
  note: string | null;
  at: string;
}

/** `n` orders from id `first`, 20 s apart from `start` (ISO), three customers, two regions. */
export function orders(
  first: number,
  n: number,
  start: string,
  over: Partial<Order> = {},
): Order[] {
  const t0 = Date.parse(start);
  return Array.from({ length: n }, (_, i) => ({
    id: first + i,
    customer: `c${(i % 3) + 1}`,
    region: i % 2 ? "north" : "south",
    amount: `${(first + i) % 50}.25`,
    note: `note ${first + i}`,
    at: new Date(t0 + i * 20_000).toISOString(),
    ...over,
  }));
}

/** Records per customer and window start (ISO), each id once: what an aggregation counts. */
export function windowCounts(records: readonly Order[], sizeMs: number): Map<string, number> {
  const seen = new Set<number>();
  const out = new Map<string, number>();
  for (const r of records) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const t = Date.parse(r.at);
    const start = new Date(t - (t % sizeMs)).toISOString();
    const key = `${r.customer}|${start}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}
