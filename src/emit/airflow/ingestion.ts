import { createHash } from "node:crypto";
import {
  airflowPaths,
  dagIds,
  kafkaPaths,
  nifiGroup,
  nifiPaths,
  topicAssetUri,
  topicTaskIds,
} from "../../ir/names.js";
import type { Pipeline } from "../../ir/types.js";
import { RUNTIME_PACKAGE, RUNTIME_VERSION } from "../shared/runtime.js";
import { render } from "../shared/templates.js";
import type { GeneratedFile } from "../shared/types.js";
import { deadlineTexts, doc, sdkImports, settings } from "./settings.js";

/** The deployment of the pipeline's NiFi flow, or null when it has no ingests. */
function nifiDeployment(p: Pipeline) {
  if (!p.ingest.length) return null;
  const h = createHash("sha256").update(p.name).digest();
  // The flow's parameter for a ${env:NAME} is NAME: the bootstrap servers and the registry
  // URL references take their values from the Airflow connections, like the other tasks'.
  const k = p.platform.kafka;
  const fromConnections = [
    ...(k.bootstrapServers.kind === "env"
      ? [{ name: k.bootstrapServers.name, source: "kafka" }]
      : []),
    ...(k.schemaRegistry?.kind === "env"
      ? [{ name: k.schemaRegistry.name, source: "registry" }]
      : []),
  ];
  return {
    connection: p.platform.airflow.nifiConnection,
    fromConnections,
    group: nifiGroup(p.name),
    flowFile: nifiPaths.flowFile(p.name),
    // A stable spot on the root canvas, so that pipelines do not stack on one another.
    x: (h[0]! % 8) * 450,
    y: (h[1]! % 8) * 250,
  };
}

/** What the header says about the runtime the DAG imports (lines of 88 characters at most). */
export const runtimeNote = [
  `Needs ${RUNTIME_PACKAGE}==${RUNTIME_VERSION} in the Airflow environment: add it to the`,
  "image's requirements (pip install ./runtime from the pipegen repository).",
].join("\n");

/** The ingestion DAG: the topics, their schemas in the registry, and the NiFi flow. */
export function ingestionDag(p: Pipeline): GeneratedFile | null {
  // Nothing to create or deploy without topics (an ingest entry always names one).
  if (!p.topics.length) return null;
  const s = settings(p);
  const a = p.platform.airflow;
  const withSchema = p.topics.filter((t) => t.schema && t.subject);
  const ids = topicTaskIds(withSchema);
  const nifi = nifiDeployment(p);
  const schedule = p.orchestration.schedule ?? "@once";
  const what =
    "Creates or updates the pipeline's Kafka topics" +
    (withSchema.length ? ", registers their Avro schemas" : "") +
    (nifi ? ` and deploys and starts its NiFi flow (process group ${nifiGroup(p.name)}).` : ".");
  const deadline = s.deadline !== null;
  const path = airflowPaths.ingestion(p.name);
  return {
    path,
    format: "python",
    content: render("airflow/ingestion_dag.py.hbs", {
      ...s,
      runtimeNote,
      runtimeVersion: RUNTIME_VERSION,
      fileName: path.slice(path.lastIndexOf("/") + 1),
      sdkImports: sdkImports([
        "DAG",
        "Asset",
        "task",
        deadline && "AsyncCallback",
        deadline && "DeadlineAlert",
        deadline && "DeadlineReference",
        withSchema.length > 0 && "TaskGroup",
        nifi !== null && "Param",
      ]),
      usesHttp: withSchema.length > 0 || nifi !== null,
      kafkaConnection: a.kafkaConnection,
      registryConnection: a.schemaRegistryConnection,
      topics: p.topics.map((t) => ({
        name: t.name,
        uri: topicAssetUri(a.kafkaConnection, t.name),
      })),
      schemas: withSchema.map((t) => ({
        taskId: ids.get(t.name)!,
        subject: t.subject,
        file: kafkaPaths.schemaFile(t.name),
        compatibility: t.compatibility,
      })),
      nifi,
      // The DAG's arguments (templates/airflow/_dag.py.hbs).
      id: dagIds.ingestion(p.name),
      ...deadlineTexts(p, dagIds.ingestion(p.name), deadline),
      description: `${p.name}: Kafka topics${withSchema.length ? ", Avro schemas" : ""}${nifi ? ", NiFi flow" : ""}`,
      doc: doc(p, what),
      schedule,
      maxActiveRuns: schedule === "@continuous" ? 1 : p.orchestration.maxActiveRuns,
    }),
  };
}
