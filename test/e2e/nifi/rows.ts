// Source rows of the example pipelines' ingests, shared by the NiFi tests (stateless engine,
// nifi-ingest.e2e.test.ts) and the ingestion DAG test on the NiFi server
// (airflow-ingestion.e2e.test.ts): shop_orders' PostgreSQL orders, iot_sensors' MariaDB
// readings, user_activity's MongoDB activity documents.
import type { Mariadb } from "../harness/mariadb.js";
import type { Mongo } from "../harness/mongo.js";
import type { Postgres } from "../harness/postgres.js";

// --- shop_orders: public.orders in PostgreSQL ----------------------------------------------------

export interface Order {
  order_id: number;
  customer_id: string | null;
  amount: string | null;
  currency: string | null;
  status: string | null;
  updated_at: string;
}

export function order(i: number, over: Partial<Order> = {}): Order {
  const statuses = ["NEW", "PAID", "SHIPPED", "CANCELLED"];
  return {
    order_id: i,
    customer_id: `c${i % 7}`,
    amount: (i * 1.25 + (i % 3 === 0 ? 0.01 : 0)).toFixed(2),
    currency: ["EUR", "USD", "GBP"][i % 3]!,
    status: statuses[i % 4]!,
    updated_at: new Date(Date.UTC(2025, 0, 1, 0, i, 0, i % 1000)).toISOString(),
    ...over,
  };
}

const pgText = (v: string | null) => (v === null ? "NULL" : `'${v.replace(/'/g, "''")}'`);

export async function insertOrders(pg: Postgres, rows: Order[]): Promise<void> {
  const values = rows.map(
    (o) =>
      `(${o.order_id}, ${pgText(o.customer_id)}, ${o.amount ?? "NULL"}, ${pgText(o.currency)}, ` +
      `${pgText(o.status)}, TIMESTAMPTZ '${o.updated_at}', 'internal ${o.order_id}')`,
  );
  await pg.query(`INSERT INTO public.orders VALUES ${values.join(", ")}`);
}

export const ORDERS_TABLE = `CREATE TABLE public.orders (
  order_id bigint PRIMARY KEY,
  customer_id text,
  amount numeric(10,2),
  currency text,
  status text,
  updated_at timestamptz NOT NULL,
  internal_note text)`;

// --- iot_sensors: plant.sensor_readings in MariaDB -----------------------------------------------

export const READINGS_TABLE = `CREATE TABLE plant.sensor_readings (
  sensor_id VARCHAR(32) NOT NULL,
  site VARCHAR(32),
  read_at DATETIME(3) NOT NULL,
  temperature_c DOUBLE,
  humidity_pct FLOAT,
  battery_mv INT,
  PRIMARY KEY (sensor_id, read_at));`;

export interface Reading {
  sensor_id: string;
  site: string | null;
  read_at: string;
  temperature_c: number | null;
  humidity_pct: number | null;
  battery_mv: number | null;
}

export function reading(i: number, over: Partial<Reading> = {}): Reading {
  return {
    sensor_id: `s-${i % 5}`,
    site: ["north", "south", "east"][i % 3]!,
    read_at: new Date(Date.UTC(2025, 2, 1, 0, 0, i, (i * 7) % 1000)).toISOString(),
    temperature_c: i % 6 === 0 ? null : Math.round((i * 0.37 - 5) * 1000) / 1000,
    humidity_pct: (i % 80) + 0.25, // exact in a float
    battery_mv: i % 4 === 0 ? null : 3000 + i,
    ...over,
  };
}

export async function insertReadings(db: Mariadb, rows: Reading[]): Promise<void> {
  const sql = (v: string | number | null) =>
    v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v.replace(/'/g, "''")}'`;
  const values = rows.map(
    (r) =>
      `(${sql(r.sensor_id)}, ${sql(r.site)}, '${r.read_at.replace("T", " ").replace("Z", "")}', ` +
      `${sql(r.temperature_c)}, ${sql(r.humidity_pct)}, ${sql(r.battery_mv)})`,
  );
  await db.query(`INSERT INTO plant.sensor_readings VALUES ${values.join(", ")};`);
}

// --- user_activity: crm.activity in MongoDB (FerretDB) -------------------------------------------

export interface Activity {
  event_id: string;
  user_id: string | null;
  action: string;
  page: string | null;
  duration_ms: number | null;
  occurred_at: string;
}

export const activity = (i: number, over: Partial<Activity> = {}): Activity => ({
  event_id: `e${i}`,
  user_id: `u${i % 4}`,
  action: ["login", "view", "click", "purchase", "logout"][i % 5]!,
  page: i % 3 === 0 ? null : `/p/${i}`,
  duration_ms: i % 2 === 0 ? null : i * 1000,
  occurred_at: new Date(Date.UTC(2025, 5, 1, 12, i, 0, i)).toISOString(),
  ...over,
});

/** Inserts documents into crm.activity (occurred_at as a BSON date); throws unless ok. */
export async function insertActivity(
  mongo: Mongo,
  docs: Array<Activity & { source: string }>,
): Promise<void> {
  const reply = await mongo.command("crm", {
    insert: "activity",
    documents: docs.map((d) => ({ ...d, occurred_at: { $date: d.occurred_at } })),
  });
  if (reply.ok !== 1) throw new Error(`insert into crm.activity: ${JSON.stringify(reply)}`);
}
