/**
 * The PublishKafka processors of an ingest: one per destination topic, and the dead-letter
 * one. Every record is validated against its topic's schema first: against the ingest's topic
 * right after the steps (unless the last validate step checked that very schema), against a
 * routed topic before its publisher when its schema is another. A JSON topic's records are
 * split into one record per FlowFile before its publisher.
 *
 * Why the splits: PublishKafka's record mode writes every record of a FlowFile with one
 * record writer, and NiFi's JSON writer puts its separator (a line break, or a space) before
 * every record but the first; one record per FlowFile makes each message exactly one JSON
 * object.
 */
import type { RecordSchema, Topic } from "../../ir/types.js";
import { literal } from "./escape.js";
import type { Endpoint, Position } from "./flow.js";
import type { IngestGroup } from "./ingest.js";
import { validateRecords, validationSchemaText, type Next } from "./validate.js";

/** The compression codecs PublishKafka offers; a topic's other settings leave it at "none". */
const producerCompression = new Set(["gzip", "snappy", "lz4", "zstd"]);

function publishProperties(x: IngestGroup, t: Topic): Record<string, string> {
  const compression = t.configs["compression.type"];
  return {
    "Kafka Connection Service": x.services.kafka,
    "Topic Name": literal(t.name, true),
    "Failure Strategy": "Route to Failure",
    acks: "all",
    "compression.type": compression && producerCompression.has(compression) ? compression : "none",
    "Transactions Enabled": "true",
    "partitioner.class": "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
  };
}

/**
 * The publisher of the dead-letter topic `dlq`: each FlowFile (one JSON record) is one
 * message, with the pipegen.* attributes as headers.
 */
export function deadLetterPublisher(x: IngestGroup, dlq: Topic): Endpoint {
  const pattern = x.headerPattern(["pipegen\\..*"])!;
  return x.g.processor(
    "dead-letter/publish",
    "PublishKafka",
    `publish dead letters to ${dlq.name}`,
    {
      position: { x: 700, y: 1400 },
      comments:
        "Records that failed validation or a processor, one JSON message each (the FlowFile's content), with pipegen.* attributes as headers.",
      retry: x.retry,
      autoTerminated: ["success"],
      properties: {
        ...publishProperties(x, dlq),
        "FlowFile Attribute Header Pattern": pattern,
        "Header Encoding": "UTF-8",
      },
    },
  );
}

/** Avro dead letters, one JSON record per FlowFile (as they are, whatever the topic's schema). */
export function deadLetterSplitter(x: IngestGroup): Endpoint {
  return x.g.processor("dead-letter/split", "SplitRecord", "dead letters as JSON records", {
    position: { x: 700, y: 1200 },
    comments: "One record per FlowFile, as JSON: each is one dead-letter message.",
    retry: x.retry,
    // The splits hold every record of the original.
    autoTerminated: ["original"],
    properties: {
      "Record Reader": x.services.reader,
      "Record Writer": x.services.jsonWriter(true),
      "Records Per Split": "1",
    },
  });
}

const sameSchema = (x: IngestGroup, a: RecordSchema, b: RecordSchema) =>
  validationSchemaText(x, a) === validationSchemaText(x, b);

/**
 * After the steps: the records validated against the ingest's topic's schema, unless the last
 * validate step did just that.
 */
export function validateForTopic(x: IngestGroup, prev: Next): Next {
  const t = x.ing.to.topic;
  const last = [...x.ing.steps].reverse().find((s) => s.kind === "validate");
  if (last?.kind === "validate" && sameSchema(x, last.schema, t.schema!)) return prev;
  return validateRecords(
    x,
    {
      path: "validate",
      name: `validate for ${t.name}`,
      comments: `Required fields, types and enum values of the schema of ${t.name}, before publishing.`,
      position: () => x.pos(),
    },
    t.schema!,
    prev,
  );
}

/** SplitRecord: one record per FlowFile (Avro), for a JSON topic's publisher. */
function split(x: IngestGroup, t: Topic, position: Position): Endpoint {
  const s = x.g.processor(`publish/${t.name}/split`, "SplitRecord", `split for ${t.name}`, {
    position,
    comments: "One record per FlowFile: PublishKafka then writes each JSON message on its own.",
    retry: x.retry,
    // The splits hold every record of the original.
    autoTerminated: ["original"],
    properties: {
      "Record Reader": x.services.reader,
      "Record Writer": x.services.embeddedWriter,
      "Records Per Split": "1",
    },
  });
  x.onFailure(s, ["failure"], "failure", `publish/${t.name}/split`);
  return s;
}

/**
 * The publisher of topic `t`, in publisher column `column` below the main column, with the
 * validation and split before it. Returns where its records go in: the first of these.
 */
export function publisher(
  x: IngestGroup,
  t: Topic,
  keyField: string | null,
  column: number,
): Endpoint {
  let row = x.nextRow + 1;
  const position = () => ({ x: column * 350, y: 200 * row++ });
  let entry: Endpoint | undefined;
  let last: Next | undefined;
  const append = (next: Next, first: Endpoint) => {
    if (last) x.g.connect(last.next, [last.rel], first);
    entry ??= first;
    last = next;
  };
  // The records were validated against the ingest's topic's schema (validateForTopic).
  if (t.schema && !sameSchema(x, t.schema, x.ing.to.topic.schema!)) {
    const v = validateRecords(
      x,
      {
        path: `publish/${t.name}/validate`,
        name: `validate for ${t.name}`,
        comments: `Required fields, types and enum values of the schema of ${t.name}, before publishing.`,
        position,
      },
      t.schema,
      null,
    );
    append(v, v.first);
  }
  if (t.format === "json") {
    const s = split(x, t, position());
    append({ next: s, rel: "splits" }, s);
  }
  const pattern = x.headerPattern();
  const properties: Record<string, string> = {
    ...publishProperties(x, t),
    "Record Reader": x.services.reader,
    "Record Writer": x.services.topicWriter(t),
    "Publish Strategy": "USE_VALUE",
  };
  if (keyField) properties["Message Key Field"] = literal(keyField, true);
  if (pattern) {
    properties["FlowFile Attribute Header Pattern"] = pattern;
    properties["Header Encoding"] = "UTF-8";
  }
  const pub = x.g.processor(`publish/${t.name}`, "PublishKafka", `publish to ${t.name}`, {
    position: position(),
    comments: `${t.format === "avro" ? "Avro, Confluent wire format" : "JSON"}; key ${x.ing.to.key ?? "none"}; every replica acknowledges (acks=all).`,
    retry: x.retry,
    autoTerminated: ["success"],
    properties,
  });
  append({ next: pub, rel: "success" }, pub);
  x.onFailure(pub, ["failure"], "failure", `publish/${t.name}`);
  return entry!;
}
