/**
 * Builders for the parts of a NiFi flow definition (a NiFi Registry VersionedFlowSnapshot, what
 * "Download flow definition" writes), in the exact shape of the flow that the real stateless
 * engine runs (test/e2e/engines/nifi/flows/postgres-to-kafka.json). Every field is written
 * even when it holds NiFi's default, so the file reads the same in any NiFi 2.x.
 */
import { components, type ComponentName, type ComponentSpec } from "./components.js";
import { componentIds } from "./ids.js";

type Json = Record<string, unknown>;

export interface Position {
  x: number;
  y: number;
}

export interface Retry {
  /** How many more times a FlowFile routed to a retried relationship is processed. */
  count: number;
  /** NiFi time period: the penalty before each retry (and the cap of its backoff). */
  backoff: string;
}

export interface ProcessorOptions {
  properties: Record<string, string>;
  position: Position;
  comments?: string;
  schedulingPeriod?: string;
  /** Sources run on the primary node only. */
  primaryNodeOnly?: boolean;
  /** Relationships that are dropped on purpose (never one whose FlowFiles carry data that would be lost). */
  autoTerminated?: readonly string[];
  /** Retry the `failure` relationship (when the processor has one). */
  retry?: Retry;
  penaltyDuration?: string;
}

export interface ServiceOptions {
  properties: Record<string, string>;
  comments?: string;
}

/** A reference to a processor or port, for connections. */
export interface Endpoint {
  id: string;
  groupId: string;
  name: string;
  type: "PROCESSOR" | "OUTPUT_PORT";
  spec?: ComponentSpec;
}

// Every object below is written with its keys in stableJson's order, which then serialises it as
// it is instead of copying it; sortedProperties puts a component's properties in that order.
const sortedProperties = (properties: Record<string, string>) =>
  Object.fromEntries(
    Object.keys(properties)
      .sort()
      .map((k) => [k, properties[k]!]),
  );

const bundle = (artifact: string, version: string) => ({
  artifact,
  group: "org.apache.nifi",
  version,
});

/** One process group and what is in it; `toJson()` gives the VersionedProcessGroup. */
export class GroupBuilder {
  readonly identifier: string;
  readonly instanceIdentifier: string;
  readonly processors: Json[] = [];
  readonly services: Json[] = [];
  readonly connections: Json[] = [];
  readonly outputPorts: Json[] = [];
  readonly groups: GroupBuilder[] = [];
  /** Relationships of each processor that a connection or auto-termination takes care of. */
  readonly handled = new Map<string, Set<string>>();
  constructor(
    readonly pipeline: string,
    readonly path: string,
    readonly name: string,
    readonly version: string,
    readonly position: Position,
    readonly parameterContextName: string,
    readonly comments = "",
    readonly groupIdentifier?: string,
  ) {
    const ids = componentIds(pipeline, path);
    this.identifier = ids.identifier;
    this.instanceIdentifier = ids.instanceIdentifier;
  }

  child(path: string, name: string, position: Position, comments = ""): GroupBuilder {
    const g = new GroupBuilder(
      this.pipeline,
      path,
      name,
      this.version,
      position,
      this.parameterContextName,
      comments,
      this.identifier,
    );
    this.groups.push(g);
    return g;
  }

  private ids(path: string) {
    return componentIds(this.pipeline, `${this.path}/${path}`);
  }

  service(path: string, component: ComponentName, name: string, opts: ServiceOptions): string {
    const spec: ComponentSpec = components[component];
    const ids = this.ids(`service/${path}`);
    const json = {
      bulletinLevel: "WARN",
      bundle: bundle(spec.artifact, this.version),
      comments: opts.comments ?? "",
      componentType: "CONTROLLER_SERVICE",
      controllerServiceApis: [
        { bundle: bundle(spec.api!.artifact, this.version), type: spec.api!.type },
      ],
      groupIdentifier: this.identifier,
      identifier: ids.identifier,
      instanceIdentifier: ids.instanceIdentifier,
      name,
      position: { x: 0, y: 0 },
      properties: sortedProperties(opts.properties),
      propertyDescriptors: {},
      scheduledState: "ENABLED",
      type: spec.type,
    };
    this.services.push(json);
    return json.identifier;
  }

  processor(
    path: string,
    component: ComponentName,
    name: string,
    opts: ProcessorOptions,
  ): Endpoint {
    const spec: ComponentSpec = components[component];
    const retried =
      opts.retry && opts.retry.count > 0 && spec.relationships?.includes("failure")
        ? ["failure"]
        : [];
    const ids = this.ids(`processor/${path}`);
    const json = {
      autoTerminatedRelationships: [...(opts.autoTerminated ?? [])].sort(),
      backoffMechanism: "PENALIZE_FLOWFILE",
      bulletinLevel: "WARN",
      bundle: bundle(spec.artifact, this.version),
      comments: opts.comments ?? "",
      componentType: "PROCESSOR",
      concurrentlySchedulableTaskCount: 1,
      executionNode: opts.primaryNodeOnly ? "PRIMARY" : "ALL",
      groupIdentifier: this.identifier,
      identifier: ids.identifier,
      instanceIdentifier: ids.instanceIdentifier,
      maxBackoffPeriod: retried.length ? opts.retry!.backoff : "10 mins",
      name,
      penaltyDuration: opts.retry?.backoff ?? opts.penaltyDuration ?? "30 sec",
      position: opts.position,
      properties: sortedProperties(opts.properties),
      propertyDescriptors: {},
      retriedRelationships: retried,
      retryCount: retried.length ? opts.retry!.count : 0,
      runDurationMillis: 0,
      scheduledState: "ENABLED",
      schedulingPeriod: opts.schedulingPeriod ?? "0 sec",
      schedulingStrategy: "TIMER_DRIVEN",
      style: {},
      type: spec.type,
      yieldDuration: "1 sec",
    };
    this.processors.push(json);
    this.handled.set(json.identifier, new Set(opts.autoTerminated ?? []));
    return {
      id: json.identifier,
      groupId: this.identifier,
      name,
      type: "PROCESSOR",
      spec,
    };
  }

  /**
   * The group's failure port: a FlowFile that reaches it fails a stateless run (which rolls
   * back, so the source reads the same rows again next time). In full NiFi the port is
   * DISABLED: FlowFiles wait in the connection before it for an operator (a disabled port
   * needs no outgoing connection and does not make the group invalid).
   */
  failurePort(path: string, name: string, position: Position): Endpoint {
    const ids = this.ids(`port/${path}`);
    const json = {
      allowRemoteAccess: false,
      comments: "",
      componentType: "OUTPUT_PORT",
      concurrentlySchedulableTaskCount: 1,
      groupIdentifier: this.identifier,
      identifier: ids.identifier,
      instanceIdentifier: ids.instanceIdentifier,
      name,
      portFunction: "FAILURE",
      position,
      scheduledState: "DISABLED",
      type: "OUTPUT_PORT",
    };
    this.outputPorts.push(json);
    return { id: json.identifier, groupId: this.identifier, name, type: "OUTPUT_PORT" };
  }

  connect(source: Endpoint, relationships: readonly string[], destination: Endpoint): void {
    const rels = [...relationships].sort();
    const key = `${source.id}:${rels.join(",")}->${destination.id}`;
    const endpoint = (e: Endpoint) => ({
      comments: "",
      groupId: e.groupId,
      id: e.id,
      name: e.name,
      type: e.type,
    });
    const ids = this.ids(`connection/${key}`);
    this.connections.push({
      backPressureDataSizeThreshold: "1 GB",
      backPressureObjectThreshold: 10000,
      bends: [],
      comments: "",
      componentType: "CONNECTION",
      destination: endpoint(destination),
      flowFileExpiration: "0 sec",
      groupIdentifier: this.identifier,
      identifier: ids.identifier,
      instanceIdentifier: ids.instanceIdentifier,
      labelIndex: 1,
      loadBalanceCompression: "DO_NOT_COMPRESS",
      loadBalanceStrategy: "DO_NOT_LOAD_BALANCE",
      name: "",
      partitioningAttribute: "",
      prioritizers: [],
      selectedRelationships: rels,
      source: endpoint(source),
      zIndex: 0,
    });
    const handled = this.handled.get(source.id);
    if (handled) for (const r of rels) handled.add(r);
  }

  toJson(): Json {
    const byId = (a: Json, b: Json) =>
      (a.identifier as string) < (b.identifier as string) ? -1 : 1;
    return {
      comments: this.comments,
      componentType: "PROCESS_GROUP",
      connections: [...this.connections].sort(byId),
      controllerServices: [...this.services].sort(byId),
      defaultBackPressureDataSizeThreshold: "1 GB",
      defaultBackPressureObjectThreshold: 10000,
      defaultFlowFileExpiration: "0 sec",
      executionEngine: "INHERITED",
      flowFileConcurrency: "UNBOUNDED",
      flowFileOutboundPolicy: "STREAM_WHEN_AVAILABLE",
      funnels: [],
      ...(this.groupIdentifier ? { groupIdentifier: this.groupIdentifier } : {}),
      identifier: this.identifier,
      inputPorts: [],
      instanceIdentifier: this.instanceIdentifier,
      labels: [],
      maxConcurrentTasks: 1,
      name: this.name,
      outputPorts: [...this.outputPorts].sort(byId),
      parameterContextName: this.parameterContextName,
      position: this.position,
      processGroups: this.groups.map((g) => g.toJson()).sort(byId),
      processors: [...this.processors].sort(byId),
      remoteProcessGroups: [],
      scheduledState: "ENABLED",
      statelessFlowTimeout: "1 min",
    };
  }
}

/** Milliseconds as a NiFi time period ("30 sec", "1 min", "2 hours", "250 millis"). */
export function nifiDuration(ms: number): string {
  const units: Array<[number, string, string]> = [
    [86_400_000, "day", "days"],
    [3_600_000, "hour", "hours"],
    [60_000, "min", "mins"],
    [1000, "sec", "secs"],
  ];
  for (const [size, one, many] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${ms === size ? one : many}`;
  }
  return `${ms} millis`;
}
