import { kubernetesPaths } from "../../ir/names.js";
import type { Pipeline } from "../../ir/types.js";
import { headerLines } from "../shared/header.js";
import type { GeneratedFile } from "../shared/types.js";
import { stableYaml } from "../shared/yaml.js";
import { sparkJobPlans } from "../spark/submit.js";
import { sparkApplication } from "./spark-application.js";

/**
 * Kubernetes target: with platform.spark.kubernetes, a SparkApplication manifest per stream for
 * the Kubeflow Spark operator (from the Spark target's JobPlans, like the Airflow DAGs).
 */
export function emitKubernetes(p: Pipeline): GeneratedFile[] {
  const k = p.platform.spark.kubernetes;
  if (!k) return [];
  const plans = sparkJobPlans(p);
  return p.streams.map((s) => ({
    path: kubernetesPaths.sparkApplication(p.name, s.name),
    content: stableYaml(sparkApplication(p, k, plans.get(s.name)!), headerLines(p)),
  }));
}
