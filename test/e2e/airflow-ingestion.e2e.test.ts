// The generated ingestion DAGs (generated/<pipeline>/airflow/<pipeline>_ingestion.py) of the
// three examples, each run with `airflow dags test` (Airflow 3.2) against real engines: Kafka,
// a Confluent-API schema registry (Apicurio), a real NiFi 2.8.0 server (harness/nifi-server.ts)
// set up as NiFi is by default, HTTPS with its generated certificate and the single-user login
// (the DAG gets an access token and checks the certificate against it), and the sources:
// PostgreSQL (shop_orders), MariaDB (iot_sensors) and FerretDB (user_activity, MongoDB wire).
//
// Each DAG creates its topics, registers its schemas, uploads its NiFi flow as a process group,
// fills the flow's parameters from Airflow variables and connections (the database passwords,
// sensitive parameters, included), enables the controller services and starts the flow; the flow
// then moves the source rows into Kafka, and the test counts them on the topics exactly (valid
// rows on the topic, invalid ones on the dead-letter topic, routed ones on theirs). Also:
// - a deploy without the variable of a parameter fails at deploy_nifi_flow, naming it, and
//   alerts; the next run with the variable set deploys over the half-deployed group;
// - a second deploy of shop_orders after a spec change (poll every 10 s instead of 1 min, another
//   attribute value) replaces the flow of the same process group in place: the same processor
//   ids, the source's state (its maximum updated_at) kept, the changes applied; rows inserted
//   afterwards arrive once, with the new attribute, and no earlier row is published again;
// - a third deploy whose flow adds a parameter no variable provides fails before it changes
//   anything: the running flow keeps running as it was.
//
// One NiFi server, Kafka, registry and set of databases for the file. Needs bash
// test/e2e/install.sh (which runs engines/nifi/install-server.sh). About 4 minutes.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, hasErrors } from "../../src/api/index.js";
import {
  connectionEnv,
  createAirflowHome,
  dagsTest,
  describeDagsTest,
  variableEnv,
  type AirflowHome,
  type DagsTestResult,
} from "./harness/airflow.js";
import { describeTopics, startKafka, type KafkaBroker } from "./harness/kafka.js";
import { startMariadb, type Mariadb } from "./harness/mariadb.js";
import { startMongo, type Mongo } from "./harness/mongo.js";
import {
  bulletins,
  groupParameters,
  groupProcessors,
  processorState,
  rootGroups,
} from "./harness/nifi-rest.js";
import {
  assertNifiServerInstalled,
  startNifiServer,
  type NifiServer,
} from "./harness/nifi-server.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { registryGet, startRegistry, type SchemaRegistry } from "./harness/registry.js";
import { smtpConnectionJson, startSmtpServer, type SmtpServer } from "./harness/smtp.js";
import { startWebhookServer, type WebhookServer } from "./harness/webhook.js";
import { generatedRoot, readTopic, type TopicMessage } from "./nifi/ingest.js";
import {
  activity,
  insertActivity,
  insertOrders,
  insertReadings,
  order,
  ORDERS_TABLE,
  reading,
  READINGS_TABLE,
  type Order,
} from "./nifi/rows.js";

const PIPELINES = ["shop_orders", "iot_sensors", "user_activity"] as const;
type Pipeline = (typeof PIPELINES)[number];

let work: string;
let kafka: KafkaBroker;
let registry: SchemaRegistry;
let pg: Postgres;
let db: Mariadb;
let mongo: Mongo;
let nifi: NifiServer;
let smtp: SmtpServer;
let hook: WebhookServer;
let home: AirflowHome;
const timings: string[] = [];

/** Where a pipeline's generated folder is deployed (airflow/ beside kafka/ and nifi/). */
const deployed = (p: Pipeline) => join(work, "deploy", p);

beforeAll(async () => {
  assertNifiServerInstalled();
  const t0 = Date.now();
  work = await mkdtemp(join(tmpdir(), "pipegen-airflow-ingestion-"));
  // The MongoDB URI is an environment variable of the NiFi JVM (user_activity's flow reads
  // ${CRM_MONGO_URI}: NiFi's Mongo URI property cannot take a sensitive parameter).
  const mongoStarted = startMongo();
  // NiFi as it is set up by default: HTTPS and a login (the DAG gets an access token).
  const nifiStarted = mongoStarted.then((m) =>
    startNifiServer({ secure: true, env: { CRM_MONGO_URI: m.uri } }),
  );
  [kafka, registry, pg, db, mongo, nifi, smtp, hook] = await Promise.all([
    startKafka(),
    startRegistry(),
    // The spec's database and user names (the flows' parameter defaults).
    startPostgres({ user: "ingest", database: "shop" }),
    startMariadb({ user: "reader", database: "plant" }),
    mongoStarted,
    nifiStarted,
    startSmtpServer(),
    startWebhookServer(),
  ]);
  timings.push(`servers up in ${Date.now() - t0} ms (NiFi ${nifi.startMs} ms)`);
  await pg.query(ORDERS_TABLE);
  await db.query(READINGS_TABLE);

  // The dags folder holds each pipeline's folder as deployed: <pipeline>/airflow beside
  // <pipeline>/kafka and <pipeline>/nifi (the DAG files find those as ../kafka and ../nifi).
  for (const p of PIPELINES) {
    for (const d of ["airflow", "kafka", "nifi"])
      await cp(join(generatedRoot(), p, d), join(deployed(p), d), { recursive: true });
  }
  home = await createAirflowHome({
    dagsFolder: join(work, "deploy"),
    env: {
      ...connectionEnv("kafka_default", {
        conn_type: "kafka",
        extra: { "bootstrap.servers": kafka.bootstrap },
      }),
      ...connectionEnv("schema_registry_default", {
        conn_type: "http",
        host: registry.ccompatUrl,
      }),
      ...connectionEnv("nifi_default", {
        conn_type: "http",
        host: nifi.url,
        login: nifi.login!.username,
        password: nifi.login!.password,
        extra: { verify: nifi.caFile },
      }),
      ...connectionEnv("smtp_default", JSON.parse(smtpConnectionJson(smtp))),
      ...connectionEnv("slack_alerts", { conn_type: "slackwebhook", password: hook.url("/a") }),
      ...connectionEnv("slack_growth", { conn_type: "slackwebhook", password: hook.url("/g") }),
      // The flows' empty parameters, by name.
      ...variableEnv("SHOP_DB_HOST", pg.host),
      ...variableEnv("SHOP_DB_PORT", String(pg.port)),
      ...variableEnv("SHOP_DB_PASSWORD", pg.password),
      ...variableEnv("HISTORIAN_DB_HOST", db.host),
      ...variableEnv("HISTORIAN_DB_PORT", String(db.port)),
      ...variableEnv("HISTORIAN_PASSWORD", db.password),
      ...variableEnv("jdbc.driver.dir", nifi.jdbcDir),
    },
  });
});

afterAll(async () => {
  console.log(timings.join("\n"));
  await home?.cleanup();
  await Promise.allSettled(
    [nifi, kafka, registry, pg, db, mongo, smtp, hook].map((s) => s?.stop()),
  );
  if (work && process.env.PIPEGEN_E2E_KEEP !== "1")
    await rm(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------

const header = (m: TopicMessage, name: string) => m.headers.find(([k]) => k === name)?.[1];
const sorted = <T>(xs: T[]) => [...xs].sort();

async function ingest(
  pipeline: Pipeline,
  logicalDate: string,
  env: Record<string, string | undefined> = {},
): Promise<{ r: DagsTestResult; why: string }> {
  const r = await dagsTest(home, `${pipeline}_ingestion`, { logicalDate, env, retries: 0 });
  timings.push(
    `dags test ${pipeline}_ingestion ${logicalDate}: ${r.durationMs} ms, exit ${r.code}`,
  );
  // Neither NiFi's password nor an access token (a JWT) is in the task logs.
  expect(r.stdout + r.stderr).not.toContain(nifi.login!.password);
  expect(r.stdout + r.stderr).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+/);
  const why = `${describeDagsTest(`dags test ${pipeline}_ingestion`, r)}\n--- NiFi bulletins:\n${(
    await bulletins(nifi).catch((e: unknown) => [String(e)])
  ).join("\n")}\n--- nifi-app.log:\n${nifi.logTail(40)}`;
  return { r, why };
}

async function group(name: string) {
  const groups = (await rootGroups(nifi)).filter((g) => g.name === name);
  expect(groups, name).toHaveLength(1);
  return groups[0]!;
}

/** Every processor of the group runs and none is invalid; returns the processors. */
async function expectRunning(name: string, why: string) {
  const g = await group(name);
  const processors = await groupProcessors(nifi, g.id);
  expect(processors.length, why).toBeGreaterThan(3);
  const notRunning = processors.filter((p) => p.state !== "RUNNING");
  expect(
    notRunning.map((p) => `${p.name}: ${p.state} ${p.validationErrors}`),
    why,
  ).toEqual([]);
  expect(g.invalid, why).toBe(0);
  return { group: g, processors };
}

/** Reads a topic until `n` messages arrived and no more came for 3 s; expects exactly n. */
async function expectMessages(topic: string, n: number, avsc?: string) {
  const messages = await readTopic(kafka.bootstrap, topic, { min: n, idleS: 3, avsc });
  expect(messages, `${topic}: ${messages.length} messages, expected ${n}`).toHaveLength(n);
  for (const m of messages) expect(m.error, JSON.stringify(m)).toBeNull();
  return messages;
}

const avsc = (p: Pipeline, topic: string) => join(deployed(p), "kafka", "schemas", `${topic}.avsc`);

interface ManifestTopic {
  name: string;
  partitions: number;
  configs: Record<string, string>;
  subject: string | null;
  schemaFile: string | null;
  compatibility: string | null;
}
const manifest = async (p: Pipeline) =>
  (
    JSON.parse(await readFile(join(deployed(p), "kafka", "topics.json"), "utf8")) as {
      topics: ManifestTopic[];
    }
  ).topics;

/** The pipeline's topics as the broker describes them. */
async function topicsOf(p: Pipeline) {
  const names = new Set((await manifest(p)).map((t) => t.name));
  const all = await describeTopics(kafka.bootstrap);
  return Object.fromEntries(Object.entries(all).filter(([name]) => names.has(name)));
}

/** The registry's latest version of each subject of the pipeline, and its compatibility. */
async function subjectsOf(p: Pipeline) {
  const out: Record<
    string,
    { id: number; version: number; schema: unknown; compatibility: unknown }
  > = {};
  for (const t of (await manifest(p)).filter((x) => x.subject)) {
    const latest = (
      await registryGet(registry.ccompatUrl, `/subjects/${t.subject}/versions/latest`)
    ).body as { id: number; version: number; schema: string };
    const config = (await registryGet(registry.ccompatUrl, `/config/${t.subject}`)).body as {
      compatibilityLevel: string;
    };
    out[t.subject!] = {
      id: latest.id,
      version: latest.version,
      schema: JSON.parse(latest.schema),
      compatibility: config.compatibilityLevel,
    };
  }
  return out;
}

/**
 * shop_orders rebuilt from the example spec with `change` applied (on top of the earlier
 * changes), its airflow/, kafka/ and nifi/ copied over the deployed ones.
 */
const specChanges: Array<(spec: any) => void> = [];
async function deployChangedSpec(name: string, change: (spec: any) => void) {
  specChanges.push(change);
  const spec = parse(await readFile(join(REPO_ROOT, "specs", "shop_orders.yaml"), "utf8"));
  for (const c of specChanges) c(spec);
  const specDir = join(work, `spec-${name}`);
  await mkdir(specDir);
  await writeFile(join(specDir, "shop_orders.yaml"), stringify(spec));
  const out = join(work, `build-${name}`);
  const built = build([join(specDir, "shop_orders.yaml")], { out });
  expect(hasErrors(built.diagnostics), JSON.stringify(built.diagnostics)).toBe(false);
  for (const d of ["airflow", "kafka", "nifi"])
    await cp(join(out, "shop_orders", d), join(deployed("shop_orders"), d), {
      recursive: true,
      force: true,
    });
}

// ---------------------------------------------------------------------------------------------

describe("ingestion DAGs on a real NiFi 2.8.0 server, Kafka, schema registry and databases", () => {
  it("iot_sensors: a deploy without the variable of a parameter fails, naming it, and alerts", async () => {
    smtp.clear();
    const { r, why } = await ingest("iot_sensors", "2025-03-02", {
      AIRFLOW_VAR_HISTORIAN_DB_HOST: undefined,
    });
    expect(r.code, why).toBe(1);
    expect(r.states, why).toEqual({
      apply_topics: "success",
      "register_schemas.iot_readings": "success",
      deploy_nifi_flow: "failed",
      start_nifi_flow: "upstream_failed",
    });
    expect(r.stdout, why).toContain(
      "NiFi parameters without a value: set the Airflow variables ['HISTORIAN_DB_HOST']",
    );
    // Nothing runs.
    const g = await group("iot_sensors");
    expect(g.running, why).toBe(0);
    const [mail] = await smtp.waitForMessages(1, { timeoutMs: 20_000 });
    expect(mail!.subject).toBe(
      "[pipegen] iot_sensors: iot_sensors_ingestion.deploy_nifi_flow failed",
    );
  });

  it("iot_sensors: with the variables set, the flow is deployed over it, started, and moves MariaDB rows to Kafka", async () => {
    const rows = [
      ...Array.from({ length: 30 }, (_, k) => reading(k + 1)),
      reading(31, { site: null }), // required: dead-lettered
      reading(32, { site: null }),
    ];
    await insertReadings(db, rows);
    const { r, why } = await ingest("iot_sensors", "2025-03-03");
    expect(r.code, why).toBe(0);
    expect(r.stdout, why).toContain("replaced the flow of process group iot_sensors");
    const { group: g } = await expectRunning("iot_sensors", why);
    expect(await groupParameters(nifi, g.id)).toMatchObject({
      HISTORIAN_DB_HOST: { value: db.host, sensitive: false },
      HISTORIAN_DB_PORT: { value: String(db.port), sensitive: false },
      HISTORIAN_PASSWORD: { value: "********", sensitive: true }, // set (read back masked)
      KAFKA_BOOTSTRAP_SERVERS: { value: kafka.bootstrap },
      SCHEMA_REGISTRY_URL: { value: registry.ccompatUrl },
      "jdbc.driver.dir": { value: nifi.jdbcDir },
    });
    const messages = await expectMessages("iot.readings", 30, avsc("iot_sensors", "iot.readings"));
    const key = (x: { sensor_id: string; read_at: string }) => `${x.sensor_id}@${x.read_at}`;
    expect(
      sorted(messages.map((m) => key(m.value as { sensor_id: string; read_at: string }))),
    ).toEqual(sorted(rows.slice(0, 30).map(key)));
    const dlq = await expectMessages("iot.readings.dlq", 2);
    for (const m of dlq) expect(header(m, "pipegen.reason")).toBe("invalid");
    expect(r.stdout + r.stderr).not.toContain(db.password);
  });

  const firstOrders = [
    ...Array.from({ length: 40 }, (_, k) => order(k + 1)), // every 4th CANCELLED: routed
    order(41, { customer_id: null }), // invalid: dead-lettered
    order(42, { currency: "JPY" }),
    order(43, { status: "LOST" }),
    order(44, { customer_id: null, status: "CANCELLED" }),
  ];
  const validOrders = (rows: Order[], cancelled: boolean) =>
    rows
      .filter((o) => o.order_id < 41 || (o.order_id >= 100 && o.order_id < 113))
      .filter((o) => (o.status === "CANCELLED") === cancelled);
  const orderIds = (messages: TopicMessage[]) =>
    messages.map((m) => (m.value as Order).order_id).sort((a, b) => a - b);

  it("shop_orders: deploys, fills the parameters (the password too), starts; PostgreSQL rows reach their topics", async () => {
    await insertOrders(pg, firstOrders);
    const { r, why } = await ingest("shop_orders", "2025-01-02");
    expect(r.code, why).toBe(0);
    expect(r.stdout, why).toContain("uploaded the flow as process group shop_orders");
    expect(r.stdout, why).toMatch(/set parameters .*SHOP_DB_PASSWORD/);
    expect(r.states, why).toEqual({
      apply_topics: "success",
      "register_schemas.orders_cancelled": "success",
      "register_schemas.orders_raw": "success",
      deploy_nifi_flow: "success",
      start_nifi_flow: "success",
    });
    // Kafka: every topic of topics.json with its partitions and configs.
    const topics = await topicsOf("shop_orders");
    const wanted = await manifest("shop_orders");
    expect(Object.keys(topics).sort()).toEqual(wanted.map((t) => t.name).sort());
    for (const t of wanted) {
      expect(topics[t.name]!.partitions, t.name).toBe(t.partitions);
      for (const [k, v] of Object.entries(t.configs)) {
        expect(topics[t.name]!.configs[k], `${t.name} ${k}`).toMatchObject({
          value: v,
          source: "DYNAMIC_TOPIC_CONFIG",
        });
      }
    }
    // Registry: each .avsc (without pipegen's $comment) under its subject, at its compatibility.
    const expected: Record<string, unknown> = {};
    for (const t of wanted.filter((x) => x.subject)) {
      const schema = JSON.parse(await readFile(avsc("shop_orders", t.name), "utf8"));
      delete schema.$comment;
      expected[t.subject!] = {
        id: expect.any(Number),
        version: 1,
        schema,
        compatibility: t.compatibility,
      };
    }
    expect(await subjectsOf("shop_orders")).toEqual(expected);
    await expectRunning("shop_orders", why);
    const raw = await expectMessages("orders.raw", 30, avsc("shop_orders", "orders.raw"));
    expect(orderIds(raw)).toEqual(validOrders(firstOrders, false).map((o) => o.order_id));
    for (const m of raw) expect(header(m, "source")).toBe("shop");
    const cancelled = await expectMessages(
      "orders.cancelled",
      10,
      avsc("shop_orders", "orders.cancelled"),
    );
    expect(orderIds(cancelled)).toEqual(validOrders(firstOrders, true).map((o) => o.order_id));
    await expectMessages("orders.dlq", 4);
    expect(r.stdout + r.stderr).not.toContain(pg.password);
  });

  it("user_activity: MongoDB documents (FerretDB) matching the query reach the topic", async () => {
    const web = Array.from({ length: 12 }, (_, k) => ({ ...activity(k + 1), source: "web" }));
    const app = Array.from({ length: 3 }, (_, k) => ({ ...activity(50 + k), source: "app" }));
    const bad = [
      { ...activity(60, { action: "dance" }), source: "web" },
      { ...activity(61, { user_id: null }), source: "web" },
    ];
    await insertActivity(mongo, [...web, ...app, ...bad]);
    const { r, why } = await ingest("user_activity", "2025-06-02");
    expect(r.code, why).toBe(0);
    await expectRunning("user_activity", why);
    // GetMongo runs at start, then every 2 minutes: this reads the first run's messages.
    const events = await expectMessages(
      "activity.events",
      12,
      avsc("user_activity", "activity.events"),
    );
    expect(sorted(events.map((m) => (m.value as { event_id: string }).event_id))).toEqual(
      sorted(web.map((d) => d.event_id)),
    );
    for (const m of events) expect(header(m, "channel")).toBe("web");
    await expectMessages("activity.dlq", 2);
  });

  it("shop_orders: a second deploy of a changed spec replaces the flow in place and keeps the source's state", async () => {
    const before = await expectRunning("shop_orders", "before the second deploy");
    const source = before.processors.find((p) => p.type === "QueryDatabaseTableRecord")!;
    const state = await processorState(nifi, source.id);
    expect(Object.keys(state).length, JSON.stringify(state)).toBeGreaterThan(0);
    expect(source.schedulingPeriod).toBe("1 min");

    // The spec changed: poll every 10 s, another attribute value. Rebuilt and deployed.
    await deployChangedSpec("v2", (spec) => {
      spec.ingest.shop_orders.from.every = "10s";
      spec.ingest.shop_orders.steps[1] = { setAttributes: { source: "shop-v2" } };
    });
    const topicsBefore = await topicsOf("shop_orders");
    const subjectsBefore = await subjectsOf("shop_orders");
    const { r, why } = await ingest("shop_orders", "2025-01-03");
    expect(r.code, why).toBe(0);
    expect(r.stdout, why).toContain("replaced the flow of process group shop_orders");
    // Topics and schemas did not change: nothing to do there.
    expect(r.stdout, why).toMatch(/unchanged/);
    expect(await topicsOf("shop_orders")).toEqual(topicsBefore);
    expect(await subjectsOf("shop_orders")).toEqual(subjectsBefore);
    // Every parameter kept its value: none was set again.
    expect(r.stdout, why).not.toMatch(/set parameters/);

    // The same group and processors, updated in place, the source's state kept.
    const after = await expectRunning("shop_orders", why);
    expect(after.group.id).toBe(before.group.id);
    expect(sorted(after.processors.map((p) => p.id))).toEqual(
      sorted(before.processors.map((p) => p.id)),
    );
    const source2 = after.processors.find((p) => p.id === source.id)!;
    expect(source2.schedulingPeriod).toBe("10 secs");
    expect(after.processors.filter((p) => p.properties.source === "shop-v2")).toHaveLength(1);
    expect(await processorState(nifi, source.id)).toEqual(state);

    // Rows inserted now arrive once, with the new attribute; no earlier row comes again.
    const later = [
      ...Array.from({ length: 12 }, (_, k) => order(100 + k)),
      order(113, { currency: "CHF" }),
    ];
    await insertOrders(pg, later);
    const all = [...firstOrders, ...later];
    const raw = await expectMessages("orders.raw", 39, avsc("shop_orders", "orders.raw"));
    expect(orderIds(raw)).toEqual(validOrders(all, false).map((o) => o.order_id));
    for (const m of raw) {
      expect(header(m, "source")).toBe((m.value as Order).order_id >= 100 ? "shop-v2" : "shop");
    }
    await expectMessages("orders.cancelled", 13, avsc("shop_orders", "orders.cancelled"));
    await expectMessages("orders.dlq", 5);
  });
  it("shop_orders: a deploy whose new flow needs a parameter without a variable fails before it touches the running flow", async () => {
    smtp.clear();
    const before = await expectRunning("shop_orders", "before the third deploy");
    const parametersBefore = await groupParameters(nifi, before.group.id);
    // The spec changed again: the database user is now ${env:SHOP_DB_USER}, a new parameter
    // that no Airflow variable provides.
    await deployChangedSpec("v3", (spec) => {
      spec.connections.shop_db.user = "${env:SHOP_DB_USER}";
    });
    const { r, why } = await ingest("shop_orders", "2025-01-04");
    expect(r.code, why).toBe(1);
    expect(r.states, why).toMatchObject({
      deploy_nifi_flow: "failed",
      start_nifi_flow: "upstream_failed",
    });
    expect(r.stdout, why).toContain(
      "NiFi parameters without a value: set the Airflow variables ['SHOP_DB_USER']",
    );
    // The running flow is as it was: running, the same processors and settings and parameters.
    const after = await expectRunning("shop_orders", why);
    const shape = (ps: typeof before.processors) =>
      ps.map((p) => [p.id, p.state, p.schedulingPeriod, p.properties]).sort();
    expect(shape(after.processors)).toEqual(shape(before.processors));
    expect(await groupParameters(nifi, after.group.id)).toEqual(parametersBefore);
    const [mail] = await smtp.waitForMessages(1, { timeoutMs: 20_000 });
    expect(mail!.subject).toBe(
      "[pipegen] shop_orders: shop_orders_ingestion.deploy_nifi_flow failed",
    );
  });
});
