// A real three-node Kafka cluster (KRaft) on loopback for the e2e tests, from the same cached
// jars as harness/kafka.ts: every node is a combined broker+controller with its own node id,
// ports, log dir and temp dir, all formatted with one cluster id, and the three form a static
// controller quorum (controller.quorum.voters). A node can be killed (SIGKILL, as Kafka's
// hard_bounce system test does), stopped (SIGTERM: a controlled shutdown) and started again
// on the same data, which is what a failover and a rolling restart need.
import { existsSync, mkdirSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachePaths } from "./paths.js";
import {
  freePorts,
  killGroup,
  removeTempDir,
  startServer,
  tail,
  waitUntil,
  type ServerProcess,
} from "./process.js";
import { clusterId, JAVA, log4j2, serverProperties } from "./kafka.js";
import { run, runPythonCode } from "./python.js";

export interface KafkaClusterOptions {
  /** Number of nodes (each broker and controller); default 3. */
  nodes?: number;
  /** Properties added to (or overriding) every node's defaults. */
  brokerConfig?: Record<string, string>;
  /** JVM heap limit per node; default 512m. */
  heap?: string;
  /** How long to wait for the cluster (and for each restarted node); default 90 s. */
  startTimeoutMs?: number;
}

export interface KafkaNode {
  id: number;
  /** 127.0.0.1:<port> of its PLAINTEXT listener. */
  address: string;
  logFile: string;
  readonly running: boolean;
  /** SIGKILL (kill -9): no controlled shutdown, no flush. Resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERM: a controlled shutdown (leaders moved away first). Resolves once it has exited. */
  stop(): Promise<void>;
  /** Start it again on its data; resolves when the process is spawned (see waitInSync). */
  start(): void;
}

export interface PartitionState {
  partition: number;
  /** Node id of the leader, -1 when there is none. */
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface KafkaCluster {
  /** The PLAINTEXT addresses of every node, comma-separated. */
  bootstrap: string;
  nodes: KafkaNode[];
  dir: string;
  /** Partition leaders, replicas and ISR of each topic, from a metadata request. */
  partitions(topics: readonly string[]): Promise<Record<string, PartitionState[]>>;
  /** Wait until every node answers and every partition of `topics` has its full ISR. */
  waitInSync(topics: readonly string[], timeoutMs?: number): Promise<void>;
  /** Stop every node (SIGTERM, SIGKILL after 30 s) and remove the temp dir. */
  stop(): Promise<void>;
}

const METADATA = `
import json
import sys
from confluent_kafka.admin import AdminClient

admin = AdminClient({"bootstrap.servers": sys.argv[1]})
md = admin.list_topics(timeout=10)
out = {"brokers": sorted(md.brokers), "topics": {}, "silent": []}
for address in filter(None, sys.argv[2].split(",")):
    # A node answers itself only once it is up (the others list a killed one for a while).
    try:
        AdminClient({"bootstrap.servers": address}).list_topics(timeout=5)
    except Exception:
        out["silent"].append(address)
for name in sys.argv[3:]:
    t = md.topics.get(name)
    if t is None or t.error is not None:
        out["topics"][name] = None
        continue
    out["topics"][name] = [
        {"partition": p.id, "leader": p.leader, "replicas": list(p.replicas), "isr": list(p.isrs)}
        for p in sorted(t.partitions.values(), key=lambda p: p.id)
    ]
print(json.dumps(out))
`;

interface Metadata {
  brokers: number[];
  /** The addresses asked that did not answer. */
  silent: string[];
  topics: Record<string, PartitionState[] | null>;
}

async function metadata(
  bootstrap: string,
  topics: readonly string[],
  probe: readonly string[] = [],
): Promise<Metadata> {
  const args = [bootstrap, probe.join(","), ...topics];
  const r = await runPythonCode(METADATA, args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`metadata request failed (exit ${r.code}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as Metadata;
}

/** Every node's properties: replication 3 / min ISR 2 for the internal topics too. */
function clusterProperties(n: number, voters: string): Record<string, string | null> {
  const rf = String(Math.min(3, n));
  const minIsr = String(Math.min(2, n));
  return {
    "controller.quorum.bootstrap.servers": null,
    "controller.quorum.voters": voters,
    "default.replication.factor": rf,
    "min.insync.replicas": minIsr,
    "offsets.topic.replication.factor": rf,
    "transaction.state.log.replication.factor": rf,
    "transaction.state.log.min.isr": minIsr,
    "share.coordinator.state.topic.replication.factor": rf,
    "share.coordinator.state.topic.min.isr": minIsr,
    "unclean.leader.election.enable": "false",
  };
}

export async function startKafkaCluster(opts: KafkaClusterOptions = {}): Promise<KafkaCluster> {
  const { kafkaLibs } = cachePaths();
  if (!existsSync(join(kafkaLibs, "..", ".installed"))) {
    throw new Error(`no Kafka jars in ${kafkaLibs}: run bash test/e2e/install.sh first`);
  }
  const count = opts.nodes ?? 3;
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  const classpath = join(kafkaLibs, "*");
  const dir = await mkdtemp(join(tmpdir(), "pipegen-kafka-cluster-"));
  const ports = await freePorts(2 * count);
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  const voters = ids.map((id, i) => `${id}@127.0.0.1:${ports[2 * i + 1]}`).join(",");
  const id = clusterId();
  const log4jFile = join(dir, "log4j2.properties");
  const toolLog4jFile = join(dir, "log4j2-tools.properties");
  await writeFile(log4jFile, log4j2("INFO"));
  await writeFile(toolLog4jFile, log4j2("WARN"));
  const jvm = [`-Xmx${opts.heap ?? "512m"}`, "-XX:+UseSerialGC", "-Djava.awt.headless=true"];

  const nodes = await Promise.all(
    ids.map(async (nodeId, i) => {
      const nodeDir = join(dir, `node-${nodeId}`);
      await mkdir(nodeDir);
      const propsFile = join(nodeDir, "server.properties");
      const props = {
        "node.id": String(nodeId),
        ...clusterProperties(count, voters),
        ...opts.brokerConfig,
      };
      await writeFile(
        propsFile,
        serverProperties(nodeDir, ports[2 * i]!, ports[2 * i + 1]!, props),
      );
      const format = await run(
        JAVA,
        [...jvm, `-Dlog4j2.configurationFile=${toolLog4jFile}`, "-cp", classpath].concat([
          "kafka.tools.StorageTool",
          "format",
          "-t",
          id,
          "-c",
          propsFile,
        ]),
        { timeoutMs: 60_000 },
      );
      if (format.code !== 0) {
        throw new Error(
          `StorageTool format of node ${nodeId} failed (exit ${format.code}):\n${(format.stdout + format.stderr).slice(-4000)}`,
        );
      }
      const args = [...jvm, `-Dlog4j2.configurationFile=${log4jFile}`, "-cp", classpath];
      return makeNode(nodeId, nodeDir, `127.0.0.1:${ports[2 * i]}`, [
        ...args,
        "kafka.Kafka",
        propsFile,
      ]);
    }),
  ).catch(async (e: unknown) => {
    await removeTempDir(dir);
    throw e;
  });

  const bootstrap = nodes.map((n) => n.address).join(",");
  const cluster: KafkaCluster = {
    bootstrap,
    nodes,
    dir,
    partitions: async (topics) => {
      const md = await metadata(bootstrap, topics);
      return Object.fromEntries(
        Object.entries(md.topics).map(([t, p]) => {
          if (!p) throw new Error(`topic ${t} does not exist`);
          return [t, p];
        }),
      );
    },
    waitInSync: (topics, ms = timeoutMs) => waitInSync(bootstrap, nodes, topics, ms),
    stop: async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      await removeTempDir(dir);
    },
  };
  for (const node of nodes) node.start();
  await cluster.waitInSync([], timeoutMs).catch(async (e: unknown) => {
    const logs = nodes.map((n) => `--- node ${n.id}\n${tail(n.logFile, 20)}`).join("\n");
    await cluster.stop();
    throw new Error(`${String(e)}\n${logs}`);
  });
  return cluster;
}

function makeNode(id: number, nodeDir: string, address: string, args: string[]): KafkaNode {
  const logFile = join(nodeDir, "broker.log");
  let server: ServerProcess | undefined;
  let runs = 0;
  const ended = async (signal?: NodeJS.Signals) => {
    const s = server;
    if (!s) return;
    if (signal && !s.exited) killGroup(s.child, signal);
    await s.stop(); // waits for the exit (SIGTERM, SIGKILL after the grace), removes the run dir
    server = undefined;
  };
  return {
    id,
    address,
    logFile,
    get running() {
      return server !== undefined && !server.exited;
    },
    kill: () => ended("SIGKILL"),
    stop: () => ended(),
    start() {
      if (server && !server.exited) throw new Error(`node ${id} is running`);
      runs += 1;
      // startServer's dir is removed by stop(): a per-run working dir; data and log stay.
      const runDir = join(nodeDir, `run-${runs}`);
      mkdirSync(runDir, { recursive: true }); // startServer spawns in it at once
      server = startServer({
        name: `Kafka node ${id}`,
        command: JAVA,
        args,
        dir: runDir,
        outFile: logFile,
        stopGraceMs: 30_000,
        logTail: () => tail(logFile, 40),
      });
    },
  };
}

async function waitInSync(
  bootstrap: string,
  nodes: readonly KafkaNode[],
  topics: readonly string[],
  timeoutMs: number,
): Promise<void> {
  let why = "";
  await waitUntil(
    async () => {
      const down = nodes.filter((n) => !n.running).map((n) => n.id);
      if (down.length > 0) {
        why = `node(s) ${down.join(", ")} not running`;
        return undefined;
      }
      const addresses = nodes.map((n) => n.address);
      const md = await metadata(bootstrap, topics, addresses).catch((e: unknown) => {
        why = String(e).split("\n").slice(-2).join(" ");
        return undefined;
      });
      if (!md) return undefined;
      if (md.brokers.length < nodes.length || md.silent.length > 0) {
        why = `brokers ${md.brokers.join(",")} registered, ${md.silent.join(",") || "none"} silent`;
        return undefined;
      }
      const lagging = Object.entries(md.topics).flatMap(([t, parts]) =>
        parts === null
          ? [`${t} missing`]
          : parts
              .filter((p) => p.leader < 0 || p.isr.length < p.replicas.length)
              .map((p) => `${t}-${p.partition} isr ${p.isr.join(",")}`),
      );
      why = lagging.join("; ");
      return lagging.length === 0 ? true : undefined;
    },
    {
      timeoutMs,
      intervalMs: 500,
      onTimeout: () => new Error(`Kafka cluster not in sync within ${timeoutMs} ms: ${why}`),
    },
  );
}
