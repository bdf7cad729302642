// The generated NiFi flows (generated/<pipeline>/nifi/<pipeline>.flow.json) on NiFi 2.8.0's
// real stateless engine, against real PostgreSQL, MariaDB and FerretDB (MongoDB wire protocol),
// Kafka and a Confluent-API schema registry (Apicurio). For each example ingest: rows in the
// source arrive in the topic as Confluent-framed Avro of the registered schema (decoded and
// compared field by field, with the message key and headers); rows that fail validation reach
// the dead-letter topic as JSON with pipegen.* headers; route steps send their records to the
// other topic; spec values with NiFi syntax in them ($, #, {, quotes, backslashes, control
// characters) arrive exactly; a publish that keeps failing is retried and dead-lettered with
// its reason; when the dead-letter publish fails too, the run fails through the failure port.
// A flow the engine refuses fails the test (runStatelessFlow rejects with the engine's errors).
//
// How "a second run delivers only the new rows" is tested: the stateless engine keeps
// QueryDatabaseTableRecord's max-value state in the JVM only (docs/nifi-components.md), so a
// second RunStatelessFlow process would start from scratch. Each relational test therefore runs
// the engine continuously (RunStatelessFlow -c, as the docs recommend for incremental state):
// first rows inserted, the flow started, their messages checked; then more rows inserted into
// the running flow and exactly those (no repeats) checked. MongoDB sources keep no state at all
// (GetMongo; the spec's ingest has no incrementalColumn): two one-shot runs, each
// publishing every matching document.
//
// Parameters come from the started servers (the flow's defaults are kept where the servers
// were started to match the spec: database and user names). Environment variables named like
// a flow parameter would override those (the engine's environment parameter provider), so
// they are removed from this process's environment for the tests.
//
// Needs bash test/e2e/install.sh (Kafka, the Spark venv with fastavro, PostgreSQL/MariaDB,
// FerretDB, Apicurio, NiFi). About 5 minutes.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/api/index.js";
import { deleteTopics, startKafka, type KafkaBroker } from "./harness/kafka.js";
import { startMariadb, type Mariadb } from "./harness/mariadb.js";
import { startMongo, type Mongo } from "./harness/mongo.js";
import {
  assertNifiInstalled,
  describeNifiRun,
  NifiFlowInvalidError,
  nifiPaths,
  runStatelessFlow,
  type StatelessFlowResult,
} from "./harness/nifi.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { startRegistry, type SchemaRegistry } from "./harness/registry.js";
import {
  applyTopics,
  flowParameters,
  pipelineFiles,
  readTopic,
  registerSchemas,
  type PipelineFiles,
  type TopicMessage,
} from "./nifi/ingest.js";
import {
  activity,
  insertActivity,
  insertOrders,
  insertReadings,
  order,
  ORDERS_TABLE,
  reading,
  READINGS_TABLE,
  type Activity,
  type Order,
  type Reading,
} from "./nifi/rows.js";

/** Environment variables named like a parameter of the flows, removed while the tests run. */
const scrubbed = new Map<string, string>();
function scrubEnvironment(files: PipelineFiles): void {
  for (const name of flowParameters(files.flowJson).keys()) {
    const v = process.env[name];
    if (v !== undefined) {
      scrubbed.set(name, v);
      delete process.env[name];
    }
  }
}
afterAll(() => {
  for (const [k, v] of scrubbed) process.env[k] = v;
});

/** A continuous engine run; stop() ends it and returns the result (or the refusal). */
function runContinuously(
  files: PipelineFiles,
  parameters: Record<string, string>,
): { stop: () => Promise<StatelessFlowResult>; refused: Promise<unknown> } {
  const abort = new AbortController();
  const running = runStatelessFlow({
    flowJson: files.flowJson,
    contextName: files.pipeline,
    parameters,
    continuous: true,
    signal: abort.signal,
    timeoutMs: 600_000,
  });
  // A refused flow rejects before any message arrives: the reads below would only time out.
  const refused = running.then(
    () => new Promise(() => {}),
    (e: unknown) => e,
  );
  return {
    refused,
    stop: async () => {
      abort.abort();
      return running;
    },
  };
}

/** readTopic, but failing at once with the engine's reason when the engine refuses the flow. */
async function read(
  engine: { refused: Promise<unknown> },
  ...args: Parameters<typeof readTopic>
): Promise<TopicMessage[]> {
  return Promise.race([
    readTopic(...args),
    engine.refused.then((e) => {
      throw e;
    }),
  ]);
}

function header(m: TopicMessage, name: string): string | null | undefined {
  return m.headers.find(([k]) => k === name)?.[1];
}

const byNumber = (a: number, b: number) => a - b;

// ---------------------------------------------------------------------------------------------
// shop_orders: PostgreSQL, validate + setAttributes + route, Avro, key order_id (a long).

function checkAvro(
  messages: TopicMessage[],
  schemaId: number,
  expected: Map<number, Order>,
  attrs: Record<string, string>,
): number[] {
  return messages.map((m) => {
    expect(m.error, JSON.stringify(m)).toBeNull();
    expect(m.magic).toBe(0);
    expect(m.schema_id).toBe(schemaId);
    const v = m.value as Order;
    const want = expected.get(v.order_id);
    expect(want, `unexpected order ${v.order_id}`).toBeDefined();
    expect(v).toEqual(want);
    expect(m.key).toBe(String(v.order_id));
    for (const [k, val] of Object.entries(attrs)) expect(header(m, k)).toBe(val);
    return v.order_id;
  });
}

describe("shop_orders: PostgreSQL -> NiFi -> Kafka (the generated flow)", () => {
  const files = pipelineFiles("shop_orders");
  let kafka: KafkaBroker | undefined;
  let pg: Postgres | undefined;
  let registry: SchemaRegistry | undefined;
  let ids: Map<string, number>;

  beforeAll(async () => {
    assertNifiInstalled();
    scrubEnvironment(files);
    [kafka, pg, registry] = await Promise.all([
      startKafka(),
      // The spec's database and user: the flow's parameter defaults shop_db.database, shop_db.user.
      startPostgres({ user: "ingest", database: "shop" }),
      startRegistry(),
    ]);
    await pg.query(ORDERS_TABLE);
    await applyTopics(files, kafka.bootstrap);
    ids = await registerSchemas(files, registry.ccompatUrl);
  });

  afterAll(async () => {
    await Promise.all([kafka?.stop(), pg?.stop(), registry?.stop()]);
  });

  it("publishes, routes and dead-letters the rows, then only the rows inserted later", async () => {
    // 1..40 valid (every 4th CANCELLED -> orders.cancelled), 41..44 invalid.
    const first = [
      ...Array.from({ length: 40 }, (_, k) => order(k + 1)),
      order(41, { customer_id: null }), // required field missing
      order(42, { currency: "JPY" }), // not in the enum
      order(43, { status: "LOST" }), // not in the enum
      order(44, { customer_id: null, status: "CANCELLED" }), // invalid beats the route
    ];
    // Inserted while the flow runs: later updated_at (the incremental column).
    const later = [
      ...Array.from({ length: 12 }, (_, k) => order(100 + k)),
      order(112, { amount: null, currency: null, status: null }), // optional fields may be null
      order(113, { currency: "CHF" }),
    ];
    const isValid = (o: Order) =>
      o.customer_id !== null &&
      (o.currency === null || ["EUR", "USD", "GBP"].includes(o.currency)) &&
      (o.status === null || ["NEW", "PAID", "SHIPPED", "CANCELLED"].includes(o.status));
    const expectFor = (rows: Order[], cancelled: boolean) =>
      new Map(
        rows
          .filter((o) => isValid(o) && (o.status === "CANCELLED") === cancelled)
          .map((o) => [o.order_id, o]),
      );

    await insertOrders(pg!, first);
    const engine = runContinuously(files, {
      KAFKA_BOOTSTRAP_SERVERS: kafka!.bootstrap,
      SCHEMA_REGISTRY_URL: registry!.ccompatUrl,
      SHOP_DB_HOST: pg!.host,
      SHOP_DB_PORT: String(pg!.port),
      SHOP_DB_PASSWORD: pg!.password,
      "jdbc.driver.dir": nifiPaths().jdbcDir,
    });
    const bootstrap = kafka!.bootstrap;
    const rawAvsc = files.schemaFile("orders.raw");
    const cancelledAvsc = files.schemaFile("orders.cancelled");
    let result: StatelessFlowResult | undefined;
    try {
      // Run 1: the rows that were there when the flow started.
      let raw = await read(engine, bootstrap, "orders.raw", { avsc: rawAvsc, min: 30 });
      let cancelled = await read(engine, bootstrap, "orders.cancelled", {
        avsc: cancelledAvsc,
        min: 10,
      });
      let dlq = await read(engine, bootstrap, "orders.dlq", { min: 4 });
      const rawIds = checkAvro(raw, ids.get("orders.raw-value")!, expectFor(first, false), {
        source: "shop",
      });
      expect(rawIds.sort(byNumber)).toEqual([...expectFor(first, false).keys()].sort(byNumber));
      const cancelledIds = checkAvro(
        cancelled,
        ids.get("orders.cancelled-value")!,
        expectFor(first, true),
        { source: "shop" },
      );
      expect(cancelledIds.sort(byNumber)).toEqual(
        [...expectFor(first, true).keys()].sort(byNumber),
      );
      expect(cancelledIds).toHaveLength(10);
      const dead = dlq.map((m) => {
        expect(header(m, "pipegen.reason")).toBe("invalid");
        expect(header(m, "pipegen.step")).toBe("validate order");
        expect(header(m, "pipegen.ingest")).toBe("shop_orders");
        expect(header(m, "pipegen.validation.details")).toMatch(/customer_id|currency|status/);
        const row = JSON.parse(m.value as string) as Record<string, unknown>;
        const want = first.find((o) => o.order_id === row.order_id)!;
        expect(row).toMatchObject({ order_id: want.order_id, customer_id: want.customer_id });
        return row.order_id as number;
      });
      expect(dead.sort(byNumber)).toEqual([41, 42, 43, 44]);
      console.log(
        `shop_orders run 1: ${first.length} rows -> orders.raw ${raw.length}, orders.cancelled ${cancelled.length}, orders.dlq ${dlq.length}`,
      );

      // Run 2, same engine (state kept): more rows; exactly those arrive.
      await insertOrders(pg!, later);
      const all = [...first, ...later];
      raw = await read(engine, bootstrap, "orders.raw", {
        avsc: rawAvsc,
        min: expectFor(all, false).size,
      });
      cancelled = await read(engine, bootstrap, "orders.cancelled", {
        avsc: cancelledAvsc,
        min: expectFor(all, true).size,
      });
      dlq = await read(engine, bootstrap, "orders.dlq", { min: 5 });
      const raw2 = checkAvro(raw, ids.get("orders.raw-value")!, expectFor(all, false), {
        source: "shop",
      });
      expect(raw2.sort(byNumber)).toEqual([...expectFor(all, false).keys()].sort(byNumber));
      const cancelled2 = checkAvro(
        cancelled,
        ids.get("orders.cancelled-value")!,
        expectFor(all, true),
        { source: "shop" },
      );
      expect(cancelled2.sort(byNumber)).toEqual([...expectFor(all, true).keys()].sort(byNumber));
      expect(
        dlq.map((m) => (JSON.parse(m.value as string) as Order).order_id).sort(byNumber),
      ).toEqual([41, 42, 43, 44, 113]);
      console.log(
        `shop_orders run 2: +${later.length} rows -> orders.raw ${raw.length} (+${raw.length - rawIds.length}), orders.cancelled ${cancelled.length} (+${cancelled.length - cancelledIds.length}), orders.dlq ${dlq.length} (+${dlq.length - dead.length})`,
      );
    } finally {
      result = await engine.stop();
    }
    expect(result.killed, describeNifiRun(result)).toBe(true);
    expect(result.failed, describeNifiRun(result)).toBe(false);
  });

  it("a one-shot run (what a scheduled stateless run does) reads the whole table again", async () => {
    const before = await readTopic(kafka!.bootstrap, "orders.raw", { idleS: 2 });
    const result = await runStatelessFlow({
      flowJson: files.flowJson,
      contextName: "shop_orders",
      parameters: {
        KAFKA_BOOTSTRAP_SERVERS: kafka!.bootstrap,
        SCHEMA_REGISTRY_URL: registry!.ccompatUrl,
        SHOP_DB_HOST: pg!.host,
        SHOP_DB_PORT: String(pg!.port),
        SHOP_DB_PASSWORD: pg!.password,
        "jdbc.driver.dir": nifiPaths().jdbcDir,
      },
      timeoutMs: 240_000,
    });
    expect(result.code, describeNifiRun(result)).toBe(0);
    expect(result.failed, describeNifiRun(result)).toBe(false);
    const after = await readTopic(kafka!.bootstrap, "orders.raw", { min: 2 * before.length });
    expect(after).toHaveLength(2 * before.length);
  });

  it("a flow the engine refuses fails with the engine's validation error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pipegen-nifi-invalid-"));
    try {
      const flow = (await readFile(files.flowJson, "utf8")).replace(
        '"Database Type": "PostgreSQL"',
        '"Database Type": "NoSuchDatabase"',
      );
      const flowJson = join(dir, "shop_orders.flow.json");
      await writeFile(flowJson, flow);
      const error = await runStatelessFlow({
        flowJson,
        contextName: "shop_orders",
        parameters: {
          KAFKA_BOOTSTRAP_SERVERS: kafka!.bootstrap,
          SCHEMA_REGISTRY_URL: registry!.ccompatUrl,
          SHOP_DB_HOST: pg!.host,
          SHOP_DB_PORT: String(pg!.port),
          SHOP_DB_PASSWORD: pg!.password,
          "jdbc.driver.dir": nifiPaths().jdbcDir,
        },
        enableTimeout: "5 sec",
        timeoutMs: 120_000,
      }).then(
        (r) => r,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(NifiFlowInvalidError);
      expect((error as NifiFlowInvalidError).errors.join("\n")).toMatch(/NoSuchDatabase/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile spec values: shop_orders with NiFi syntax in attribute values and a route value.

describe("spec values with NiFi syntax arrive exactly (PostgreSQL -> Kafka)", () => {
  // No NUL: PostgreSQL text cannot hold it; Kafka headers and the record field can.
  const nasty = `a \${literal('x')} $\${b} $$$\${c} #{SHOP_DB_HOST} ##{d} ###{e} '\\'" \\\\ \\n é 中 😀 {}} \t\u0001\u001f end$ #`;
  const routeValue = `CAN'CEL ${"${status}"} #{x} \\ \u0002`;
  let out: string;
  let files: PipelineFiles;
  let kafka: KafkaBroker | undefined;
  let pg: Postgres | undefined;
  let registry: SchemaRegistry | undefined;

  beforeAll(async () => {
    assertNifiInstalled();
    const dir = await mkdtemp(join(tmpdir(), "pipegen-nifi-hostile-"));
    const spec = parse(await readFile(join(REPO_ROOT, "specs/shop_orders.yaml"), "utf8")) as {
      schemas: { order: { fields: Record<string, { enum?: string[] }> } };
      ingest: { shop_orders: { steps: unknown[]; onError: unknown } };
    };
    delete spec.schemas.order.fields.status!.enum;
    spec.ingest.shop_orders.steps = [
      { validate: "order" },
      { setAttributes: { source: nasty, "weird.name-1": "$", plain: "#" } },
      {
        route: [
          { when: { field: "status", in: [routeValue, "CANCELLED"] }, to: "orders.cancelled" },
        ],
      },
    ];
    // Short retries for the failure test below.
    spec.ingest.shop_orders.onError = { retries: 1, backoff: "1s", deadLetter: "orders.dlq" };
    const specFile = join(dir, "shop_orders.yaml");
    await writeFile(specFile, stringify(spec));
    out = join(dir, "generated");
    const r = build([specFile], { out });
    expect(r.diagnostics).toEqual([]);
    files = pipelineFiles("shop_orders", out);
    scrubEnvironment(files);
    [kafka, pg, registry] = await Promise.all([
      startKafka(),
      startPostgres({ user: "ingest", database: "shop" }),
      startRegistry(),
    ]);
    await pg.query(ORDERS_TABLE);
    await applyTopics(files, kafka.bootstrap);
    await registerSchemas(files, registry.ccompatUrl);
  });

  afterAll(async () => {
    await Promise.all([kafka?.stop(), pg?.stop(), registry?.stop()]);
    if (out) await rm(join(out, ".."), { recursive: true, force: true });
  });

  it("headers carry the attribute values, and the route matches the value, exactly", async () => {
    const rows = [
      order(1, { status: "NEW" }),
      order(2, { status: routeValue }),
      order(3, { status: "CANCELLED" }),
      order(4, { status: `${routeValue} ` }), // not equal: stays on orders.raw
    ];
    await insertOrders(pg!, rows);
    const result = await runStatelessFlow({
      flowJson: files.flowJson,
      contextName: "shop_orders",
      parameters: {
        KAFKA_BOOTSTRAP_SERVERS: kafka!.bootstrap,
        SCHEMA_REGISTRY_URL: registry!.ccompatUrl,
        SHOP_DB_HOST: pg!.host,
        SHOP_DB_PORT: String(pg!.port),
        SHOP_DB_PASSWORD: pg!.password,
        "jdbc.driver.dir": nifiPaths().jdbcDir,
      },
      timeoutMs: 240_000,
    });
    expect(result.failed, describeNifiRun(result)).toBe(false);
    const avsc = files.schemaFile("orders.raw");
    const raw = await readTopic(kafka!.bootstrap, "orders.raw", { avsc, min: 2 });
    const cancelled = await readTopic(kafka!.bootstrap, "orders.cancelled", {
      avsc: files.schemaFile("orders.cancelled"),
      min: 2,
    });
    expect(raw.map((m) => (m.value as Order).order_id).sort(byNumber)).toEqual([1, 4]);
    expect(cancelled.map((m) => (m.value as Order).order_id).sort(byNumber)).toEqual([2, 3]);
    for (const m of [...raw, ...cancelled]) {
      expect(header(m, "source")).toBe(nasty);
      expect(header(m, "weird.name-1")).toBe("$");
      expect(header(m, "plain")).toBe("#");
      const v = m.value as Order;
      expect(v.status).toBe(rows.find((o) => o.order_id === v.order_id)!.status);
    }
  });

  it("a publish that keeps failing is retried, then dead-lettered with the reason and step", async () => {
    // orders.cancelled is gone (the broker does not create topics): publishing there fails.
    await deleteTopics(kafka!.bootstrap, ["orders.cancelled"]);
    const result = await runStatelessFlow({
      flowJson: files.flowJson,
      contextName: "shop_orders",
      parameters: {
        KAFKA_BOOTSTRAP_SERVERS: kafka!.bootstrap,
        SCHEMA_REGISTRY_URL: registry!.ccompatUrl,
        SHOP_DB_HOST: pg!.host,
        SHOP_DB_PORT: String(pg!.port),
        SHOP_DB_PASSWORD: pg!.password,
        "jdbc.driver.dir": nifiPaths().jdbcDir,
      },
      timeoutMs: 300_000,
    });
    // The dead-letter publish succeeded: the run did not fail.
    expect(result.failed, describeNifiRun(result)).toBe(false);
    const output = result.stdout + result.stderr;
    // retryCount 1: two attempts for each FlowFile routed there (PartitionRecord makes one per
    // status value: the hostile one and CANCELLED).
    expect(output.match(/PublishKafka\[id=[^\]]+\] Failed to publish/g)).toHaveLength(4);
    const dlq = await readTopic(kafka!.bootstrap, "orders.dlq", { min: 2 });
    const failed = dlq.filter((m) => header(m, "pipegen.reason") === "failure");
    expect(
      failed.map((m) => (JSON.parse(m.value as string) as Order).order_id).sort(byNumber),
    ).toEqual([2, 3]);
    for (const m of failed) {
      expect(header(m, "pipegen.step")).toBe("publish to orders.cancelled");
      expect(header(m, "pipegen.ingest")).toBe("shop_orders");
      expect(header(m, "source")).toBe(nasty);
    }
  });

  it("when the dead-letter publish fails too, the run fails (failure port)", async () => {
    // What the run published before the failure stays published (PublishKafka commits its
    // Kafka transaction with its own session); the rows are read again by the next run:
    // at-least-once.
    await deleteTopics(kafka!.bootstrap, ["orders.dlq"]);
    const before = await readTopic(kafka!.bootstrap, "orders.raw", { idleS: 2 });
    const result = await runStatelessFlow({
      flowJson: files.flowJson,
      contextName: "shop_orders",
      parameters: {
        KAFKA_BOOTSTRAP_SERVERS: kafka!.bootstrap,
        SCHEMA_REGISTRY_URL: registry!.ccompatUrl,
        SHOP_DB_HOST: pg!.host,
        SHOP_DB_PORT: String(pg!.port),
        SHOP_DB_PASSWORD: pg!.password,
        "jdbc.driver.dir": nifiPaths().jdbcDir,
      },
      timeoutMs: 300_000,
    });
    expect(result.code, describeNifiRun(result)).toBe(0); // the engine exits 0 all the same
    expect(result.failed, describeNifiRun(result)).toBe(true);
    expect(result.stdout + result.stderr).toMatch(
      /FlowFile was transferred to Port failure, which is marked as a Failure Port/,
    );
    const after = await readTopic(kafka!.bootstrap, "orders.raw", { idleS: 3 });
    expect(after.length).toBeGreaterThanOrEqual(before.length);
    expect(after.length).toBeLessThanOrEqual(before.length + 2); // rows 1 and 4, at most once more
    console.log(
      `failed run: orders.raw ${before.length} -> ${after.length} messages (published before the failure stay)`,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// iot_sensors: MariaDB, validate only, Avro, key sensor_id (a string).

describe("iot_sensors: MariaDB -> NiFi -> Kafka (the generated flow)", () => {
  const files = pipelineFiles("iot_sensors");
  let kafka: KafkaBroker | undefined;
  let db: Mariadb | undefined;
  let registry: SchemaRegistry | undefined;
  let ids: Map<string, number>;

  beforeAll(async () => {
    assertNifiInstalled();
    scrubEnvironment(files);
    [kafka, db, registry] = await Promise.all([
      startKafka(),
      // The spec's database and user (historian.database = plant, historian.user = reader).
      startMariadb({ user: "reader", database: "plant" }),
      startRegistry(),
    ]);
    await db.query(READINGS_TABLE);
    await applyTopics(files, kafka.bootstrap);
    ids = await registerSchemas(files, registry.ccompatUrl);
  });

  afterAll(async () => {
    await Promise.all([kafka?.stop(), db?.stop(), registry?.stop()]);
  });

  it("publishes the readings, dead-letters invalid ones, then only those inserted later", async () => {
    const first = [
      ...Array.from({ length: 30 }, (_, k) => reading(k + 1)),
      reading(31, { site: null }), // required
      reading(32, { site: null }),
    ];
    const later = [
      ...Array.from({ length: 8 }, (_, k) => reading(100 + k)),
      reading(108, { site: null }),
    ];
    const valid = (rows: Reading[]) => rows.filter((r) => r.site !== null);
    const key = (r: Reading) => `${r.sensor_id}@${r.read_at}`;

    await insertReadings(db!, first);
    const engine = runContinuously(files, {
      KAFKA_BOOTSTRAP_SERVERS: kafka!.bootstrap,
      SCHEMA_REGISTRY_URL: registry!.ccompatUrl,
      HISTORIAN_DB_HOST: db!.host,
      HISTORIAN_DB_PORT: String(db!.port),
      HISTORIAN_PASSWORD: db!.password,
      "jdbc.driver.dir": nifiPaths().jdbcDir,
    });
    const avsc = files.schemaFile("iot.readings");
    const check = (messages: TopicMessage[], rows: Reading[]) => {
      const want = new Map(valid(rows).map((r) => [key(r), r]));
      const got = messages.map((m) => {
        expect(m.error, JSON.stringify(m)).toBeNull();
        expect(m.magic).toBe(0);
        expect(m.schema_id).toBe(ids.get("iot.readings-value"));
        const v = m.value as Reading;
        expect(v).toEqual(want.get(key(v)));
        expect(m.key).toBe(v.sensor_id);
        return key(v);
      });
      expect(got.sort()).toEqual([...want.keys()].sort());
    };
    let result: StatelessFlowResult | undefined;
    try {
      let messages = await read(engine, kafka!.bootstrap, "iot.readings", { avsc, min: 30 });
      let dlq = await read(engine, kafka!.bootstrap, "iot.readings.dlq", { min: 2 });
      check(messages, first);
      expect(dlq).toHaveLength(2);
      for (const m of dlq) {
        expect(header(m, "pipegen.reason")).toBe("invalid");
        expect(header(m, "pipegen.validation.details")).toMatch(/site/);
      }
      const n1 = messages.length;
      const d1 = dlq.length;

      await insertReadings(db!, later);
      messages = await read(engine, kafka!.bootstrap, "iot.readings", {
        avsc,
        min: valid([...first, ...later]).length,
      });
      dlq = await read(engine, kafka!.bootstrap, "iot.readings.dlq", { min: 3 });
      check(messages, [...first, ...later]);
      expect(dlq).toHaveLength(3);
      console.log(
        `iot_sensors: run 1 ${first.length} rows -> iot.readings ${n1}, dlq ${d1}; run 2 +${later.length} rows -> iot.readings ${messages.length} (+${messages.length - n1}), dlq ${dlq.length} (+${dlq.length - d1})`,
      );
    } finally {
      result = await engine.stop();
    }
    expect(result.failed, describeNifiRun(result)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// user_activity: MongoDB (FerretDB), query, validate + setAttributes, Avro, key user_id.

describe("user_activity: MongoDB (FerretDB) -> NiFi -> Kafka (the generated flow)", () => {
  const files = pipelineFiles("user_activity");
  let kafka: KafkaBroker | undefined;
  let mongo: Mongo | undefined;
  let registry: SchemaRegistry | undefined;
  let ids: Map<string, number>;

  beforeAll(async () => {
    assertNifiInstalled();
    scrubEnvironment(files);
    [kafka, mongo, registry] = await Promise.all([startKafka(), startMongo(), startRegistry()]);
    await applyTopics(files, kafka.bootstrap);
    ids = await registerSchemas(files, registry.ccompatUrl);
  });

  afterAll(async () => {
    delete process.env.CRM_MONGO_URI;
    await Promise.all([kafka?.stop(), mongo?.stop(), registry?.stop()]);
  });

  const insert = (docs: Array<Activity & { source: string }>) => insertActivity(mongo!, docs);

  it("publishes every matching document per run (GetMongo keeps no state)", async () => {
    const web = Array.from({ length: 12 }, (_, k) => ({ ...activity(k + 1), source: "web" }));
    const app = Array.from({ length: 3 }, (_, k) => ({ ...activity(50 + k), source: "app" }));
    const bad = [
      { ...activity(60, { action: "dance" }), source: "web" },
      { ...activity(61, { user_id: null }), source: "web" },
    ];
    await insert([...web, ...app, ...bad]);
    // The URI is a secret; MongoDBControllerService's "Mongo URI" is not a sensitive property,
    // so the flow reads it from the NiFi JVM's environment: ${CRM_MONGO_URI}.
    process.env.CRM_MONGO_URI = mongo!.uri;
    const parameters = {
      KAFKA_BOOTSTRAP_SERVERS: kafka!.bootstrap,
      SCHEMA_REGISTRY_URL: registry!.ccompatUrl,
    };
    const runOnce = async () => {
      const result = await runStatelessFlow({
        flowJson: files.flowJson,
        contextName: "user_activity",
        parameters,
        timeoutMs: 240_000,
      });
      expect(result.failed, describeNifiRun(result)).toBe(false);
    };
    const avsc = files.schemaFile("activity.events");
    const check = (messages: TopicMessage[], docs: Activity[]) => {
      const got = messages.map((m) => {
        expect(m.error, JSON.stringify(m)).toBeNull();
        expect(m.schema_id).toBe(ids.get("activity.events-value"));
        const v = m.value as Activity;
        const want = docs.find((d) => d.event_id === v.event_id)!;
        const { source: _source, ...fields } = want as Activity & { source?: string };
        expect(v).toEqual(fields);
        expect(m.key).toBe(v.user_id);
        expect(header(m, "source")).toBe("crm");
        expect(header(m, "channel")).toBe("web");
        return v.event_id;
      });
      return got.sort();
    };

    await runOnce();
    let messages = await readTopic(kafka!.bootstrap, "activity.events", {
      avsc,
      min: web.length,
    });
    let dlq = await readTopic(kafka!.bootstrap, "activity.dlq", { min: 2 });
    expect(check(messages, web)).toEqual(web.map((d) => d.event_id).sort());
    expect(dlq).toHaveLength(2);
    const n1 = messages.length;

    const more = Array.from({ length: 4 }, (_, k) => ({ ...activity(200 + k), source: "web" }));
    await insert(more);
    await runOnce();
    messages = await readTopic(kafka!.bootstrap, "activity.events", {
      avsc,
      min: 2 * web.length + more.length,
    });
    dlq = await readTopic(kafka!.bootstrap, "activity.dlq", { min: 4 });
    const ids2 = check(messages, [...web, ...more]);
    expect(ids2).toEqual([...web, ...web, ...more].map((d) => d.event_id).sort());
    expect(dlq).toHaveLength(4);
    console.log(
      `user_activity: run 1 ${web.length + app.length + bad.length} documents (${web.length} valid web) -> activity.events ${n1}, dlq 2; run 2 +${more.length} -> activity.events ${messages.length} (all matching documents again), dlq ${dlq.length}`,
    );
  });
});
