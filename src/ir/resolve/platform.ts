/**
 * `platform:`: where the pipeline runs: Kafka (brokers, schema registry, SASL), NiFi, Spark
 * (master, deploy mode, checkpoints, conf) and the Airflow connection ids.
 */
import type * as S from "../../schema/spec.gen.js";
import type * as I from "../types.js";
import { valueRef } from "../values.js";
import { type Ctx, err } from "./context.js";
import { defaults } from "./defaults.js";
import { kubernetesNames } from "../names.js";

export function resolvePlatform(ctx: Ctx, s: S.PipegenSpec, env: string | null): I.Platform {
  const pf = s.platform ?? {};
  const platform: I.Platform = {
    kafka: {
      bootstrapServers: valueRef(pf.kafka?.bootstrapServers ?? defaults.kafkaBootstrap),
      schemaRegistry: valueRef(pf.kafka?.schemaRegistry ?? defaults.schemaRegistry),
      securityProtocol: pf.kafka?.securityProtocol ?? defaults.securityProtocol,
      saslMechanism: pf.kafka?.saslMechanism ?? null,
      saslUser: pf.kafka?.saslUser ? valueRef(pf.kafka.saslUser) : null,
      saslPassword: pf.kafka?.saslPassword ? valueRef(pf.kafka.saslPassword) : null,
    },
    nifi: {
      url: valueRef(pf.nifi?.url ?? defaults.nifiUrl),
      version: pf.nifi?.version ?? defaults.nifiVersion,
    },
    spark: {
      master: valueRef(pf.spark?.master ?? defaults.sparkMaster),
      deployMode: pf.spark?.deployMode ?? defaults.sparkDeployMode,
      checkpointRoot: valueRef(pf.spark?.checkpointRoot ?? defaults.checkpointRoot),
      shufflePartitions: pf.spark?.shufflePartitions ?? defaults.shufflePartitions,
      conf: Object.fromEntries(
        Object.entries(pf.spark?.conf ?? {})
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [k, String(v)]),
      ),
      kubernetes: kubernetes(s.pipeline, pf.spark?.kubernetes),
      yarn: yarn(pf.spark?.yarn),
    },
    lineage: pf.lineage
      ? {
          url: valueRef(pf.lineage.url),
          namespace: pf.lineage.namespace ?? defaults.lineageNamespace,
        }
      : null,
    airflow: { ...defaults.airflow, ...pf.airflow },
  };
  if (pf.kafka?.securityProtocol?.startsWith("SASL") && !pf.kafka.saslPassword)
    err(
      ctx,
      "PG305",
      "/platform/kafka/securityProtocol",
      `${pf.kafka.securityProtocol} needs saslUser and saslPassword`,
      "add saslUser: <user> and saslPassword: \"${secret:NAME}\" to 'platform.kafka'",
    );
  checkSpark(ctx, s, env, platform.spark);
  return platform;
}

type SpecSpark = NonNullable<NonNullable<S.PipegenSpec["platform"]>["spark"]>;

function kubernetes(pipeline: string, k: SpecSpark["kubernetes"]): I.SparkKubernetes | null {
  if (!k) return null;
  return {
    image: k.image,
    namespace: k.namespace,
    serviceAccount: k.serviceAccount,
    jobFiles: k.jobFiles,
    runtime: k.runtime ?? defaults.kubernetesRuntime,
    uploadPath: k.uploadPath ?? null,
    imagePullPolicy: k.imagePullPolicy ?? null,
    imagePullSecrets: k.imagePullSecrets ?? [],
    secretName: k.secretName ?? kubernetesNames.secret(pipeline),
    configMapName: k.configMapName ?? kubernetesNames.configMap(pipeline),
  };
}

function yarn(y: SpecSpark["yarn"]): I.SparkYarn | null {
  if (!y) return null;
  return {
    queue: y.queue ?? null,
    pythonEnv: y.pythonEnv ?? null,
    driverPython: y.driverPython ?? defaults.yarnDriverPython,
    files: y.files ?? [],
  };
}

/** The pointer of a platform setting: in the environment overlay when it sets it, else in the spec. */
function settingPointer(s: S.PipegenSpec, env: string | null, ...path: string[]): string {
  let overlay: unknown = env === null ? undefined : s.environments?.[env];
  for (const k of path) overlay = (overlay as Record<string, unknown> | undefined)?.[k];
  return overlay === undefined ? `/${path.join("/")}` : `/environments/${env}/${path.join("/")}`;
}

/** S3 bucket names: 3 to 63 lowercase letters, digits, dots and hyphens (AWS's rules). */
const bucketName = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Spark settings that cannot run: a local master in cluster mode, checkpoints in no valid bucket. */
function checkSpark(ctx: Ctx, s: S.PipegenSpec, env: string | null, spark: I.Platform["spark"]) {
  const master = spark.master.kind === "literal" ? spark.master.value : null;
  if (master?.startsWith("local") && spark.deployMode === "cluster")
    err(
      ctx,
      "PG305",
      settingPointer(s, env, "platform", "spark", "deployMode"),
      `deployMode 'cluster' cannot run on master '${master}': a local master has no cluster to place the driver on`,
      "use 'deployMode: client' with a local master, or a cluster master (yarn, k8s://..., spark://...)",
    );
  if (master?.startsWith("k8s://") && !spark.kubernetes)
    err(
      ctx,
      "PG204",
      settingPointer(s, env, "platform", "spark", "master"),
      `master '${master}' is Kubernetes, which needs the container image, namespace, service account and where the driver finds the job files`,
      "add 'kubernetes: {image: <registry>/<image>:<tag>, namespace: <ns>, serviceAccount: <sa>, jobFiles: local:///<folder in the image>}' to 'platform.spark'",
    );
  if (spark.master.kind !== "literal" && spark.kubernetes && spark.yarn)
    err(
      ctx,
      "PG305",
      settingPointer(s, env, "platform", "spark", "yarn"),
      "kubernetes and yarn settings with a master that is only known when the job is submitted: pipegen cannot tell which to apply",
      "give the master as text (yarn or k8s://...), or keep the settings of one cluster manager (an environment overlay can set the other's)",
    );
  const root = spark.checkpointRoot.kind === "literal" ? spark.checkpointRoot.value : "";
  const bucket = /^s3[an]?:\/\/([^/]*)/.exec(root)?.[1];
  if (bucket !== undefined && !bucketName.test(bucket))
    err(
      ctx,
      "PG203",
      settingPointer(s, env, "platform", "spark", "checkpointRoot"),
      `'${bucket}' is not a valid S3 bucket name, so checkpoints under '${root}' cannot be written`,
      "a bucket name has 3 to 63 lowercase letters, digits, dots and hyphens, and starts and ends with a letter or digit",
    );
}
