// A real single-node Kafka broker (KRaft, combined broker+controller) for the e2e tests,
// run from the jars that test/e2e/install.sh puts in the cache. One broker per startKafka();
// it listens on 127.0.0.1 only, on two free ports, with its data in a fresh temp dir.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachePaths, HARNESS_DIR } from "./paths.js";
import { run, runPython, runPythonCode, type RunResult } from "./python.js";

export { cachePaths, KAFKA_VERSION, REPO_ROOT, type CachePaths } from "./paths.js";

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

const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";

/** Two (or n) distinct free ports on 127.0.0.1, held open together so they differ. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolvePromise, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolvePromise(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** A Kafka cluster id: 16 random bytes, base64url without padding, not starting with "-". */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

function serverProperties(
  dir: string,
  port: number,
  controllerPort: number,
  extra: Record<string, string>,
): string {
  const props: Record<string, string> = {
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
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")
    .concat("\n");
}

/** A log4j2 config: everything to stdout at `level`. */
const log4j2 = (level: string) => `status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${level}
rootLogger.appenderRef.out.ref = OUT
`;

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return `(no log at ${file})`;
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Brokers still running, killed when the test process exits however it exits. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

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

  const cleanup = async () => {
    if (process.env.PIPEGEN_E2E_KEEP !== "1") await rm(dir, { recursive: true, force: true });
  };

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
    await cleanup();
    throw new Error(
      `kafka StorageTool format failed (exit ${format.code}):\n${(format.stdout + format.stderr).slice(-4000)}`,
    );
  }

  const out = openSync(logFile, "a");
  const child = spawn(JAVA, [...jvm, log4j, "-cp", classpath, "kafka.Kafka", propsFile], {
    cwd: dir,
    detached: true, // its own process group, so stop() kills the JVM and anything it started
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => live.forEach((c) => killGroup(c, "SIGKILL")));
  }
  let exited: string | undefined;
  const exitPromise = new Promise<void>((resolvePromise) => {
    child.once("exit", (code, signal) => {
      exited = `exit code ${code ?? "none"}, signal ${signal ?? "none"}`;
      live.delete(child);
      resolvePromise();
    });
    child.once("error", (err) => {
      exited = String(err);
      live.delete(child);
      resolvePromise();
    });
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      killGroup(child, "SIGTERM");
      const timedOut = await Promise.race([
        exitPromise.then(() => false),
        sleep(10_000).then(() => true),
      ]);
      if (timedOut) {
        killGroup(child, "SIGKILL");
        await Promise.race([exitPromise, sleep(5_000)]);
      }
    }
    await cleanup();
  };

  // Ready when the port accepts connections and a metadata request (describe_topics.py) answers.
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    if (exited) {
      const logTail = tail(logFile);
      await stop();
      throw new Error(`Kafka broker exited during startup (${exited}); log tail:\n${logTail}`);
    }
    if (Date.now() > deadline) {
      const logTail = tail(logFile);
      await stop();
      throw new Error(
        `Kafka broker did not answer on ${bootstrap} within ${timeoutMs} ms (${lastError}); log tail:\n${logTail}`,
      );
    }
    if (await portOpen(port!)) {
      const probe = await runPython(
        join(HARNESS_DIR, "describe_topics.py"),
        ["--bootstrap-servers", bootstrap, "--timeout", "5"],
        {
          timeoutMs: 20_000,
        },
      );
      if (probe.code === 0) break;
      lastError = probe.stderr.trim().split("\n").slice(-1)[0] ?? "";
    } else {
      lastError = "port closed";
    }
    await sleep(250);
  }
  return { bootstrap, logFile, dir, stop };
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
