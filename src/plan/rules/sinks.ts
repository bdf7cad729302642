/**
 * Sinks: the tables, collections, topics and paths streams write. The job creates a table only
 * when it is missing (CREATE TABLE IF NOT EXISTS), so an existing table keeps its shape: a new
 * build that writes another shape needs DDL first, printed per dialect (ddl.ts).
 */
import type { SinkColumn, SinkState } from "../../emit/state/index.js";
import { addColumn, changeKey, dropColumn, dropNotNull, retypeColumn } from "../ddl.js";
import type { Comparison, Finding } from "../types.js";
import { keyDiff, same } from "./common.js";

const tabled = (s: SinkState) => s.kind === "jdbc" || s.kind === "cassandra";

const objectOf = (s: SinkState) =>
  s.kind === "jdbc" || s.kind === "cassandra"
    ? `table ${s.connection}/${s.object}`
    : s.kind === "mongodb"
      ? `collection ${s.connection}/${s.object}`
      : s.kind === "kafka"
        ? `sink topic ${s.object}`
        : `files ${s.object}`;

const failing =
  "the micro-batch fails, the query stops and the job exits 1, again at every restart until the table is changed";

function added(c: Comparison, key: string, a: SinkState): Finding {
  const before = c.before.spark.jobs[a.stream]?.queries.sinks;
  const now = c.after.spark.jobs[a.stream]?.queries.sinks;
  const running = a.kind !== "files" && before && now && before.checkpoint === now.checkpoint;
  if (running)
    return {
      rule: "SINK_ADDED_TO_RUNNING_QUERY",
      object: objectOf(a),
      action: "+",
      at: a.at,
      message: `query ${a.stream}/sinks goes on from its checkpoint: the new sink gets the micro-batches from the deploy on, none of the records processed before${now!.stateful.length ? " (an aggregation in update mode writes only the groups each batch changes)" : ""}`,
      hint: "to fill it from the start, raise the stream's state version: the query then reads the topic again on a new checkpoint",
    };
  return {
    rule: "SINK_ADDED",
    object: objectOf(a),
    action: "+",
    at: a.at,
    message: tabled(a)
      ? "the job creates the table when it starts, as the DDL file declares it (if a table of that name exists, it is used as it is)"
      : `stream ${a.stream} writes it from its first micro-batch`,
  };
}

type Make = (rule: Finding["rule"], message: string, ddl?: string[], hint?: string) => Finding;

const runDdl = "run the DDL before deploying";

function columnAdded(f: Make, a: SinkState, c: SinkColumn): Finding {
  return tabled(a)
    ? f(
        "SINK_COLUMN_ADDED",
        `column ${c.name} (${c.storeType}) is new, and the existing table (and its staging table, made LIKE it) does not have it: Spark refuses the write (COLUMN_NOT_DEFINED_IN_TABLE): ${failing}`,
        addColumn(a, c),
        runDdl,
      )
    : f(
        "SINK_FIELD_ADDED",
        `field ${c.name} (${c.type}) is new: records get it from the next micro-batch`,
      );
}

function columnRemoved(f: Make, b: SinkState, a: SinkState, c: SinkColumn): Finding {
  if (a.kind === "jdbc" && (c.required || b.key.includes(c.name)))
    return f(
      "SINK_COLUMN_REMOVED_NOT_NULL",
      `column ${c.name} is NOT NULL in the table and is no longer written: every insert fails (a null in a NOT NULL column); ${failing}`,
      dropColumn(a, c),
      runDdl,
    );
  return tabled(a)
    ? f(
        "SINK_COLUMN_REMOVED",
        `column ${c.name} is no longer written: it stays in the table, and new rows have no value in it`,
        dropColumn(a, c).filter((x) => !x.startsWith("-- or")),
      )
    : f(
        "SINK_COLUMN_REMOVED",
        `field ${c.name} is no longer written: new records do not have it; consumers that read it get nothing`,
      );
}

function columnChanged(
  f: Make,
  b: SinkState,
  a: SinkState,
  o: SinkColumn,
  c: SinkColumn,
): Finding[] {
  const out: Finding[] = [];
  if (tabled(a) && o.storeType !== c.storeType)
    out.push(
      f(
        "SINK_COLUMN_RETYPED",
        `column ${c.name} ${o.storeType} -> ${c.storeType}: the table keeps ${o.storeType}; the database converts each value it can, and a micro-batch with a value it cannot convert fails (the query stops, and fails again at every restart until the table is changed)`,
        retypeColumn(a, c),
        a.dialect === "cassandra" ? "write the new type to a new column or table" : runDdl,
      ),
    );
  else if (!tabled(a) && o.type !== c.type)
    out.push(
      f(
        "SINK_FIELD_RETYPED",
        `field ${c.name} ${o.type} -> ${c.type}: records written from now on have the new type, earlier ones the old; consumers must read both`,
      ),
    );
  const inKey = b.key.includes(c.name);
  if (a.kind === "jdbc" && o.required && !c.required && !inKey && !a.key.includes(c.name))
    out.push(
      f(
        "SINK_COLUMN_NULLABLE",
        `column ${c.name} may now be null, but it is NOT NULL in the table: a row with a null fails the insert; ${failing}`,
        dropNotNull(a, c),
        runDdl,
      ),
    );
  return out;
}

function columnChanges(b: SinkState, a: SinkState): Finding[] {
  const old = new Map(b.columns.map((x) => [x.name, x]));
  const now = new Map(a.columns.map((x) => [x.name, x]));
  const f: Make = (rule, message, ddl = [], hint) => ({
    rule,
    object: objectOf(a),
    action: "~",
    at: a.at,
    message,
    ...(ddl.length ? { ddl } : {}),
    ...(hint ? { hint } : {}),
  });
  return [
    ...a.columns.filter((x) => !old.has(x.name)).map((c) => columnAdded(f, a, c)),
    ...b.columns.filter((x) => !now.has(x.name)).map((c) => columnRemoved(f, b, a, c)),
    ...a.columns.flatMap((c) =>
      old.has(c.name) ? columnChanged(f, b, a, old.get(c.name)!, c) : [],
    ),
  ];
}

/**
 * A table sink between append and upsert (undefined: the mode stays). The table has a primary
 * key when the sink has a key (append or upsert), so the key decides what the table needs.
 */
function modeChange(b: SinkState, a: SinkState): Finding | null | undefined {
  if (a.mode === b.mode) return undefined;
  const base = {
    rule: "SINK_MODE_CHANGED" as const,
    object: objectOf(a),
    action: "~" as const,
    at: a.at,
  };
  const keys = (k: string[]) => k.join(", ");
  if (a.mode === "upsert") {
    if (same(a.key, b.key)) return null; // an append with this key already had it as primary key
    return {
      ...base,
      message: `append -> upsert: the upsert (ON CONFLICT / ON DUPLICATE KEY) needs the primary key (${keys(a.key)}), which the table does not have${b.key.length ? ` (its key is (${keys(b.key)}))` : ""}: ${failing}`,
      ddl: changeKey(b, a),
      hint: "run the DDL before deploying",
    };
  }
  return {
    ...base,
    message: `upsert -> append: the table keeps its primary key (${keys(b.key)}), so a row whose key is already there fails the insert (an upsert replaced it): ${failing}`,
    ...(same(a.key, b.key) ? {} : { ddl: changeKey(b, a) }),
    hint: same(a.key, b.key)
      ? "leave out the sink's key to append without a primary key, and drop the table's with the DDL plan then prints"
      : "run the DDL before deploying",
  };
}

/** What a store that upserts by its own key does with rows of a new key: widened or narrowed. */
function keyEffect(b: SinkState, a: SinkState, unit: string): string {
  const added = a.key.filter((k) => !b.key.includes(k));
  const dropped = b.key.filter((k) => !a.key.includes(k));
  const out: string[] = [];
  if (added.length)
    out.push(
      `records with the same (${b.key.join(", ")}) and another ${added.join(", ")} overwrite one ${unit}, where the new key keeps them apart`,
    );
  if (dropped.length)
    out.push(
      `records with the same (${a.key.join(", ")}) and another ${dropped.join(", ")} stay ${unit}s of their own, where the new key makes them one`,
    );
  return out.length ? out.join("; ") : `the same ${unit}s as before (only the key's order changed)`;
}

function keyChange(b: SinkState, a: SinkState): Finding {
  const [was, now] = [b.key.join(", "), a.key.join(", ")];
  const base = {
    rule: "SINK_KEY_CHANGED" as const,
    object: objectOf(a),
    action: "~" as const,
    at: `${a.at}/key`,
  };
  if (a.kind === "mongodb")
    return {
      ...base,
      message: `key (${was}) -> (${now}): a document's _id is made of the key's columns in order, so the job now replaces documents by an _id of another shape: the documents written before stay under their old _id, and a record whose (${was}) was written before becomes a second document beside the old one, which keeps its earlier values; no error`,
      hint: "write to a new collection, or delete the documents of the old _id after the deploy",
    };
  if (a.kind === "cassandra")
    return {
      ...base,
      message: `primary key (${was}) -> (${now}): Cassandra cannot change a table's primary key, and the job's INSERTs are upserts by the key the existing table has, so the job runs without an error and rows stay keyed by (${was}): ${keyEffect(b, a, "row")}`,
      ddl: changeKey(b, a),
      hint: "write a new table (another 'table:'), or keep the key",
    };
  return {
    ...base,
    message:
      a.mode === "upsert"
        ? `primary key (${was || "none"}) -> (${now}): the upsert's ON CONFLICT / ON DUPLICATE KEY needs the new key to be the table's primary key: ${failing}`
        : `primary key (${was || "none"}) -> (${now || "none"}): the table keeps its primary key, so rows are refused by the old key (and not by the new one)`,
    ddl: changeKey(b, a),
    hint: runDdl,
  };
}

function keyAndMode(b: SinkState, a: SinkState): Finding[] {
  const out: Finding[] = [];
  const object = objectOf(a);
  if (a.kind === "kafka") {
    if (!same(a.key, b.key))
      out.push({
        rule: "SINK_KAFKA_KEY_CHANGED",
        object,
        action: "~",
        at: a.at,
        message: `record key (${b.key.join(", ") || "none"}) -> (${a.key.join(", ") || "none"}): records go to partitions by the new key, so a consumer's order per old key is lost across the change${a.key.length ? "" : ", and keyless records cannot go to a compacted topic"}`,
      });
    return out;
  }
  const mode = a.kind === "jdbc" ? modeChange(b, a) : undefined;
  if (mode) out.push(mode);
  else if (mode === undefined && !same(a.key, b.key)) out.push(keyChange(b, a));
  if (a.batchMarker !== null && b.batchMarker !== null && a.batchMarker !== b.batchMarker)
    out.push({
      rule: "SINK_BATCH_MARKER_CHANGED",
      object,
      action: "~",
      at: a.at,
      message: `the sink records its committed batches as '${a.batchMarker}' (was '${b.batchMarker}'): a batch the old job committed to the table but Spark had not yet marked done is replayed after the deploy and, not being recognised, written again${a.mode === "append" ? " (twice, in this append table)" : " (the same rows: an upsert)"}`,
      hint: "stop the job with SIGTERM before deploying (its last batch then completes), or keep the sinks in their order",
    });
  return out;
}

export function sinkRules(c: Comparison): Finding[] {
  const before = c.before.sinks;
  const after = c.after.sinks;
  const d = keyDiff(before, after);
  const out: Finding[] = [];
  for (const k of d.added) out.push(added(c, k, after[k]!));
  for (const k of d.removed) {
    const b = before[k]!;
    out.push({
      rule: "SINK_REMOVED",
      object: objectOf(b),
      action: "-",
      at: b.at,
      gone: true,
      message: `stream ${b.stream} no longer writes it; ${tabled(b) || b.kind === "mongodb" ? "its rows stay" : "what was written stays"}`,
    });
  }
  for (const k of d.common)
    out.push(...columnChanges(before[k]!, after[k]!), ...keyAndMode(before[k]!, after[k]!));
  return out;
}
