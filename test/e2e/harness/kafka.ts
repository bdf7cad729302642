// A real single-node Kafka broker (KRaft, combined broker+controller) for the e2e tests,
// run from the jars that test/e2e/install.sh puts in the cache. One broker per startKafka();
// it listens on 127.0.0.1 only, on two free ports, with its data in a fresh temp dir.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachePaths, HARNESS_DIR } from "./paths.js";
import {
  freePorts,
  portOpen,
  removeTempDir,
  startServer,
  tail,
  waitForServer,
  type RunResult,
} from "./process.js";
import { run, runPython, runPythonCode } from "./python.js";

export { cachePaths, KAFKA_VERSION, REPO_ROOT, type CachePaths } from "./paths.js";
export { freePorts } from "./process.js";

export interface KafkaOptions {
  /** Broker properties added to (or overriding) the defaults below. */
  brokerConfig?: Record<string, string>;
  /** JVM heap limit; default 512m. */
  heap?: string;
  /** How long to wait for the broker to answer; default 60 s. */
  startTimeoutMs?: number;
}

export interface KafkaBroker {
  /** host:port of the PLAINTEXT listener. */
  bootstrap: string;
  /** The broker's stdout+stderr (log4j at INFO). Removed by stop() unless PIPEGEN_E2E_KEEP=1. */
  logFile: string;
  /** The temp dir with server.properties, data/ and the log. */
  dir: string;
  /** Kill the broker's process group (SIGTERM, then SIGKILL) and remove its temp dir. */
  stop(): Promise<void>;
}

export const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";

/** A Kafka cluster id: 16 random bytes, base64url without padding, not starting with "-". */
export function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** server.properties of a combined node; an `extra` entry set to null removes a default. */
export function serverProperties(
  dir: string,
  port: number,
  controllerPort: number,
  extra: Record<string, string | null>,
): string {
  const props: Record<string, string | null> = {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.quorum.bootstrap.servers": `127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": join(dir, "data"),
    // One broker: every replication factor and min ISR is 1, internal topics are small.
    "default.replication.factor": "1",
    "min.insync.replicas": "1",
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "1",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "transaction.state.log.num.partitions": "1",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "share.coordinator.state.topic.num.partitions": "1",
    "num.partitions": "1",
    "group.initial.rebalance.delay.ms": "0",
    "auto.create.topics.enable": "false",
    ...extra,
  };
  return Object.entries(props)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")
    .concat("\n");
}

/** A log4j2 config: everything to stdout at `level`. */
export const log4j2 = (level: string) => `status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${level}
rootLogger.appenderRef.out.ref = OUT
`;

export async function startKafka(opts: KafkaOptions = {}): Promise<KafkaBroker> {
  const { kafkaLibs } = cachePaths();
  if (!existsSync(join(kafkaLibs, "..", ".installed"))) {
    throw new Error(`no Kafka jars in ${kafkaLibs}: run bash test/e2e/install.sh first`);
  }
  const classpath = join(kafkaLibs, "*");
  const dir = await mkdtemp(join(tmpdir(), "pipegen-kafka-"));
  const logFile = join(dir, "broker.log");
  const [port, controllerPort] = await freePorts(2);
  const bootstrap = `127.0.0.1:${port}`;
  const propsFile = join(dir, "server.properties");
  const log4jFile = join(dir, "log4j2.properties");
  await writeFile(
    propsFile,
    serverProperties(dir, port!, controllerPort!, opts.brokerConfig ?? {}),
  );
  const toolLog4jFile = join(dir, "log4j2-tools.properties");
  await writeFile(log4jFile, log4j2("INFO"));
  await writeFile(toolLog4jFile, log4j2("WARN")); // StorageTool logs its whole config at INFO
  const jvm = [`-Xmx${opts.heap ?? "512m"}`, "-XX:+UseSerialGC", "-Djava.awt.headless=true"];
  const log4j = `-Dlog4j2.configurationFile=${log4jFile}`;

  const format: RunResult = await run(
    JAVA,
    [
      ...jvm,
      `-Dlog4j2.configurationFile=${toolLog4jFile}`,
      "-cp",
      classpath,
      "kafka.tools.StorageTool",
      "format",
      "--standalone",
      "-t",
      clusterId(),
      "-c",
      propsFile,
    ],
    { timeoutMs: 60_000 },
  );
  if (format.code !== 0) {
    await removeTempDir(dir);
    throw new Error(
      `kafka StorageTool format failed (exit ${format.code}):\n${(format.stdout + format.stderr).slice(-4000)}`,
    );
  }

  const server = startServer({
    name: "Kafka broker",
    command: JAVA,
    args: [...jvm, log4j, "-cp", classpath, "kafka.Kafka", propsFile],
    dir,
    outFile: logFile,
    stopGraceMs: 10_000,
    keepDirAtExit: true,
    logTail: () => tail(logFile, 40),
  });

  // Ready when the port accepts connections and a metadata request (describe_topics.py) answers.
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let lastError = "";
  await waitForServer(
    server,
    async () => {
      if (!(await portOpen(port!))) {
        lastError = "port closed";
        return undefined;
      }
      const probe = await runPython(
        join(HARNESS_DIR, "describe_topics.py"),
        ["--bootstrap-servers", bootstrap, "--timeout", "5"],
        {
          timeoutMs: 20_000,
        },
      );
      if (probe.code === 0) return true;
      lastError = probe.stderr.trim().split("\n").slice(-1)[0] ?? "";
      return undefined;
    },
    {
      timeoutMs,
      intervalMs: 250,
      deadlineFirst: true,
      notReady: `did not answer on ${bootstrap}`,
      why: () => lastError,
    },
  );
  return { bootstrap, logFile, dir, stop: server.stop };
}

export interface TopicConfig {
  value: string | null;
  source: string;
  isDefault: boolean;
}
export interface TopicDescription {
  partitions: number;
  replicationFactor: number;
  configs: Record<string, TopicConfig>;
}

/** Describe topics (default: every non-internal topic); a named topic that does not exist is null. */
export async function describeTopics(
  bootstrap: string,
  topics: readonly string[] = [],
): Promise<Record<string, TopicDescription | null>> {
  const result = await runPython(join(HARNESS_DIR, "describe_topics.py"), [
    "--bootstrap-servers",
    bootstrap,
    ...topics,
  ]);
  if (result.code !== 0)
    throw new Error(`describe_topics.py exited ${result.code}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, TopicDescription | null>;
}

const DELETE_TOPICS = `
import sys
import time
from confluent_kafka.admin import AdminClient

admin = AdminClient({"bootstrap.servers": sys.argv[1]})
existing = admin.list_topics(timeout=15).topics
names = [n for n in (sys.argv[2:] or existing) if n in existing and not n.startswith("__")]
if names:
    for future in admin.delete_topics(names, operation_timeout=30).values():
        future.result()
deadline = time.monotonic() + 30
while names and time.monotonic() < deadline:
    topics = admin.list_topics(timeout=15).topics
    names = [n for n in names if n in topics]
    time.sleep(0.1)
if names:
    sys.exit(f"still listed after deletion: {names}")
`;

/** Delete topics (default: every non-internal topic); missing ones are ignored. */
export async function deleteTopics(
  bootstrap: string,
  topics: readonly string[] = [],
): Promise<void> {
  const result = await runPythonCode(DELETE_TOPICS, [bootstrap, ...topics]);
  if (result.code !== 0)
    throw new Error(`deleting topics failed (exit ${result.code}):\n${result.stderr}`);
}
