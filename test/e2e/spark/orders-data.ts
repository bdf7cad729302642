// Test data for the shop_orders example stream and the result it must produce, computed here
// independently of Spark (integer cents, explicit rounding), from the spec's meaning:
// quality rules -> dead letters; status <> 'CANCELLED'; amount_eur = amount * 0.92 as
// decimal(12,2) (HALF_UP); 1-minute tumbling windows per customer_id with count, sum, max.

export interface OrderRecord {
  key: string | null;
  value: Record<string, unknown> | null;
  raw_hex?: string;
}

export interface Produced {
  records: OrderRecord[];
  /** What the dead-letter topic must hold for these records: original bytes by reason kind. */
  deadLetters: Array<{ key: string | null; reason: RegExp; raw?: string }>;
  /** Orders that count (valid, not cancelled, not late). */
  counted: Array<{ customer: string; minute: number; cents: number }>;
}

/** A small deterministic generator (LCG), so every run sends the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const cents = (c: number) =>
  `${c < 0 ? "-" : ""}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, "0")}`;

/**
 * Phase 1: `valid` orders over one hour, plus rule breakers and malformed bytes.
 * Phase 2 (`late`): orders two hours older than everything (dropped by the 10-minute
 * watermark) and a few on-time orders at the end of the hour.
 */
export function orders(phase: 1 | 2, firstId: number, valid: number): Produced {
  const r = rng(phase * 7919 + firstId);
  const customers = Array.from({ length: 20 }, (_, i) => `c${String(i + 1).padStart(2, "0")}`);
  const statuses = [
    "NEW",
    "PAID",
    "SHIPPED",
    "NEW",
    "PAID",
    "SHIPPED",
    "NEW",
    "PAID",
    "SHIPPED",
    "CANCELLED",
  ];
  const out: Produced = { records: [], deadLetters: [], counted: [] };
  let id = firstId;
  const order = (at: number, over: Record<string, unknown> = {}) => {
    const amount = 100 + Math.floor(r() * 49_900);
    const value: Record<string, unknown> = {
      order_id: id,
      customer_id: customers[Math.floor(r() * customers.length)],
      amount: cents(amount),
      currency: ["EUR", "USD", "GBP"][Math.floor(r() * 3)],
      status: statuses[Math.floor(r() * statuses.length)],
      updated_at: iso(at),
      ...over,
    };
    id++;
    return {
      value,
      amount: typeof over.amount === "string" ? Math.round(Number(over.amount) * 100) : amount,
    };
  };
  const push = (o: ReturnType<typeof order>, counts: boolean) => {
    out.records.push({ key: String(o.value.order_id), value: o.value });
    if (counts && o.value.status !== "CANCELLED")
      out.counted.push({
        customer: String(o.value.customer_id),
        minute: Math.floor(Date.parse(String(o.value.updated_at)) / 60_000) * 60_000,
        cents: Math.floor((Number(o.amount) * 92 + 50) / 100),
      });
  };
  if (phase === 1) {
    for (let i = 0; i < valid; i++) push(order(T0 + Math.floor(r() * 3_600_000)), true);
    for (let i = 0; i < 40; i++) {
      const o = order(T0 + Math.floor(r() * 3_600_000), { amount: `-${1 + i}.50` });
      push(o, false);
      out.deadLetters.push({
        key: String(o.value.order_id),
        reason: /amount_not_negative: check failed/,
      });
    }
    for (let i = 0; i < 30; i++) {
      const o = order(T0 + Math.floor(r() * 3_600_000), { currency: "XXX" });
      push(o, false);
      out.deadLetters.push({
        key: String(o.value.order_id),
        reason: /enum_currency: currency not in the allowed values/,
      });
    }
    for (let i = 0; i < 30; i++) {
      const o = order(T0 + Math.floor(r() * 3_600_000), { amount: null });
      push(o, false);
      out.deadLetters.push({
        key: String(o.value.order_id),
        reason: /not_null_order_id_customer_id_amount: amount is null/,
      });
    }
    // A status outside the schema's enum (no quality rule names status: the schema says it).
    for (let i = 0; i < 20; i++) {
      const o = order(T0 + Math.floor(r() * 3_600_000), { status: "REFUNDED" });
      push(o, false);
      out.deadLetters.push({
        key: String(o.value.order_id),
        reason: /schema: status not in the enum of order/,
      });
    }
    // Malformed bytes: JSON instead of Avro, too short, and a header with a truncated body.
    const bad: Array<[string, RegExp]> = [];
    for (let i = 0; i < 10; i++)
      bad.push([
        Buffer.from(`{"order_id": ${i}}`).toString("hex"),
        /not in the Confluent Avro wire format/,
      ]);
    for (let i = 0; i < 5; i++) bad.push(["0000", /not in the Confluent Avro wire format/]);
    for (let i = 0; i < 10; i++)
      bad.push([`0000000001${"02".repeat(i % 3)}f0`, /undecodable Avro record/]);
    bad.forEach(([hex, reason], i) => {
      out.records.push({ key: `bad-${i}`, value: null, raw_hex: hex });
      out.deadLetters.push({ key: `bad-${i}`, reason, raw: hex });
    });
  } else {
    for (let i = 0; i < 50; i++) push(order(T0 - 7_200_000 + Math.floor(r() * 600_000)), false);
    for (let i = 0; i < valid; i++) push(order(T0 + 3_300_000 + Math.floor(r() * 300_000)), true);
  }
  return out;
}

export interface WindowRow {
  customer_id: string;
  window_start: string;
  orders: number;
  revenue: string;
  largest: string;
}

/** The rows orders_per_minute must hold: one per customer and minute. */
export function expectedWindows(counted: Produced["counted"]): WindowRow[] {
  const groups = new Map<
    string,
    { customer: string; minute: number; n: number; sum: number; max: number }
  >();
  for (const c of counted) {
    const k = `${c.customer}|${c.minute}`;
    const g = groups.get(k) ?? {
      customer: c.customer,
      minute: c.minute,
      n: 0,
      sum: 0,
      max: -Infinity,
    };
    g.n++;
    g.sum += c.cents;
    g.max = Math.max(g.max, c.cents);
    groups.set(k, g);
  }
  return [...groups.values()]
    .map((g) => ({
      customer_id: g.customer,
      window_start: new Date(g.minute).toISOString().replace("T", " ").replace(".000Z", ""),
      orders: g.n,
      revenue: cents(g.sum),
      largest: cents(g.max),
    }))
    .sort((a, b) => (a.customer_id + a.window_start < b.customer_id + b.window_start ? -1 : 1));
}
