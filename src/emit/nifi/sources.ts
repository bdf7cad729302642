/** The first processor of an ingest: it reads the source table or collection on a timer. */
import { avroText } from "../shared/avro.js";
import type { JdbcConnection, MongoConnection } from "../../ir/types.js";
import { jdbc } from "./databases.js";
import { literal, propertyValue } from "./escape.js";
import { nifiDuration, type Endpoint } from "./flow.js";
import type { IngestGroup } from "./ingest.js";
import { EL } from "./params.js";

/** Rows per FlowFile from QueryDatabaseTableRecord (bounds the FlowFile size of a big first load). */
export const MAX_ROWS_PER_FLOWFILE = 10000;

/** QueryDatabaseTableRecord: new rows (by the incremental column) or the whole table, as Avro. */
function tableSource(x: IngestGroup, c: JdbcConnection): Endpoint {
  const from = x.ing.from;
  const columns = [
    ...new Set([
      ...x.ing.to.topic.schema!.fields.map((fl) => fl.name),
      ...x.ing.steps.flatMap((s) =>
        s.kind === "validate" ? s.schema.fields.map((fl) => fl.name) : [],
      ),
    ]),
  ];
  const props: Record<string, string> = {
    "Database Connection Pooling Service": x.services.database(c),
    "Database Type": jdbc[c.type].type,
    "Table Name": literal(from.table!, true),
    "Columns to Return": literal(columns.join(", "), true),
    "Record Writer": x.services.embeddedWriter,
    "Initial Load Strategy": "Start at Beginning",
    "Fetch Size": String(from.fetchSize ?? 0),
    "Max Rows Per FlowFile": String(MAX_ROWS_PER_FLOWFILE),
    "Output Batch Size": "0",
    "Use Avro Logical Types": "true",
    "Normalize Table/Column Names": "false",
  };
  if (from.incrementalColumn)
    props["Maximum-value Columns"] = literal(from.incrementalColumn, true);
  return x.g.processor("source", "QueryDatabaseTableRecord", `read ${from.table}`, {
    position: x.pos(),
    comments: from.incrementalColumn
      ? `Rows whose ${from.incrementalColumn} is above the largest value seen so far (state kept by NiFi), every ${nifiDuration(from.everyMs)}.`
      : `The whole table every ${nifiDuration(from.everyMs)} (no incrementalColumn in the spec).`,
    schedulingPeriod: nifiDuration(from.everyMs),
    primaryNodeOnly: true,
    properties: props,
  });
}

/**
 * MongoDB: GetMongoRecord maps each document onto the topic's schema with every field
 * optional (validation comes after, as for tables); it keeps no state between runs.
 */
function mongoSource(x: IngestGroup, c: MongoConnection): Endpoint {
  const from = x.ing.from;
  const topicSchema = x.ing.to.topic.schema!;
  const writer = x.g.service(
    "source-writer",
    "AvroRecordSetWriter",
    "Avro writer (documents as the topic's record, all fields optional)",
    {
      properties: {
        "Schema Write Strategy": "avro-embedded",
        "Schema Access Strategy": "schema-text-property",
        "Schema Text": literal(
          avroText(topicSchema, x.flow.namespace, { docs: false, relaxed: true }),
          true,
        ),
        "Compression Format": "NONE",
      },
    },
  );
  const props: Record<string, string> = {
    "Client Service": x.services.mongo(c),
    "Record Writer": writer,
    "Mongo Database Name": propertyValue(
      x.flow.params.ref(c.database, `${c.name}.database`, `Database of connection ${c.name}`, EL),
      true,
    ),
    "Mongo Collection Name": literal(from.collection!, true),
    "Schema Name": literal(topicSchema.name, true),
  };
  if (from.query !== null) props.Query = literal(from.query, true);
  const source = x.g.processor("source", "GetMongoRecord", `read ${from.collection}`, {
    position: x.pos(),
    comments: `Every document of ${from.collection}${from.query ? " matching the query" : ""}, every ${nifiDuration(from.everyMs)} (GetMongoRecord keeps no state).`,
    schedulingPeriod: nifiDuration(from.everyMs),
    primaryNodeOnly: true,
    // "original" carries an incoming FlowFile; a source has none.
    autoTerminated: ["original"],
    properties: props,
  });
  // "failure" too only ever carries an incoming FlowFile; routed all the same.
  x.onFailure(source, ["failure"], "failure", "source");
  return source;
}

/** The ingest's source processor. */
export function source(x: IngestGroup): Endpoint {
  const c = x.ing.from.connection;
  return c.type === "mongodb" ? mongoSource(x, c) : tableSource(x, c);
}
