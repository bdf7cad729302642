/** The PublishKafka processors of an ingest: one per destination topic, and the dead-letter one. */
import type { Topic } from "../../ir/types.js";
import { literal } from "./escape.js";
import type { Endpoint } from "./flow.js";
import type { IngestGroup } from "./ingest.js";

/** The compression codecs PublishKafka offers; a topic's other settings leave it at "none". */
const producerCompression = new Set(["gzip", "snappy", "lz4", "zstd"]);

function publishProperties(x: IngestGroup, t: Topic, writer: string): Record<string, string> {
  const compression = t.configs["compression.type"];
  return {
    "Kafka Connection Service": x.services.kafka,
    "Topic Name": literal(t.name, true),
    "Failure Strategy": "Route to Failure",
    acks: "all",
    "compression.type": compression && producerCompression.has(compression) ? compression : "none",
    "Transactions Enabled": "true",
    "partitioner.class": "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
    "Record Reader": x.services.reader,
    "Record Writer": writer,
    "Publish Strategy": "USE_VALUE",
  };
}

/** The publisher of the dead-letter topic `dlq`: JSON, pipegen.* attributes as headers. */
export function deadLetterPublisher(x: IngestGroup, dlq: Topic): Endpoint {
  const pattern = x.headerPattern(["pipegen\\..*"])!;
  return x.g.processor(
    "dead-letter/publish",
    "PublishKafka",
    `publish dead letters to ${dlq.name}`,
    {
      position: { x: 700, y: 1400 },
      comments:
        "Records that failed validation or a processor, one JSON message each, with pipegen.* attributes as headers.",
      retry: x.retry,
      autoTerminated: ["success"],
      properties: {
        ...publishProperties(x, dlq, x.services.topicWriter(dlq, true)),
        "FlowFile Attribute Header Pattern": pattern,
        "Header Encoding": "UTF-8",
      },
    },
  );
}

/** The publisher of topic `t`, in publisher column `column` below the main column. */
export function publisher(
  x: IngestGroup,
  t: Topic,
  keyField: string | null,
  column: number,
): Endpoint {
  const pattern = x.headerPattern();
  const properties = publishProperties(x, t, x.services.topicWriter(t, false));
  if (keyField) properties["Message Key Field"] = literal(keyField, true);
  if (pattern) {
    properties["FlowFile Attribute Header Pattern"] = pattern;
    properties["Header Encoding"] = "UTF-8";
  }
  const pub = x.g.processor(`publish/${t.name}`, "PublishKafka", `publish to ${t.name}`, {
    position: { x: column * 350, y: 200 * (x.nextRow + 1) },
    comments: `${t.format === "avro" ? "Avro, Confluent wire format" : "JSON"}; key ${x.ing.to.key ?? "none"}; every replica acknowledges (acks=all).`,
    retry: x.retry,
    autoTerminated: ["success"],
    properties,
  });
  x.onFailure(pub, ["failure"], "failure", `publish/${t.name}`);
  return pub;
}
