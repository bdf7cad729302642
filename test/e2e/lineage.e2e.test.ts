// OpenLineage on the real engines: a spec with platform.lineage builds a Spark job whose
// .submit.json carries the OpenLineage Spark listener (io.openlineage:openlineage-spark, from
// Maven Central like the other connector jars); run on real Spark, Kafka and PostgreSQL, with
// the endpoint given as the submission gives it, the job's run events reach a local HTTP
// receiver and name the Kafka topic it reads and the table it writes. Then the processing DAG,
// run with `airflow dags test` (the apache-airflow-providers-openlineage provider installed),
// passes its run to the job as the events' parent.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/api/index.js";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { describeRun, run } from "./harness/python.js";
import { kafkaApply } from "./harness/runtime.js";
import { jobSubject, startRegistryStub } from "./harness/registry-stub.js";
import { describeSparkJob, runSparkJob, sparkPaths, sparkSubmitEnv } from "./harness/spark.js";
import { startWebhookServer, type WebhookServer } from "./harness/webhook.js";
import {
  connectionEnv,
  createAirflowHome,
  dagsTest,
  describeDagsTest,
  variableEnv,
} from "./harness/airflow.js";
import { localSparkSubmit } from "./airflow/spark-submit.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-lineage-"));
const SPEC = `pipegen: 1
pipeline: lineage
platform:
  lineage: {url: "\${env:LINEAGE_URL}", namespace: pipegen-e2e}
connections:
  pg: {type: postgres, host: "\${env:PG_HOST}", port: "\${env:PG_PORT}", database: shop, user: spark, password: "\${secret:PG_PASSWORD}"}
schemas:
  order:
    key: [id]
    fields:
      id: {type: long, required: true}
      amount: {type: double}
topics:
  orders: {schema: order, partitions: 1}
streams:
  big_orders:
    from: {topic: orders}
    onInvalid: drop
    steps:
      - filter: "amount > 10"
    to:
      - {connection: pg, table: big_orders, mode: upsert, key: [id]}
    trigger: {availableNow: true, schedule: "@hourly"}
`;

interface Dataset {
  namespace: string;
  name: string;
}
interface RunEvent {
  eventType: string;
  job: { namespace: string; name: string };
  run: { runId: string; facets?: Record<string, unknown> };
  inputs?: Dataset[];
  outputs?: Dataset[];
}

let kafka: KafkaBroker;
let pg: Postgres;
let receiver: WebhookServer;
const gen = path.join(work, "generated", "lineage");

beforeAll(async () => {
  [kafka, pg, receiver] = await Promise.all([
    startKafka(),
    startPostgres({ user: "spark", database: "shop" }),
    startWebhookServer(),
  ]);
  const specFile = path.join(work, "lineage.yaml");
  writeFileSync(specFile, SPEC);
  const r = build([specFile], { out: path.join(work, "generated") });
  expect(r.diagnostics).toEqual([]);
  const apply = await kafkaApply(path.join(gen, "kafka", "topics.json"), [
    "--bootstrap-servers",
    kafka.bootstrap,
  ]);
  expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
  const records = [5, 20, 30, 1].map((amount, i) => ({ key: `o${i}`, value: { id: i, amount } }));
  const file = path.join(work, "records.json");
  writeFileSync(
    file,
    JSON.stringify({
      topic: "orders",
      format: "avro",
      schema: path.join(gen, "kafka", "schemas", "orders.avsc"),
      records,
    }),
  );
  const produced = await run(sparkPaths().python, [
    path.join(REPO_ROOT, "test/e2e/spark/produce.py"),
    "--bootstrap-servers",
    kafka.bootstrap,
    file,
  ]);
  expect(produced.code, describeRun("produce", produced)).toBe(0);
});

afterAll(async () => {
  await Promise.allSettled([kafka?.stop(), pg?.stop(), receiver?.stop()]);
});

const events = (): RunEvent[] =>
  receiver.requests.flatMap((r) => (r.json ? [r.json as RunEvent] : []));
const named = (ds: Dataset[] | undefined) => (ds ?? []).map((d) => `${d.namespace} ${d.name}`);

describe("a stream job with platform.lineage on real Spark", () => {
  it("sends run events naming the Kafka topic it reads and the PostgreSQL table it writes", async () => {
    const submit = JSON.parse(
      readFileSync(path.join(gen, "spark", "big_orders.submit.json"), "utf8"),
    ) as {
      packages: string[];
      conf: Record<string, string>;
      lineage: { url: { env: string }; namespace: string };
    };
    expect(submit.packages).toContain("io.openlineage:openlineage-spark_2.13:1.53.0");
    expect(submit.lineage).toEqual({ url: { env: "LINEAGE_URL" }, namespace: "pipegen-e2e" });
    const env = {
      PG_HOST: "127.0.0.1",
      PG_PORT: String(pg.port),
      PG_PASSWORD: pg.password,
      KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
    };
    // As the submission gives it: the .submit.json's conf, and the endpoint from its reference.
    const conf = { ...submit.conf, "spark.openlineage.transport.url": receiver.url("") };
    const args = ["--checkpoint-root", path.join(work, "checkpoints"), "--available-now"];
    const r = await runSparkJob(path.join(gen, "spark", "big_orders.py"), args, {
      env,
      conf,
      timeoutMs: 400_000,
    });
    expect(r.code, describeSparkJob("big_orders", r)).toBe(0);
    expect(await pg.query("SELECT id FROM big_orders ORDER BY id")).toEqual([["1"], ["2"]]);
    const all = events();
    console.log(
      `lineage: ${all.length} events: ` +
        all
          .map((e) => `${e.eventType} ${e.job.name} in=${named(e.inputs)} out=${named(e.outputs)}`)
          .join(" | "),
    );
    expect(all.every((e) => e.job.namespace === "pipegen-e2e")).toBe(true);
    const inputs = all.flatMap((e) => named(e.inputs));
    const outputs = all.flatMap((e) => named(e.outputs));
    expect(inputs).toContain(`kafka://${kafka.bootstrap} orders`);
    expect(
      outputs.some((o) =>
        o.startsWith(`postgres://127.0.0.1:${pg.port} shop.pipegen_stage_big_orders_`),
      ),
    ).toBe(true);
  });
});

describe("the processing DAG with platform.lineage, run by Airflow", () => {
  it("passes its task's run to the Spark job as the parent of the job's events", async () => {
    receiver.clear();
    await run(sparkPaths().python, [
      path.join(REPO_ROOT, "test/e2e/spark/produce.py"),
      "--bootstrap-servers",
      kafka.bootstrap,
      path.join(work, "records.json"),
    ]);
    const spark = await localSparkSubmit(path.join(work, "spark-submit"));
    const base = sparkSubmitEnv();
    // The job asks the registry for its subject's versions at start: its own schema as id 1.
    const job = jobSubject(path.join(gen, "spark", "big_orders.py"), sparkPaths().python)!;
    const registry = await startRegistryStub(job.subject, { 1: job.schema });
    const home = await createAirflowHome({
      dagsFolder: path.join(gen, "airflow"),
      env: {
        ...connectionEnv("kafka_default", {
          conn_type: "kafka",
          extra: { "bootstrap.servers": kafka.bootstrap },
        }),
        ...connectionEnv("spark_default", { conn_type: "spark", host: "local[2]" }),
        ...variableEnv("PG_HOST", "127.0.0.1"),
        ...variableEnv("PG_PORT", String(pg.port)),
        ...variableEnv("PG_PASSWORD", pg.password),
        ...variableEnv("LINEAGE_URL", receiver.url("")),
        ...variableEnv("SCHEMA_REGISTRY_URL", registry.url),
      },
    });
    try {
      const dag = "lineage_processing_big_orders";
      const r = await dagsTest(home, dag, {
        logicalDate: "2025-01-02",
        env: { ...base, PATH: `${spark.binDir}:${base.PATH}` },
        retries: 0,
        timeoutMs: 600_000,
      });
      expect(r.code, describeDagsTest(dag, r)).toBe(0);
      const [call] = await spark.calls();
      const conf = call!.flatMap((a, i) => (call![i - 1] === "--conf" ? [a] : []));
      expect(conf).toContain(`spark.openlineage.transport.url=${receiver.url("")}`);
      expect(conf).toContain(`spark.openlineage.parentJobName=${dag}.big_orders`);
      // OpenLineage's hierarchy: the application's events name the Airflow task as their parent;
      // the application's actions (pipegen_lineage_big_orders.<action>) name the application.
      const app = "pipegen_lineage_big_orders";
      const parentOf = (e: RunEvent) =>
        (e.run.facets?.parent as { job?: { name?: string } } | undefined)?.job?.name;
      const appEvents = events().filter((e) => e.job.name === app);
      console.log(
        `lineage: ${events().length} events from the DAG's run; ${appEvents.length} of the application, parent ${appEvents.map(parentOf)}`,
      );
      expect(appEvents.length).toBeGreaterThan(0);
      expect(new Set(appEvents.map(parentOf))).toEqual(new Set([`${dag}.big_orders`]));
      const actions = events().filter((e) => e.job.name.startsWith(`${app}.`));
      expect(actions.filter((e) => parentOf(e) !== app)).toEqual([]);
    } finally {
      await Promise.allSettled([home.cleanup(), registry.stop()]);
    }
  });
});
