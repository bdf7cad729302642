// A schema registry for the benchmarks' generated Spark jobs, which read the writer schemas of
// their source topic's subject from it when they start (--schema-registry-url /
// SCHEMA_REGISTRY_URL): Apicurio Registry 3.x with its Confluent-compatible API, started the way
// test/e2e/harness/registry.ts starts it (in-memory storage: every start is empty).
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { java21Home, registryHome } from "./paths.mjs";
import { freePorts, startDaemon } from "./services.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the registry; resolves {url, ccompatUrl (the Confluent API: the jobs' URL), stop}. */
export async function startRegistry({ heap = "384m", timeoutMs = 120_000 } = {}) {
  const home = registryHome();
  const dir = await mkdtemp(path.join(tmpdir(), "pipegen-bench-registry-"));
  const logFile = path.join(dir, "registry.log");
  const [port, managementPort] = await freePorts(2);
  const props = {
    "quarkus.http.host": "127.0.0.1",
    "quarkus.http.port": String(port),
    "quarkus.management.host": "127.0.0.1",
    "quarkus.management.port": String(managementPort),
    "quarkus.log.console.color": "false",
  };
  const { exited, stop } = startDaemon({
    command: path.join(java21Home(), "bin", "java"),
    args: [
      `-Xmx${heap}`,
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      "-Djava.awt.headless=true",
      ...Object.entries(props).map(([k, v]) => `-D${k}=${v}`),
      "-jar",
      path.join(home, "quarkus-run.jar"),
    ],
    cwd: dir,
    logFile,
    dir,
    stopSignal: "SIGTERM",
    graceMs: 10_000,
  });
  const url = `http://127.0.0.1:${port}`;
  const ccompatUrl = `${url}/apis/ccompat/v7`;
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    if (exited()) throw new Error(`the schema registry exited during startup (${exited()})`);
    try {
      const res = await fetch(`${ccompatUrl}/subjects`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.ok) break;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e.cause ?? e);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the schema registry did not answer on ${ccompatUrl} (${last})`);
    }
    await sleep(250);
  }
  return { url, ccompatUrl, logFile, stop };
}

/** Registers an Avro schema (text or object) under a subject (Confluent API); its schema id. */
export async function registerSchema(ccompatUrl, subject, schema) {
  const res = await fetch(`${ccompatUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
    method: "POST",
    headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
    body: JSON.stringify({ schema: typeof schema === "string" ? schema : JSON.stringify(schema) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`registering ${subject}: HTTP ${res.status}: ${text}`);
  return JSON.parse(text).id;
}

/** A generated .avsc as the job declares it: without pipegen's "$comment". */
export function avroSchemaOf(avscText) {
  const { $comment: _, ...schema } = JSON.parse(avscText);
  return schema;
}
