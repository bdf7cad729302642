// Kafka, PostgreSQL and spark-submit for bench/spark/run.mjs: the same setup as the e2e harness
// (test/e2e/harness/{kafka,postgres,spark}.ts: the jars and venvs that test/e2e/install.sh and
// test/e2e/engines/{spark,databases}/install.sh put in ${PIPEGEN_CACHE:-~/.cache/pipegen}),
// in plain JavaScript so that `node bench/spark/run.mjs` needs no TypeScript build.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { cacheDir, java17Home, KAFKA_VERSION, sparkPaths } from "./paths.mjs";

export { benchSparkDir, e2ePython, java17Home, repoRoot, sparkPaths } from "./paths.mjs";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Process groups we started, killed (SIGKILL) if this process exits without stopping them. */
const live = new Set();
process.once("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});
function killGroup(child, signal) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // gone
  }
}

/**
 * Start a command in its own process group, its output kept in memory. Returns {child, done,
 * kill(signal)}: `done` resolves {code, signal, stdout, stderr, wallMs} and never rejects;
 * kill() signals the whole group (spark-submit's JVM and its Python driver and workers).
 */
export function startProcess(command, args, opts = {}) {
  const env = Object.fromEntries(
    Object.entries({ ...process.env, ...opts.env }).filter(([, v]) => v !== undefined),
  );
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c) => (stderr += c));
  const done = new Promise((resolve) => {
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      stderr += `\n[bench] killed after ${timeoutMs} ms: ${command}\n`;
      killGroup(child, "SIGKILL");
    }, timeoutMs);
    let finished = false;
    const finish = (code, signal = null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      live.delete(child);
      // whatever the command left in its group (a Python worker of spark-submit) goes too
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // none left
      }
      resolve({ code, signal, stdout, stderr, wallMs });
    };
    child.once("error", (err) => {
      stderr += `\n[bench] ${String(err)}\n`;
      finish(-1);
    });
    child.once("close", (code, signal) => {
      if (signal) stderr += `\n[bench] ${command} died of ${signal}\n`;
      finish(code ?? -1, signal);
    });
  });
  return {
    child,
    done,
    kill: (signal = "SIGKILL") => killGroup(child, signal),
    output: () => ({ stdout, stderr }),
  };
}

/** Run a command to the end; resolves {code, signal, stdout, stderr, wallMs}; never rejects. */
export function exec(command, args, opts = {}) {
  return startProcess(command, args, opts).done;
}

/**
 * A server process in its own group, its output appended to `logFile`. Returns
 * {exited: () => why or null, stop}: stop() sends `stopSignal`, then SIGKILL after `graceMs`,
 * and removes `dir` (unless PIPEGEN_E2E_KEEP=1).
 */
export function startDaemon({ command, args, cwd, env, logFile, dir, stopSignal, graceMs }) {
  const out = openSync(logFile, "a");
  const child = spawn(command, args, {
    cwd,
    detached: true,
    stdio: ["ignore", out, out],
    env: env && { ...process.env, ...env },
  });
  closeSync(out);
  live.add(child);
  let exited = null;
  const exitPromise = new Promise((r) =>
    child.once("exit", (code, sig) => {
      exited = `exit ${code} ${sig}`;
      live.delete(child);
      r();
    }),
  );
  const stop = async () => {
    if (!exited) {
      killGroup(child, stopSignal);
      if (await Promise.race([exitPromise.then(() => false), sleep(graceMs).then(() => true)])) {
        killGroup(child, "SIGKILL");
        await Promise.race([exitPromise, sleep(5000)]);
      }
    }
    if (process.env.PIPEGEN_E2E_KEEP !== "1") await rm(dir, { recursive: true, force: true });
  };
  return { exited: () => exited, stop };
}

export async function freePorts(n) {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function tail(file, n = 30) {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-n).join("\n");
  } catch {
    return `(no log at ${file})`;
  }
}

const log4j2 = (level, target = "SYSTEM_OUT") => `status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.target = ${target}
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex
rootLogger.level = ${level}
rootLogger.appenderRef.out.ref = OUT
logger.nativeloader.name = org.apache.hadoop.util.NativeCodeLoader
logger.nativeloader.level = error
logger.kafkaclients.name = org.apache.kafka.clients
logger.kafkaclients.level = warn
`;

/** A single-node KRaft broker on 127.0.0.1 (test/e2e/harness/kafka.ts, condensed). */
export async function startKafka({ heap = "1g" } = {}) {
  const libs = path.join(cacheDir, `kafka-${KAFKA_VERSION}`, "libs");
  if (!existsSync(path.join(libs, "..", ".installed")))
    throw new Error(`no Kafka jars in ${libs}: run bash test/e2e/install.sh first`);
  const java = path.join(java17Home() ?? "", "bin", "java");
  const dir = await mkdtemp(path.join(tmpdir(), "pipegen-bench-kafka-"));
  const [port, controllerPort] = await freePorts(2);
  const props = {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.quorum.bootstrap.servers": `127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "log.dirs": path.join(dir, "data"),
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
  };
  const propsFile = path.join(dir, "server.properties");
  await writeFile(
    propsFile,
    Object.entries(props)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(""),
  );
  await writeFile(path.join(dir, "log4j2.properties"), log4j2("WARN"));
  const jvm = [
    `-Xmx${heap}`,
    "-XX:+UseSerialGC",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${path.join(dir, "log4j2.properties")}`,
  ];
  const cp = path.join(libs, "*");
  const clusterId = randomBytes(16).toString("base64url").replace(/^-/, "A");
  const format = await exec(java, [
    ...jvm,
    "-cp",
    cp,
    "kafka.tools.StorageTool",
    "format",
    "--standalone",
    "-t",
    clusterId,
    "-c",
    propsFile,
  ]);
  if (format.code !== 0) throw new Error(`kafka format failed:\n${format.stdout}${format.stderr}`);
  const logFile = path.join(dir, "broker.log");
  const { exited, stop } = startDaemon({
    command: java,
    args: [...jvm, "-cp", cp, "kafka.Kafka", propsFile],
    cwd: dir,
    logFile,
    dir,
    stopSignal: "SIGTERM",
    graceMs: 10_000,
  });
  const bootstrap = `127.0.0.1:${port}`;
  const { python } = sparkPaths();
  const probe =
    "import sys\nfrom confluent_kafka.admin import AdminClient\n" +
    "AdminClient({'bootstrap.servers': sys.argv[1]}).list_topics(timeout=5)";
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited()) throw new Error(`Kafka exited during startup (${exited()}):\n${tail(logFile)}`);
    const r = await exec(python, ["-c", probe, bootstrap], { timeoutMs: 20_000 });
    if (r.code === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Kafka did not answer on ${bootstrap}:\n${tail(logFile)}`);
    }
    await sleep(250);
  }
  return { bootstrap, dir, logFile, stop };
}

function postgresBinDir() {
  if (process.env.PIPEGEN_PG_BINDIR) return process.env.PIPEGEN_PG_BINDIR;
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && existsSync(path.join(root, d, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors.length)
    throw new Error("no PostgreSQL server: run bash test/e2e/engines/databases/install.sh");
  return path.join(root, majors[0], "bin");
}

/**
 * A throwaway PostgreSQL cluster on a free 127.0.0.1 port (test/e2e/harness/postgres.ts,
 * condensed): user `spark` with a random password owns database `analytics`.
 */
export async function startPostgres() {
  const bin = postgresBinDir();
  const user = "spark";
  const database = "analytics";
  const password = randomBytes(12).toString("hex");
  let prefix = [];
  let owner = null;
  if (process.getuid?.() === 0) {
    const ids = await exec("id", ["postgres"]);
    const uid = /uid=(\d+)/.exec(ids.stdout)?.[1];
    const gid = /gid=(\d+)/.exec(ids.stdout)?.[1];
    if (uid === undefined) throw new Error("running as root needs the 'postgres' system user");
    prefix = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"];
    owner = [Number(uid), Number(gid)];
  }
  const dir = await mkdtemp(path.join(tmpdir(), "pipegen-bench-pg-"));
  if (owner) await chown(dir, owner[0], owner[1]);
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "postgres.log");
  const [port] = await freePorts(1);
  const env = { LC_ALL: "C", LANG: "C", PGTZ: "UTC", PGCONNECT_TIMEOUT: "10" };
  const withPrefix = (cmd, args) =>
    prefix.length ? [prefix[0], [...prefix.slice(1), cmd, ...args]] : [cmd, args];
  const [initCmd, initArgs] = withPrefix(path.join(bin, "initdb"), [
    "-D",
    dataDir,
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--no-locale",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "--no-sync",
    "--no-instructions",
  ]);
  const init = await exec(initCmd, initArgs, { cwd: dir, env });
  if (init.code !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
  const settings = {
    listen_addresses: "127.0.0.1",
    port: String(port),
    unix_socket_directories: dir,
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    shared_buffers: "128MB",
    max_connections: "40",
    max_wal_senders: "0",
    wal_level: "minimal",
    timezone: "UTC",
    log_timezone: "UTC",
    log_min_messages: "warning",
  };
  const [pgCmd, pgArgs] = withPrefix(path.join(bin, "postgres"), [
    "-D",
    dataDir,
    ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
  ]);
  const { exited, stop } = startDaemon({
    command: pgCmd,
    args: pgArgs,
    cwd: dir,
    env,
    logFile,
    dir,
    stopSignal: "SIGINT",
    graceMs: 15_000,
  });
  const psqlArgs = (superuser, sql) => [
    "-X",
    "-q",
    ...(superuser
      ? [
          "-h",
          dir,
          "-p",
          String(port),
          "-U",
          "postgres",
          "-d",
          superuser === true ? "postgres" : superuser,
        ]
      : ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", database]),
    "-v",
    "ON_ERROR_STOP=1",
    "-A",
    "-t",
    "-F",
    "\t",
    ...(Array.isArray(sql) ? sql : [sql]).flatMap((s) => ["-c", s]),
  ];
  const psql = path.join(bin, "psql");
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited())
      throw new Error(`postgres exited during startup (${exited()}):\n${tail(logFile)}`);
    const r = await exec(psql, psqlArgs(true, "SELECT 1"), { env, timeoutMs: 10_000 });
    if (r.code === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`postgres did not start:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  const setup = await exec(
    psql,
    psqlArgs(true, [
      `CREATE ROLE ${user} LOGIN PASSWORD '${password}'`,
      `CREATE DATABASE ${database} OWNER ${user}`,
    ]),
    { env },
  );
  if (setup.code !== 0) throw new Error(`postgres setup failed: ${setup.stderr}`);
  /** Rows (arrays of text) of SQL run as the `spark` user; rejects on any SQL error. */
  const query = async (sql) => {
    const r = await exec(psql, psqlArgs(false, sql), {
      env: { ...env, PGPASSWORD: password },
      timeoutMs: 300_000,
    });
    if (r.code !== 0) throw new Error(`psql failed on ${sql}:\n${r.stderr}`);
    return r.stdout === ""
      ? []
      : r.stdout
          .replace(/\n$/, "")
          .split("\n")
          .map((l) => l.split("\t"));
  };
  return { port, user, password, database, dir, logFile, query, stop };
}

/**
 * spark-submit a script in local mode the way the e2e harness does (connector jars by --jars,
 * loopback, no UI), with Spark's own log at WARN on stderr. Returns startProcess's handle
 * ({done, kill, output}); its work folder goes when it ends.
 */
export function sparkSubmitStart(script, args, opts = {}) {
  const { sparkSubmit: submit, venvDir, python, jars } = sparkPaths();
  const work = mkdtempSync(path.join(tmpdir(), "pipegen-bench-spark-"));
  const log4jFile = path.join(work, "log4j2.properties");
  writeFileSync(log4jFile, log4j2("WARN", "SYSTEM_ERR"));
  const conf = {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.default.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.catalogImplementation": "in-memory",
    "spark.eventLog.enabled": "false",
    "spark.locality.wait": "0s",
    "spark.local.dir": path.join(work, "local"),
    "spark.driver.extraJavaOptions": `-Dlog4j2.configurationFile=file:${log4jFile} -Duser.timezone=UTC`,
    ...opts.conf,
  };
  const javaHome = java17Home();
  const handle = startProcess(
    submit,
    [
      "--master",
      opts.master ?? "local[2]",
      "--driver-memory",
      opts.driverMemory ?? "2g",
      "--jars",
      jars.join(","),
      ...Object.entries(conf).flatMap(([k, v]) => ["--conf", `${k}=${v}`]),
      script,
      ...args,
    ],
    {
      cwd: work,
      timeoutMs: opts.timeoutMs ?? 600_000,
      env: {
        JAVA_HOME: javaHome,
        PATH: [path.join(venvDir, "bin"), javaHome && path.join(javaHome, "bin"), process.env.PATH]
          .filter(Boolean)
          .join(":"),
        PYSPARK_PYTHON: python,
        PYSPARK_DRIVER_PYTHON: python,
        SPARK_LOCAL_IP: "127.0.0.1",
        SPARK_LOCAL_HOSTNAME: "localhost",
        SPARK_HOME: undefined,
        SPARK_CONF_DIR: undefined,
        PYTHONPATH: undefined,
        PYTHONUNBUFFERED: "1",
        TZ: "UTC",
        ...opts.env,
      },
    },
  );
  const done = handle.done.then(async (r) => {
    await rm(work, { recursive: true, force: true });
    return r;
  });
  return { ...handle, done };
}

/** sparkSubmitStart to the end: resolves {code, signal, stdout, stderr, wallMs}. */
export function sparkSubmit(script, args, opts = {}) {
  return sparkSubmitStart(script, args, opts).done;
}
