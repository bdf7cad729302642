/** The first processors of an ingest: they read the source table or collection on a timer. */
import { avroText } from "../shared/avro.js";
import type { JdbcConnection, MongoConnection } from "../../ir/types.js";
import { jdbc } from "./databases.js";
import { literal, propertyValue } from "./escape.js";
import { nifiDuration, type Endpoint } from "./flow.js";
import type { IngestGroup } from "./ingest.js";
import { EL } from "./params.js";
import { VALIDATION_DETAILS_ATTRIBUTE, type Next } from "./validate.js";

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

/** Dates in the JSON of MongoDB documents (GetMongo's SimpleDateFormat; the JSON reader's pattern). */
export const MONGO_DATE_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";

/**
 * The JSON reader of an ingest's MongoDB documents: the topic's record with every field
 * optional (so that any document can be read; validation says which are records).
 */
function documentReader(x: IngestGroup): string {
  return x.g.service(
    "source-reader",
    "JsonTreeReader",
    "JSON reader (documents as the topic's record, all fields optional)",
    {
      properties: {
        "Schema Access Strategy": "schema-text-property",
        "Schema Text": literal(
          avroText(x.ing.to.topic.schema!, x.flow.namespace, { docs: false, relaxed: true }),
          true,
        ),
        "Timestamp Format": literal(MONGO_DATE_FORMAT, false),
      },
    },
  );
}

/**
 * Each document as a record of the topic's schema, all fields optional: a document whose
 * fields do not have the schema's types goes to the dead-letter topic as it is (JSON), alone.
 */
function documentsAsRecords(x: IngestGroup, get: Endpoint): Next {
  const v = x.g.processor("source/records", "ValidateRecord", "documents as records", {
    position: x.pos(),
    comments:
      "Types of the topic's fields (all optional here: the steps and the topic's validation check the rest); other fields are dropped.",
    retry: x.retry,
    properties: {
      "Record Reader": documentReader(x),
      "Record Writer": x.services.embeddedWriter,
      "Record Writer for Invalid Records": x.services.jsonWriter(true),
      "Schema Access Strategy": "reader-schema",
      "Allow Extra Fields": "true",
      "Strict Type Checking": "false",
      "Validation Details Attribute Name": literal(VALIDATION_DETAILS_ATTRIBUTE, true),
    },
  });
  x.g.connect(get, ["success"], v);
  x.onFailure(v, ["invalid"], "invalid", "source/records/invalid", { content: "json" });
  x.onFailure(v, ["failure"], "failure", "source/records/failure", { content: "json" });
  return { next: v, rel: "valid" };
}

/**
 * MongoDB: GetMongo writes each document as JSON into a FlowFile of its own (a document it
 * cannot write fails the run instead of being skipped); it keeps no state between runs.
 */
function mongoSource(x: IngestGroup, c: MongoConnection): Next {
  const from = x.ing.from;
  const props: Record<string, string> = {
    "Client Service": x.services.mongo(c),
    "Mongo Database Name": propertyValue(
      x.flow.params.ref(c.database, `${c.name}.database`, `Database of connection ${c.name}`, EL),
      true,
    ),
    "Mongo Collection Name": literal(from.collection!, true),
    "JSON Type": "Standard",
    "Pretty Print Results JSON": "false",
    "Character Set": "UTF-8",
    "Date Format": literal(MONGO_DATE_FORMAT, true),
    "Send Empty Result": "false",
  };
  if (from.query !== null) props.Query = literal(from.query, true);
  const get = x.g.processor("source", "GetMongo", `read ${from.collection}`, {
    position: x.pos(),
    comments: `Every document of ${from.collection}${from.query ? " matching the query" : ""}, every ${nifiDuration(from.everyMs)}, one FlowFile each (GetMongo keeps no state).`,
    schedulingPeriod: nifiDuration(from.everyMs),
    primaryNodeOnly: true,
    // "original" carries an incoming FlowFile; a source has none.
    autoTerminated: ["original"],
    properties: props,
  });
  // "failure" too only ever carries an incoming FlowFile; routed all the same.
  x.onFailure(get, ["failure"], "failure", "source", { content: "json" });
  return documentsAsRecords(x, get);
}

/** The ingest's source: the processor and relationship its records leave by. */
export function source(x: IngestGroup): Next {
  const c = x.ing.from.connection;
  return c.type === "mongodb" ? mongoSource(x, c) : { next: tableSource(x, c), rel: "success" };
}
