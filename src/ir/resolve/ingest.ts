/**
 * `ingest:`: NiFi flows that poll a database table or collection and publish typed records to a
 * topic, through optional steps (validate against a schema, set attributes, route by a field),
 * with retries and an optional dead-letter topic.
 */
import type * as S from "../../schema/spec.gen.js";
import type * as I from "../types.js";
import { durationMs } from "../values.js";
import { type Ctx, type EntryAt, type Refs, err, unknownColumn, unknownRef } from "./context.js";
import { defaults } from "./defaults.js";

type IngestSpec = NonNullable<S.PipegenSpec["ingest"]>[string];
type Schemas = ReadonlyMap<string, I.RecordSchema>;
/** Reports a column that is not in the schema of the topic the ingest writes. */
type InTopic = (pointer: string, col: string | undefined) => void;

/** One ingest, or undefined when its source, topic or dead letter does not resolve. */
export function resolveIngest(at: EntryAt, g: IngestSpec, schemas: Schemas): I.Ingest | undefined {
  const { ctx, refs: r, name, pointer: p } = at;
  const conn = r.connRef(
    `${p}/from/connection`,
    g.from.connection,
    ["postgres", "mysql", "mongodb"],
    "an ingest source",
  );
  const to = r.topicRef(`${p}/to/topic`, g.to.topic);
  const fields = to?.schema?.fields.map((f) => f.name) ?? [];
  const inTopic: InTopic = (pointer, col) => {
    if (col !== undefined && to?.schema && !fields.includes(col))
      unknownColumn(ctx, pointer, col, fields, `the schema of topic '${to.name}'`);
  };
  if (conn) checkSource(ctx, p, g.from, conn);
  inTopic(`${p}/from/incrementalColumn`, g.from.incrementalColumn);
  if (conn?.type === "mongodb" && g.from.incrementalColumn !== undefined)
    err(
      ctx,
      "PG305",
      `${p}/from/incrementalColumn`,
      "a MongoDB source has no incremental column: every poll would read (and republish) the whole collection",
      "remove 'incrementalColumn' and narrow what each poll reads with 'query', or ingest from a SQL table",
      "key",
    );
  const key = recordKey(ctx, `${p}/to/key`, g.to.key);
  inTopic(`${p}/to/key/0`, key);
  const format = targetFormat(ctx, p, g.to, to);
  const steps = ingestSteps(ctx, p, g.steps ?? [], { ...r, schemas }, to, inTopic);
  const dlq =
    g.onError?.deadLetter !== undefined
      ? r.topicRef(`${p}/onError/deadLetter`, g.onError.deadLetter)
      : null;
  if (!conn || !to || dlq === undefined) return undefined;
  return {
    name,
    from: {
      connection: conn,
      table: g.from.table ?? null,
      collection: g.from.collection ?? null,
      query: g.from.query ?? null,
      incrementalColumn: g.from.incrementalColumn ?? null,
      everyMs: durationMs(g.from.every),
      fetchSize: g.from.fetchSize ?? null,
    },
    steps,
    to: { topic: to, key: key ?? null, format },
    onError: {
      retries: g.onError?.retries ?? defaults.ingestRetries,
      backoffMs: durationMs(g.onError?.backoff ?? defaults.ingestBackoff),
      deadLetter: dlq,
    },
    ...(g.doc ? { doc: g.doc } : {}),
  };
}

/** The column of the Kafka record key, if any: a key is one column here. */
function recordKey(ctx: Ctx, pointer: string, key: readonly string[] | undefined) {
  if (key === undefined) return undefined;
  if (key.length !== 1) {
    err(
      ctx,
      "PG305",
      pointer,
      `a Kafka record key is one column, not ${key.length}`,
      `keep the column that identifies a record, e.g. key: ${key[0]}`,
    );
    return undefined;
  }
  return key[0];
}

/** A MongoDB source reads a collection; a SQL source reads a table. */
function checkSource(ctx: Ctx, p: string, from: IngestSpec["from"], conn: I.Connection) {
  const isMongo = conn.type === "mongodb";
  if (isMongo && !from.collection)
    err(
      ctx,
      "PG204",
      `${p}/from`,
      "a MongoDB source needs 'collection'",
      "add 'collection: <name>' to 'from'",
      "key",
    );
  if (!isMongo && !from.table)
    err(
      ctx,
      "PG204",
      `${p}/from`,
      `a ${conn.type} source needs 'table'`,
      "add 'table: <schema.table>' to 'from', e.g. table: public.orders",
      "key",
    );
  if (isMongo && from.table)
    err(
      ctx,
      "PG305",
      `${p}/from/table`,
      "a MongoDB source reads a 'collection', not a 'table'",
      "write 'collection:' instead of 'table:'",
      "key",
    );
  if (!isMongo && from.collection)
    err(
      ctx,
      "PG305",
      `${p}/from/collection`,
      `a ${conn.type} source reads a 'table', not a 'collection'`,
      "write 'table:' instead of 'collection:'",
      "key",
    );
}

/** The format the ingest writes: the topic's, which must have a schema (ingest publishes typed records). */
function targetFormat(
  ctx: Ctx,
  p: string,
  target: IngestSpec["to"],
  to: I.Topic | undefined,
): I.Ingest["to"]["format"] {
  if (to && !to.schema)
    err(
      ctx,
      "PG305",
      `${p}/to/topic`,
      `topic '${to.name}' has no schema; ingest publishes typed records`,
      "give the topic a 'schema:'",
    );
  const format = target.format ?? to?.format ?? "avro";
  if (to && target.format && target.format !== to.format)
    err(
      ctx,
      "PG305",
      `${p}/to/format`,
      `ingest writes ${target.format} but topic '${to.name}' is ${to.format}`,
      `use 'format: ${to.format}' or change the topic`,
    );
  return format;
}

/** The ingest's steps, in order: validate, setAttributes, route. */
function ingestSteps(
  ctx: Ctx,
  p: string,
  given: NonNullable<IngestSpec["steps"]>,
  r: Refs & { schemas: Schemas },
  to: I.Topic | undefined,
  inTopic: InTopic,
): I.IngestStep[] {
  const steps: I.IngestStep[] = [];
  given.forEach((step, i) => {
    const sp = `${p}/steps/${i}`;
    if (step.validate !== undefined) {
      const sc = r.schemas.get(step.validate);
      if (!sc) unknownRef(ctx, `${sp}/validate`, "schema", step.validate, r.schemas.keys());
      else steps.push({ kind: "validate", schema: sc });
    } else if (step.setAttributes)
      steps.push({ kind: "setAttributes", attributes: step.setAttributes });
    else if (step.route) {
      const routes = step.route.map((rt, j) => {
        inTopic(`${sp}/route/${j}/when/field`, rt.when.field);
        const target = r.topicRef(`${sp}/route/${j}/to`, rt.to);
        if (target && to && target.format !== to.format)
          err(
            ctx,
            "PG305",
            `${sp}/route/${j}/to`,
            `route target '${target.name}' is ${target.format} but the ingest writes ${to.format}`,
            `route to a ${to.format} topic, or give '${target.name}' 'format: ${to.format}'`,
          );
        const op =
          rt.when.equals !== undefined
            ? "equals"
            : rt.when.notEquals !== undefined
              ? "notEquals"
              : "in";
        const value = (rt.when.equals ?? rt.when.notEquals ?? rt.when.in)!;
        return { field: rt.when.field, op, value, to: rt.to } as const;
      });
      steps.push({ kind: "route", routes });
    }
  });
  return steps;
}
