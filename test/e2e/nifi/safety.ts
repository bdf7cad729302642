// Data for test/e2e/nifi-safety.e2e.test.ts (the pipeline test/e2e/nifi/safety.yaml): tickets
// in PostgreSQL, events in MongoDB, which of them are valid, and what a message must hold.
import type { Mongo } from "../harness/mongo.js";
import type { Postgres } from "../harness/postgres.js";
import type { TopicMessage } from "./ingest.js";

export const TICKETS_TABLE = `CREATE TABLE public.tickets (
  ticket_id bigint PRIMARY KEY,
  title text,
  state text,
  priority text,
  opened_at timestamptz NOT NULL,
  note text)`;

export interface Ticket {
  ticket_id: number;
  title: string | null;
  state: string | null;
  priority: string | null;
  opened_at: string;
}

/** The enum values of state in safety.yaml (not Avro names) and of priority (Avro names). */
export const STATES = ["in progress", "done-ok", "it's $#{x}", "naïve", "x\\y", "1st"];
export const PRIORITIES = ["LOW", "HIGH"];

export function ticket(i: number, over: Partial<Ticket> = {}): Ticket {
  return {
    ticket_id: i,
    title: `ticket ${i} "quoted" \\ é`,
    state: i % 7 === 0 ? null : STATES[i % STATES.length]!,
    priority: i % 5 === 0 ? null : PRIORITIES[i % 2]!,
    opened_at: new Date(Date.UTC(2025, 3, 1, 0, 0, i, i % 1000)).toISOString(),
    ...over,
  };
}

/** 300 valid tickets, then 6 invalid: NULL required title (2), values outside an enum (4). */
export const TICKETS: Ticket[] = [
  ...Array.from({ length: 300 }, (_, k) => ticket(k + 1)),
  ticket(301, { title: null }),
  ticket(302, { title: null, state: "done" }),
  ticket(303, { state: "done" }),
  ticket(304, { state: "In Progress" }),
  ticket(305, { state: "" }),
  ticket(306, { priority: "MEDIUM" }),
];

export const isValidTicket = (t: Ticket) =>
  t.title !== null &&
  (t.state === null || STATES.includes(t.state)) &&
  (t.priority === null || PRIORITIES.includes(t.priority));

const sql = (v: string | null) => (v === null ? "NULL" : `'${v.replace(/'/g, "''")}'`);

export async function insertTickets(pg: Postgres, rows: Ticket[]): Promise<void> {
  const values = rows.map(
    (t) =>
      `(${t.ticket_id}, ${sql(t.title)}, ${sql(t.state)}, ${sql(t.priority)}, ` +
      `TIMESTAMPTZ '${t.opened_at}', 'not published')`,
  );
  await pg.query(`INSERT INTO public.tickets VALUES ${values.join(", ")}`);
}

export interface Event {
  event_id: string;
  user_id: string;
  duration_ms: number | string | null;
  occurred_at: string;
}

export function event(i: number, over: Partial<Event> = {}): Event {
  return {
    event_id: `e${i}`,
    user_id: `u${i % 9}`,
    duration_ms: i % 4 === 0 ? null : i * 1000 + 7,
    occurred_at: new Date(Date.UTC(2025, 5, 1, 12, 0, i, (i * 13) % 1000)).toISOString(),
    ...over,
  };
}

/** 200 valid events and one whose duration_ms (a long) holds a string. */
export const EVENTS: Event[] = [
  ...Array.from({ length: 200 }, (_, k) => event(k + 1)),
  event(201, { duration_ms: "abc" }),
];

export async function insertEvents(mongo: Mongo, docs: Event[]): Promise<void> {
  const reply = await mongo.command("safety", {
    insert: "events",
    documents: docs.map((d) => ({ ...d, occurred_at: { $date: d.occurred_at }, extra: [1, 2] })),
  });
  if (reply.ok !== 1) throw new Error(`insert failed: ${JSON.stringify(reply)}`);
}

export function header(m: TopicMessage, name: string): string | null | undefined {
  return m.headers.find(([k]) => k === name)?.[1];
}

/**
 * The text of a JSON message, which must be exactly one JSON object: no line break or other
 * white space before or after it, nothing else in the message.
 */
export function oneJsonObject(m: TopicMessage): Record<string, unknown> {
  const text = m.value as string;
  if (typeof text !== "string" || !text.startsWith("{") || !text.endsWith("}"))
    throw new Error(`not exactly one JSON object: ${JSON.stringify(text)}`);
  const v = JSON.parse(text) as unknown;
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new Error(`not a JSON object: ${JSON.stringify(text)}`);
  return v as Record<string, unknown>;
}
