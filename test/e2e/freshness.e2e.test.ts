// Freshness and lag on the real engines (Kafka 4.1, Spark 4.0, Airflow 3.2): a generated
// long-running stream job commits what it has processed to its consumer group
// (pipegen.<pipeline>.<stream>) and writes its last progress beside its checkpoints; stopped,
// the records produced meanwhile show as the group's lag in Kafka's admin client
// (list_consumer_group_offsets), and the generated monitoring DAG, run with `airflow dags
// test`, fails and sends its alert to a local SMTP server and a local Slack-webhook receiver;
// restarted, the job catches up, the lag is 0 and the DAG passes without an alert.
//
// Needs bash test/e2e/install.sh and test/e2e/engines/{airflow,spark}/install.sh.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/api/index.js";
import {
  connectionEnv,
  createAirflowHome,
  dagsTest,
  describeDagsTest,
  type AirflowHome,
} from "./harness/airflow.js";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { describeRun, runPythonCode } from "./harness/python.js";
import { kafkaApply } from "./harness/runtime.js";
import { smtpConnectionJson, startSmtpServer, type SmtpServer } from "./harness/smtp.js";
import {
  describeSparkJob,
  produceRecords,
  runSparkJob,
  startSparkJob,
  type SparkJob,
} from "./harness/spark.js";
import { startWebhookServer, type WebhookServer } from "./harness/webhook.js";

const FRESHNESS_S = 15;
const SPEC = `pipegen: 1
pipeline: fresh
schemas:
  order:
    key: [id]
    fields:
      id: {type: long, required: true}
      amount: {type: double}
topics:
  orders: {schema: order, partitions: 2}
  orders.big: {partitions: 1}
streams:
  big_orders:
    from: {topic: orders}
    onInvalid: drop
    steps:
      - filter: "amount > 10"
    to:
      - {topic: orders.big}
    trigger: {every: 2s}
    freshness: ${FRESHNESS_S}s
orchestration:
  startDate: "2025-01-01"
  alerts:
    email: [oncall@example.com]
    slack: {connection: fresh_alerts}
`;
const GROUP = "pipegen.fresh.big_orders";
const SLACK_PATH = "/services/T0PIPEGEN/B0FRESH/alerts";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The group's committed offsets, the topic's ends and the lag, from Kafka's admin client. */
const LAG_PY = `
import json, sys
from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient
bootstrap, group, topic = sys.argv[1:4]
admin = AdminClient({"bootstrap.servers": bootstrap})
parts = sorted(admin.list_topics(topic, timeout=10).topics[topic].partitions)
request = ConsumerGroupTopicPartitions(group, [TopicPartition(topic, p) for p in parts])
result = admin.list_consumer_group_offsets([request])[group].result(timeout=10)
committed = {tp.partition: tp.offset for tp in result.topic_partitions}
consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "pipegen.e2e.probe"})
end = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in parts}
consumer.close()
state = admin.describe_consumer_groups([group])[group].result(timeout=10).state
print(json.dumps({
    "committed": {str(p): o for p, o in committed.items()},
    "end": {str(p): o for p, o in end.items()},
    "lag": sum(end[p] - max(committed[p], 0) for p in parts),
    "state": str(state.name if hasattr(state, "name") else state),
}))
`;

interface Lag {
  committed: Record<string, number>;
  end: Record<string, number>;
  lag: number;
  state: string;
}

const work = mkdtempSync(path.join(tmpdir(), "pipegen-freshness-"));
const gen = path.join(work, "generated", "fresh");
const checkpoints = path.join(work, "checkpoints");
let kafka: KafkaBroker;
let smtp: SmtpServer;
let hook: WebhookServer;
let home: AirflowHome;
let job: SparkJob | undefined;
let produced = 0;

async function lag(): Promise<Lag> {
  const r = await runPythonCode(LAG_PY, [kafka.bootstrap, GROUP, "orders"]);
  expect(r.code, describeRun("lag", r)).toBe(0);
  return JSON.parse(r.stdout) as Lag;
}

/** Produces n orders (ids from the running count), half of them big. */
async function produce(n: number): Promise<void> {
  const records = Array.from({ length: n }, (_, i) => {
    const id = produced + i;
    return { key: `o${id}`, value: { id, amount: id % 2 ? 50 : 5 } };
  });
  produced += n;
  await produceRecords(
    kafka.bootstrap,
    {
      topic: "orders",
      format: "avro",
      schema: path.join(gen, "kafka", "schemas", "orders.avsc"),
      records,
    },
    path.join(work, `records-${produced}.json`),
  );
}

function startStream(): Promise<SparkJob> {
  return startSparkJob(
    path.join(gen, "spark", "big_orders.py"),
    ["--bootstrap-servers", kafka.bootstrap, "--checkpoint-root", checkpoints],
    { timeoutMs: 900_000 },
  );
}

/** Polls the group until its lag is 0 with every record committed; the ms it took. */
async function caughtUp(timeoutMs: number): Promise<{ ms: number; lag: Lag }> {
  const started = Date.now();
  for (;;) {
    const l = await lag();
    const committed = Object.values(l.committed).reduce((a, b) => a + Math.max(b, 0), 0);
    if (l.lag === 0 && committed === produced) return { ms: Date.now() - started, lag: l };
    if (Date.now() - started > timeoutMs) {
      const out = job?.output();
      throw new Error(
        `not caught up after ${timeoutMs} ms: ${JSON.stringify(l)}\n${out?.stderr.slice(-6000)}`,
      );
    }
    await sleep(1000);
  }
}

async function stopStream(): Promise<void> {
  if (!job) return;
  job.kill("SIGTERM");
  const r = await job.done;
  job = undefined;
  console.log(`freshness: stream stopped (signal ${r.signal ?? "none"}, exit ${r.code})`);
}

beforeAll(async () => {
  [kafka, smtp, hook] = await Promise.all([startKafka(), startSmtpServer(), startWebhookServer()]);
  const specFile = path.join(work, "fresh.yaml");
  writeFileSync(specFile, SPEC);
  const r = build([specFile], { out: path.join(work, "generated") });
  expect(r.diagnostics).toEqual([]);
  const apply = await kafkaApply(path.join(gen, "kafka", "topics.json"), [
    "--bootstrap-servers",
    kafka.bootstrap,
  ]);
  expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
  home = await createAirflowHome({
    dagsFolder: path.join(gen, "airflow"),
    env: {
      ...connectionEnv("kafka_default", {
        conn_type: "kafka",
        extra: { "bootstrap.servers": kafka.bootstrap },
      }),
      ...connectionEnv(
        "smtp_default",
        JSON.parse(smtpConnectionJson(smtp)) as Record<string, unknown>,
      ),
      ...connectionEnv("fresh_alerts", {
        conn_type: "slackwebhook",
        password: hook.url(SLACK_PATH),
      }),
    },
  });
}, 300_000);

afterAll(async () => {
  job?.kill("SIGKILL");
  await job?.done;
  await home?.cleanup();
  await Promise.allSettled([kafka?.stop(), smtp?.stop(), hook?.stop()]);
  if (process.env.PIPEGEN_E2E_KEEP !== "1") rmSync(work, { recursive: true, force: true });
});

describe("a stream with freshness on real Kafka, Spark and Airflow", () => {
  it("commits its processed offsets to its consumer group and writes its progress", async () => {
    await produce(20);
    job = await startStream();
    const first = await caughtUp(300_000);
    console.log(
      `freshness: 20 records committed by the running stream ${first.ms} ms after the first poll: ${JSON.stringify(first.lag)}`,
    );
    // Nothing subscribes: the group has no members, only its committed offsets.
    expect(first.lag.state).toMatch(/EMPTY/i);
    expect(Object.values(first.lag.committed).reduce((a, b) => a + b, 0)).toBe(20);

    await produce(10);
    const followed = await caughtUp(120_000);
    console.log(`freshness: 10 more records followed in ${followed.ms} ms`);

    const file = path.join(checkpoints, "fresh", "big_orders", "_progress.json");
    expect(existsSync(file)).toBe(true);
    const progress = JSON.parse(readFileSync(file, "utf8")) as {
      consumerGroup: string;
      processedOffsets: Record<string, Record<string, number>>;
      queries: Record<
        string,
        {
          batchId: number;
          batchTime: string;
          batchDurationMs: number;
          inputRowsPerSecond: number;
          processedRowsPerSecond: number;
          sources: Array<{ offsetsBehindLatest: Record<string, Record<string, number>> }>;
        }
      >;
    };
    expect(progress.consumerGroup).toBe(GROUP);
    expect(progress.processedOffsets.orders).toEqual(followed.lag.committed);
    const q = progress.queries["fresh.big_orders.sinks"]!;
    expect(q).toBeDefined();
    expect(q.batchId).toBeGreaterThanOrEqual(1);
    expect(Date.parse(q.batchTime)).toBeGreaterThan(Date.now() - 600_000);
    expect(q.batchDurationMs).toBeGreaterThanOrEqual(0);
    expect(typeof q.processedRowsPerSecond).toBe("number");
    expect(q.sources[0]!.offsetsBehindLatest.orders).toBeDefined();
    console.log(`freshness: ${file}: ${JSON.stringify(q)}`);
  }, 600_000);

  it("stopped, the records produced since show as lag, and the monitoring DAG alerts", async () => {
    await stopStream();
    const before = await lag();
    await produce(40);
    const behind = await lag();
    console.log(`freshness: stream stopped, 40 produced: ${JSON.stringify(behind)}`);
    expect(behind.committed).toEqual(before.committed);
    expect(behind.lag).toBe(40);
    // Past the freshness: the oldest waiting record is older than it.
    await sleep((FRESHNESS_S + 1) * 1000);
    smtp.clear();
    hook.clear();
    const r = await dagsTest(home, "fresh_monitoring", { timeoutMs: 300_000 });
    const why = describeDagsTest("dags test fresh_monitoring", r);
    expect(r.code, why).toBe(1);
    expect(r.states, why).toEqual({ check_big_orders: "failed" });
    const [mail] = await smtp.waitForMessages(1, { timeoutMs: 30_000 });
    console.log(`freshness: alert e-mail: ${mail!.subject}`);
    expect(mail!.to).toEqual(["oncall@example.com"]);
    expect(mail!.subject).toMatch(
      new RegExp(
        `^\\[pipegen\\] fresh: stream big_orders is NOT FRESH: freshness ${FRESHNESS_S}s, the oldest waits for \\d+`,
      ),
    );
    expect(mail!.text).toContain("lag 40 records on topic orders");
    expect(mail!.text).toContain(`behind consumer group ${GROUP}`);
    const [post] = await hook.waitForRequests(1, {
      timeoutMs: 30_000,
      filter: (q) => q.path === SLACK_PATH,
    });
    const text = (post!.json as { text: string }).text;
    console.log(`freshness: Slack webhook: ${text}`);
    expect(text).toMatch(/^:warning: \[pipegen\] fresh: stream big_orders is NOT FRESH/);
    expect(text).toContain("(DAG fresh_monitoring, run ");
    expect(smtp.messages).toHaveLength(1);
    expect(hook.requests).toHaveLength(1);
  }, 600_000);

  it("restarted, the stream catches up: lag 0, and the DAG passes without an alert", async () => {
    const started = Date.now();
    job = await startStream();
    const { lag: after } = await caughtUp(300_000);
    const ms = Date.now() - started;
    console.log(
      `freshness: restarted stream caught up 40 records in ${ms} ms (start included): ${JSON.stringify(after)}`,
    );
    expect(after.lag).toBe(0);
    smtp.clear();
    hook.clear();
    const r = await dagsTest(home, "fresh_monitoring", { timeoutMs: 300_000 });
    const why = describeDagsTest("dags test fresh_monitoring", r);
    expect(r.code, why).toBe(0);
    expect(r.states, why).toEqual({ check_big_orders: "success" });
    expect(r.stdout + r.stderr).toContain("stream big_orders is fresh");
    await sleep(3000);
    expect(smtp.messages).toEqual([]);
    expect(hook.requests).toEqual([]);
    await stopStream();
  }, 600_000);

  it("an available-now run commits its last batch before it ends", async () => {
    await produce(10);
    expect((await lag()).lag).toBe(10);
    const r = await runSparkJob(
      path.join(gen, "spark", "big_orders.py"),
      ["--bootstrap-servers", kafka.bootstrap, "--checkpoint-root", checkpoints, "--available-now"],
      { timeoutMs: 400_000 },
    );
    expect(r.code, describeSparkJob("big_orders --available-now", r)).toBe(0);
    // No waiting: the offsets are committed when the job has exited.
    const after = await lag();
    console.log(`freshness: after an available-now run: ${JSON.stringify(after)}`);
    expect(after.lag).toBe(0);
    expect(Object.values(after.committed).reduce((a, b) => a + b, 0)).toBe(produced);
  }, 600_000);
});
