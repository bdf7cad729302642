// A real single-node Apache Cassandra 5.0 for the e2e tests, run from the Maven Central jars that
// test/e2e/engines/cassandra/install.sh puts in $CACHE/cassandra-<version>/lib:
//   <java 17> -Xmx512m -javaagent:lib/jamm-*.jar <jvm17-server.options flags> \
//     -Dcassandra.config=file://<dir>/cassandra.yaml -Dcassandra.storagedir=<dir>/data ... \
//     -cp '<dir>:lib/*' org.apache.cassandra.service.CassandraDaemon
// One server per startCassandra(): a fresh temp dir with a minimal cassandra.yaml (127.0.0.1 only,
// two free ports, one token, small memtables and caches, no auth), GossipingPropertyFileSnitch
// with the datacenter the test asks for (default "datacenter1", Cassandra's own default). Ready
// when the python driver (cassandra-driver in the Spark venv) gets an answer from system.local.
// cql() runs statements with the same driver and returns rows as JSON.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachePaths, REPO_ROOT } from "./paths.js";
import { exec, freePorts, startServer, tail, type ExecOptions } from "./process.js";
import { java17Home, sparkPaths } from "./spark.js";

export const CASSANDRA_ENGINE_DIR = join(REPO_ROOT, "test", "e2e", "engines", "cassandra");

/** The Cassandra version: <cassandra.version> of test/e2e/engines/cassandra/pom.xml. */
export function cassandraVersion(): string {
  const pom = readFileSync(join(CASSANDRA_ENGINE_DIR, "pom.xml"), "utf8");
  const v = /<cassandra\.version>([^<]+)<\/cassandra\.version>/.exec(pom)?.[1];
  if (!v) throw new Error("no <cassandra.version> in test/e2e/engines/cassandra/pom.xml");
  return v;
}

export interface CassandraOptions {
  /** The node's datacenter (GossipingPropertyFileSnitch); default "datacenter1". */
  datacenter?: string;
  /** -Xmx (= -Xms); default 512m. */
  heap?: string;
  /** Give up (and kill it) when CQL does not answer in time; default 120 s. */
  startTimeoutMs?: number;
  /** cassandra.yaml entries added to (or overriding) the defaults below (YAML values as text). */
  yaml?: Record<string, string>;
}

/** A CQL row as JSON: timestamps as ISO-8601 UTC strings ("2025-06-01T10:00:00.000Z"). */
export type CqlRow = Record<string, unknown>;

export interface Cassandra {
  host: "127.0.0.1";
  /** The native (CQL) port. */
  port: number;
  datacenter: string;
  /** release_version from system.local, e.g. "5.0.8". */
  version: string;
  /** The temp dir: cassandra.yaml, data/, cassandra.log. Removed by stop() unless PIPEGEN_E2E_KEEP=1. */
  dir: string;
  logFile: string;
  /**
   * Run CQL statements in order (a string may hold several, `;`-separated, with `--`, `//` and
   * block comments) and return the rows of every statement that has any, in order. Rejects with
   * the driver's error on the first failing statement.
   */
  cql(statements: string | readonly string[], opts?: { timeoutMs?: number }): Promise<CqlRow[]>;
  /** SIGTERM (drain and flush), SIGKILL after 20 s, then remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Split CQL text into statements at `;` outside strings, quoted names and comments. */
export function splitCql(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const two = text.slice(i, i + 2);
    if (two === "--" || two === "//") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl;
      continue;
    }
    if (two === "/*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
      cur += " ";
      continue;
    }
    if (two === "$$") {
      const end = text.indexOf("$$", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      cur += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === "'" || c === '"') {
      // '' and "" inside are escapes: scanning to the next quote and going on covers both.
      let j = i + 1;
      for (;;) {
        const k = text.indexOf(c, j);
        if (k < 0) {
          j = text.length;
          break;
        }
        if (text[k + 1] === c) {
          j = k + 2;
          continue;
        }
        j = k + 1;
        break;
      }
      cur += text.slice(i, j);
      i = j;
      continue;
    }
    if (c === ";") {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
      i++;
      continue;
    }
    cur += c;
    i++;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

// The Java 17 flags of Cassandra's conf/jvm17-server.options (JPMS exports/opens, Netty).
const JVM17_FLAGS = [
  "-Djdk.attach.allowAttachSelf=true",
  ...[
    "java.base/jdk.internal.misc",
    "java.management.rmi/com.sun.jmx.remote.internal.rmi",
    "java.rmi/sun.rmi.registry",
    "java.rmi/sun.rmi.server",
    "java.sql/java.sql",
    "java.base/java.lang.ref",
    "jdk.unsupported/sun.misc",
    "jdk.compiler/com.sun.tools.javac.file",
    "jdk.attach/sun.tools.attach",
  ].flatMap((p) => ["--add-exports", `${p}=ALL-UNNAMED`]),
  ...[
    "java.base/java.lang.module",
    "java.base/jdk.internal.loader",
    "java.base/jdk.internal.ref",
    "java.base/jdk.internal.reflect",
    "java.base/jdk.internal.math",
    "java.base/jdk.internal.module",
    "java.base/jdk.internal.util.jar",
    "jdk.management/com.sun.management.internal",
    "java.base/sun.nio.ch",
    "java.base/java.io",
    "java.base/java.lang.reflect",
    "jdk.compiler/com.sun.tools.javac",
    "java.base/java.lang",
    "java.base/java.util",
  ].flatMap((p) => ["--add-opens", `${p}=ALL-UNNAMED`]),
  "-Dio.netty.tryReflectionSetAccessible=true",
  "-Dio.netty.allocator.useCacheForAllThreads=true",
  "-Dio.netty.allocator.maxOrder=11",
];

function cassandraYaml(
  dir: string,
  port: number,
  storagePort: number,
  extra: Record<string, string>,
): string {
  const data = join(dir, "data");
  const entries: Record<string, string> = {
    cluster_name: "pipegen-e2e",
    num_tokens: "1",
    partitioner: "org.apache.cassandra.dht.Murmur3Partitioner",
    endpoint_snitch: "GossipingPropertyFileSnitch",
    commitlog_sync: "periodic",
    commitlog_sync_period: "10000ms",
    seed_provider: `\n  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n    parameters:\n      - seeds: "127.0.0.1:${storagePort}"`,
    listen_address: "127.0.0.1",
    rpc_address: "127.0.0.1",
    storage_port: String(storagePort),
    native_transport_port: String(port),
    start_native_transport: "true",
    authenticator: "AllowAllAuthenticator",
    authorizer: "AllowAllAuthorizer",
    // Small: a test node shares 2 cores with Kafka, Spark and the rest.
    memtable_heap_space: "64MiB",
    memtable_offheap_space: "64MiB",
    key_cache_size: "8MiB",
    counter_cache_size: "0MiB",
    concurrent_reads: "4",
    concurrent_writes: "4",
    concurrent_counter_writes: "4",
    concurrent_compactors: "1",
    data_file_directories: `[${JSON.stringify(join(data, "data"))}]`,
    commitlog_directory: JSON.stringify(join(data, "commitlog")),
    saved_caches_directory: JSON.stringify(join(data, "saved_caches")),
    hints_directory: JSON.stringify(join(data, "hints")),
    cdc_raw_directory: JSON.stringify(join(data, "cdc_raw")),
    ...extra,
  };
  return Object.entries(entries)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n")
    .concat("\n");
}

const LOGBACK = (logFile: string) => `<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>${logFile}</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0}: %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`;

// Runs statements given as a JSON list on stdin; prints one JSON line per statement with rows.
const CQL_RUNNER = `
import json, sys, time, warnings
from datetime import datetime, timezone
from decimal import Decimal
from uuid import UUID
warnings.simplefilter("ignore")
from cassandra.cluster import Cluster
from cassandra.policies import DCAwareRoundRobinPolicy

host, port, dc, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def value(v):
    if isinstance(v, datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=timezone.utc)
        return v.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(v, (Decimal, UUID)):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    if isinstance(v, (set, frozenset, list, tuple)):
        return [value(x) for x in v]
    if hasattr(v, "items"):  # dict, OrderedMapSerializedKey (map columns)
        return {str(k): value(x) for k, x in v.items()}
    return v

def connect():
    cluster = Cluster([host], port=port, protocol_version=5,
                      load_balancing_policy=DCAwareRoundRobinPolicy(dc), connect_timeout=5)
    return cluster, cluster.connect()

if mode == "probe":
    deadline = time.monotonic() + float(sys.argv[5])
    last = None
    while time.monotonic() < deadline:
        try:
            cluster, session = connect()
            try:
                row = session.execute("SELECT release_version, data_center FROM system.local").one()
                print(json.dumps({"version": row.release_version, "dc": row.data_center}))
                sys.exit(0)
            finally:
                cluster.shutdown()
        except Exception as e:
            last = e
            time.sleep(0.5)
    sys.exit(f"no CQL answer: {last}")

statements = json.load(sys.stdin)
cluster, session = connect()
try:
    for st in statements:
        rs = session.execute(st, timeout=60)
        rows = [{k: value(v) for k, v in r._asdict().items()} for r in rs] if rs.column_names else []
        print(json.dumps(rows))
finally:
    cluster.shutdown()
`;

/** Run the venv's python (the CQL runner), its stdin only opened when there is input. */
const execPython = (python: string, args: readonly string[], opts: ExecOptions) =>
  exec(python, args, { ...opts, env: { PYTHONUNBUFFERED: "1" }, brief: true });

export function cassandraHome(): { version: string; lib: string; jamm: string } {
  const version = cassandraVersion();
  const lib = join(cachePaths().cacheDir, `cassandra-${version}`, "lib");
  const hint = "run bash test/e2e/engines/cassandra/install.sh first";
  if (!existsSync(join(lib, "..", ".installed")))
    throw new Error(`no Cassandra ${version} in ${lib}: ${hint}`);
  const jamm = readdirSync(lib).find((f) => /^jamm-.*\.jar$/.test(f));
  if (!jamm) throw new Error(`no jamm jar in ${lib}: ${hint}`);
  return { version, lib, jamm: join(lib, jamm) };
}

export async function startCassandra(opts: CassandraOptions = {}): Promise<Cassandra> {
  const { lib, jamm } = cassandraHome();
  const python = sparkPaths().python; // cassandra-driver is in the Spark venv
  const datacenter = opts.datacenter ?? "datacenter1";
  const dir = await mkdtemp(join(tmpdir(), "pipegen-cassandra-"));
  const logFile = join(dir, "cassandra.log");
  const outFile = join(dir, "stdout.log");
  const [port, storagePort] = await freePorts(2);
  await writeFile(
    join(dir, "cassandra.yaml"),
    cassandraYaml(dir, port!, storagePort!, opts.yaml ?? {}),
  );
  await writeFile(
    join(dir, "cassandra-rackdc.properties"),
    `dc=${datacenter}\nrack=rack1\nprefer_local=true\n`,
  );
  await writeFile(join(dir, "logback.xml"), LOGBACK(logFile));
  const javaHome = java17Home();
  const java = javaHome ? join(javaHome, "bin", "java") : "java";
  const heap = opts.heap ?? "512m";
  const args = [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    "-XX:+UseSerialGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Xss256k",
    "-Djava.awt.headless=true",
    `-javaagent:${jamm}`,
    ...JVM17_FLAGS,
    `-Dcassandra.config=file://${join(dir, "cassandra.yaml")}`,
    `-Dcassandra-rackdc.properties=file://${join(dir, "cassandra-rackdc.properties")}`,
    `-Dcassandra.storagedir=${join(dir, "data")}`,
    `-Dcassandra.logdir=${join(dir, "logs")}`,
    `-Dlogback.configurationFile=file://${join(dir, "logback.xml")}`,
    `-Djava.io.tmpdir=${dir}`, // JNA unpacks its native library here
    "-Dcassandra-foreground=yes",
    // One node, its own seed: no need to wait for gossip to settle or for other nodes.
    "-Dcassandra.skip_wait_for_gossip_to_settle=0",
    "-Dcassandra.ring_delay_ms=0",
    "-Dcassandra.superuser_setup_delay_ms=0",
    "-cp",
    `${dir}:${join(lib, "*")}`,
    "org.apache.cassandra.service.CassandraDaemon",
  ];
  const server = startServer({
    name: "Cassandra",
    command: java,
    args,
    dir,
    outFile,
    env: { JAVA_HOME: javaHome ?? process.env.JAVA_HOME, TZ: "UTC" },
    stopGraceMs: 20_000,
    logTail: () => `${tail(logFile, 40)}\n--- stdout\n${tail(outFile, 20)}`,
  });

  // Ready when the driver gets an answer from system.local (one python process polls).
  const timeoutMs = opts.startTimeoutMs ?? 120_000;
  const probe = execPython(
    python,
    ["-c", CQL_RUNNER, "127.0.0.1", String(port), datacenter, "probe", String(timeoutMs / 1000)],
    {
      timeoutMs: timeoutMs + 15_000,
    },
  );
  const first = await Promise.race([probe, server.ended.then(() => null)]);
  if (first === null || first.code !== 0) {
    const why =
      first === null
        ? `Cassandra exited during startup (${server.exited})`
        : first.stderr.trim().split("\n").slice(-3).join("\n");
    throw await server.stopWithError(
      (logTail) =>
        `Cassandra did not answer CQL on 127.0.0.1:${port}: ${why}\nlog tail:\n${logTail}`,
    );
  }
  const info = JSON.parse(first.stdout.trim().split("\n").pop()!) as {
    version: string;
    dc: string;
  };

  const cql = async (
    statements: string | readonly string[],
    q: { timeoutMs?: number } = {},
  ): Promise<CqlRow[]> => {
    const list = typeof statements === "string" ? splitCql(statements) : [...statements];
    const r = await execPython(
      python,
      ["-c", CQL_RUNNER, "127.0.0.1", String(port), datacenter, "run"],
      {
        input: JSON.stringify(list),
        timeoutMs: q.timeoutMs ?? 120_000,
      },
    );
    if (r.code !== 0) {
      throw new Error(
        `CQL failed (exit ${r.code}):\n${list.join(";\n")}\n${r.stderr.trim().split("\n").slice(-8).join("\n")}`,
      );
    }
    return r.stdout
      .split("\n")
      .filter(Boolean)
      .flatMap((line) => JSON.parse(line) as CqlRow[]);
  };

  return {
    host: "127.0.0.1",
    port: port!,
    datacenter,
    version: info.version,
    dir,
    logFile,
    cql,
    stop: server.stop,
  };
}
