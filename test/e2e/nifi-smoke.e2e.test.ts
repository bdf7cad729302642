// NiFi 2.x stateless engine, for real: a hand-written flow definition in the format pipegen's NiFi
// emitter writes (test/e2e/engines/nifi/flows/postgres-to-kafka.json: QueryDatabaseTableRecord ->
// UpdateAttribute -> PublishKafka, a parameter context with a sensitive password, retry on
// PublishKafka's failure, a failure port) reads a PostgreSQL (and a MariaDB) table and publishes
// one JSON message per row to a Kafka topic. Needs bash test/e2e/install.sh,
// test/e2e/engines/databases/install.sh and test/e2e/engines/nifi/install.sh.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { startMariadb, type Mariadb } from "./harness/mariadb.js";
import {
  describeNifiRun,
  NifiFlowInvalidError,
  nifiPaths,
  runStatelessFlow,
  type StatelessFlowOptions,
} from "./harness/nifi.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { runPython } from "./harness/python.js";

const NIFI_DIR = join(REPO_ROOT, "test/e2e/engines/nifi");
const FLOW = join(NIFI_DIR, "flows/postgres-to-kafka.json");
const CONTEXT = "pipegen_smoke";
const ROWS = 100;

interface Message {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  value_hex: string | null;
  headers: [string, string | null][];
}

async function createTopic(bootstrap: string, topic: string, partitions = 3): Promise<void> {
  const r = await runPython(join(NIFI_DIR, "kafka_topic.py"), [
    "create",
    bootstrap,
    topic,
    String(partitions),
  ]);
  if (r.code !== 0) throw new Error(`creating topic ${topic} failed:\n${r.stderr}`);
}

/** Every message of the topic once at least `min` arrived and the topic is quiet. */
async function readTopic(
  bootstrap: string,
  topic: string,
  min: number,
  idleS = 2,
): Promise<Message[]> {
  const r = await runPython(
    join(NIFI_DIR, "kafka_topic.py"),
    ["read", bootstrap, topic, "--min", String(min), "--timeout", "60", "--idle", String(idleS)],
    { timeoutMs: 90_000 },
  );
  if (r.code !== 0 && r.code !== 3) throw new Error(`reading topic ${topic} failed:\n${r.stderr}`);
  return (JSON.parse(r.stdout) as { messages: Message[] }).messages;
}

/** The row i (1-based) as inserted below, and as the flow must publish it. */
function expectedRow(i: number) {
  const statuses = ["NEW", "PAID", "SHIPPED", "CANCELLED"];
  const minutes = i; // updated_at = 2024-01-01T00:00:00Z + i minutes
  const ts = new Date(Date.UTC(2024, 0, 1, 0, minutes)).toISOString(); // ...T00:01:00.000Z
  return {
    id: i,
    customer_id: i % 7,
    amount: (i * 1.25).toFixed(2),
    status: statuses[i % 4]!,
    note: i % 2 === 0 ? null : `note ${i}`,
    updated_at: ts,
  };
}

/** Compare a published JSON value with the expected row, tolerant only where types must map. */
function checkMessage(message: Message, source: string) {
  expect(message.value, "message value is UTF-8 JSON").not.toBeNull();
  const value = JSON.parse(message.value!) as Record<string, unknown>;
  const id = Number(value.id);
  const want = expectedRow(id);
  expect(message.key, `key of row ${id}`).toBe(String(id));
  expect(message.headers).toContainEqual(["source", source]);
  expect(value.customer_id).toBe(want.customer_id);
  expect(Number(value.amount).toFixed(2)).toBe(want.amount);
  expect(value.status).toBe(want.status);
  expect(value.note).toBe(want.note);
  // Timestamp Format yyyy-MM-dd'T'HH:mm:ss.SSSX in the JSON writer; the engine runs in UTC.
  expect(new Date(String(value.updated_at)).toISOString()).toBe(want.updated_at);
  return id;
}

function baseParameters(bootstrap: string, topic: string): Record<string, string> {
  return {
    "jdbc.driver.dir": nifiPaths().jdbcDir,
    "source.incremental.column": "id",
    "source.label": "smoke",
    "kafka.bootstrap": bootstrap,
    "kafka.topic": topic,
    "kafka.key.field": "id",
  };
}

describe("NiFi stateless engine: PostgreSQL -> Kafka", () => {
  let kafka: KafkaBroker | undefined;
  let pg: Postgres | undefined;

  beforeAll(async () => {
    nifiPaths(); // fail fast in runStatelessFlow if not installed
    [kafka, pg] = await Promise.all([startKafka(), startPostgres()]);
    await pg.query([
      `CREATE TABLE public.smoke_orders (
         id integer PRIMARY KEY,
         customer_id integer NOT NULL,
         amount numeric(10,2) NOT NULL,
         status text NOT NULL,
         note text,
         updated_at timestamptz NOT NULL)`,
      `INSERT INTO public.smoke_orders
         SELECT i, i % 7, i * 1.25,
                (ARRAY['NEW','PAID','SHIPPED','CANCELLED'])[i % 4 + 1],
                CASE WHEN i % 2 = 0 THEN NULL ELSE 'note ' || i END,
                TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute'
         FROM generate_series(1, ${ROWS}) AS i`,
    ]);
  });

  afterAll(async () => {
    await Promise.all([kafka?.stop(), pg?.stop()]);
  });

  const pgOptions = (
    topic: string,
    extra: Partial<StatelessFlowOptions> = {},
  ): StatelessFlowOptions => ({
    flowJson: FLOW,
    contextName: CONTEXT,
    parameters: {
      ...baseParameters(kafka!.bootstrap, topic),
      "source.jdbc.url": pg!.jdbcUrl,
      "source.jdbc.driver": "org.postgresql.Driver",
      "source.user": pg!.user,
      "source.password": pg!.password,
      "source.database.type": "PostgreSQL",
      "source.table": "public.smoke_orders",
    },
    timeoutMs: 240_000,
    ...extra,
  });

  it("publishes every row once, keyed by id, with the attribute as a header", async () => {
    const topic = "smoke.orders.pg";
    await createTopic(kafka!.bootstrap, topic);
    const result = await runStatelessFlow(pgOptions(topic));
    expect(result.code, describeNifiRun(result)).toBe(0);
    expect(result.failed, describeNifiRun(result)).toBe(false);

    const messages = await readTopic(kafka!.bootstrap, topic, ROWS);
    const ids = messages.map((m) => checkMessage(m, "smoke"));
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  });

  it("starts from scratch on every run: max-value state lives in the JVM only", async () => {
    const topic = "smoke.orders.rerun";
    await createTopic(kafka!.bootstrap, topic, 1);
    for (let run = 0; run < 2; run++) {
      const result = await runStatelessFlow(pgOptions(topic));
      expect(result.failed, describeNifiRun(result)).toBe(false);
    }
    const messages = await readTopic(kafka!.bootstrap, topic, 2 * ROWS);
    expect(messages).toHaveLength(2 * ROWS);
  });

  it("reports an invalid flow (a parameter outside a property's allowed values)", async () => {
    const topic = "smoke.orders.invalid";
    const run = runStatelessFlow(
      pgOptions(topic, {
        parameters: { ...pgOptions(topic).parameters, "source.database.type": "NoSuchDatabase" },
      }),
    );
    await expect(run).rejects.toThrow(NifiFlowInvalidError);
    await expect(run).rejects.toThrow(/not valid/);
  });

  it("fails the run (failure port) when the topic does not exist", async () => {
    const result = await runStatelessFlow(pgOptions("smoke.orders.missing"));
    expect(result.failed, describeNifiRun(result)).toBe(true);
  });
});

describe("NiFi stateless engine: MariaDB -> Kafka (same flow, other parameters)", () => {
  let kafka: KafkaBroker | undefined;
  let db: Mariadb | undefined;

  beforeAll(async () => {
    [kafka, db] = await Promise.all([startKafka(), startMariadb()]);
    const values = Array.from({ length: ROWS }, (_, k) => {
      const r = expectedRow(k + 1);
      const ts = r.updated_at.replace("T", " ").replace(".000Z", "");
      return `(${r.id}, ${r.customer_id}, ${r.amount}, '${r.status}', ${r.note === null ? "NULL" : `'${r.note}'`}, '${ts}')`;
    });
    await db.query(
      `CREATE TABLE smoke_orders (
         id INT PRIMARY KEY,
         customer_id INT NOT NULL,
         amount DECIMAL(10,2) NOT NULL,
         status VARCHAR(16) NOT NULL,
         note VARCHAR(64),
         updated_at TIMESTAMP(3) NOT NULL);
       INSERT INTO smoke_orders VALUES ${values.join(", ")};`,
    );
  });

  afterAll(async () => {
    await Promise.all([kafka?.stop(), db?.stop()]);
  });

  it("publishes every row once", async () => {
    const topic = "smoke.orders.mariadb";
    await createTopic(kafka!.bootstrap, topic);
    const result = await runStatelessFlow({
      flowJson: FLOW,
      contextName: CONTEXT,
      parameters: {
        ...baseParameters(kafka!.bootstrap, topic),
        "source.jdbc.url": db!.jdbcUrlMariadb,
        "source.jdbc.driver": "org.mariadb.jdbc.Driver",
        "source.user": db!.user,
        "source.password": db!.password,
        "source.database.type": "MySQL",
        "source.table": "smoke_orders",
        "source.label": "legacy",
      },
      timeoutMs: 240_000,
    });
    expect(result.failed, describeNifiRun(result)).toBe(false);
    const messages = await readTopic(kafka!.bootstrap, topic, ROWS);
    const ids = messages.map((m) => checkMessage(m, "legacy"));
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  });
});
