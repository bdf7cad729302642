/**
 * NiFi: the ingestion DAG replaces the process group's flow with the new definition (a replace
 * request), matching components by their versioned ids, and fills parameters from Airflow.
 */
import type { NifiComponentState, NifiState } from "../../emit/state/index.js";
import type { Comparison, Finding } from "../types.js";
import { keyDiff, same } from "./common.js";

const empty: NifiState = { group: "", components: {}, parameters: {} };

const label = (c: NifiComponentState) => `${c.kind} '${c.name}' in group ${c.group}`;

/** A removed and an added component of the same group, kind, name and type: re-created. */
function recreated(b: NifiState, a: NifiState, removed: string[], added: string[]) {
  const sig = (c: NifiComponentState) => JSON.stringify([c.kind, c.group, c.name, c.type]);
  const out: Array<[string, string]> = [];
  for (const r of removed) {
    const m = added.find(
      (x) => sig(a.components[x]!) === sig(b.components[r]!) && !out.some(([, y]) => y === x),
    );
    if (m) out.push([r, m]);
  }
  return out;
}

const twice =
  "each such record reaches the topic a second time (upsert sinks absorb it; append sinks, Kafka sinks and dead letters get it twice)";

/**
 * QueryDatabaseTableRecord keeps the largest value seen per table and column in its state
 * ("<table>@!@<column>"), by the processor's id; a replace keeps the state of a processor whose id
 * stays, the entries of other columns and tables included (plan-nifi.e2e.test.ts).
 */
function sourceState(
  b: NifiComponentState | undefined,
  a: NifiComponentState,
  object: string,
  fresh: boolean,
): Finding[] {
  if (!a.state) return [];
  if (!fresh && b?.state && same(b.state, a.state)) return [];
  const [table, column] = a.state.keyedBy;
  return [
    {
      rule: "NIFI_SOURCE_STATE_RESET",
      object,
      action: fresh ? "-/+" : "~",
      at: `${a.at}/from`,
      message: fresh
        ? `the source is a new component (a new id): NiFi keeps a processor's state by its id, so the new one has no largest value seen and publishes every row of the table again: ${twice}`
        : `the source keeps the largest value it has seen per table and column, and reads (${table}, ${column}) now instead of (${b?.state?.keyedBy.join(", ") ?? "none"}): it has no value for that pair, so it publishes every row of the table again (unless an earlier deploy read that pair: its state still holds the value of then, and it publishes every row above the value it kept then): ${twice}`,
      hint: `keep the ingest's name, table and incrementalColumn; if the change must be, deploy it where the sinks absorb the re-read rows, or accept the duplicates with an 'except' entry (NiFi can clear a processor's state, not set it)`,
    },
  ];
}

/** Components as few words: "validate order, set attributes and 3 more". */
function names(list: NifiComponentState[]): string {
  const shown = list.slice(0, 4).map((c) => `${c.kind} '${c.name}'`);
  return list.length > 4 ? `${shown.join(", ")} and ${list.length - 4} more` : shown.join(", ");
}

/** Findings per process group: one for the components of a kind of change. */
function perGroup(
  list: NifiComponentState[],
  make: (group: string, items: NifiComponentState[]) => Finding,
): Finding[] {
  const groups = [...new Set(list.map((c) => c.group))].sort();
  return groups.map((g) =>
    make(
      g,
      list.filter((c) => c.group === g),
    ),
  );
}

function components(b: NifiState, a: NifiState): Finding[] {
  const d = keyDiff(b.components, a.components);
  const pairs = recreated(b, a, d.removed, d.added);
  const out: Finding[] = [];
  const remade = pairs.map(([, to]) => a.components[to]!);
  out.push(
    ...perGroup(remade, (g, items) => ({
      rule: "NIFI_COMPONENT_RECREATED",
      object: `process group ${g}`,
      action: "-/+",
      at: items[0]!.at,
      message: `${items.length} component${items.length === 1 ? " is" : "s are"} re-created under new ids (${names(items)}): the replace removes the old ones (refusing while a removed connection's queue holds FlowFiles) and adds new ones, without what NiFi kept for the old (state, counters, queued FlowFiles)`,
      hint: "stop the group's source and let its queues drain before deploying",
    })),
  );
  for (const [from, to] of pairs)
    out.push(...sourceState(b.components[from], a.components[to]!, label(a.components[to]!), true));
  const fresh = d.added.filter((x) => !pairs.some(([, y]) => y === x)).map((x) => a.components[x]!);
  out.push(
    ...perGroup(fresh, (g, items) => ({
      rule: "NIFI_COMPONENT_ADDED",
      object: `process group ${g}`,
      action: "+",
      at: items[0]!.at,
      message: `the replace of the flow adds ${items.length} component${items.length === 1 ? "" : "s"} (${names(items)})`,
    })),
  );
  if (Object.keys(b.components).length)
    for (const x of fresh) out.push(...sourceState(undefined, x, label(x), true));
  const gone = d.removed.filter((x) => !pairs.some(([y]) => y === x)).map((x) => b.components[x]!);
  out.push(
    ...perGroup(
      gone.filter((x) => x.kind === "connection"),
      (g, items) => ({
        rule: "NIFI_CONNECTION_REMOVED",
        object: `process group ${g}`,
        action: "~",
        at: items[0]!.at,
        gone: true,
        message: `the replace removes ${items.length} connection${items.length === 1 ? "" : "s"} (${names(items)}), and NiFi refuses to remove a connection whose queue holds FlowFiles: the update fails until the queue is empty`,
        hint: "stop the group's source and let its queues drain (or empty them) before deploying",
      }),
    ),
    ...perGroup(
      gone.filter((x) => x.kind !== "connection"),
      (g, items) => ({
        rule: "NIFI_COMPONENT_REMOVED",
        object: `process group ${g}`,
        action: "~",
        at: items[0]!.at,
        gone: true,
        message: `the replace stops and removes ${names(items)}, with their state`,
      }),
    ),
  );
  for (const id of d.common)
    out.push(...sourceState(b.components[id], a.components[id]!, label(a.components[id]!), false));
  return out;
}

function parameters(b: NifiState, a: NifiState): Finding[] {
  const d = keyDiff(b.parameters, a.parameters);
  const out: Finding[] = [];
  for (const n of d.added) {
    const x = a.parameters[n]!;
    if (x.value !== null) continue;
    out.push({
      rule: x.sensitive ? "NIFI_SENSITIVE_PARAMETER_ADDED" : "NIFI_PARAMETER_ADDED",
      object: `parameter ${n}`,
      action: "+",
      at: x.at,
      message: `${x.sensitive ? "a sensitive parameter" : "a parameter"} without a value: the deploy fills it from the Airflow variable ${n}, and fails (NiFi parameters without a value) when that variable is not set`,
      hint: `set the Airflow variable ${n} before deploying`,
    });
  }
  for (const n of d.removed)
    out.push({
      rule: "NIFI_PARAMETER_REMOVED",
      object: `parameter ${n}`,
      action: "-",
      at: b.parameters[n]!.at,
      gone: true,
      message: "no component uses it any more; it stays in the parameter context",
    });
  for (const n of d.common) {
    const [x, y] = [b.parameters[n]!, a.parameters[n]!];
    if (x.value !== y.value || x.sensitive !== y.sensitive)
      out.push({
        rule: "NIFI_PARAMETER_VALUE_CHANGED",
        object: `parameter ${n}`,
        action: "~",
        at: y.at,
        message: `value ${x.value ?? "(set when deploying)"} -> ${y.value ?? "(set when deploying)"}${x.sensitive !== y.sensitive ? `, sensitive ${x.sensitive} -> ${y.sensitive}` : ""}: the parameter context exists, and a replace keeps the values of its existing parameters; the deploy changes a value only from the Airflow variable ${n}`,
        hint: `set the Airflow variable ${n} to the new value (or change the parameter in NiFi)`,
      });
  }
  return out;
}

export function nifiRules(c: Comparison): Finding[] {
  const b = c.before.nifi ?? empty;
  const a = c.after.nifi ?? empty;
  return [...components(b, a), ...parameters(b, a)];
}
