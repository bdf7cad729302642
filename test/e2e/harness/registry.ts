// A schema registry with Confluent's REST API: Apicurio Registry 3.x (installed by
// test/e2e/engines/registry/install.sh into $CACHE/apicurio-registry-<version>), run as
//   <java 21+> -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=<free> \
//     -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port=<free> -jar quarkus-run.jar
// with its default in-memory H2 storage (nothing on disk; every start is empty). The Confluent
// API is at `${url}/apis/ccompat/v7` (what confluent-kafka's SchemaRegistryClient, Spark's
// from_avro helpers and the Confluent serializers take as the registry URL).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachePaths } from "./paths.js";
import { freePorts, startServer, tail, waitForServer } from "./process.js";

/** Keep in step with APICURIO_VERSION in test/e2e/engines/registry/install.sh. */
export const APICURIO_VERSION = "3.3.3";

export interface RegistryOptions {
  /** -Xmx of the JVM; default 384m. */
  heap?: string;
  /** Give up (and kill it) when /apis/ccompat/v7/subjects does not answer in time; default 90 s. */
  startTimeoutMs?: number;
  /** Extra -D system properties (Quarkus / Apicurio config), e.g. {"apicurio.ccompat.use-canonical-hash": "true"}. */
  properties?: Record<string, string>;
}

export interface SchemaRegistry {
  /** "http://127.0.0.1:<port>" */
  url: string;
  /** `${url}/apis/ccompat/v7`: the Confluent-compatible API (use as schema.registry.url). */
  ccompatUrl: string;
  /** `${url}/apis/registry/v3`: Apicurio's own API. */
  coreUrl: string;
  port: number;
  /** stdout+stderr of the JVM; removed by stop() unless PIPEGEN_E2E_KEEP=1. */
  logFile: string;
  dir: string;
  stop(): Promise<void>;
}

export function registryHome(): string {
  const dir = join(cachePaths().cacheDir, `apicurio-registry-${APICURIO_VERSION}`);
  if (!existsSync(join(dir, ".installed")) || !existsSync(join(dir, "quarkus-run.jar"))) {
    throw new Error(
      `no Apicurio Registry ${APICURIO_VERSION} in ${dir}: run bash test/e2e/engines/registry/install.sh first`,
    );
  }
  return dir;
}

function javaMajor(javaHome: string): number | undefined {
  const release = join(javaHome, "release");
  if (!existsSync(release)) return undefined;
  const m = /^JAVA_VERSION="(\d+)/m.exec(readFileSync(release, "utf8"));
  return m ? Number(m[1]) : undefined;
}

/**
 * A Java 21+ home: $PIPEGEN_JAVA21_HOME, else $JAVA_HOME if it is 21+, else the newest 21+ JDK in
 * /usr/lib/jvm (Temurin 25 here). Apicurio Registry 3.3 is Java 21 bytecode: Java 17 fails
 * with UnsupportedClassVersionError (class file version 65.0).
 */
export function java21Home(): string {
  if (process.env.PIPEGEN_JAVA21_HOME) return process.env.PIPEGEN_JAVA21_HOME;
  const jh = process.env.JAVA_HOME;
  if (jh && (javaMajor(jh) ?? 0) >= 21) return jh;
  const jvm = "/usr/lib/jvm";
  const candidates = existsSync(jvm)
    ? readdirSync(jvm)
        .map((d) => join(jvm, d))
        .filter((d) => existsSync(join(d, "bin", "java")))
        .map((d) => ({ d, v: javaMajor(d) ?? 0 }))
        .filter(({ v }) => v >= 21)
        .sort((a, b) => b.v - a.v)
    : [];
  if (!candidates[0]) {
    throw new Error("no Java 21+ found (set PIPEGEN_JAVA21_HOME): Apicurio Registry 3.x needs it");
  }
  return candidates[0].d;
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<SchemaRegistry> {
  const home = registryHome();
  const java = join(java21Home(), "bin", "java");
  const dir = await mkdtemp(join(tmpdir(), "pipegen-registry-"));
  const logFile = join(dir, "registry.log");
  const [port, managementPort] = await freePorts(2);
  const url = `http://127.0.0.1:${port}`;
  const props: Record<string, string> = {
    "quarkus.http.host": "127.0.0.1",
    "quarkus.http.port": String(port),
    // The management interface (health, metrics) is on 0.0.0.0:9000 by default: a fixed port that
    // a second registry (or anything else) would collide with. Its on/off switch is build-time.
    "quarkus.management.host": "127.0.0.1",
    "quarkus.management.port": String(managementPort),
    "quarkus.log.console.color": "false",
    ...opts.properties,
  };
  const args = [
    `-Xmx${opts.heap ?? "384m"}`,
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1", // faster start, and the registry does little work in tests
    "-Djava.awt.headless=true",
    ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`),
    "-jar",
    join(home, "quarkus-run.jar"),
  ];
  const server = startServer({
    name: "schema registry",
    command: java,
    args,
    dir,
    outFile: logFile,
    stopGraceMs: 10_000,
    keepDirAtExit: true,
    logTail: () => tail(logFile, 40),
  });

  const ccompatUrl = `${url}/apis/ccompat/v7`;
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  let lastError = "";
  await waitForServer(
    server,
    async () => {
      try {
        const res = await fetch(`${ccompatUrl}/subjects`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          await res.arrayBuffer();
          return true;
        }
        lastError = `HTTP ${res.status}`;
      } catch (err) {
        lastError = String((err as Error).cause ?? err);
      }
      return undefined;
    },
    {
      timeoutMs,
      intervalMs: 200,
      deadlineFirst: true,
      notReady: `did not answer on ${ccompatUrl}/subjects`,
      why: () => lastError,
    },
  );
  return {
    url,
    ccompatUrl,
    coreUrl: `${url}/apis/registry/v3`,
    port: port!,
    logFile,
    dir,
    stop: server.stop,
  };
}

/** Confluent API: register a schema under a subject; returns the schema id. */
export async function registerSchema(
  ccompatUrl: string,
  subject: string,
  schema: string | object,
  schemaType: "AVRO" | "JSON" | "PROTOBUF" = "AVRO",
): Promise<number> {
  const res = await fetch(`${ccompatUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: "POST",
    headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
    body: JSON.stringify({
      schema: typeof schema === "string" ? schema : JSON.stringify(schema),
      ...(schemaType !== "AVRO" ? { schemaType } : {}),
    }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`register ${subject}: HTTP ${res.status}: ${text}`);
  return (JSON.parse(text) as { id: number }).id;
}

/** Confluent API GET (path relative to ccompatUrl); returns {status, body (JSON or text)}. */
export async function registryGet(
  ccompatUrl: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${ccompatUrl}${path.startsWith("/") ? path : `/${path}`}`);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}
