// The generated pipeline on a three-node Kafka cluster (issue 16, item 1): topics applied by
// the runtime's apply program with the production overlay (replication factor 3,
// min.insync.replicas 2); rows flow PostgreSQL -> the generated NiFi flow (stateless engine,
// continuous; PublishKafka acks=all, transactional) -> the topic -> the generated Spark job
// (running all along) -> an upsert table in PostgreSQL. Meanwhile the leader of a partition the
// job reads is killed with SIGKILL (Kafka's hard_bounce) and restarted later, then all three
// nodes are restarted one after the other. What Kafka's validate_delivery asserts must hold:
// every row is in the sink exactly once, none lost, none doubled, and nothing needed a restart.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/api/index.js";
import { startKafkaCluster, type KafkaCluster } from "./harness/kafka-cluster.js";
import { describeTopics } from "./harness/kafka.js";
import { describeNifiRun, nifiPaths, runStatelessFlow } from "./harness/nifi.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { sleep, waitUntil } from "./harness/process.js";
import { describeRun } from "./harness/python.js";
import { kafkaApply } from "./harness/runtime.js";
import { startSparkJob, type SparkJob } from "./harness/spark.js";
import {
  countsById,
  delays,
  firstArrivals,
  Inserter,
  SinkWatcher,
  TopicFollower,
  type Arrival,
  type Event,
} from "./kafka-cluster/traffic.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-kafka-cluster-e2e-"));
const TOPIC = "items";
const SPEC = `pipegen: 1
pipeline: failover
platform:
  kafka: {bootstrapServers: "\${env:KAFKA_BOOTSTRAP_SERVERS}"}
connections:
  src: {type: postgres, host: "\${env:SRC_HOST}", port: "\${env:SRC_PORT}", database: items, user: items, password: "\${secret:SRC_PASSWORD}"}
  sink: {type: postgres, host: "\${env:SINK_HOST}", port: "\${env:SINK_PORT}", database: items, user: items, password: "\${secret:SINK_PASSWORD}"}
schemas:
  item:
    key: [id]
    fields:
      id: {type: long, required: true}
      name: {type: string, required: true}
      updated_at: {type: timestamp, required: true}
topics:
  ${TOPIC}: {schema: item, partitions: 3, format: json}
ingest:
  items:
    from: {connection: src, table: public.items, incrementalColumn: updated_at, every: 1s}
    to: {topic: ${TOPIC}, key: id, format: json}
streams:
  latest_items:
    from: {topic: ${TOPIC}, startingOffsets: earliest}
    onInvalid: drop
    to:
      - {connection: sink, table: latest_items, mode: upsert, key: [id]}
    trigger: {every: 2s}
environments:
  prod:
    topics: {replicationFactor: 3, minInsyncReplicas: 2}
`;
/** 20 rows a second: modest for 2 shared cores running 3 brokers, NiFi, Spark and PostgreSQL. */
const PER_TICK = 5;
const TICK_MS = 250;

let cluster: KafkaCluster;
let pg: Postgres;
let job: SparkJob | undefined;
let follower: TopicFollower | undefined;
/** The same topic read_uncommitted (Kafka's default isolation; the Spark job reads read_committed). */
let uncommitted: TopicFollower | undefined;
let nifi: { abort: AbortController; done: ReturnType<typeof runStatelessFlow> } | undefined;
let ins: Inserter | undefined;
let sink: SinkWatcher | undefined;
const inserter = () => ins!;
const events: Event[] = [];
const gen = path.join(work, "generated", "failover");
const figures: string[] = [];

beforeAll(async () => {
  [cluster, pg] = await Promise.all([
    startKafkaCluster({ nodes: 3 }),
    startPostgres({ user: "items", database: "items" }),
  ]);
  const specFile = path.join(work, "failover.yaml");
  writeFileSync(specFile, SPEC);
  const r = build([specFile], { out: path.join(work, "generated"), env: "prod" });
  expect(r.diagnostics).toEqual([]);
  // Here, not in a test: nothing below can run without the topic.
  const apply = await kafkaApply(path.join(gen, "kafka", "topics.json"), [
    "--bootstrap-servers",
    cluster.bootstrap,
  ]);
  expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
  await pg.query(
    "CREATE TABLE public.items (id BIGINT PRIMARY KEY, name TEXT NOT NULL, updated_at TIMESTAMP NOT NULL)",
  );
}, 180_000);

afterAll(async () => {
  follower?.stop();
  uncommitted?.stop();
  await Promise.allSettled([ins?.stop(), sink?.stop()]);
  nifi?.abort.abort();
  job?.kill();
  await Promise.allSettled([nifi?.done, job?.done]);
  await Promise.allSettled([cluster?.stop(), pg?.stop()]);
  if (figures.length > 0) console.log(`kafka cluster figures:\n  ${figures.join("\n  ")}`);
});

/** Ids in the sink (the upsert table), with the row count. */
async function sinkIds(): Promise<{ rows: number; ids: Set<number> }> {
  const rows = await pg.query("SELECT id, name FROM latest_items ORDER BY id").catch(() => []);
  const ids = new Set<number>();
  for (const [id, name] of rows) {
    if (name !== `item ${id}`) throw new Error(`row ${id} holds ${name}`);
    ids.add(Number(id));
  }
  return { rows: rows.length, ids };
}

/** Wait until the sink holds `id` (every id up to it is checked at the end). */
async function sinkHas(id: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await waitUntil(async () => ((await sinkIds()).ids.has(id) ? true : undefined), {
    timeoutMs,
    intervalMs: 200,
    onTimeout: () => new Error(`id ${id} not in the sink within ${timeoutMs} ms`),
  });
  return Date.now();
}

/** The first arrival on the topic of an id above `afterId` (a row inserted after the event). */
async function firstArrivalAfter(afterId: number, timeoutMs: number): Promise<Arrival> {
  return waitUntil(() => follower!.arrivals.find((a) => a.id > afterId), {
    timeoutMs,
    intervalMs: 50,
    onTimeout: () => new Error(`no record above id ${afterId} within ${timeoutMs} ms`),
  });
}

/** Note an event: its time and the last row inserted before it. */
function mark(name: string): Event {
  const event = { name, at: Date.now(), lastBefore: inserter().lastId };
  events.push(event);
  return event;
}

/** Wait until the pipeline has caught up: the last row inserted now is in the sink. */
async function steady(): Promise<void> {
  await sinkHas(inserter().lastId, 240_000);
}

function assertJobRunning(): void {
  const out = job!.output();
  expect(job!.child.exitCode, `the Spark job ended:\n${out.stderr.slice(-4000)}`).toBeNull();
}

describe("a three-node Kafka cluster under the generated pipeline", () => {
  it("the apply program created the topic with the production overlay: 3 replicas, min ISR 2", async () => {
    const topics = await describeTopics(cluster.bootstrap, [TOPIC]);
    expect(topics[TOPIC]?.partitions).toBe(3);
    expect(topics[TOPIC]?.replicationFactor).toBe(3);
    expect(topics[TOPIC]?.configs["min.insync.replicas"]?.value).toBe("2");
    const parts = (await cluster.partitions([TOPIC]))[TOPIC]!;
    expect(parts.map((p) => p.isr.length)).toEqual([3, 3, 3]);
    // Leaders spread over the nodes: killing one leader stalls a third of the partitions.
    expect(new Set(parts.map((p) => p.leader)).size).toBeGreaterThan(1);
  });

  it("records flow source -> NiFi -> Kafka -> Spark -> PostgreSQL", async () => {
    follower = new TopicFollower(cluster.bootstrap, TOPIC, "read_committed");
    uncommitted = new TopicFollower(cluster.bootstrap, TOPIC, "read_uncommitted");
    await Promise.all([follower.started(), uncommitted.started()]);
    const abort = new AbortController();
    nifi = {
      abort,
      done: runStatelessFlow({
        flowJson: path.join(gen, "nifi", "failover.flow.json"),
        contextName: "failover",
        parameters: {
          KAFKA_BOOTSTRAP_SERVERS: cluster.bootstrap,
          SRC_HOST: "127.0.0.1",
          SRC_PORT: String(pg.port),
          SRC_PASSWORD: pg.password,
          "jdbc.driver.dir": nifiPaths().jdbcDir,
        },
        continuous: true,
        signal: abort.signal,
        timeoutMs: 900_000,
      }),
    };
    job = await startSparkJob(
      path.join(gen, "spark", "latest_items.py"),
      ["--checkpoint-root", path.join(work, "checkpoints")],
      {
        env: {
          KAFKA_BOOTSTRAP_SERVERS: cluster.bootstrap,
          SINK_HOST: "127.0.0.1",
          SINK_PORT: String(pg.port),
          SINK_PASSWORD: pg.password,
        },
        timeoutMs: 900_000,
      },
    );
    ins = new Inserter(pg, PER_TICK, TICK_MS);
    ins.start();
    sink = new SinkWatcher(pg, "latest_items");
    sink.start();
    const started = Date.now();
    await sinkHas(1, 240_000);
    figures.push(`start-up: the first row in the sink after ${Date.now() - started} ms`);
    await steady();
    assertJobRunning();
  }, 400_000);

  it("kill -9 of the leader of partition 0, restarted 20 s later: the flow pauses and resumes", async () => {
    const leader = (await cluster.partitions([TOPIC]))[TOPIC]![0]!.leader;
    const node = cluster.nodes.find((n) => n.id === leader)!;
    const event = mark(`hard bounce (kill -9) of node ${leader}, leader of ${TOPIC}-0`);
    await node.kill();
    await firstArrivalAfter(event.lastBefore, 120_000);
    const after = (await cluster.partitions([TOPIC]))[TOPIC]![0]!;
    expect(after.leader).not.toBe(leader);
    expect(after.isr).not.toContain(leader);
    figures.push(
      `node ${leader} killed: ${TOPIC}-0 led by node ${after.leader}, ISR ${after.isr.join(",")}`,
    );
    await sleep(Math.max(0, event.at + 20_000 - Date.now()));
    const restartedAt = Date.now();
    node.start();
    await cluster.waitInSync([TOPIC]);
    figures.push(
      `node ${leader} restarted: back in every ISR after ${Date.now() - restartedAt} ms`,
    );
    assertJobRunning();
    await steady();
  }, 400_000);

  it("a rolling restart of all three nodes (controlled shutdown, back in sync before the next)", async () => {
    for (const node of cluster.nodes) {
      const event = mark(`rolling restart of node ${node.id}`);
      await node.stop();
      node.start();
      await cluster.waitInSync([TOPIC]);
      figures.push(
        `node ${node.id} stopped, started and in sync again in ${Date.now() - event.at} ms`,
      );
    }
    await firstArrivalAfter(inserter().lastId, 120_000);
    assertJobRunning();
  }, 400_000);

  it("every row is in the sink exactly once, none lost, none doubled; nothing restarted", async () => {
    await inserter().stop();
    const total = inserter().lastId;
    const stoppedAt = Date.now();
    await sinkHas(total, 180_000);
    const drained = Date.now() - stoppedAt;
    const { rows, ids } = await sinkIds();
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((id) => !ids.has(id));
    expect(missing.slice(0, 20), `${missing.length} rows lost`).toEqual([]);
    expect(rows).toBe(total);
    // The topic (read_committed): every row once; more would be a producer's duplicate.
    const counts = countsById(follower!.arrivals);
    const onTopic = Array.from({ length: total }, (_, i) => counts.get(i + 1) ?? 0);
    const doubled = onTopic.filter((c) => c > 1).length;
    expect(onTopic.filter((c) => c === 0).length, "rows never on the topic").toBe(0);
    figures.push(
      `${total} rows inserted, ${follower!.arrivals.length} committed records on the topic ` +
        `(${doubled} ids more than once), ${rows} rows in the sink, none lost; drained ${drained} ms after the last insert`,
    );
    expect(doubled, "ids written to the topic more than once").toBe(0);
    // NiFi publishes in transactions; records of an aborted one are read_uncommitted only.
    const aborted = uncommitted!.arrivals.length - follower!.arrivals.length;
    figures.push(
      `${aborted} records of aborted transactions (read_uncommitted sees them, read_committed not)`,
    );
    await sink!.stop();
    const onTopicAt = firstArrivals(follower!.arrivals);
    for (const event of events) {
      const topic = delays(event, inserter().rows, onTopicAt);
      const table = delays(event, inserter().rows, sink!.seen);
      figures.push(
        `${event.name}: first row inserted after it on the topic after ${topic.firstAfterMs} ms, ` +
          `in the sink after ${table.firstAfterMs} ms; latency insert -> topic ${topic.baselineMs} ms ` +
          `before, up to ${topic.peakMs} ms around it; insert -> sink ${table.baselineMs} ms before, ` +
          `up to ${table.peakMs} ms around it`,
      );
    }
    assertJobRunning();
    const batches = await pg.query("SELECT count(*) FROM pipegen_batches");
    figures.push(`the Spark job ran throughout: ${batches[0]![0]} micro-batches, no restart`);
    writeFileSync(path.join(work, "spark-job.log"), job!.output().stderr);
    nifi!.abort.abort();
    const result = await nifi!.done;
    expect(result.code === 0 || result.killed, describeNifiRun(result)).toBe(true);
    // How often an invocation failed (the engine rolls it back; no row was lost above).
    const failures = (result.stdout + result.stderr).split("Failed to execute dataflow").length - 1;
    figures.push(`NiFi ran throughout: ${failures} flow invocation(s) failed and were retried`);
  }, 300_000);
});
