/**
 * What a job's submission needs from the cluster manager its master names: Kubernetes (image,
 * namespace, service account, where the driver finds the job files and the runtime), YARN
 * (queue, a packed Python environment, files) and Spark standalone (the cores an application
 * may take). A master given by reference applies the one manager's settings the spec gives
 * (the IR refuses both).
 */
import type { Pipeline, SparkKubernetes, SparkYarn } from "../../ir/types.js";
import { RUNTIME_VERSION } from "../shared/runtime.js";

export type ClusterManager = "local" | "standalone" | "yarn" | "kubernetes" | "unknown";

/** The cluster manager of the pipeline's master (unknown: a reference, read when submitted). */
export function clusterManager(p: Pipeline): ClusterManager {
  const m = p.platform.spark.master;
  if (m.kind !== "literal") return "unknown";
  if (m.value === "yarn") return "yarn";
  if (m.value.startsWith("k8s://")) return "kubernetes";
  if (m.value.startsWith("spark://")) return "standalone";
  return "local";
}

/** The settings of the manager that runs the jobs, when the spec gives them. */
function settings(p: Pipeline): {
  kubernetes: SparkKubernetes | null;
  yarn: SparkYarn | null;
} {
  const m = clusterManager(p);
  const { kubernetes, yarn } = p.platform.spark;
  const known = m === "unknown";
  return {
    kubernetes: m === "kubernetes" || known ? kubernetes : null,
    yarn: m === "yarn" || known ? yarn : null,
  };
}

/** The Python of a packed environment shipped with spark.archives as <url>#environment. */
export const packedPython = "./environment/bin/python";

function kubernetesConf(k: SparkKubernetes): Record<string, string> {
  const conf: Record<string, string> = {
    "spark.kubernetes.container.image": k.image,
    "spark.kubernetes.namespace": k.namespace,
    "spark.kubernetes.authenticate.driver.serviceAccountName": k.serviceAccount,
  };
  if (k.imagePullPolicy) conf["spark.kubernetes.container.image.pullPolicy"] = k.imagePullPolicy;
  if (k.imagePullSecrets.length)
    conf["spark.kubernetes.container.image.pullSecrets"] = k.imagePullSecrets.join(",");
  if (k.uploadPath) conf["spark.kubernetes.file.upload.path"] = k.uploadPath;
  return conf;
}

function yarnConf(y: SparkYarn, deployMode: "client" | "cluster"): Record<string, string> {
  const conf: Record<string, string> = {};
  if (y.queue) conf["spark.yarn.queue"] = y.queue;
  if (y.pythonEnv) {
    conf["spark.archives"] = `${y.pythonEnv}#environment`;
    conf["spark.pyspark.python"] = packedPython;
    // In client mode the driver runs where spark-submit does, without the unpacked archive.
    if (deployMode === "client") conf["spark.pyspark.driver.python"] = y.driverPython;
  }
  if (y.files.length) conf["spark.yarn.dist.files"] = y.files.join(",");
  return conf;
}

/** The Spark configuration a job gets from its cluster manager's settings. */
export function clusterConf(
  p: Pipeline,
  resources: { numExecutors: number | null; executorCores: number | null },
): Record<string, string> {
  const { kubernetes, yarn } = settings(p);
  const conf: Record<string, string> = {
    ...(kubernetes ? kubernetesConf(kubernetes) : {}),
    ...(yarn ? yarnConf(yarn, p.platform.spark.deployMode) : {}),
  };
  // A standalone application takes every free core unless capped; executors × cores is its share.
  const { numExecutors, executorCores } = resources;
  if (clusterManager(p) === "standalone" && numExecutors !== null && executorCores !== null)
    conf["spark.cores.max"] = String(numExecutors * executorCores);
  return conf;
}

/** The runtime's zip, as the job's .submit.json names it. */
export const runtimeZip = `pipegen_runtime-${RUNTIME_VERSION}.zip`;

/**
 * Where the driver reads what it runs when that is not the submitting machine's file: on
 * Kubernetes in cluster mode, the program (and with runtime: jobFiles, the runtime's zip) in
 * jobFiles. Null: the local files beside the .submit.json.
 */
export function remoteFiles(
  p: Pipeline,
  application: string,
): { application: string | null; pyFiles: string | null } {
  const { kubernetes } = settings(p);
  if (!kubernetes || p.platform.spark.deployMode !== "cluster")
    return { application: null, pyFiles: null };
  return {
    application: `${kubernetes.jobFiles}/${application}`,
    pyFiles: kubernetes.runtime === "jobFiles" ? `${kubernetes.jobFiles}/${runtimeZip}` : null,
  };
}
