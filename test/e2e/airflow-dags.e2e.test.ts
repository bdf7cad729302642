// pipegen's generated Airflow DAGs (generated/<pipeline>/airflow/) on Airflow 3.2 (venv-airflow):
//
// 1. DagBag over generated/*/airflow: no import errors, exactly the expected DAG ids, tasks,
//    dependencies, schedules and callbacks; ruff (the e2e venv's) finds nothing. The ingestion
//    DAGs run pipegen-runtime (installed into venv-airflow from runtime/ by its install.sh);
//    with another runtime version on the path they fail to import, saying what to install.
// 2. (The ingestion DAGs run against a real NiFi server, Kafka, registry and databases in
//    airflow-ingestion.e2e.test.ts.)
// 3. `airflow dags test` of shop_orders' processing DAG (the long-running stream
//    orders_per_minute, built with --env dev) runs the real spark-submit of the generated job
//    against the real Kafka and PostgreSQL: rows land; the job is then killed (a crash), the
//    task is retried with backoff and the new job resumes from its checkpoint; two more
//    crashes spend the spec's retries: the run fails and alerts. spark-submit on PATH is a stand-in that passes --jars from the
//    cache instead of --packages (test/e2e/airflow/spark-submit.ts), as harness/spark.ts does.
// 4. A task made to fail (the archival DAG with a spark-submit that exits 1) sends a real
//    e-mail to a local SMTP server and a real Slack-webhook POST to a local HTTP receiver.
//
// Needs bash test/e2e/install.sh, test/e2e/engines/{airflow,registry,spark,databases}/install.sh.
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, hasErrors } from "../../src/api/index.js";
import { RUNTIME_VERSION } from "../../src/emit/shared/runtime.js";
import {
  airflowEnv,
  airflowPaths,
  connectionEnv,
  createAirflowHome,
  dagbagReport,
  dagsTest,
  describeDagsTest,
  variableEnv,
  type AirflowHome,
  type DagBagReport,
} from "./harness/airflow.js";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { cachePaths, REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { describeRun, run, runVenvTool } from "./harness/python.js";
import { jobSubject, startRegistryStub, type RegistryStub } from "./harness/registry-stub.js";
import { kafkaApply } from "./harness/runtime.js";
import { smtpConnectionJson, startSmtpServer, type SmtpServer } from "./harness/smtp.js";
import { sparkPaths, sparkSubmitEnv } from "./harness/spark.js";
import { startWebhookServer, type WebhookServer } from "./harness/webhook.js";
import {
  childPids,
  commandLine,
  failingSparkSubmit,
  localSparkSubmit,
  processName,
  type SparkSubmitStandIn,
} from "./airflow/spark-submit.js";
import { expectedWindows, orders, T0, type Produced } from "./spark/orders-data.js";

const GENERATED = join(REPO_ROOT, "generated");
const PIPELINES = ["iot_sensors", "shop_orders", "user_activity"];
const SLACK_PATH = "/services/T0PIPEGEN/B0DAGS/alerts";
/** shop_orders_monitoring's schedule: a timedelta, half of orders_per_minute's freshness. */
const MONITORING_SCHEDULE = "datetime.timedelta(seconds=150)";
const MONITORING_TIMETABLE = "DeltaTriggerTimetable";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Signal a process of ours by its PID; one that is already gone is fine. */
const kill = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
};

let work: string;
let kafka: KafkaBroker;
let smtp: SmtpServer;
let hook: WebhookServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "pipegen-airflow-dags-"));
  [kafka, smtp, hook] = await Promise.all([startKafka(), startSmtpServer(), startWebhookServer()]);
});

afterAll(async () => {
  await Promise.allSettled([kafka?.stop(), smtp?.stop(), hook?.stop()]);
  if (work && process.env.PIPEGEN_E2E_KEEP !== "1")
    await rm(work, { recursive: true, force: true });
});

/** Connections every test home has: Kafka, SMTP and the shop_orders Slack webhook. */
const commonEnv = () => ({
  ...connectionEnv("kafka_default", {
    conn_type: "kafka",
    extra: { "bootstrap.servers": kafka.bootstrap },
  }),
  ...connectionEnv("smtp_default", JSON.parse(smtpConnectionJson(smtp)) as Record<string, unknown>),
  ...connectionEnv("slack_alerts", { conn_type: "slackwebhook", password: hook.url(SLACK_PATH) }),
});

// ---------------------------------------------------------------------------------------------

describe("DagBag over generated/*/airflow", () => {
  let bag: DagBagReport;

  beforeAll(async () => {
    // One dags folder holding each pipeline's airflow/ folder (DagBag follows the links; the
    // DAG files find ../kafka, ../spark and ../nifi through their real paths at run time only).
    const folder = join(work, "dagbag");
    await mkdir(folder);
    for (const p of PIPELINES) await symlink(join(GENERATED, p, "airflow"), join(folder, p));
    bag = await dagbagReport(folder, { safeMode: true });
  });

  it("imports every DAG file without an import error or warning", () => {
    expect(bag.import_errors, bag.run.stdout.slice(-4000)).toEqual({});
    expect(bag.warnings).toEqual({});
    expect(bag.stats.map((s) => s.file.split("/").pop()).sort()).toEqual(
      PIPELINES.flatMap((p) => [
        `${p}_archival.py`,
        `${p}_ingestion.py`,
        // The monitoring DAG: shop_orders' stream and archive set a freshness.
        ...(p === "shop_orders" ? [`${p}_monitoring.py`] : []),
        `${p}_processing.py`,
      ]),
    );
  });

  it("an ingestion or monitoring DAG refuses another pipegen-runtime with what to install; the others do not need it", async () => {
    // The runtime of this checkout under another version, ahead of venv-airflow's on the path.
    const other = join(work, "other-runtime");
    await cp(join(REPO_ROOT, "runtime", "src", "pipegen_runtime"), join(other, "pipegen_runtime"), {
      recursive: true,
    });
    const init = join(other, "pipegen_runtime", "__init__.py");
    const text = await readFile(init, "utf8");
    expect(text).toContain(`__version__ = "${RUNTIME_VERSION}"`);
    await writeFile(
      init,
      text.replace(`__version__ = "${RUNTIME_VERSION}"`, '__version__ = "9.9.9"'),
    );
    const wrong = await dagbagReport(join(work, "dagbag"), {
      safeMode: true,
      env: { PYTHONPATH: other },
    });
    const errors = Object.entries(wrong.import_errors).map(
      ([file, error]) => [file.split("/").pop(), error] as const,
    );
    expect(errors.map(([file]) => file).sort()).toEqual(
      [...PIPELINES.map((p) => `${p}_ingestion.py`), "shop_orders_monitoring.py"].sort(),
    );
    for (const [file, error] of errors)
      expect(error).toContain(
        `${file} needs pipegen-runtime==${RUNTIME_VERSION}, but 9.9.9 is installed: ` +
          `install the version it was built for (pip install pipegen-runtime==${RUNTIME_VERSION})`,
      );
    expect(
      wrong.dag_ids.filter((d) => d.endsWith("_ingestion") || d.endsWith("_monitoring")),
    ).toEqual([]);
    expect(wrong.dag_ids).toHaveLength(7);
  });

  it("holds exactly the expected DAGs", () => {
    expect(bag.dag_ids).toEqual([
      "iot_sensors_archival_readings_hourly",
      "iot_sensors_ingestion",
      "iot_sensors_processing_overheating_alerts",
      "iot_sensors_processing_site_climate",
      "shop_orders_archival_orders_daily",
      "shop_orders_ingestion",
      "shop_orders_monitoring",
      "shop_orders_processing_orders_per_minute",
      "user_activity_archival_activity_daily",
      "user_activity_ingestion",
      "user_activity_processing_user_actions_hourly",
    ]);
  });

  /** task id -> [operator, sorted upstream ids] */
  const shape = (dag: string) =>
    Object.fromEntries(
      Object.entries(bag.dags[dag]!.tasks).map(([id, t]) => [id, [t.operator, t.upstream]]),
    );

  it("ingestion DAGs: topics and schemas in parallel, then the NiFi flow is deployed and started", () => {
    const py = "_PythonDecoratedOperator";
    expect(shape("shop_orders_ingestion")).toEqual({
      apply_topics: [py, []],
      "register_schemas.orders_cancelled": [py, []],
      "register_schemas.orders_raw": [py, []],
      deploy_nifi_flow: [
        py,
        ["apply_topics", "register_schemas.orders_cancelled", "register_schemas.orders_raw"],
      ],
      start_nifi_flow: [py, ["deploy_nifi_flow"]],
    });
    expect(shape("iot_sensors_ingestion")).toEqual({
      apply_topics: [py, []],
      "register_schemas.iot_readings": [py, []],
      "register_schemas.iot_status": [py, []],
      deploy_nifi_flow: [
        py,
        ["apply_topics", "register_schemas.iot_readings", "register_schemas.iot_status"],
      ],
      start_nifi_flow: [py, ["deploy_nifi_flow"]],
    });
    expect(shape("user_activity_ingestion")).toEqual({
      apply_topics: [py, []],
      "register_schemas.activity_events": [py, []],
      deploy_nifi_flow: [py, ["apply_topics", "register_schemas.activity_events"]],
      start_nifi_flow: [py, ["deploy_nifi_flow"]],
    });
    const shop = bag.dags.shop_orders_ingestion!;
    expect(shop.task_groups).toEqual(["register_schemas"]);
    expect(shop.tasks.apply_topics!.outlets).toEqual([
      "kafka://kafka_default/orders.cancelled",
      "kafka://kafka_default/orders.dlq",
      "kafka://kafka_default/orders.per_minute",
      "kafka://kafka_default/orders.raw",
    ]);
  });

  it("processing and archival DAGs: one SparkSubmitOperator each, with the topics as lineage", () => {
    const spark = (dag: string, task: string) => {
      const d = bag.dags[dag]!;
      expect(Object.keys(d.tasks)).toEqual([task]);
      expect(d.tasks[task]!.operator).toBe("SparkSubmitOperator");
      return d.tasks[task]!;
    };
    expect(spark("shop_orders_processing_orders_per_minute", "orders_per_minute")).toMatchObject({
      inlets: ["kafka://kafka_default/orders.raw"],
      outlets: ["kafka://kafka_default/orders.per_minute"],
      retries: 2,
    });
    expect(spark("shop_orders_archival_orders_daily", "orders_daily").inlets).toEqual([
      "kafka://kafka_default/orders.raw",
    ]);
    expect(spark("iot_sensors_processing_site_climate", "site_climate").retries).toBe(3);
    expect(spark("iot_sensors_processing_overheating_alerts", "overheating_alerts")).toMatchObject({
      inlets: ["kafka://kafka_default/iot.status"],
      outlets: ["kafka://kafka_default/iot.alerts"],
    });
    spark("iot_sensors_archival_readings_hourly", "readings_hourly");
    spark("user_activity_processing_user_actions_hourly", "user_actions_hourly");
    spark("user_activity_archival_activity_daily", "activity_daily");
  });

  it("DAG settings come from the spec's orchestration section", () => {
    const settings = Object.fromEntries(
      Object.entries(bag.dags).map(([id, d]) => [
        id,
        [d.schedule, d.timetable, d.catchup, d.max_active_runs, d.owner, d.tags, d.has_deadline],
      ]),
    );
    const shop = ["data-platform@example.com", ["orders", "shop"]];
    const iot = ["iot-team@example.com", ["iot_sensors", "pipegen"]];
    const user = ["growth-data", ["activity", "crm"]];
    expect(settings).toEqual({
      shop_orders_ingestion: ["@once", "OnceTimetable", false, 1, ...shop, true],
      shop_orders_processing_orders_per_minute: [
        "@continuous",
        "ContinuousTimetable",
        false,
        1,
        ...shop,
        false, // a long-running job's run never ends: no deadline
      ],
      shop_orders_archival_orders_daily: [
        "@daily",
        "CronTriggerTimetable",
        false,
        1,
        ...shop,
        true,
      ],
      iot_sensors_ingestion: ["@hourly", "CronTriggerTimetable", false, 1, ...iot, false],
      iot_sensors_processing_overheating_alerts: [
        "@continuous",
        "ContinuousTimetable",
        false,
        1,
        ...iot,
        false,
      ],
      iot_sensors_processing_site_climate: [
        "*/15 * * * *",
        "CronTriggerTimetable",
        false,
        1,
        ...iot,
        false,
      ],
      iot_sensors_archival_readings_hourly: [
        "5 * * * *",
        "CronTriggerTimetable",
        false,
        1,
        ...iot,
        false,
      ],
      // Every half of the shortest freshness (orders_per_minute's 5m); its checks alert
      // themselves: no deadline.
      shop_orders_monitoring: [MONITORING_SCHEDULE, MONITORING_TIMETABLE, false, 1, ...shop, false],
      user_activity_ingestion: ["@once", "OnceTimetable", false, 1, ...user, true],
      user_activity_processing_user_actions_hourly: [
        "0 * * * *",
        "CronTriggerTimetable",
        false,
        1,
        ...user,
        true,
      ],
      user_activity_archival_activity_daily: [
        "@daily",
        "CronTriggerTimetable",
        false,
        1,
        ...user,
        true,
      ],
    });
    // Failure alerts are task-level (DAG-level notifiers are broken in Airflow 3.2.2).
    const callbacks = (dag: string) => [
      ...new Set(
        Object.values(bag.dags[dag]!.tasks).map((t) => JSON.stringify(t.on_failure_callback)),
      ),
    ];
    for (const dag of bag.dag_ids) expect(bag.dags[dag]!.on_failure_callback, dag).toBeNull();
    expect(callbacks("shop_orders_ingestion")).toEqual(['["SmtpNotifier","SlackWebhookNotifier"]']);
    expect(callbacks("iot_sensors_processing_site_climate")).toEqual(['["SmtpNotifier"]']);
    expect(callbacks("user_activity_archival_activity_daily")).toEqual([
      '["SlackWebhookNotifier"]',
    ]);
  });

  it("every DAG serializes and reads back as the DAG processor needs it (deadline alerts included)", async () => {
    const out = join(work, "serialized.json");
    const folder = join(work, "dagbag");
    const r = await run(
      airflowPaths().python,
      [join(REPO_ROOT, "test/e2e/airflow/serialize_dags.py"), folder, out],
      { env: airflowEnv(join(work, "serialize-home"), folder), timeoutMs: 180_000 },
    );
    expect(r.code, describeRun("serialize_dags.py", r)).toBe(0);
    const report = JSON.parse(await readFile(out, "utf8")) as {
      import_errors: Record<string, string>;
      errors: Record<string, string>;
      dags: Record<
        string,
        { tasks: string[]; deadline: number; timetable: string; params: string[] }
      >;
    };
    expect(report.import_errors).toEqual({});
    expect(report.errors).toEqual({});
    expect(Object.keys(report.dags)).toEqual(bag.dag_ids);
    // One alert per channel (e-mail, Slack) for the DAGs with a deadline.
    expect(
      Object.fromEntries(Object.entries(report.dags).map(([id, d]) => [id, d.deadline])),
    ).toEqual({
      iot_sensors_archival_readings_hourly: 0,
      iot_sensors_ingestion: 0,
      iot_sensors_processing_overheating_alerts: 0,
      iot_sensors_processing_site_climate: 0,
      shop_orders_archival_orders_daily: 2,
      shop_orders_ingestion: 2,
      shop_orders_monitoring: 0,
      shop_orders_processing_orders_per_minute: 0,
      user_activity_archival_activity_daily: 1,
      user_activity_ingestion: 1,
      user_activity_processing_user_actions_hourly: 1,
    });
    expect(report.dags.shop_orders_ingestion!.params).toEqual(["update_nifi_secrets"]);
  });

  it("ruff (the e2e venv's 0.17.6) finds the files formatted and clean, Airflow rules included", async (ctx) => {
    if (!existsSync(join(cachePaths().venvBin, "ruff"))) ctx.skip();
    const files = PIPELINES.flatMap((p) =>
      ["ingestion", "processing", "archival", "monitoring"]
        .map((k) => join(GENERATED, p, "airflow", `${p}_${k}.py`))
        .filter((f) => existsSync(f)),
    );
    const common = ["--no-cache", "--isolated", "--target-version", "py311"];
    const format = await runVenvTool("ruff", ["format", "--check", "--diff", ...common, ...files]);
    expect(format.code, describeRun("ruff format --check", format)).toBe(0);
    const check = await runVenvTool("ruff", [
      "check",
      ...common,
      "--select",
      "AIR,E4,E7,E9,F,I,B,UP",
      ...files,
    ]);
    expect(check.code, describeRun("ruff check", check)).toBe(0);
    const preview = await runVenvTool("ruff", [
      "check",
      ...common,
      "--preview",
      "--select",
      "AIR",
      ...files,
    ]);
    expect(preview.code, describeRun("ruff check --preview --select AIR", preview)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe("shop_orders processing and archival DAGs on real Spark, Kafka and PostgreSQL", () => {
  let pg: Postgres;
  let home: AirflowHome;
  let gen: string;
  let spark: SparkSubmitStandIn;
  let sparkEnv: Record<string, string | undefined>;
  let registry: RegistryStub;

  beforeAll(async () => {
    pg = await startPostgres({ user: "spark", database: "analytics" });
    // shop_orders built with --env dev (local master, client mode) from a copy of the spec whose
    // dev overlay keeps the database host and port references (the test database has a random
    // port) and puts the checkpoints in this test's temp dir.
    const specDir = join(work, "spec");
    await mkdir(specDir);
    const spec = parse(readFileSync(join(REPO_ROOT, "specs", "shop_orders.yaml"), "utf8"));
    delete spec.environments.dev.connections;
    spec.environments.dev.platform.spark.checkpointRoot = join(work, "checkpoints");
    await writeFile(join(specDir, "shop_orders.yaml"), stringify(spec));
    const out = join(work, "dev-build");
    const result = build([join(specDir, "shop_orders.yaml")], { out, env: "dev" });
    expect(hasErrors(result.diagnostics), JSON.stringify(result.diagnostics)).toBe(false);
    gen = join(out, "shop_orders");
    // Topics by the generated apply program (idempotent), tables by the generated DDL.
    const apply = await kafkaApply(join(gen, "kafka", "topics.json"), [
      "--bootstrap-servers",
      kafka.bootstrap,
    ]);
    expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
    await pg.query(readFileSync(join(gen, "spark", "ddl", "analytics.sql"), "utf8"));
    spark = await localSparkSubmit(join(work, "spark-submit"));
    // The job asks the registry for its subject's versions at start: a stub with its own
    // schema as id 1, the id produce() writes (the registry is proven in spark-writer-schema).
    const job = jobSubject(join(gen, "spark", "orders_per_minute.py"), sparkPaths().python)!;
    registry = await startRegistryStub(job.subject, { 1: job.schema });
    const base = sparkSubmitEnv();
    sparkEnv = { ...base, PATH: `${spark.binDir}:${base.PATH}` };
    home = await createAirflowHome({
      dagsFolder: join(gen, "airflow"),
      env: {
        ...commonEnv(),
        ...connectionEnv("spark_default", { conn_type: "spark", host: "local[2]" }),
        ...variableEnv("ANALYTICS_DB_HOST", "127.0.0.1"),
        ...variableEnv("ANALYTICS_DB_PORT", String(pg.port)),
        ...variableEnv("ANALYTICS_PASSWORD", pg.password),
        ...variableEnv("SCHEMA_REGISTRY_URL", registry.url),
      },
    });
  });

  afterAll(async () => {
    // A job still running after a failed test: kill it (by the PIDs the stand-in recorded).
    for (const pid of (await spark?.pids()) ?? []) {
      for (const child of childPids(pid)) kill(child, "SIGKILL");
      kill(pid, "SIGKILL");
    }
    await home?.cleanup();
    await Promise.allSettled([pg?.stop(), registry?.stop()]);
  });

  async function produce(p: Produced, name: string) {
    const file = join(work, `${name}.json`);
    await writeFile(
      file,
      JSON.stringify({
        topic: "orders.raw",
        format: "avro",
        schema: join(gen, "kafka", "schemas", "orders.raw.avsc"),
        records: p.records,
      }),
    );
    const r = await run(sparkPaths().python, [
      join(REPO_ROOT, "test/e2e/spark/produce.py"),
      "--bootstrap-servers",
      kafka.bootstrap,
      file,
    ]);
    expect(r.code, describeRun("produce", r)).toBe(0);
  }

  async function tableRows() {
    const rows = await pg.query(
      "SELECT customer_id, to_char(window_start, 'YYYY-MM-DD HH24:MI:SS'), orders, revenue, largest FROM orders_per_minute ORDER BY customer_id, window_start",
    );
    return rows.map(([customer_id, window_start, n, revenue, largest]) => ({
      customer_id,
      window_start,
      orders: Number(n),
      revenue,
      largest,
    }));
  }

  /** Polls until the table holds `expected` (or the time is up); returns what it holds. */
  async function waitForRows(expected: unknown[], timeoutMs: number, alive: () => boolean) {
    const deadline = Date.now() + timeoutMs;
    let rows = await tableRows();
    while (Date.now() < deadline && alive() && JSON.stringify(rows) !== JSON.stringify(expected)) {
      await sleep(1000);
      rows = await tableRows();
    }
    return rows;
  }

  /** Waits for the n-th driver JVM the stand-in started, and its Python driver process. */
  async function driver(n: number, timeoutMs: number, alive: () => boolean) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && alive()) {
      const jvm = (await spark.pids())[n - 1];
      // The job's Python driver: not PySpark's Python workers, nor the (zombie) shell that
      // spark-submit's launcher left behind as a child of the PID before it exec'd the JVM.
      const python = jvm
        ? childPids(jvm).find(
            (c) =>
              processName(c).startsWith("python") &&
              commandLine(c).includes("orders_per_minute.py"),
          )
        : undefined;
      if (jvm && python) return { jvm, python };
      await sleep(500);
    }
    return null;
  }

  it("the long-running stream: rows land; a crashed job is resubmitted with backoff and resumes from its checkpoint; spent retries fail the run and alert", async () => {
    smtp.clear();
    hook.clear();
    const phase1 = orders(1, 1, 400);
    // Phase 2 without its late orders: the job is killed before its watermark is persisted
    // (Spark writes it with the next batch's offsets), so the restarted job would count them.
    const phase2 = orders(2, 100_000, 60);
    phase2.records = phase2.records.filter(
      (x) => String(x.value?.updated_at) >= new Date(T0).toISOString(),
    );
    const started = Date.now();
    const step = (what: string) =>
      console.log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
    await produce(phase1, "phase1");
    let finished = false;
    const test = dagsTest(home, "shop_orders_processing_orders_per_minute", {
      logicalDate: "2025-01-02",
      env: sparkEnv,
      // The task's retry delay (5 minutes, doubling) shortened to one second.
      retryDelaySeconds: 1,
      timeoutMs: 900_000,
    }).finally(() => {
      finished = true;
    });
    const alive = () => !finished;
    const why = async () => describeDagsTest("dags test orders_per_minute", await test);

    // 1. The job runs as the task: the first micro-batch lands in PostgreSQL.
    const first = await driver(1, 240_000, alive);
    expect(first, finished ? await why() : "no driver").not.toBeNull();
    step("the job runs");
    const expected1 = expectedWindows(phase1.counted);
    expect(await waitForRows(expected1, 300_000, alive), finished ? await why() : "").toEqual(
      expected1,
    );
    step(`${expected1.length} rows landed`);

    // 2. A crash: SIGKILL the driver (JVM and its Python). The task fails and is retried.
    kill(first!.python, "SIGKILL");
    kill(first!.jvm, "SIGKILL");
    await produce(phase2, "phase2");
    step("the job was killed");
    const second = await driver(2, 240_000, alive);
    expect(second, finished ? await why() : "no second driver").not.toBeNull();
    step("the task's second try runs the job again");
    const expected2 = expectedWindows([...phase1.counted, ...phase2.counted]);
    expect(await waitForRows(expected2, 300_000, alive), finished ? await why() : "").toEqual(
      expected2,
    );
    step(`${expected2.length} rows after the restart`);

    // The crash was retried, not alerted: alerts go out when the retries are spent.
    expect(smtp.messages).toEqual([]);
    expect(hook.requests).toEqual([]);

    // 3. The spec's retries are 2: a crash of the second and of the third try fail the run,
    //    which alerts (under @continuous the scheduler would then start the next run).
    kill(second!.python, "SIGKILL");
    kill(second!.jvm, "SIGKILL");
    const third = await driver(3, 240_000, alive);
    expect(third, finished ? await why() : "no third driver").not.toBeNull();
    step("the task's third try runs the job again");
    kill(third!.python, "SIGKILL");
    kill(third!.jvm, "SIGKILL");
    const r = await test;
    step("the run ended");
    const text = describeDagsTest("dags test orders_per_minute", r);
    expect(r.code, text).toBe(1);
    expect(r.states, text).toEqual({ orders_per_minute: "failed" });
    expect(r.taskInstances[0]!.try_number, text).toBe(3);
    // Nothing lost, nothing written twice by the crashes.
    expect(await tableRows()).toEqual(expected2);
    const [mail] = await smtp.waitForMessages(1, { timeoutMs: 20_000 });
    expect(mail!.subject).toBe(
      "[pipegen] shop_orders: shop_orders_processing_orders_per_minute.orders_per_minute failed",
    );
    expect(mail!.text).toContain("failed on try 3 of run manual__");
    await hook.waitForRequests(1, { timeoutMs: 20_000 });
    expect(smtp.messages).toHaveLength(1);
    expect(hook.requests).toHaveLength(1);

    // What Airflow handed spark-submit: the .submit.json's settings, the bootstrap servers
    // from the connection; the password not in any command line nor in the task log.
    const submit = JSON.parse(
      readFileSync(join(gen, "spark", "orders_per_minute.submit.json"), "utf8"),
    );
    const calls = await spark.calls();
    expect(calls).toHaveLength(3);
    const argv = calls[0]!;
    const opt = (name: string) => argv[argv.indexOf(name) + 1];
    expect(opt("--master")).toBe("local[2]");
    expect(opt("--deploy-mode")).toBe("client");
    expect(opt("--name")).toBe(submit.name);
    expect(opt("--packages")).toBe(submit.packages.join(","));
    const confs = argv.flatMap((a, i) => (argv[i - 1] === "--conf" ? [a] : []));
    expect(confs).toEqual(Object.entries(submit.conf).map(([k, v]) => `${k}=${String(v)}`));
    expect(argv.slice(-3)).toEqual([
      join(gen, "spark", "orders_per_minute.py"),
      "--bootstrap-servers",
      kafka.bootstrap,
    ]);
    for (const c of calls) expect(c.join(" ")).not.toContain(pg.password);
    expect(r.stdout + r.stderr).not.toContain(pg.password);
    // The rendered env_vars kept in the metadata DB show the secret masked.
    const rtif = await run("python3", [
      "-c",
      "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('select rendered_fields from rendered_task_instance_fields').fetchall()[-1][0])",
      home.dbFile,
    ]);
    expect(rtif.code, describeRun("read RTIF", rtif)).toBe(0);
    const rendered = JSON.parse(rtif.stdout) as {
      env_vars: Record<string, string>;
      application_args: string[];
    };
    expect(rendered.env_vars).toEqual({
      ANALYTICS_DB_HOST: "127.0.0.1",
      ANALYTICS_DB_PORT: String(pg.port),
      ANALYTICS_PASSWORD: "***",
      SCHEMA_REGISTRY_URL: registry.url,
    });
    expect(rendered.application_args).toEqual(["--bootstrap-servers", kafka.bootstrap]);
  }, 1_200_000);

  it("a task made to fail sends a real e-mail and a real Slack webhook POST", async () => {
    smtp.clear();
    hook.clear();
    const failing = await failingSparkSubmit(
      join(work, "spark-submit"),
      "simulated spark-submit failure",
    );
    const r = await dagsTest(home, "shop_orders_archival_orders_daily", {
      logicalDate: "2025-01-02",
      env: { ...sparkEnv, PATH: `${failing}:${sparkEnv.PATH}` },
      retries: 0,
    });
    const why = describeDagsTest("dags test shop_orders_archival_orders_daily", r);
    expect(r.code, why).toBe(1);
    expect(r.states, why).toEqual({ orders_daily: "failed" });
    expect(r.stdout, why).toContain("simulated spark-submit failure");

    const [mail] = await smtp.waitForMessages(1, { timeoutMs: 20_000 });
    expect(mail!.from).toBe("airflow@example.com");
    expect(mail!.to).toEqual(["oncall@example.com"]);
    expect(mail!.subject).toBe(
      "[pipegen] shop_orders: shop_orders_archival_orders_daily.orders_daily failed",
    );
    expect(mail!.text).toContain(
      "Task orders_daily of DAG shop_orders_archival_orders_daily (pipeline shop_orders) failed on try 1 of run manual__",
    );
    // (The task's exception is in the mail in a deployment; `dags test` leaves it out of the
    // callback context. It is in the task log.)
    expect(r.stdout, why).toContain("Cannot execute:");

    const [post] = await hook.waitForRequests(1, {
      timeoutMs: 20_000,
      filter: (q) => q.path === SLACK_PATH,
    });
    expect(post!.method).toBe("POST");
    expect(post!.json).toEqual({
      text: expect.stringMatching(
        /^:red_circle: \[pipegen\] shop_orders: shop_orders_archival_orders_daily\.orders_daily failed \(run manual__\S+, try 1\)$/,
      ),
    });
    expect(smtp.messages).toHaveLength(1);
    expect(hook.requests).toHaveLength(1);
  });
});
