/**
 * A stream's SparkApplication (sparkoperator.k8s.io/v1beta2, the Kubeflow Spark operator): the
 * stream's JobPlan as the operator takes it. The job files and the runtime are where the spec's
 * platform.spark.kubernetes says (jobFiles, runtime); the variables the job reads come from the
 * pipeline's ConfigMap (${env:NAME}) and Secret (${secret:NAME}), key NAME.
 */
import { kubernetesNames } from "../../ir/names.js";
import { secretNames } from "../../ir/refs.js";
import type { Pipeline, SparkKubernetes, ValueRef } from "../../ir/types.js";
import { runtimeZip } from "../spark/cluster.js";
import type { JobPlan } from "../spark/submit.js";
import { sparkVersion } from "../spark/versions.js";

type Json = Record<string, unknown>;

/** The variable NAME from the pipeline's Secret or ConfigMap, key NAME. */
function envVar(k: SparkKubernetes, name: string, secret: boolean): Json {
  const ref = secret
    ? { secretKeyRef: { name: k.secretName, key: name } }
    : { configMapKeyRef: { name: k.configMapName, key: name } };
  return { name, valueFrom: ref };
}

/** Literal S3A settings and the lineage endpoint; a reference is the driver's variable only. */
function extraConf(plan: JobPlan): Json {
  const conf: Record<string, string> = {};
  const set = (key: string, v: ValueRef | null | undefined) => {
    if (v?.kind === "literal") conf[key] = v.value;
  };
  if (plan.s3) {
    set("spark.hadoop.fs.s3a.endpoint", plan.s3.endpoint);
    set("spark.hadoop.fs.s3a.endpoint.region", plan.s3.region);
    if (plan.s3.pathStyle) conf["spark.hadoop.fs.s3a.path.style.access"] = "true";
  }
  set("spark.openlineage.transport.url", plan.lineage?.url);
  return conf;
}

/** What the operator restarts: a long-running stream always, an available-now run on failure. */
function restartPolicy(p: Pipeline, plan: JobPlan): Json {
  const interval = Math.max(1, Math.round(p.orchestration.retryDelayMs / 1000));
  if (plan.longRunning)
    return {
      type: "Always",
      onFailureRetryInterval: interval,
      onSubmissionFailureRetryInterval: interval,
    };
  return {
    type: "OnFailure",
    onFailureRetries: p.orchestration.retries,
    onFailureRetryInterval: interval,
    onSubmissionFailureRetries: p.orchestration.retries,
    onSubmissionFailureRetryInterval: interval,
  };
}

const drop = <T extends Json>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;

/** The manifest of one stream's job, as an object (the caller serialises it). */
export function sparkApplication(p: Pipeline, k: SparkKubernetes, plan: JobPlan): Json {
  const secrets = secretNames(p, ["kafka", "nifi", "spark", "connections"]);
  const r = plan.resources;
  const labels = {
    "app.kubernetes.io/managed-by": "pipegen",
    "pipegen.io/pipeline": p.name,
    "pipegen.io/job": plan.job,
  };
  // The manifest's own fields carry what spark.kubernetes.* would (image, namespace, account).
  const conf = Object.fromEntries(
    Object.entries(plan.conf).filter(([key]) => !key.startsWith("spark.kubernetes.")),
  );
  const pyFiles = k.runtime === "jobFiles" ? [`${k.jobFiles}/${runtimeZip}`] : [];
  return {
    apiVersion: "sparkoperator.k8s.io/v1beta2",
    kind: "SparkApplication",
    metadata: {
      name: kubernetesNames.sparkApplication(p.name, plan.job),
      namespace: k.namespace,
      labels,
    },
    spec: drop({
      type: "Python",
      pythonVersion: "3",
      mode: "cluster",
      sparkVersion,
      image: k.image,
      imagePullPolicy: k.imagePullPolicy,
      imagePullSecrets: k.imagePullSecrets.length ? [...k.imagePullSecrets] : null,
      mainApplicationFile: `${k.jobFiles}/${plan.application}`,
      deps: drop({ packages: [...plan.packages], pyFiles: pyFiles.length ? pyFiles : null }),
      sparkConf: { ...conf, ...extraConf(plan) },
      restartPolicy: restartPolicy(p, plan),
      driver: drop({
        cores: 1,
        memory: r.driverMemory,
        serviceAccount: k.serviceAccount,
        labels,
        env: plan.environment.map((n) => envVar(k, n, secrets.has(n))),
      }),
      executor: drop({
        instances: r.numExecutors,
        cores: r.executorCores,
        memory: r.executorMemory,
        labels,
      }),
    }),
  };
}
