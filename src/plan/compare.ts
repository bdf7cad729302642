/** Two states of one pipeline, compared system by system. Pure. */
import { stateFormat, type PipelineState } from "../emit/state/index.js";
import { airflowRules } from "./rules/airflow.js";
import { kafkaRules } from "./rules/kafka.js";
import { nifiRules } from "./rules/nifi.js";
import { registryRules } from "./rules/registry.js";
import { sinkRules } from "./rules/sinks.js";
import { sparkRules } from "./rules/spark.js";
import type { Comparison, Finding } from "./types.js";

/** The state of a pipeline that does not exist (before it is added, after it is removed). */
export function emptyState(
  pipeline: string,
  spec: string,
  environment: string | null,
): PipelineState {
  return {
    format: stateFormat,
    pipeline,
    spec,
    environment,
    kafka: { topics: {} },
    registry: { subjects: {} },
    spark: { checkpointRoot: "", jobs: {} },
    sinks: {},
    airflow: { dags: {} },
    nifi: null,
  };
}

/** Every finding of every system for one pipeline, in a stable order. */
export function compare(c: Comparison): Finding[] {
  return [
    ...kafkaRules(c),
    ...registryRules(c, "the baseline"),
    ...sparkRules(c),
    ...sinkRules(c),
    ...airflowRules(c),
    ...nifiRules(c),
  ];
}
