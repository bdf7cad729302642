// A generated stream job on a Spark standalone cluster (issue 16, item 2): Spark's own Master and
// two Workers on loopback (1 core each), the job submitted with its .submit.json settings in
// client deploy mode against spark://127.0.0.1:<port>, executors on both workers. Mid-stream one
// worker is SIGKILLed with its executor (a machine lost): the job keeps running (the driver
// reschedules the lost tasks and reloads the aggregation's state on the surviving executor) and
// the PostgreSQL upsert sink ends equal to the totals the test computes itself.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { freePorts, sleep, waitUntil } from "./harness/process.js";
import { describeRun, run } from "./harness/python.js";
import { applyTopics, buildVersion } from "./harness/plan.js";
import {
  getJson,
  readSubmitPlan,
  startSparkCluster,
  submitArgsFromPlan,
  workerExecutors,
  type SparkCluster,
} from "./harness/spark-cluster.js";
import { describeSparkJob, sparkPaths, startSparkJob, type SparkJob } from "./harness/spark.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-spark-cluster-"));
const spec = (master: string) => `pipegen: 1
pipeline: cluster_totals
platform:
  spark: {master: "${master}", deployMode: client, shufflePartitions: 4}
connections:
  pg: {type: postgres, host: "\${env:PG_HOST}", port: "\${env:PG_PORT}", database: totals, user: spark, password: "\${secret:PG_PASSWORD}"}
schemas:
  reading:
    key: [id]
    fields:
      id: {type: long, required: true}
      sensor: {type: string, required: true}
      value: {type: long, required: true}
      at: {type: timestamp, required: true}
topics:
  readings: {schema: reading, partitions: 4}
streams:
  sensor_totals:
    from: {topic: readings, startingOffsets: earliest}
    onInvalid: drop
    steps:
      - window: {on: at, size: 1h, watermark: 1h}
        groupBy: [sensor]
        aggregate: {readings: "count(*)", total: "sum(value)"}
    to:
      - {connection: pg, table: sensor_totals, mode: upsert, key: [sensor, window_start]}
    trigger: {every: 2s}
    resources: {executors: 2, executorCores: 1, executorMemory: 512m, driverMemory: 1g}
`;

const SENSORS = 8;
const reading = (id: number) => ({
  id,
  sensor: `s${id % SENSORS}`,
  value: (id * 37) % 101,
  at: new Date(Date.UTC(2026, 0, 5, 10, 0, id % 3000)).toISOString(),
});

let kafka: KafkaBroker;
let pg: Postgres;
let cluster: SparkCluster;
let job: SparkJob | undefined;
let gen: string;

beforeAll(async () => {
  [cluster, kafka, pg] = await Promise.all([
    startSparkCluster({ workers: 2, workerCores: 1, workerMemory: "1g" }),
    startKafka(),
    startPostgres({ user: "spark", database: "totals" }),
  ]);
  const built = buildVersion(work, "generated", spec(cluster.masterUrl));
  gen = built.gen;
  const apply = await applyTopics(built, kafka.bootstrap);
  expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
}, 240_000);

afterAll(async () => {
  job?.kill("SIGKILL");
  await job?.done;
  await Promise.allSettled([cluster?.stop(), kafka?.stop(), pg?.stop()]);
});

async function produce(from: number, to: number): Promise<void> {
  const file = path.join(work, `records-${from}.json`);
  const records = [];
  for (let id = from; id <= to; id++) records.push({ key: reading(id).sensor, value: reading(id) });
  writeFileSync(
    file,
    JSON.stringify({
      topic: "readings",
      format: "avro",
      schema: path.join(gen, "kafka", "schemas", "readings.avsc"),
      records,
    }),
  );
  const script = path.join(REPO_ROOT, "test/e2e/spark/produce.py");
  const r = await run(sparkPaths().python, [script, "--bootstrap-servers", kafka.bootstrap, file]);
  expect(r.code, describeRun("produce", r)).toBe(0);
}

/** The totals the sink must hold after records 1..n: per sensor, count and sum. */
function expected(n: number): string[] {
  const t = new Map<string, { readings: number; total: number }>();
  for (let id = 1; id <= n; id++) {
    const r = reading(id);
    const x = t.get(r.sensor) ?? { readings: 0, total: 0 };
    t.set(r.sensor, { readings: x.readings + 1, total: x.total + r.value });
  }
  return [...t]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([s, x]) => `${s}:${x.readings}:${x.total}`);
}

async function sinkRows(): Promise<string[]> {
  const rows = await pg.query(
    "SELECT sensor, readings, total, window_start FROM sensor_totals ORDER BY sensor",
  );
  return rows.map(([s, n, t]) => `${s}:${n}:${t}`);
}

const batchCount = async () =>
  Number((await pg.query("SELECT count(*) FROM pipegen_batches").catch(() => [["0"]]))[0]![0]);

interface Executor {
  id: string;
  hostPort: string;
  isActive: boolean;
  completedTasks: number;
  failedTasks: number;
  removeReason?: string;
  executorLogs: { stdout?: string };
}

describe("a generated stream job on a standalone cluster of two workers", () => {
  it("runs executors on both workers, survives losing one mid-stream, and the sink is exact", async () => {
    const phase1 = 3000;
    const total = 6000;
    await produce(1, phase1);
    const plan = readSubmitPlan(path.join(gen, "spark", "sensor_totals.submit.json"));
    const env = { PG_HOST: "127.0.0.1", PG_PORT: String(pg.port), PG_PASSWORD: pg.password };
    const submit = submitArgsFromPlan(plan, env);
    expect(submit.master).toBe(cluster.masterUrl);
    expect(plan.deployMode).toBe("client");
    const [uiPort] = await freePorts(1);
    const started = Date.now();
    job = await startSparkJob(
      path.join(gen, "spark", plan.application),
      ["--checkpoint-root", path.join(work, "checkpoints")],
      {
        master: submit.master,
        driverMemory: plan.resources.driverMemory ?? "1g",
        submitArgs: submit.args,
        env: { ...env, KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap },
        // The plan's conf, and the driver's UI for its REST API (the harness turns it off).
        conf: { ...submit.conf, "spark.ui.enabled": "true", "spark.ui.port": String(uiPort) },
        timeoutMs: 600_000,
      },
    );
    const running = () => {
      if (job!.child.exitCode !== null || job!.child.signalCode !== null)
        throw new Error(`the job ended: ${job!.output().stderr.slice(-8000)}`);
    };

    // Executors on both workers: each worker's /json lists one of the application's.
    const app = await waitUntil(
      async () => {
        running();
        const m = await cluster.masterJson();
        return m.activeapps.find((a) => a.name === plan.name);
      },
      { timeoutMs: 120_000, intervalMs: 500, onTimeout: () => new Error("no application") },
    );
    const perWorker = await waitUntil(
      async () => {
        running();
        const e = await Promise.all(cluster.workers.map((w) => workerExecutors(w)));
        const mine = e.map((list) => list.filter((x) => x.appid === app.id));
        return mine.every((x) => x.length > 0) ? mine : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, onTimeout: () => new Error("not on both workers") },
    );
    expect(perWorker.map((x) => x.length)).toEqual([1, 1]);
    const api = `http://127.0.0.1:${uiPort}/api/v1/applications/${app.id}`;

    // The first records are in the sink: the job is under way on both executors.
    await waitUntil(
      async () => {
        running();
        return (await sinkRows().catch(() => [])).length > 0 ? true : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1000, onTimeout: () => new Error("no rows in time") },
    );
    const firstRowsMs = Date.now() - started;
    const t0 = Date.now();
    const before = (
      await getJson<Executor[]>(`${api}/executors`, 120_000).catch((e: unknown) => {
        throw new Error(
          `${String(e)} after ${Date.now() - t0} ms; ${job!.output().stderr.slice(-6000)}`,
        );
      })
    ).filter((e) => e.id !== "driver");
    console.log(`driver REST API answered in ${Date.now() - t0} ms`);
    expect(before.length, JSON.stringify(before)).toBe(2);
    // Which worker runs which executor: its log links point at the worker's web UI.
    const onWorker = (e: Executor) =>
      cluster.workers.findIndex((w) => e.executorLogs.stdout?.includes(`:${w.uiPort}/`));
    expect(before.map(onWorker).sort()).toEqual([0, 1]);
    const doomed = before.find((e) => onWorker(e) === 1)!;

    // More records, and the second worker lost (SIGKILL of its JVM and its executor) while
    // micro-batches run over them.
    await produce(phase1 + 1, phase1 + 1500);
    await sleep(1500);
    const batchesAtKill = await batchCount();
    const killedAt = Date.now();
    cluster.workers[1]!.kill();
    await produce(phase1 + 1501, total);

    // The same job (never restarted) commits new micro-batches, and the sink ends exact.
    const resumed = await waitUntil(
      async () => {
        running();
        return (await batchCount()) > batchesAtKill ? Date.now() : undefined;
      },
      {
        timeoutMs: 240_000,
        intervalMs: 250,
        onTimeout: () => new Error("no batch after the kill"),
      },
    );
    const want = expected(total);
    let got: string[] = [];
    await waitUntil(
      async () => {
        running();
        got = await sinkRows();
        return JSON.stringify(got) === JSON.stringify(want) ? true : undefined;
      },
      {
        timeoutMs: 240_000,
        intervalMs: 1000,
        onTimeout: () =>
          new Error(
            `sink ${JSON.stringify(got)} != ${JSON.stringify(want)}\n` +
              describeSparkJob("job", { ...job!.output(), code: -1, signal: null, wallMs: 0 }),
          ),
      },
    );
    const exactMs = Date.now() - killedAt;

    // What the driver saw: one executor removed, the survivor ran tasks after the loss.
    const all = await getJson<Executor[]>(`${api}/allexecutors`);
    const workers = all.filter((e) => e.id !== "driver");
    const lost = workers.filter((e) => !e.isActive);
    const alive = workers.filter((e) => e.isActive);
    expect(
      lost.map((e) => e.id),
      JSON.stringify(all),
    ).toEqual([doomed.id]);
    expect(alive.length, JSON.stringify(all)).toBe(1);
    const aliveBefore = before.find((e) => e.id === alive[0]!.id)!;
    expect(alive[0]!.completedTasks).toBeGreaterThan(aliveBefore.completedTasks);
    const stages = await getJson<{ numFailedTasks: number }[]>(`${api}/stages`);
    const failedTasks = stages.reduce((n, s) => n + s.numFailedTasks, 0);
    const failedJobs = await getJson<unknown[]>(`${api}/jobs?status=failed`);
    expect(failedJobs).toEqual([]);
    expect(job.child.exitCode).toBeNull();
    const stderr = job.output().stderr;
    const lostLines = stderr
      .split("\n")
      .filter((l) => /Lost executor|ExecutorLost|Removing executor/.test(l));
    console.log(
      `spark-cluster: ${total} records over 4 partitions, ${SENSORS} sensors; master ` +
        `${cluster.masterUrl}, executors ${before.map((e) => `${e.id}@${e.hostPort}`).join(", ")} ` +
        `(one per worker); first rows after ${firstRowsMs} ms; worker 2 SIGKILLed after batch ` +
        `${batchesAtKill}; next batch committed ${resumed - killedAt} ms after the kill, sink ` +
        `exact ${exactMs} ms after it; lost executor ${lost[0]!.id} (${lost[0]!.removeReason ?? "?"}, ` +
        `${lost[0]!.completedTasks} tasks done before), survivor ${alive[0]!.id} ran ` +
        `${alive[0]!.completedTasks - aliveBefore.completedTasks} more tasks; failed (rescheduled) ` +
        `tasks ${failedTasks}; failed jobs 0; ${await batchCount()} micro-batches; driver log: ` +
        `${lostLines.length} executor-loss lines\n${lostLines.slice(0, 4).join("\n")}`,
    );
    job.kill("SIGTERM");
    const end = await job.done;
    expect(end.signal === null || end.signal === "SIGTERM", describeSparkJob("job", end)).toBe(
      true,
    );
    job = undefined;
  }, 900_000);
});
