// Runs PySpark scripts the way the generated jobs are run: `spark-submit` from the Spark venv
// (pyspark from PyPI is Spark itself) with the connector jars of
// test/e2e/engines/spark/install.sh passed by --jars, in local mode on 127.0.0.1:
//   $CACHE/venv-spark/bin/spark-submit --master local[2] --driver-memory 1g
//     --jars $CACHE/spark-jars-<v>/<each jar> --conf spark.ui.enabled=false ... job.py args...
// No Ivy/--packages (nothing is downloaded at run time), Java 17, small memory.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jobSubject, startRegistryStub, type RegistryStub } from "./registry-stub.js";
import { cachePaths, REPO_ROOT } from "./paths.js";
import {
  childEnv,
  collectOutput,
  exec,
  killGroup,
  trackGroup,
  untrackGroup,
  type RunResult,
} from "./process.js";
import { run, type RunOptions } from "./python.js";
import { ensureSparkRuntime } from "./runtime.js";

export const SPARK_ENGINE_DIR = join(REPO_ROOT, "test", "e2e", "engines", "spark");

/** The Spark version: the pyspark pin in test/e2e/engines/spark/requirements.txt. */
export function sparkVersion(): string {
  const req = readFileSync(join(SPARK_ENGINE_DIR, "requirements.txt"), "utf8");
  const version = /^pyspark==([^\s;#]+)/m.exec(req)?.[1];
  if (!version) throw new Error("no pyspark==<version> in test/e2e/engines/spark/requirements.txt");
  return version;
}

export interface SparkPaths {
  version: string;
  venvDir: string;
  /** The venv's python: the driver's and the workers' Python, and for helper scripts. */
  python: string;
  sparkSubmit: string;
  /** $CACHE/spark-jars-<version> */
  jarsDir: string;
  /** Absolute paths of the connector jars (Kafka, Avro, JDBC drivers and their deps). */
  jars: string[];
}

export function sparkPaths(): SparkPaths {
  const { cacheDir } = cachePaths();
  const version = sparkVersion();
  const venvDir = join(cacheDir, "venv-spark");
  const jarsDir = join(cacheDir, `spark-jars-${version}`);
  const python = join(venvDir, "bin", "python");
  const sparkSubmit = join(venvDir, "bin", "spark-submit");
  const hint = "run bash test/e2e/engines/spark/install.sh first";
  if (!existsSync(sparkSubmit)) throw new Error(`no Spark venv at ${venvDir}: ${hint}`);
  if (!existsSync(join(jarsDir, ".installed")))
    throw new Error(`no Spark jars in ${jarsDir}: ${hint}`);
  const jars = readdirSync(jarsDir)
    .filter((f) => f.endsWith(".jar"))
    .sort()
    .map((f) => join(jarsDir, f));
  return { version, venvDir, python, sparkSubmit, jarsDir, jars };
}

/**
 * A Java 17 home: $PIPEGEN_JAVA17_HOME, else Debian's /usr/lib/jvm/java-17-openjdk-<arch>, else
 * any /usr/lib/jvm/*17*, else $JAVA_HOME (undefined: `java` from PATH).
 */
export function java17Home(): string | undefined {
  if (process.env.PIPEGEN_JAVA17_HOME) return process.env.PIPEGEN_JAVA17_HOME;
  const jvm = "/usr/lib/jvm";
  if (existsSync(jvm)) {
    const candidates = readdirSync(jvm)
      .filter((d) => /^java-17-openjdk/.test(d) || /(^|-)17(\.|-|$)/.test(d))
      .map((d) => join(jvm, d))
      .filter((d) => existsSync(join(d, "bin", "java")))
      .sort((a, b) => Number(/openjdk/.test(b)) - Number(/openjdk/.test(a)));
    if (candidates[0]) return candidates[0];
  }
  return process.env.JAVA_HOME;
}

/** The environment for spark-submit: Java 17, the venv's Python for driver and workers, 127.0.0.1. */
export function sparkSubmitEnv(
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  const { venvDir, python } = sparkPaths();
  const javaHome = java17Home();
  return {
    JAVA_HOME: javaHome,
    PATH: [join(venvDir, "bin"), javaHome ? join(javaHome, "bin") : undefined, process.env.PATH]
      .filter(Boolean)
      .join(":"),
    // Without these spark-submit starts a .py job with `python3` from PATH.
    PYSPARK_PYTHON: python,
    PYSPARK_DRIVER_PYTHON: python,
    // Bind and advertise loopback only (the hostname may not resolve, or resolve elsewhere).
    SPARK_LOCAL_IP: "127.0.0.1",
    SPARK_LOCAL_HOSTNAME: "localhost",
    // A SPARK_HOME or SPARK_CONF_DIR from the environment would mix in another Spark.
    SPARK_HOME: undefined,
    SPARK_CONF_DIR: undefined,
    PYTHONPATH: undefined,
    PYTHONUNBUFFERED: "1",
    TZ: "UTC",
    ...extra,
  };
}

export interface SparkJobOptions {
  /** Added to (and overriding) sparkSubmitEnv(). */
  env?: Record<string, string | undefined>;
  /** SIGKILL the whole job (JVM and Python) after this long; default 240 s. */
  timeoutMs?: number;
  /** --conf entries added to (or overriding) the defaults below. */
  conf?: Record<string, string>;
  /** Default local[2]. */
  master?: string;
  /** Default 1g (the driver is also the executor in local mode). */
  driverMemory?: string;
  /** log4j2 root level for Spark's own logging (stderr); default WARN. */
  logLevel?: string;
  /** Working directory (spark-warehouse/ etc. land here); default a temp dir, removed after. */
  cwd?: string;
  /** More spark-submit options before the script, e.g. ["--py-files", "x.zip"]. */
  submitArgs?: string[];
  /**
   * A job that reads Avro asks a schema registry for its subject's versions at start. Without
   * --schema-registry-url or SCHEMA_REGISTRY_URL, it gets a stub (harness/registry-stub.ts)
   * serving these versions (schema id -> schema); default: the job's own schema as id 1.
   */
  writerSchemas?: Record<number, string>;
}

export interface SparkJobResult extends RunResult {
  /** The signal that ended spark-submit's JVM, if any (SIGKILL for kill() and timeouts). */
  signal: NodeJS.Signals | null;
  /** Wall time from spawn to exit. */
  wallMs: number;
}

export interface SparkJob {
  /** The spark-submit process (the driver JVM: the scripts exec it). */
  child: ChildProcess;
  /** Resolves when the job has ended, however it ended; never rejects. */
  done: Promise<SparkJobResult>;
  /** Output so far. */
  output(): { stdout: string; stderr: string };
  /** Kill the whole job (JVM, Python driver, Python workers): default SIGKILL, a crash. */
  kill(signal?: NodeJS.Signals): void;
}

/** The defaults every job gets: local, loopback, no UI, small. */
export function defaultSparkConf(): Record<string, string> {
  return {
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    // No Hive, no event logs, no update check; nothing is fetched at run time.
    "spark.sql.catalogImplementation": "in-memory",
    "spark.eventLog.enabled": "false",
    // Tiny local jobs: do not wait for locality.
    "spark.locality.wait": "0s",
  };
}

/** The spark-submit argument list (without the script) for these options. */
export function sparkSubmitArgs(opts: SparkJobOptions & { log4jFile?: string } = {}): string[] {
  const { jars } = sparkPaths();
  const conf = { ...defaultSparkConf(), ...opts.conf };
  if (opts.log4jFile) {
    const log4j = `-Dlog4j2.configurationFile=file:${opts.log4jFile}`;
    conf["spark.driver.extraJavaOptions"] = [log4j, conf["spark.driver.extraJavaOptions"]]
      .filter(Boolean)
      .join(" ");
  }
  return [
    "--master",
    opts.master ?? "local[2]",
    "--driver-memory",
    opts.driverMemory ?? "1g",
    "--jars",
    jars.join(","),
    ...Object.entries(conf).flatMap(([k, v]) => ["--conf", `${k}=${v}`]),
    ...(opts.submitArgs ?? []),
  ];
}

const log4j2 = (level: string) => `status = warn
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n%ex
rootLogger.level = ${level}
rootLogger.appenderRef.err.ref = ERR
# Noisy and harmless in local mode
logger.nativeloader.name = org.apache.hadoop.util.NativeCodeLoader
logger.nativeloader.level = error
logger.kafkaconfig.name = org.apache.kafka.clients
logger.kafkaconfig.level = warn
`;

/**
 * Start `spark-submit <options> script args...` and return at once with a handle: for fault
 * tests, kill() it mid-run (SIGKILL of its process group: the JVM and its Python processes).
 */
export async function startSparkJob(
  script: string,
  args: readonly string[] = [],
  opts: SparkJobOptions = {},
): Promise<SparkJob> {
  const { sparkSubmit } = sparkPaths();
  // The generated jobs import pipegen-runtime: venv-spark's copy must be this checkout's.
  await ensureSparkRuntime();
  const stub = await registryFor(script, args, opts);
  const workDir = await mkdtemp(join(tmpdir(), "pipegen-spark-"));
  const log4jFile = join(workDir, "log4j2.properties");
  await writeFile(log4jFile, log4j2(opts.logLevel ?? "WARN"));
  const cwd = opts.cwd ?? workDir;
  const submit = [
    ...sparkSubmitArgs({ ...opts, log4jFile }),
    "--conf",
    `spark.local.dir=${join(workDir, "local")}`,
    script,
    ...args,
    ...(stub ? ["--schema-registry-url", stub.url] : []),
  ];
  const started = Date.now();
  const child = spawn(sparkSubmit, submit, {
    cwd,
    env: childEnv(sparkSubmitEnv(opts.env)),
    detached: true, // its own process group: kill() reaches the Python driver and workers
    stdio: ["ignore", "pipe", "pipe"],
  });
  trackGroup(child);
  const out = collectOutput(child);
  const timeoutMs = opts.timeoutMs ?? 240_000;
  const timer = setTimeout(() => {
    out.stderr += `\n[harness] spark job killed after ${timeoutMs} ms\n`;
    killGroup(child, "SIGKILL");
  }, timeoutMs);
  const done = new Promise<SparkJobResult>((resolvePromise) => {
    const finish = (code: number, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      untrackGroup(child);
      // Whatever the driver left behind in the group (a Python worker) goes too.
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // none left
      }
      const result: SparkJobResult = {
        code,
        signal,
        stdout: out.stdout,
        stderr: out.stderr,
        wallMs: Date.now() - started,
      };
      Promise.all([rm(workDir, { recursive: true, force: true }), stub?.stop()]).then(
        () => resolvePromise(result),
        () => resolvePromise(result),
      );
    };
    child.once("error", (err) => {
      out.stderr += `\n[harness] ${String(err)}\n`;
      finish(-1, null);
    });
    child.once("close", (code, signal) => {
      if (signal) out.stderr += `\n[harness] spark-submit died of ${signal}\n`;
      finish(code ?? -1, signal);
    });
  });
  return {
    child,
    done,
    output: () => ({ stdout: out.stdout, stderr: out.stderr }),
    kill: (signal: NodeJS.Signals = "SIGKILL") => killGroup(child, signal),
  };
}

/** The registry stub a job that reads Avro gets when it is given no registry (see writerSchemas). */
async function registryFor(
  script: string,
  args: readonly string[],
  opts: SparkJobOptions,
): Promise<RegistryStub | null> {
  if (args.includes("--schema-registry-url") || opts.env?.SCHEMA_REGISTRY_URL) return null;
  const job = script.endsWith(".py") ? jobSubject(script, sparkPaths().python) : null;
  if (!job) return null;
  return startRegistryStub(job.subject, opts.writerSchemas ?? { 1: job.schema });
}

/** Run a PySpark script with spark-submit to the end; never rejects for a non-zero exit. */
export async function runSparkJob(
  script: string,
  args: readonly string[] = [],
  opts: SparkJobOptions = {},
): Promise<SparkJobResult> {
  return (await startSparkJob(script, args, opts)).done;
}

/** Run plain Python code in the Spark venv (test data, checks): `python -c code args...`. */
export function runSparkVenvPython(
  code: string,
  args: readonly string[] = [],
  opts: RunOptions = {},
): Promise<RunResult> {
  const python = sparkPaths().python;
  return opts.input === undefined
    ? exec(python, ["-c", code, ...args], opts)
    : run(python, ["-c", code, ...args], opts);
}

/** A readable account of a job, for assertion messages (the tail of its stderr). */
export function describeSparkJob(what: string, result: SparkJobResult, maxChars = 12_000): string {
  return `${what} exited ${result.code}${result.signal ? ` (${result.signal})` : ""} after ${result.wallMs} ms\n--- stdout\n${result.stdout.slice(-maxChars)}--- stderr (tail)\n${result.stderr.slice(-maxChars)}`;
}

/** What test/e2e/spark/produce.py takes: a topic, its format and schema, the records. */
export interface ProduceInput {
  topic: string;
  format: "avro" | "json";
  /** The .avsc of an avro topic (Confluent wire format), else null. */
  schema: string | null;
  records: Array<{ key?: string | null; value?: unknown; raw_hex?: string; ts_ms?: number }>;
}

/** Produces records with test/e2e/spark/produce.py (its input written to `file`); throws on failure. */
export async function produceRecords(
  bootstrap: string,
  input: ProduceInput,
  file: string,
): Promise<void> {
  await writeFile(file, JSON.stringify(input));
  const r = await run(sparkPaths().python, [
    join(REPO_ROOT, "test/e2e/spark/produce.py"),
    "--bootstrap-servers",
    bootstrap,
    file,
  ]);
  if (r.code !== 0) throw new Error(`produce.py exited ${r.code}:\n${r.stderr}`);
}
