// Runs a NiFi 2.x flow definition (the JSON that NiFi's "Download flow definition" and NiFi
// Registry produce, and that pipegen's NiFi emitter writes) with NiFi's stateless engine, built
// into the cache by test/e2e/engines/nifi/install.sh. One JVM per runStatelessFlow(): it writes
// engine.properties, flow.properties and a logback config into a fresh temp dir, starts
// org.apache.nifi.stateless.bootstrap.RunStatelessFlow on the Java 21+ JDK (Temurin 25 here),
// triggers the flow once (or keeps triggering it, `continuous`), and returns its output.
//
// What the engine's exit code does and does not say (see docs/nifi-components.md):
// - a flow the engine refuses (a property it does not know, a value outside the allowed ones,
//   a missing required property, a sensitive parameter in a non-sensitive property, ...) exits 1
//   after logging why: runStatelessFlow rejects with a NifiFlowInvalidError carrying the
//   engine's validation errors (an invalid component is only reported after
//   nifi.stateless.component.enableTimeout, 20 s here);
// - a run that fails (an exception in a processor, or a FlowFile reaching a failure port)
//   logs "Failed to execute dataflow" but still exits 0: the result has failed=true;
// - exit 0 and failed=false proves nothing about the sinks: assert on them.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachePaths } from "./paths.js";
import {
  collectOutput,
  killGroup,
  removeTempDir,
  sleep,
  trackGroup,
  untrackGroup,
} from "./process.js";

/** Keep in step with NIFI_VERSION in test/e2e/engines/nifi/install.sh and the flows' bundles. */
export const NIFI_VERSION = "2.8.0";

export interface NifiPaths {
  /** $CACHE/nifi-<v> */
  dir: string;
  /** NIFI_HOME of the stateless engine (bin/, conf/, lib/). */
  home: string;
  /** The framework: bootstrap jars, nifi-stateless-nar, nifi-jetty-nar (nifi.stateless.nar.directory). */
  libDir: string;
  /** The extension NARs (standard, record serialization, DBCP, Kafka, ...). */
  narDir: string;
  /** PostgreSQL and MariaDB JDBC driver jars, for DBCPConnectionPool's "Database Driver Locations". */
  jdbcDir: string;
  /** Each NAR's extension-manifest.xml, as <nar>.xml. */
  manifestDir: string;
  /** The JDK that runs NiFi (Java 21+): $PIPEGEN_NIFI_JAVA_HOME or Temurin 25. */
  javaHome: string;
}

export function nifiPaths(): NifiPaths {
  const dir = join(cachePaths().cacheDir, `nifi-${NIFI_VERSION}`);
  const home = join(dir, "stateless");
  return {
    dir,
    home,
    libDir: join(home, "lib"),
    narDir: join(dir, "nars"),
    jdbcDir: join(dir, "jdbc"),
    manifestDir: join(dir, "manifests"),
    javaHome: process.env.PIPEGEN_NIFI_JAVA_HOME || "/usr/lib/jvm/temurin-25-jdk-amd64",
  };
}

/** Throws unless install.sh has finished and the JDK is there. */
export function assertNifiInstalled(): NifiPaths {
  const paths = nifiPaths();
  if (!existsSync(join(paths.dir, ".installed"))) {
    throw new Error(
      `no NiFi ${NIFI_VERSION} in ${paths.dir}: run bash test/e2e/engines/nifi/install.sh first`,
    );
  }
  if (!existsSync(join(paths.javaHome, "bin", "java"))) {
    throw new Error(
      `no Java at ${paths.javaHome} (NiFi 2.x needs Java 21+; set PIPEGEN_NIFI_JAVA_HOME)`,
    );
  }
  return paths;
}

export interface StatelessFlowOptions {
  /** Absolute path of the flow definition JSON ({"flowContents": ..., "parameterContexts": ...}). */
  flowJson: string;
  /** The flow's parameter context whose parameters `parameters` sets (its `name`). */
  contextName: string;
  /**
   * Parameter values (sensitive ones included), written to flow.properties as
   * nifi.stateless.parameters.<key>.<name>=<value>. Every name must be a parameter of the
   * context in the flow: the engine only warns about unknown ones, so this harness rejects them.
   */
  parameters?: Record<string, string>;
  /** Kill the JVM after this long; default 180 s. */
  timeoutMs?: number;
  /** Keep triggering the flow until stopped (RunStatelessFlow -c); use with `signal`/timeoutMs. */
  continuous?: boolean;
  /** Stops a continuous run (SIGTERM, then SIGKILL after 10 s). */
  signal?: AbortSignal;
  /** Output ports treated as failure ports, in addition to those with portFunction FAILURE. */
  failurePorts?: string[];
  /** JVM heap limit; default 512m. */
  heap?: string;
  /** Logger levels added to the logback config, e.g. {"org.apache.nifi.processors": "DEBUG"}. */
  logLevels?: Record<string, string>;
  /**
   * nifi.stateless.component.enableTimeout (default "20 sec"; the engine's own default is 10
   * secs): how long the engine waits for controller services to enable and for each processor
   * to start. An invalid processor is only reported (exit 1) once it has passed.
   */
  enableTimeout?: string;
  /** Extra flow.properties entries (transaction thresholds, ...). */
  flowProperties?: Record<string, string>;
  /**
   * The engine's working directory (NARs are unpacked there, ~20 s the first time). Default: a
   * directory in the cache shared by all runs, so later runs skip the unpacking. A temp dir
   * is used for the rest (properties, content, logs).
   */
  workDir?: string;
}

export interface StatelessFlowResult {
  /** The JVM's exit code: 0 also for a failed run (see `failed`), 1 for a refused flow, 143 when stopped. */
  code: number;
  stdout: string;
  stderr: string;
  /** The engine logged "Failed to execute dataflow" (an exception or a failure port). */
  failed: boolean;
  /** Killed by the timeout or the abort signal. */
  killed: boolean;
  durationMs: number;
  /** The java command line (with the temp dir's paths; they are removed afterwards). */
  command: string[];
}

/** The flow did not pass the engine's validation; `errors` are the engine's own lines. */
export class NifiFlowInvalidError extends Error {
  constructor(
    message: string,
    readonly errors: string[],
    readonly output: string,
  ) {
    super(message);
    this.name = "NifiFlowInvalidError";
  }
}

// The engine parses flow.properties itself: `key=value` per line, the key up to the first '='
// not preceded by a backslash (never unescaped), the value verbatim to the end of the line (a
// value that is exactly `env{NAME}` is replaced by that environment variable). So a key cannot
// hold '=', and nothing can hold a newline. engine.properties (java.util.Properties) gets only
// paths and plain words from here.
function propertiesLine(key: string, value: string): string {
  if (key.includes("=") || /[\r\n]/.test(key) || /[\r\n]/.test(value)) {
    throw new Error(
      `not representable in a NiFi stateless properties file: ${JSON.stringify(key)}`,
    );
  }
  return `${key}=${value}`;
}

function logbackXml(levels: Record<string, string>): string {
  const loggers = Object.entries({
    "org.apache.nifi": "INFO",
    "org.apache.nifi.processors": "WARN",
    "org.apache.nifi.controller.repository.StandardProcessSession": "WARN",
    "org.apache.kafka": "WARN",
    "org.apache.calcite.runtime.CalciteException": "OFF",
    ...levels,
  })
    .map(([name, level]) => `  <logger name="${name}" level="${level}"/>`)
    .join("\n");
  return `<configuration>
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%date %level [%thread] %logger{40} %msg%n</pattern></encoder>
  </appender>
${loggers}
  <root level="INFO"><appender-ref ref="CONSOLE"/></root>
</configuration>
`;
}

/** Parameter names of a context in a flow definition JSON. */
export function flowParameterNames(flowJson: string, contextName: string): string[] {
  const doc = JSON.parse(readFileSync(flowJson, "utf8")) as {
    parameterContexts?: Record<string, { name?: string; parameters?: { name: string }[] }>;
  };
  const context = Object.values(doc.parameterContexts ?? {}).find((c) => c.name === contextName);
  if (!context) {
    throw new Error(`${flowJson} has no parameter context named ${JSON.stringify(contextName)}`);
  }
  return (context.parameters ?? []).map((p) => p.name);
}

/**
 * The engine's explanation of a refused flow: the validation errors listed after "The following
 * components are not valid:" (each as "<component>: <error>"), and the message of an exception
 * that ended the main thread (e.g. a sensitive parameter referenced from a non-sensitive
 * property); else the output's tail.
 */
function validationErrors(output: string): string[] {
  const lines = output.split("\n");
  const picked = new Set<string>();
  lines.forEach((line, i) => {
    if (line.includes("The following components are not valid:")) {
      let component = "";
      for (let j = i + 1; j < lines.length; j++) {
        const next = lines[j]!;
        if (/^\t(?!at )/.test(next)) picked.add(`${component}${next.trim()}`);
        else if (/\):$/.test(next) && !next.startsWith("\t")) component = `${next.slice(0, -1)}: `;
        else break;
      }
    } else if (line.startsWith('Exception in thread "main"')) {
      picked.add(
        line.replace(/^Exception in thread "main" /, "").split(" All validation errors:")[0]!,
      );
    }
  });
  return picked.size > 0 ? [...picked] : lines.slice(-40);
}

/**
 * Whether the engine refused the flow. It says so in three ways: components invalid when the
 * flow is initialized ("found at least one invalid component", then after
 * nifi.stateless.component.enableTimeout "has not fully started. Current Validation Status is
 * INVALID", exit 1); the validation after initialization ("Dataflow is not valid", exit 1); or
 * an exception while the flow is built (e.g. "Cannot add Parameter with name 'x' unless that
 * Parameter is Not Sensitive ...", exit 1 within seconds).
 */
function isInvalid(output: string, code: number): boolean {
  return (
    output.includes("Dataflow is not valid") ||
    output.includes("Current Validation Status is INVALID") ||
    (code !== 0 &&
      (output.includes("found at least one invalid component") ||
        output.includes('Exception in thread "main"')))
  );
}

export async function runStatelessFlow(opts: StatelessFlowOptions): Promise<StatelessFlowResult> {
  const paths = assertNifiInstalled();
  if (!existsSync(opts.flowJson)) throw new Error(`no flow definition at ${opts.flowJson}`);
  const parameters = opts.parameters ?? {};
  const known = new Set(flowParameterNames(opts.flowJson, opts.contextName));
  const unknown = Object.keys(parameters).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `parameters not in context ${opts.contextName} of ${opts.flowJson}: ${unknown.join(", ")} (the engine would ignore them)`,
    );
  }

  const dir = await mkdtemp(join(tmpdir(), "pipegen-nifi-"));
  const workDir = opts.workDir ?? join(paths.dir, "work");
  const engineProps: Record<string, string> = {
    // The framework (bootstrap jars + nifi-stateless-nar + nifi-jetty-nar) ...
    "nifi.stateless.nar.directory": paths.libDir,
    // ... and the extensions, read-only: nothing is ever downloaded (no extension clients).
    "nifi.stateless.extensions.directory": join(dir, "extensions"),
    "nifi.stateless.readonly.extensions.directory.pipegen": paths.narDir,
    "nifi.stateless.working.directory": workDir,
    // FlowFile content in the heap (empty = no content repository on disk).
    "nifi.stateless.content.repository.directory": "",
    // Encrypts sensitive values the engine keeps; any string of 12+ characters.
    "nifi.stateless.sensitive.props.key": randomBytes(18).toString("base64url"),
    "nifi.stateless.status.task.interval": "1 min",
    // How long the engine waits for services to enable and for each processor to start; an
    // invalid processor holds the start up this long, then the engine exits 1.
    "nifi.stateless.component.enableTimeout": opts.enableTimeout ?? "20 sec",
    "nifi.stateless.processor.startTimeout": "20 sec",
    "nifi.stateless.kerberos.krb5.file": "/etc/krb5.conf",
  };
  const contextKey = "pipegen";
  const flowProps: Record<string, string> = {
    "nifi.stateless.flow.snapshot.file": opts.flowJson,
    "nifi.stateless.failure.port.names": (opts.failurePorts ?? []).join(","),
    [`nifi.stateless.parameters.${contextKey}`]: opts.contextName,
    ...Object.fromEntries(
      Object.entries(parameters).map(([k, v]) => [
        `nifi.stateless.parameters.${contextKey}.${k}`,
        v,
      ]),
    ),
    ...opts.flowProperties,
  };
  const engineFile = join(dir, "engine.properties");
  const flowFile = join(dir, "flow.properties");
  const logback = join(dir, "logback.xml");
  await writeFile(
    engineFile,
    Object.entries(engineProps)
      .map(([k, v]) => propertiesLine(k, v))
      .join("\n") + "\n",
  );
  await writeFile(
    flowFile,
    Object.entries(flowProps)
      .map(([k, v]) => propertiesLine(k, v))
      .join("\n") + "\n",
    { mode: 0o600 },
  );
  await writeFile(logback, logbackXml(opts.logLevels ?? {}));

  // What bin/nifi-stateless.sh runs (it hides the exit code and cd's to NIFI_HOME), plus a
  // small heap and SerialGC for a 2-core machine.
  const command = [
    join(paths.javaHome, "bin", "java"),
    `-Xmx${opts.heap ?? "512m"}`,
    "-XX:+UseSerialGC",
    "-Djava.awt.headless=true",
    "-Djava.net.preferIPv4Stack=true",
    `-Dlogback.configurationFile=${logback}`,
    `-Dorg.apache.nifi.bootstrap.config.log.dir=${dir}`,
    "-cp",
    `${paths.libDir}/*:${join(paths.home, "conf")}`,
    "org.apache.nifi.stateless.bootstrap.RunStatelessFlow",
    ...(opts.continuous ? ["-c"] : []),
    "-e",
    engineFile,
    "-f",
    flowFile,
  ];

  const started = Date.now();
  const result = await new Promise<{
    code: number;
    stdout: string;
    stderr: string;
    killed: boolean;
  }>((resolvePromise) => {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: dir,
      detached: true, // own process group: a kill reaches the JVM and anything it started
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, JAVA_HOME: paths.javaHome },
    });
    trackGroup(child);
    const out = collectOutput(child);
    let killed = false;
    const stop = (why: string) => {
      if (killed) return;
      killed = true;
      out.stderr += `\n[harness] stopping the engine: ${why}\n`;
      killGroup(child, "SIGTERM");
      void sleep(10_000).then(() => killGroup(child, "SIGKILL"));
    };
    const timeoutMs = opts.timeoutMs ?? 180_000;
    const timer = setTimeout(() => stop(`timeout after ${timeoutMs} ms`), timeoutMs);
    const onAbort = () => stop("aborted");
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    child.once("error", (err) => {
      out.stderr += `\n[harness] ${String(err)}\n`;
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      untrackGroup(child);
      resolvePromise({ code: code ?? -1, stdout: out.stdout, stderr: out.stderr, killed });
    });
  });
  await removeTempDir(dir);

  const output = result.stdout + result.stderr;
  if (isInvalid(output, result.code)) {
    const errors = validationErrors(output);
    throw new NifiFlowInvalidError(
      `NiFi refused the dataflow ${opts.flowJson}:\n${errors.join("\n")}`,
      errors,
      output,
    );
  }
  return {
    ...result,
    failed: output.includes("Failed to execute dataflow"),
    durationMs: Date.now() - started,
    command,
  };
}

/** A readable account of a run, for assertion messages (the output's tail). */
export function describeNifiRun(result: StatelessFlowResult, lines = 80): string {
  const tail = (s: string) => s.split("\n").slice(-lines).join("\n");
  return `nifi stateless exited ${result.code} (failed=${result.failed}, killed=${result.killed}, ${result.durationMs} ms)\n--- stdout (tail)\n${tail(result.stdout)}\n--- stderr (tail)\n${tail(result.stderr)}`;
}
