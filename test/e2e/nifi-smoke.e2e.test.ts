// NiFi 2.x stateless engine, for real. Hand-written flow definitions in the format pipegen's NiFi
// emitter is to write (test/e2e/engines/nifi/flows/, see docs/nifi-components.md):
// QueryDatabaseTableRecord -> UpdateAttribute -> UpdateRecord (string message key) ->
// PublishKafka, services from a parameter context with a sensitive password, retry on
// PublishKafka's failure, a failure port. postgres-to-kafka.json publishes one JSON message per
// row (PostgreSQL and MariaDB); postgres-to-kafka-avro.json publishes Avro in the Confluent wire
// format through a ConfluentSchemaRegistry lookup (Apicurio). Needs bash test/e2e/install.sh,
// test/e2e/engines/databases/install.sh, test/e2e/engines/registry/install.sh and
// test/e2e/engines/nifi/install.sh.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { startMariadb, type Mariadb } from "./harness/mariadb.js";
import {
  assertNifiInstalled,
  describeNifiRun,
  NifiFlowInvalidError,
  nifiPaths,
  runStatelessFlow,
  type StatelessFlowOptions,
} from "./harness/nifi.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { runPython } from "./harness/python.js";
import { registerSchema, startRegistry, type SchemaRegistry } from "./harness/registry.js";

const NIFI_DIR = join(REPO_ROOT, "test/e2e/engines/nifi");
const FLOW = join(NIFI_DIR, "flows/postgres-to-kafka.json");
const AVRO_FLOW = join(NIFI_DIR, "flows/postgres-to-kafka-avro.json");
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
    "kafka.transactions": "false",
  };
}

/** public.smoke_orders with ROWS rows (expectedRow), and public.smoke_one with its first row. */
async function createSmokeTables(pg: Postgres): Promise<void> {
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
    // One row, for the failure test: PublishKafka waits max.block.ms per record.
    `CREATE TABLE public.smoke_one AS SELECT * FROM public.smoke_orders WHERE id = 1`,
  ]);
}

describe("NiFi stateless engine: PostgreSQL -> Kafka", () => {
  let kafka: KafkaBroker | undefined;
  let pg: Postgres | undefined;

  beforeAll(async () => {
    assertNifiInstalled(); // before starting anything
    [kafka, pg] = await Promise.all([startKafka(), startPostgres()]);
    await createSmokeTables(pg);
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

  it("keeps max-value state while running continuously: new rows only, no duplicates", async () => {
    const topic = "smoke.orders.continuous";
    await createTopic(kafka!.bootstrap, topic, 1);
    const stop = new AbortController();
    const running = runStatelessFlow({
      ...pgOptions(topic),
      continuous: true,
      signal: stop.signal,
    });
    try {
      expect(await readTopic(kafka!.bootstrap, topic, ROWS)).toHaveLength(ROWS);
      const insertedAt = Date.now();
      await pg!.query(
        `INSERT INTO public.smoke_orders SELECT * FROM (VALUES
           (101, 3, 126.25, 'PAID', 'late 1', TIMESTAMPTZ '2024-01-02 00:00:00+00'),
           (102, 4, 127.50, 'NEW', NULL, TIMESTAMPTZ '2024-01-02 00:01:00+00')) AS v`,
      );
      const messages = await readTopic(kafka!.bootstrap, topic, ROWS + 2);
      const lagMs = Date.now() - insertedAt;
      const ids = messages.map((m) => Number((JSON.parse(m.value!) as { id: number }).id));
      expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS + 2 }, (_, i) => i + 1));
      // The processor's schedulingPeriod ("1 min") is not what paces a continuous stateless
      // run: RunStatelessFlow -c triggers the flow again as soon as a trigger ends.
      const [[scans]] = (await pg!.query(
        "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = 'smoke_orders'",
      )) as [[string]];
      console.log(
        `continuous run: 2 new rows published ${lagMs} ms after the insert; ${scans} scans of the table so far`,
      );
    } finally {
      stop.abort();
      const result = await running;
      expect(result.killed).toBe(true);
      await pg!.query("DELETE FROM public.smoke_orders WHERE id > 100");
    }
  });

  it("publishes with Kafka transactions too (Transactions Enabled = true)", async () => {
    const topic = "smoke.orders.tx";
    await createTopic(kafka!.bootstrap, topic);
    const options = pgOptions(topic);
    const result = await runStatelessFlow({
      ...options,
      parameters: { ...options.parameters, "kafka.transactions": "true" },
    });
    expect(result.failed, describeNifiRun(result)).toBe(false);
    const messages = await readTopic(kafka!.bootstrap, topic, ROWS); // read_committed
    expect(messages.map((m) => checkMessage(m, "smoke")).sort((a, b) => a - b)).toEqual(
      Array.from({ length: ROWS }, (_, i) => i + 1),
    );
  });

  it("rejects an invalid flow with the engine's validation error", async () => {
    const options = pgOptions("smoke.orders.invalid");
    const error = await runStatelessFlow({
      ...options,
      parameters: { ...options.parameters, "source.database.type": "NoSuchDatabase" },
    }).then(
      (result) => result,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NifiFlowInvalidError);
    expect((error as NifiFlowInvalidError).errors.join("\n")).toMatch(
      /'Database Type' validated against 'NoSuchDatabase' is invalid/,
    );
  });

  it("refuses a sensitive parameter referenced from a non-sensitive property", async () => {
    // The emitter's rule: a ${secret:...} may only fill a sensitive property (Password, ...).
    const flow = JSON.parse(await readFile(FLOW, "utf8")) as {
      parameterContexts: Record<
        string,
        { parameters: { name: string; sensitive: boolean; value?: string }[] }
      >;
    };
    const url = flow.parameterContexts[CONTEXT]!.parameters.find(
      (p) => p.name === "source.jdbc.url",
    )!;
    url.sensitive = true;
    delete url.value;
    const dir = await mkdtemp(join(tmpdir(), "pipegen-nifi-flow-"));
    try {
      const flowJson = join(dir, "flow.json");
      await writeFile(flowJson, JSON.stringify(flow));
      const error = await runStatelessFlow({
        ...pgOptions("smoke.orders.sensitive"),
        flowJson,
      }).then(
        (result) => result,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NifiFlowInvalidError);
      expect((error as NifiFlowInvalidError).errors.join("\n")).toMatch(
        /Cannot add Parameter with name 'source.jdbc.url' unless that Parameter is Not Sensitive/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("fails the run through the failure port after the retries (missing topic)", async () => {
    const options = pgOptions("smoke.orders.missing");
    const result = await runStatelessFlow({
      ...options,
      parameters: { ...options.parameters, "source.table": "public.smoke_one" },
    });
    expect(result.code, describeNifiRun(result)).toBe(0); // exit 0 all the same
    expect(result.failed, describeNifiRun(result)).toBe(true);
    const output = result.stdout + result.stderr;
    expect(output).toMatch(
      /FlowFile was transferred to Port failure, which is marked as a Failure Port/,
    );
    // retryCount 2 on PublishKafka's failure relationship: three attempts in all.
    expect(output.match(/PublishKafka\[id=[^\]]+\] Failed to publish/g)).toHaveLength(3);
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

/** The value schema of the Avro flow, registered under `<topic>-value` before the run. */
const VALUE_SCHEMA = {
  type: "record",
  name: "smoke_orders",
  namespace: "pipegen.smoke",
  fields: [
    { name: "id", type: "int" },
    { name: "customer_id", type: "int" },
    { name: "amount", type: { type: "bytes", logicalType: "decimal", precision: 10, scale: 2 } },
    { name: "status", type: "string" },
    { name: "note", type: ["null", "string"], default: null },
    { name: "updated_at", type: { type: "long", logicalType: "timestamp-millis" } },
  ],
};

/**
 * A Confluent-framed Avro value of VALUE_SCHEMA: magic byte 0, the schema id (4 bytes, big
 * endian), then the Avro binary record. A decoder for exactly this schema (no library in the
 * e2e venv decodes Avro).
 */
function decodeConfluentAvro(hex: string) {
  const buf = Buffer.from(hex, "hex");
  let pos = 5;
  const long = (): bigint => {
    let n = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++]!;
      n |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return (n >> 1n) ^ -(n & 1n); // zigzag
  };
  const bytes = (): Buffer => {
    const len = Number(long());
    const out = buf.subarray(pos, pos + len);
    pos += len;
    return out;
  };
  const decimal = (scale: number): string => {
    const b = bytes();
    let n = 0n;
    for (const x of b) n = (n << 8n) | BigInt(x);
    if (b.length > 0 && (b[0]! & 0x80) !== 0) n -= 1n << BigInt(8 * b.length); // two's complement
    const neg = n < 0n;
    const digits = (neg ? -n : n).toString().padStart(scale + 1, "0");
    return `${neg ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  };
  const record = {
    id: Number(long()),
    customer_id: Number(long()),
    amount: decimal(2),
    status: bytes().toString("utf8"),
    note: long() === 0n ? null : bytes().toString("utf8"),
    updated_at: new Date(Number(long())).toISOString(),
  };
  if (pos !== buf.length) throw new Error(`${buf.length - pos} bytes left after the record`);
  return { magic: buf[0], schemaId: buf.readInt32BE(1), record };
}

describe("NiFi stateless engine: PostgreSQL -> Kafka, Avro in the Confluent wire format", () => {
  let kafka: KafkaBroker | undefined;
  let pg: Postgres | undefined;
  let registry: SchemaRegistry | undefined;

  beforeAll(async () => {
    [kafka, pg, registry] = await Promise.all([startKafka(), startPostgres(), startRegistry()]);
    await createSmokeTables(pg);
  });

  afterAll(async () => {
    await Promise.all([kafka?.stop(), pg?.stop(), registry?.stop()]);
  });

  it("writes magic byte + registered schema id + Avro, from a ConfluentSchemaRegistry lookup", async () => {
    const topic = "smoke.orders.avro";
    const subject = `${topic}-value`;
    await createTopic(kafka!.bootstrap, topic);
    const schemaId = await registerSchema(registry!.ccompatUrl, subject, VALUE_SCHEMA);

    const result = await runStatelessFlow({
      flowJson: AVRO_FLOW,
      contextName: CONTEXT,
      parameters: {
        ...baseParameters(kafka!.bootstrap, topic),
        "source.jdbc.url": pg!.jdbcUrl,
        "source.jdbc.driver": "org.postgresql.Driver",
        "source.user": pg!.user,
        "source.password": pg!.password,
        "source.database.type": "PostgreSQL",
        "source.table": "public.smoke_orders",
        "schema.registry.url": registry!.ccompatUrl,
        "kafka.value.subject": subject,
      },
      timeoutMs: 240_000,
    });
    expect(result.failed, describeNifiRun(result)).toBe(false);

    const messages = await readTopic(kafka!.bootstrap, topic, ROWS);
    expect(messages).toHaveLength(ROWS);
    const ids = messages.map((m) => {
      const decoded = decodeConfluentAvro(m.value_hex!);
      expect(decoded.magic).toBe(0);
      expect(decoded.schemaId).toBe(schemaId);
      const want = expectedRow(decoded.record.id);
      expect(decoded.record).toEqual(want);
      expect(m.key).toBe(String(want.id));
      expect(m.headers).toContainEqual(["source", "smoke"]);
      return decoded.record.id;
    });
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  });
});
