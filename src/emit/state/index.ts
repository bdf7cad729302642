/**
 * State target: `<pipeline>/pipegen-state.json`, what the running systems hold once this build
 * is deployed (types.ts), for `pipegen plan` to compare builds. Pure, deterministic.
 */
import { statePath } from "../../ir/names.js";
import type { Pipeline } from "../../ir/types.js";
import { headerText } from "../shared/header.js";
import { stableJson } from "../shared/json.js";
import type { GeneratedFile } from "../shared/types.js";
import { dagStates } from "./airflow.js";
import { subjectStates, topicStates } from "./kafka.js";
import { nifiState } from "./nifi.js";
import { sinkStates } from "./sinks.js";
import { jobStates } from "./spark.js";
import { stateFormat, type PipelineState } from "./types.js";
import { valueText } from "./values.js";

export type * from "./types.js";
export { stateFormat } from "./types.js";

/** The state of a pipeline, as its state file holds it. */
export function pipelineState(p: Pipeline): PipelineState {
  return {
    format: stateFormat,
    pipeline: p.name,
    spec: p.specFile,
    environment: p.environment,
    kafka: { topics: topicStates(p) },
    registry: { subjects: subjectStates(p) },
    spark: { checkpointRoot: valueText(p.platform.spark.checkpointRoot), jobs: jobStates(p) },
    sinks: sinkStates(p),
    airflow: { dags: dagStates(p) },
    nifi: nifiState(p),
  };
}

export function emitState(p: Pipeline): GeneratedFile[] {
  return [
    {
      path: statePath(p.name),
      content: stableJson({ $comment: headerText(p), ...pipelineState(p) }),
    },
  ];
}
