/**
 * NiFi target: one flow definition per pipeline with `ingest:` entries,
 * `<pipeline>/nifi/<pipeline>.flow.json`, in the format of NiFi 2.x's "Download flow
 * definition" (what "Upload flow definition", NiFi Registry and the stateless engine read).
 *
 * The root process group holds the services the ingests share (Kafka, the schema registry,
 * record readers and writers, one connection pool per database) and one child process group
 * per ingest:
 *
 *   source (QueryDatabaseTableRecord | GetMongo + ValidateRecord reading the JSON documents)
 *     -> steps in spec order (ValidateRecord [+ enum check] | UpdateAttribute)
 *     -> ValidateRecord against the topic's schema [+ enum check], unless the last step did so
 *     -> derive message key (UpdateRecord, when the key field is not a string)
 *     -> route (PartitionRecord on the routed fields + RouteOnAttribute), when there are routes
 *     -> per destination topic: ValidateRecord against its schema [+ enum check] when a routed
 *        topic's schema is another, SplitRecord (JSON topics), PublishKafka
 *   every failure relationship: retried (onError.retries, onError.backoff), then tagged
 *   (UpdateAttribute: pipegen.reason, pipegen.step) and published to the dead-letter topic, one
 *   JSON record per message (SplitRecord first for Avro content); without a dead-letter topic,
 *   and when the dead-letter publish fails too, the FlowFile goes to the group's "failure" port
 *   (portFunction FAILURE: a stateless run fails and rolls back; full NiFi keeps the FlowFile
 *   queued). Nothing that carries data is auto-terminated.
 *
 * FlowFile content between processors is Avro with the schema embedded (the source's record
 * schema, then the validated schema). Avro topics are written in the Confluent wire format
 * (magic byte, schema id, Avro body) by an AvroRecordSetWriter that looks the topic's subject
 * up in the schema registry, so the schemas must be registered before the flow runs.
 */
import { avroNamespace, nifiGroup, nifiPaths } from "../../ir/names.js";
import { secretNames } from "../../ir/refs.js";
import type { Pipeline } from "../../ir/types.js";
import { headerText } from "../shared/header.js";
import { stableJson } from "../shared/json.js";
import type { GeneratedFile } from "../shared/types.js";
import { GroupBuilder } from "./flow.js";
import { componentIds } from "./ids.js";
import { emitIngest, type Flow } from "./ingest.js";
import { Parameters } from "./params.js";
import { Services } from "./services.js";

/**
 * The flow definition: the root group with the shared services and a group per ingest (also
 * read by the state target for the components' ids and the parameters).
 */
export function flowDefinition(p: Pipeline): Record<string, unknown> {
  // The NiFi and the state targets both read it, one after the other: built once per pipeline.
  if (last?.p !== p) last = { p, flow: buildFlowDefinition(p) };
  return last.flow;
}

/** The last flow definition built (callers only read it). */
let last: { p: Pipeline; flow: Record<string, unknown> } | undefined;

function buildFlowDefinition(p: Pipeline): Record<string, unknown> {
  // Every secret the flow may use (Kafka client, connection settings, JDBC options) stays a
  // sensitive parameter.
  const params = new Parameters(secretNames(p, ["kafka", "connections"]));
  const group = nifiGroup(p.name);
  const root = new GroupBuilder(
    p.name,
    "flow",
    group,
    p.platform.nifi.version,
    { x: 0, y: 0 },
    group,
    p.description,
  );
  const namespace = avroNamespace(p.name);
  const flow: Flow = {
    p,
    params,
    root,
    namespace,
    services: new Services(p, root, params, namespace),
  };
  p.ingest.forEach((ing, i) =>
    emitIngest(flow, ing, { x: (i % 3) * 700, y: Math.floor(i / 3) * 500 }),
  );
  const ctx = componentIds(p.name, "parameter-context");
  // Keys in stableJson's order (see flow.ts).
  return {
    $comment: headerText(p),
    externalControllerServices: {},
    flowContents: root.toJson(),
    flowEncodingVersion: "1.0",
    latest: false,
    parameterContexts: {
      [group]: {
        componentType: "PARAMETER_CONTEXT",
        description: `Connection settings of pipeline ${p.name}. Parameters without a value are set when the flow is deployed.`,
        identifier: ctx.identifier,
        inheritedParameterContexts: [],
        name: group,
        parameters: params.toJson(),
      },
    },
    parameterProviders: {},
  };
}

export function emitNifi(p: Pipeline): GeneratedFile[] {
  if (p.ingest.length === 0) return [];
  return [{ path: nifiPaths.flow(p.name), content: stableJson(flowDefinition(p)) }];
}
