// A Spark standalone cluster on loopback for the e2e tests: Spark's own Master and Worker
// classes from the pinned pyspark (venv-spark's `spark-class`), each in its own process group
// and temp dir:
//   spark-class org.apache.spark.deploy.master.Master --host 127.0.0.1 --port P --webui-port W
//   spark-class org.apache.spark.deploy.worker.Worker spark://127.0.0.1:P --cores 1 --memory 1g
//     --host 127.0.0.1 --port Q --webui-port V --work-dir <dir>/work
// A worker's executors are its child processes (same process group): kill() is a machine lost.
// Also: the spark-submit arguments of a generated job's .submit.json (submitArgsFromPlan).
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { freePorts, killGroup, startServer, tail, waitForServer } from "./process.js";
import { sparkPaths, sparkSubmitEnv } from "./spark.js";
import type { ServerProcess } from "./process.js";

export interface SparkWorker {
  /** The worker's web UI port (its /json lists the executors it runs). */
  uiPort: number;
  server: ServerProcess;
  /** SIGKILL the worker's process group: the Worker JVM and every executor it launched. */
  kill(): void;
}

export interface SparkCluster {
  /** spark://127.0.0.1:<port> */
  masterUrl: string;
  /** The master's web UI port (/json: workers and applications). */
  masterUiPort: number;
  workers: SparkWorker[];
  /** The master's JSON view. */
  masterJson(): Promise<MasterJson>;
  stop(): Promise<void>;
}

export interface MasterJson {
  workers: { id: string; host: string; port: number; state: string; coresused: number }[];
  activeapps: { id: string; name: string; cores: number; state: string }[];
}

export interface SparkClusterOptions {
  workers?: number;
  workerCores?: number;
  workerMemory?: string;
  startTimeoutMs?: number;
}

export async function getJson<T>(url: string, timeoutMs = 30_000): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
  return (await r.json()) as T;
}

function sparkClass(): string {
  return join(sparkPaths().venvDir, "bin", "spark-class");
}

async function startDaemon(name: string, cls: string, args: string[]): Promise<ServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), `pipegen-${name}-`));
  const outFile = join(dir, `${name}.log`);
  // Loopback only; small daemons (the executors get their memory from the application).
  const env = sparkSubmitEnv({ SPARK_DAEMON_MEMORY: "256m", SPARK_WORKER_DIR: join(dir, "work") });
  return startServer({
    name: `Spark ${name}`,
    command: sparkClass(),
    args: [cls, ...args],
    dir,
    outFile,
    env,
    stopGraceMs: 10_000,
    logTail: () => tail(outFile, 40),
  });
}

/** A master and `workers` workers on 127.0.0.1; resolves when the master lists them ALIVE. */
export async function startSparkCluster(opts: SparkClusterOptions = {}): Promise<SparkCluster> {
  const n = opts.workers ?? 2;
  const [port, masterUiPort, ...workerPorts] = (await freePorts(2 + 2 * n)) as [
    number,
    number,
    ...number[],
  ];
  const masterUrl = `spark://127.0.0.1:${port}`;
  const master = await startDaemon("spark-master", "org.apache.spark.deploy.master.Master", [
    ...["--host", "127.0.0.1", "--port", String(port), "--webui-port", String(masterUiPort)],
  ]);
  const masterJson = () => getJson<MasterJson>(`http://127.0.0.1:${masterUiPort}/json/`);
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  let why = "no answer";
  await waitForServer(
    master,
    () =>
      masterJson().then(
        () => true,
        (e) => void (why = String(e)),
      ),
    {
      timeoutMs,
      intervalMs: 500,
      notReady: "did not answer on its web UI",
      why: () => why,
    },
  );
  const workers: SparkWorker[] = [];
  for (let i = 0; i < n; i++) {
    const [wport, uiPort] = [workerPorts[2 * i]!, workerPorts[2 * i + 1]!];
    const server = await startDaemon(
      `spark-worker${i + 1}`,
      "org.apache.spark.deploy.worker.Worker",
      [
        masterUrl,
        ...["--host", "127.0.0.1", "--port", String(wport), "--webui-port", String(uiPort)],
        ...["--cores", String(opts.workerCores ?? 1), "--memory", opts.workerMemory ?? "1g"],
      ],
    );
    workers.push({ uiPort, server, kill: () => killGroup(server.child, "SIGKILL") });
  }
  const stop = async () => {
    await Promise.allSettled(workers.map((w) => w.server.stop()));
    await master.stop();
  };
  const alive = async () => {
    const m = await masterJson().catch(() => null);
    const count = m?.workers.filter((w) => w.state === "ALIVE").length ?? 0;
    why = `${count} of ${n} workers ALIVE`;
    return count === n ? true : undefined;
  };
  await waitForServer(master, alive, {
    timeoutMs,
    intervalMs: 500,
    notReady: "did not list its workers",
    why: () => `${why}; worker logs: ${workers.map((w) => w.server.logTail()).join("\n")}`,
  }).catch(async (e: unknown) => {
    await stop();
    throw e;
  });
  return { masterUrl, masterUiPort, workers, masterJson, stop };
}

/** What a worker's /json says of the executors it runs. */
export async function workerExecutors(w: SparkWorker): Promise<{ id: number; appid: string }[]> {
  const j = await getJson<{ executors: { id: number; appid: string }[] }>(
    `http://127.0.0.1:${w.uiPort}/json/`,
  );
  return j.executors;
}

/** The part of a .submit.json spark-submit reads. */
export interface SubmitPlan {
  name: string;
  application: string;
  master: string | { env: string };
  deployMode: "client" | "cluster";
  packages: string[];
  conf: Record<string, string>;
  resources: {
    numExecutors: number | null;
    executorCores: number | null;
    executorMemory: string | null;
    driverMemory: string | null;
  };
}

export function readSubmitPlan(file: string): SubmitPlan {
  return JSON.parse(readFileSync(file, "utf8")) as SubmitPlan;
}

/**
 * spark-submit's options for a plan, as the processing DAG's SparkSubmitOperator passes them,
 * but the packages: each Maven coordinate is the cached connector jar of the same artifact
 * (nothing is downloaded here); a coordinate without one is an error.
 */
export function submitArgsFromPlan(
  plan: SubmitPlan,
  env: Record<string, string | undefined> = {},
): { master: string; args: string[]; conf: Record<string, string> } {
  const master = typeof plan.master === "string" ? plan.master : env[plan.master.env];
  if (!master) throw new Error(`the plan's master ${JSON.stringify(plan.master)} is not set`);
  const { jars } = sparkPaths();
  for (const p of plan.packages) {
    const [, artifact, version] = p.split(":");
    const jar = `${artifact}-${version}.jar`;
    if (!jars.some((j) => basename(j) === jar))
      throw new Error(`no cached jar ${jar} for the package ${p}`);
  }
  const r = plan.resources;
  const args = [
    ...["--deploy-mode", plan.deployMode, "--name", plan.name],
    ...(r.numExecutors !== null ? ["--num-executors", String(r.numExecutors)] : []),
    ...(r.executorCores !== null ? ["--executor-cores", String(r.executorCores)] : []),
    ...(r.executorMemory !== null ? ["--executor-memory", r.executorMemory] : []),
  ];
  return { master, args, conf: plan.conf };
}
