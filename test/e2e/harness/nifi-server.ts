// A real NiFi 2.x server (REST API at /nifi-api, no UI), built into the cache by
// test/e2e/engines/nifi/install-server.sh. startNifiServer() makes a NIFI_HOME of its own in a
// fresh temp dir (conf/ written from the installed templates, lib/ a link to the installed
// framework, every repository and log inside the temp dir) and runs `bin/nifi.sh run` there:
// the bootstrap JVM prints the application's java command and nifi.sh execs it, so the NiFi
// JVM is the process this harness started (stdout to a file, stdin /dev/null) and stop() is a
// SIGTERM to its process group (SIGKILL after 20 s). On a free 127.0.0.1 port, either
// - plain HTTP with no login (no authorizer, no login provider, no TLS files), or
// - `secure: true`: NiFi's own default, HTTPS with a certificate the bootstrap generates (for
//   the name "localhost") and the single-user login, whose generated credentials are read from
//   the log; the server is ready when /nifi-api/access/token gives a token for them.
// nifi.sensitive.props.key set, Python extensions off. The extension NARs are the stateless
// engine's ($CACHE/nifi-<v>/nars, the same source build), added with
// nifi.nar.library.directory.pipegen; JDBC drivers for the flows' "jdbc.driver.dir" parameter
// are in `jdbcDir`. REST calls for tests: harness/nifi-rest.ts.
//
//   const nifi = await startNifiServer({ secure: true, env: { CRM_MONGO_URI: mongo.uri } });
//   await nifiApi(nifi, "GET", "/flow/about");
//   await nifi.stop();
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { connect } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NIFI_VERSION, nifiPaths } from "./nifi.js";
import { cachePaths } from "./paths.js";
import { send } from "./nifi-rest.js";
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
  /** HTTPS and the single-user login (NiFi's default) instead of plain HTTP without login. */
  secure?: boolean;
  /**
   * Environment of the NiFi JVM. Expression Language reads it: a flow property "${NAME}" takes
   * the variable NAME (e.g. the MongoDB URI of user_activity's flow).
   */
  env?: Record<string, string>;
  /** -Xmx (and -Xms 256m); default 1g. */
  heap?: string;
  /** Extra or overriding nifi.properties entries (undefined removes one). */
  properties?: Record<string, string | undefined>;
  /** Give up (and kill it) when it is not ready in time; default 180 s. */
  startTimeoutMs?: number;
}

export interface NifiServer {
  /**
   * What an Airflow HTTP connection's host takes: http://127.0.0.1:<port>, or for a secure
   * server https://localhost:<port> (the name its certificate is for).
   */
  url: string;
  /** `${url}/nifi-api` */
  api: string;
  port: number;
  /** Secure servers: the single user's generated name and password. */
  login?: { username: string; password: string };
  /** Secure servers: the server's certificate (PEM), the CA to trust; `caFile` holds it. */
  ca?: string;
  caFile?: string;
  /** Secure servers: an access token of the single user (what nifiApi sends). */
  token?: string;
  /** The NIFI_HOME of this server (conf/, logs/, repositories); removed by stop(). */
  dir: string;
  /** stdout+stderr of nifi.sh and the NiFi JVM. */
  outFile: string;
  /** logs/nifi-app.log */
  appLog: string;
  jdbcDir: string;
  /** From spawn until ready. */
  startMs: number;
  /** The last lines of nifi-app.log (for assertion messages). */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

/** nifi.properties for a server on 127.0.0.1:<port>, plain HTTP without login or secure. */
function serverProperties(
  port: number,
  secure: boolean,
  home: string,
  narDir: string,
): Record<string, string | undefined> {
  const web: Record<string, string> = secure
    ? {
        "nifi.web.http.host": "",
        "nifi.web.http.port": "",
        "nifi.web.https.host": "127.0.0.1",
        "nifi.web.https.port": String(port),
        // The rest of NiFi's defaults: keystore.p12 and truststore.p12 in conf/ without
        // passwords (the bootstrap generates both, and the passwords), single-user login.
      }
    : {
        "nifi.web.http.host": "127.0.0.1",
        "nifi.web.http.port": String(port),
        // Empty HTTPS and TLS settings: their defaults make the web server load TLS files.
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
        "nifi.remote.input.secure": "false",
      };
  return {
    ...web,
    "nifi.remote.input.socket.port": "",
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

/** The certificate a TLS server on 127.0.0.1:port presents, as PEM (the harness started it). */
function peerCertificate(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: "127.0.0.1", port, servername: "localhost", rejectUnauthorized: false },
      () => {
        const der = socket.getPeerCertificate().raw;
        socket.end();
        const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n");
        resolve(`-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`);
      },
    );
    socket.setTimeout(3000, () => socket.destroy(new Error("TLS handshake timed out")));
    socket.once("error", reject);
  });
}

/** The single user's generated credentials, once the login provider has logged them. */
function generatedLogin(appLog: string): { username: string; password: string } | undefined {
  if (!existsSync(appLog)) return undefined;
  const log = readFileSync(appLog, "utf8");
  const username = /Generated Username \[([^\]]+)\]/.exec(log)?.[1];
  const password = /Generated Password \[([^\]]+)\]/.exec(log)?.[1];
  return username && password ? { username, password } : undefined;
}

/** Writes this server's NIFI_HOME: conf/ from the installed templates, lib/ linked. */
async function makeHome(
  paths: NifiServerPaths,
  opts: NifiServerOptions,
  port: number,
  managementPort: number,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pipegen-nifi-server-"));
  await cp(join(paths.home, "conf"), join(dir, "conf"), { recursive: true });
  await symlink(join(paths.home, "lib"), join(dir, "lib"));
  await mkdir(join(dir, "logs"));
  const conf = (name: string) => join(dir, "conf", name);
  await writeFile(
    conf("nifi.properties"),
    withProperties(readFileSync(conf("nifi.properties"), "utf8"), {
      ...serverProperties(port, opts.secure ?? false, paths.home, paths.narDir),
      ...opts.properties,
    }),
  );
  await writeFile(
    conf("bootstrap.conf"),
    withProperties(readFileSync(conf("bootstrap.conf"), "utf8"), {
      // The application's class path is the jars of lib.dir, found without following links:
      // the installed lib/, not this home's link to it (which nifi.sh's bootstrap uses).
      "lib.dir": join(paths.home, "lib"),
      "java.arg.2": "-Xms256m",
      "java.arg.3": `-Xmx${opts.heap ?? "1g"}`,
      // Without it the bootstrap takes the first free port from 52020: two servers starting at
      // once could pick the same one.
      "management.server.address": `http://127.0.0.1:${managementPort}`,
      "graceful.shutdown.seconds": "10",
    }),
  );
  return dir;
}

export async function startNifiServer(opts: NifiServerOptions = {}): Promise<NifiServer> {
  const paths = assertNifiServerInstalled();
  const [port, managementPort] = (await freePorts(2)) as [number, number];
  const dir = await makeHome(paths, opts, port, managementPort);
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
  const url = opts.secure ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
  const ready: Partial<NifiServer> = {};
  let lastError = "";
  // Plain: /flow/about answers 200. Secure: the credentials are logged, the certificate is
  // served, and /access/token gives a token.
  const probe = async () => {
    try {
      if (!opts.secure) {
        const r = await send({}, "GET", `${url}/nifi-api/flow/about`);
        lastError = `HTTP ${r.status}: ${r.text.slice(0, 200)}`;
        return r.status === 200 ? true : undefined;
      }
      ready.login ??= generatedLogin(appLog);
      if (!ready.login) {
        lastError = "no generated credentials in the log yet";
        return undefined;
      }
      ready.ca ??= await peerCertificate(port);
      const form = new URLSearchParams(ready.login).toString();
      const body = { type: "application/x-www-form-urlencoded", data: form };
      const r = await send(ready, "POST", `${url}/nifi-api/access/token`, body);
      lastError = `HTTP ${r.status}: ${r.text.slice(0, 200)}`;
      if (r.status !== 201) return undefined;
      ready.token = r.text;
      return true;
    } catch (err) {
      lastError = String((err as Error).cause ?? err);
      return undefined;
    }
  };
  await waitForServer(server, probe, {
    timeoutMs: opts.startTimeoutMs ?? 180_000,
    intervalMs: 500,
    deadlineFirst: true,
    notReady: `was not ready on ${url}/nifi-api`,
    why: () => lastError,
  });
  if (ready.ca) {
    ready.caFile = join(dir, "ca.pem");
    await writeFile(ready.caFile, ready.ca);
  }
  return {
    ...ready,
    url,
    api: `${url}/nifi-api`,
    port,
    dir,
    outFile,
    appLog,
    jdbcDir: paths.jdbcDir,
    startMs: Date.now() - started,
    logTail: (lines = 60) => tail(appLog, lines),
    stop: server.stop,
  };
}
