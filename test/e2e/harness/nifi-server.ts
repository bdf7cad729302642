// A real NiFi 2.x server (REST API at /nifi-api, no UI), built into the cache by
// test/e2e/engines/nifi/install-server.sh. startNifiServer() makes a NIFI_HOME of its own in a
// fresh temp dir (conf/ written from the installed templates, lib/ a link to the installed
// framework, every repository and log inside the temp dir) and runs `bin/nifi.sh run` there:
// the bootstrap JVM prints the application's java command and nifi.sh execs it, so the NiFi
// JVM is the process this harness started (stdout to a file, stdin /dev/null) and stop() is a
// SIGTERM to its process group (SIGKILL after 20 s). Plain HTTP on a free 127.0.0.1 port with no
// login (no authorizer, no login provider, no TLS files), nifi.sensitive.props.key set, Python
// extensions off. The extension NARs are the stateless engine's ($CACHE/nifi-<v>/nars, the same
// source build), added with nifi.nar.library.directory.pipegen; JDBC drivers for the flows'
// "jdbc.driver.dir" parameter are in `jdbcDir`.
//
//   const nifi = await startNifiServer({ env: { CRM_MONGO_URI: mongo.uri } });
//   await nifiApi(nifi, "GET", "/flow/about");
//   await nifi.stop();
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NIFI_VERSION, nifiPaths } from "./nifi.js";
import { cachePaths } from "./paths.js";
import { freePorts, startServer, tail, waitForServer } from "./process.js";

export interface NifiServerPaths {
  /** $CACHE/nifi-server-<v>: the installed NIFI_HOME (bin/, conf/ templates, lib/). */
  home: string;
  /** The extension NARs of the stateless install, loaded by the server too. */
  narDir: string;
  /** PostgreSQL and MariaDB JDBC drivers (the flows' jdbc.driver.dir parameter). */
  jdbcDir: string;
  /** Java 21+ (PIPEGEN_NIFI_JAVA_HOME or Temurin 25). */
  javaHome: string;
}

export function nifiServerPaths(): NifiServerPaths {
  const stateless = nifiPaths();
  return {
    home: join(cachePaths().cacheDir, `nifi-server-${NIFI_VERSION}`),
    narDir: stateless.narDir,
    jdbcDir: stateless.jdbcDir,
    javaHome: stateless.javaHome,
  };
}

/** Throws unless install-server.sh (and so install.sh) has finished and the JDK is there. */
export function assertNifiServerInstalled(): NifiServerPaths {
  const paths = nifiServerPaths();
  for (const [file, script] of [
    [join(paths.home, ".installed"), "install-server.sh"],
    [join(paths.narDir, "..", ".installed"), "install.sh"],
  ] as const) {
    if (!existsSync(file)) {
      throw new Error(`no ${file}: run bash test/e2e/engines/nifi/${script} first`);
    }
  }
  if (!existsSync(join(paths.javaHome, "bin", "java"))) {
    throw new Error(
      `no Java at ${paths.javaHome} (NiFi 2.x needs Java 21+; set PIPEGEN_NIFI_JAVA_HOME)`,
    );
  }
  return paths;
}

export interface NifiServerOptions {
  /**
   * Environment of the NiFi JVM. Expression Language reads it: a flow property "${NAME}" takes
   * the variable NAME (e.g. the MongoDB URI of user_activity's flow).
   */
  env?: Record<string, string>;
  /** -Xmx (and -Xms 256m); default 1g. */
  heap?: string;
  /** Extra or overriding nifi.properties entries (undefined removes one). */
  properties?: Record<string, string | undefined>;
  /** Give up (and kill it) when /nifi-api/flow/about does not answer 200 in time; default 180 s. */
  startTimeoutMs?: number;
}

export interface NifiServer {
  /** http://127.0.0.1:<port> (what an Airflow HTTP connection's host takes) */
  url: string;
  /** `${url}/nifi-api` */
  api: string;
  port: number;
  /** The NIFI_HOME of this server (conf/, logs/, repositories); removed by stop(). */
  dir: string;
  /** stdout+stderr of nifi.sh and the NiFi JVM. */
  outFile: string;
  /** logs/nifi-app.log */
  appLog: string;
  jdbcDir: string;
  /** From spawn until /flow/about answered. */
  startMs: number;
  /** The last lines of nifi-app.log (for assertion messages). */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/** nifi.properties for a plain-HTTP server without login on 127.0.0.1:<port>. */
function serverProperties(
  port: number,
  home: string,
  narDir: string,
): Record<string, string | undefined> {
  return {
    "nifi.web.http.host": "127.0.0.1",
    "nifi.web.http.port": String(port),
    // Empty HTTPS and TLS settings: their defaults make the web server load TLS files (and fail).
    "nifi.web.https.host": "",
    "nifi.web.https.port": "",
    "nifi.security.keystore": "",
    "nifi.security.keystoreType": "",
    "nifi.security.keystorePasswd": "",
    "nifi.security.keyPasswd": "",
    "nifi.security.truststore": "",
    "nifi.security.truststoreType": "",
    "nifi.security.truststorePasswd": "",
    // No authorizer and no login provider: every request is anonymous and allowed.
    "nifi.security.user.authorizer": "",
    "nifi.security.user.login.identity.provider": "",
    "nifi.remote.input.socket.port": "",
    "nifi.remote.input.secure": "false",
    // Encrypts sensitive values (parameters, properties) in flow.json.gz; 12+ characters.
    "nifi.sensitive.props.key": randomBytes(18).toString("base64url"),
    // The framework NARs, and the extension NARs of the stateless install.
    "nifi.nar.library.directory": join(home, "lib"),
    "nifi.nar.library.directory.pipegen": narDir,
    // No Python framework is installed.
    "nifi.python.command": undefined,
    "nifi.python.max.processes": "0",
    // Less disk churn in a test.
    "nifi.flow.configuration.archive.enabled": "false",
    "nifi.content.repository.archive.enabled": "false",
  };
}

/** A Java-properties file with `changes` applied (a key set in place or appended; undefined removes it). */
export function withProperties(text: string, changes: Record<string, string | undefined>): string {
  const lines = text.split("\n");
  for (const [key, value] of Object.entries(changes)) {
    const at = lines.findIndex((l) => l.startsWith(`${key}=`));
    if (value === undefined) {
      if (at >= 0) lines.splice(at, 1);
    } else if (at >= 0) {
      lines[at] = `${key}=${value}`;
    } else {
      lines.push(`${key}=${value}`);
    }
  }
  return lines.join("\n");
}

export async function startNifiServer(opts: NifiServerOptions = {}): Promise<NifiServer> {
  const paths = assertNifiServerInstalled();
  const dir = await mkdtemp(join(tmpdir(), "pipegen-nifi-server-"));
  const [port, managementPort] = await freePorts(2);
  await cp(join(paths.home, "conf"), join(dir, "conf"), { recursive: true });
  await symlink(join(paths.home, "lib"), join(dir, "lib"));
  await mkdir(join(dir, "logs"));
  const conf = (name: string) => join(dir, "conf", name);
  await writeFile(
    conf("nifi.properties"),
    withProperties(readFileSync(conf("nifi.properties"), "utf8"), {
      ...serverProperties(port!, paths.home, paths.narDir),
      ...opts.properties,
    }),
  );
  const heap = opts.heap ?? "1g";
  await writeFile(
    conf("bootstrap.conf"),
    withProperties(readFileSync(conf("bootstrap.conf"), "utf8"), {
      // The application's class path is the jars of lib.dir, found without following links:
      // the installed lib/, not this home's link to it (which nifi.sh's bootstrap uses).
      "lib.dir": join(paths.home, "lib"),
      "java.arg.2": "-Xms256m",
      "java.arg.3": `-Xmx${heap}`,
      // Without it the bootstrap takes the first free port from 52020: two servers starting at
      // once could pick the same one.
      "management.server.address": `http://127.0.0.1:${managementPort}`,
      "graceful.shutdown.seconds": "10",
    }),
  );
  const outFile = join(dir, "nifi.out");
  const appLog = join(dir, "logs", "nifi-app.log");
  const started = Date.now();
  const server = startServer({
    name: "NiFi server",
    command: join(paths.home, "bin", "nifi.sh"),
    args: ["run"],
    dir,
    outFile,
    env: {
      ...opts.env,
      JAVA_HOME: paths.javaHome,
      // nifi-env.sh takes these from the environment only with NIFI_OVERRIDE_NIFIENV=true.
      NIFI_OVERRIDE_NIFIENV: "true",
      NIFI_HOME: dir,
      NIFI_LOG_DIR: join(dir, "logs"),
      NIFI_PID_DIR: join(dir, "run"),
    },
    stopGraceMs: 20_000,
    keepDirAtExit: true,
    logTail: () => `${tail(outFile, 15)}\n--- nifi-app.log:\n${tail(appLog, 40)}`,
  });
  const url = `http://127.0.0.1:${port}`;
  let lastError = "";
  await waitForServer(
    server,
    async () => {
      try {
        const res = await fetch(`${url}/nifi-api/flow/about`, {
          signal: AbortSignal.timeout(3000),
        });
        const text = await res.text();
        if (res.ok) return true;
        lastError = `HTTP ${res.status}: ${text.slice(0, 200)}`;
      } catch (err) {
        lastError = String((err as Error).cause ?? err);
      }
      return undefined;
    },
    {
      timeoutMs: opts.startTimeoutMs ?? 180_000,
      intervalMs: 500,
      deadlineFirst: true,
      notReady: `did not answer on ${url}/nifi-api/flow/about`,
      why: () => lastError,
    },
  );
  return {
    url,
    api: `${url}/nifi-api`,
    port: port!,
    dir,
    outFile,
    appLog,
    jdbcDir: paths.jdbcDir,
    startMs: Date.now() - started,
    logTail: (lines = 60) => tail(appLog, lines),
    stop: server.stop,
  };
}

/** One REST call: the parsed JSON answer (or the text); throws on any status but 2xx. */
export async function nifiApi<T = unknown>(
  server: Pick<NifiServer, "api">,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${server.api}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`NiFi ${method} ${path} answered ${res.status}: ${text.slice(0, 2000)}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

// --- what a test looks at -------------------------------------------------------------------------

export interface GroupSummary {
  id: string;
  name: string;
  running: number;
  stopped: number;
  invalid: number;
  disabled: number;
}

interface GroupEntity {
  id: string;
  runningCount: number;
  stoppedCount: number;
  invalidCount: number;
  disabledCount: number;
  component: { name: string; parameterContext?: { id: string } };
}

/** The process groups on the root canvas, with their components' counts (descendants included). */
export async function rootGroups(server: Pick<NifiServer, "api">): Promise<GroupSummary[]> {
  const root = await nifiApi<{ processGroupFlow: { flow: { processGroups: GroupEntity[] } } }>(
    server,
    "GET",
    "/flow/process-groups/root",
  );
  return root.processGroupFlow.flow.processGroups.map((g) => ({
    id: g.id,
    name: g.component.name,
    running: g.runningCount,
    stopped: g.stoppedCount,
    invalid: g.invalidCount,
    disabled: g.disabledCount,
  }));
}

export interface ProcessorSummary {
  id: string;
  /** The id in the flow definition the group was uploaded from (pipegen's stable id). */
  versionedComponentId: string | undefined;
  name: string;
  /** The class name without its package, e.g. "QueryDatabaseTableRecord". */
  type: string;
  state: string;
  validationErrors: string[];
  schedulingPeriod: string;
  properties: Record<string, string | null>;
}

/** Every processor of a group and its descendants. */
export async function groupProcessors(
  server: Pick<NifiServer, "api">,
  groupId: string,
): Promise<ProcessorSummary[]> {
  const r = await nifiApi<{
    processors: Array<{
      component: {
        id: string;
        versionedComponentId?: string;
        name: string;
        type: string;
        state: string;
        validationErrors?: string[];
        config: { schedulingPeriod: string; properties: Record<string, string | null> };
      };
    }>;
  }>(server, "GET", `/process-groups/${groupId}/processors?includeDescendantGroups=true`);
  return r.processors.map(({ component: c }) => ({
    id: c.id,
    versionedComponentId: c.versionedComponentId,
    name: c.name,
    type: c.type.split(".").pop()!,
    state: c.state,
    validationErrors: c.validationErrors ?? [],
    schedulingPeriod: c.config.schedulingPeriod,
    properties: c.config.properties,
  }));
}

/** A processor's local state (e.g. QueryDatabaseTableRecord's maximum values): key -> value. */
export async function processorState(
  server: Pick<NifiServer, "api">,
  processorId: string,
): Promise<Record<string, string>> {
  const r = await nifiApi<{
    componentState: { localState?: { state?: Array<{ key: string; value: string }> } };
  }>(server, "GET", `/processors/${processorId}/state`);
  return Object.fromEntries(
    (r.componentState.localState?.state ?? []).map((e) => [e.key, e.value]),
  );
}

/** The parameters of the context a group uses: name -> {value, sensitive} (sensitive values read back masked). */
export async function groupParameters(
  server: Pick<NifiServer, "api">,
  groupId: string,
): Promise<Record<string, { value: string | null; sensitive: boolean }>> {
  const group = await nifiApi<GroupEntity>(server, "GET", `/process-groups/${groupId}`);
  const ref = group.component.parameterContext;
  if (!ref) return {};
  const ctx = await nifiApi<{
    component: {
      parameters: Array<{ parameter: { name: string; value?: string | null; sensitive: boolean } }>;
    };
  }>(server, "GET", `/parameter-contexts/${ref.id}`);
  return Object.fromEntries(
    ctx.component.parameters.map(({ parameter: p }) => [
      p.name,
      { value: p.value ?? null, sensitive: p.sensitive },
    ]),
  );
}

/** The bulletins (warnings and errors components reported), newest last, as "source: message". */
export async function bulletins(server: Pick<NifiServer, "api">): Promise<string[]> {
  const r = await nifiApi<{
    bulletinBoard: { bulletins: Array<{ bulletin?: { sourceName?: string; message?: string } }> };
  }>(server, "GET", "/flow/bulletin-board?limit=1000");
  return r.bulletinBoard.bulletins.map(
    (b) => `${b.bulletin?.sourceName ?? "?"}: ${b.bulletin?.message ?? ""}`,
  );
}
