/**
 * The state of a pipeline's NiFi flow: every component by its versioned id (what NiFi matches
 * when a flow replaces a process group's), and the parameter context's parameters.
 */
import { nifiGroup } from "../../ir/names.js";
import { refNames } from "../../ir/refs.js";
import type { Pipeline, ValueRef } from "../../ir/types.js";
import { flowDefinition } from "../nifi/index.js";
import { at } from "./pointers.js";
import type { NifiComponentState, NifiParameterState, NifiState } from "./types.js";

type Json = Record<string, unknown>;

const kinds: Array<[string, NifiComponentState["kind"]]> = [
  ["processors", "processor"],
  ["controllerServices", "service"],
  ["connections", "connection"],
  ["outputPorts", "port"],
];

/** The spec part a group's components come from: its ingest, or (the root group) the connections. */
function groupAt(p: Pipeline, group: string, isRoot: boolean): string {
  return !isRoot && p.ingest.some((i) => i.name === group) ? at.ingest(group) : "/connections";
}

function component(
  p: Pipeline,
  c: Json,
  kind: NifiComponentState["kind"],
  g: Json,
  isRoot: boolean,
) {
  const group = String(g.name);
  const out: NifiComponentState = {
    at: groupAt(p, group, isRoot),
    group,
    kind,
    name: String(c.name),
    type: String(c.type ?? c.componentType),
  };
  if (kind === "connection") {
    const end = (e: unknown) => String((e as Json).name);
    const rels = (c.selectedRelationships as string[]).join(", ");
    out.name = `${end(c.source)} -> ${end(c.destination)} (${rels})`;
    out.from = end(c.source);
    out.to = end(c.destination);
  }
  const ing = p.ingest.find((i) => i.name === group);
  if (
    !isRoot &&
    ing &&
    String(c.type).endsWith(".QueryDatabaseTableRecord") &&
    ing.from.incrementalColumn
  )
    out.state = { keyedBy: [ing.from.table ?? "", ing.from.incrementalColumn] };
  return out;
}

function components(
  p: Pipeline,
  g: Json,
  isRoot: boolean,
  out: Record<string, NifiComponentState>,
) {
  for (const [key, kind] of kinds)
    for (const c of g[key] as Json[]) out[String(c.identifier)] = component(p, c, kind, g, isRoot);
  for (const child of g.processGroups as Json[]) {
    out[String(child.identifier)] = {
      at: groupAt(p, String(child.name), false),
      kind: "group",
      group: String(g.name),
      name: String(child.name),
      type: "PROCESS_GROUP",
    };
    components(p, child, false, out);
  }
}

/**
 * Where a parameter comes from: the connection whose setting it holds or that references it,
 * the platform's Kafka settings, else the ingests (settings only the deployment knows).
 */
function parameterAt(p: Pipeline, name: string): string {
  const dot = name.indexOf(".");
  if (dot > 0 && p.connections.some((c) => c.name === name.slice(0, dot)))
    return at.connection(name.slice(0, dot));
  if (name.startsWith("kafka.")) return at.platform("kafka");
  const bare = name.replace(/^env\./, "");
  const conn = p.connections.find((c) => refNames(...refValues(c)).includes(bare));
  if (conn) return at.connection(conn.name);
  const kafka = p.platform.kafka;
  if (
    refNames(
      kafka.bootstrapServers,
      kafka.schemaRegistry,
      kafka.saslUser,
      kafka.saslPassword,
    ).includes(bare)
  )
    return at.platform("kafka");
  return "/ingest";
}

/** The ValueRefs among a connection's settings (its JDBC options included). */
function refValues(c: object): ValueRef[] {
  const out: ValueRef[] = [];
  for (const v of Object.values(c))
    if (v && typeof v === "object" && "kind" in v) out.push(v as ValueRef);
    else if (v && typeof v === "object") out.push(...refValues(v));
  return out;
}

export function nifiState(p: Pipeline): NifiState | null {
  if (!p.ingest.length) return null;
  const flow = flowDefinition(p);
  const out: Record<string, NifiComponentState> = {};
  components(p, flow.flowContents as Json, true, out);
  const group = nifiGroup(p.name);
  const ctx = (flow.parameterContexts as Record<string, Json>)[group]!;
  const parameters: Record<string, NifiParameterState> = {};
  for (const x of ctx.parameters as Json[])
    parameters[String(x.name)] = {
      at: parameterAt(p, String(x.name)),
      sensitive: Boolean(x.sensitive),
      value: typeof x.value === "string" ? x.value : null,
    };
  return { group, components: out, parameters };
}
