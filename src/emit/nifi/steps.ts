/** An ingest's record steps (validate, set attributes) and the message key it publishes with. */
import type { Field, IngestStep } from "../../ir/types.js";
import { literal } from "./escape.js";
import type { Endpoint } from "./flow.js";
import type { IngestGroup } from "./ingest.js";
import { validateRecords, type Next } from "./validate.js";

/** The record field PublishKafka takes the message key from when the key field is not a string. */
export const KEY_FIELD = "_kafka_key";

/** A validate or setAttributes step after `prev` (route steps are routing's). */
export function step(
  x: IngestGroup,
  s: IngestStep,
  i: number,
  prev: Endpoint,
  prevRel: string,
): Next {
  if (s.kind === "validate") {
    return validateRecords(
      x,
      {
        path: `step/${i}`,
        name: `validate ${s.schema.name}`,
        comments:
          "Required fields, types and enum values of the record schema; extra columns are dropped.",
        position: () => x.pos(),
      },
      s.schema,
      { next: prev, rel: prevRel },
    );
  }
  if (s.kind === "setAttributes") {
    const properties: Record<string, string> = { "Store State": "Do not store state" };
    for (const [name, value] of Object.entries(s.attributes))
      properties[name] = literal(value, true);
    const u = x.g.processor(`step/${i}`, "UpdateAttribute", "set attributes", {
      position: x.pos(),
      comments: "Attributes become Kafka headers of the published messages.",
      properties,
    });
    x.g.connect(prev, [prevRel], u);
    return { next: u, rel: "success" };
  }
  throw new Error(`step ${s.kind} is handled by routing`);
}

/** The record field PublishKafka takes the key from, adding a string copy when needed. */
export function messageKey(
  x: IngestGroup,
  prev: Endpoint,
  prevRel: string,
): { next: Endpoint; rel: string; field: string | null } {
  const key = x.ing.to.key;
  if (!key) return { next: prev, rel: prevRel, field: null };
  const field: Field | undefined = x.ing.to.topic.schema?.fields.find((fl) => fl.name === key);
  if (field?.type === "string") return { next: prev, rel: prevRel, field: key };
  // PublishKafka only turns string (record, byte array) fields into a key.
  const u = x.g.processor("key", "UpdateRecord", "derive message key", {
    position: x.pos(),
    comments: `${KEY_FIELD}: ${key} as text; only the topic's fields are published.`,
    retry: x.retry,
    properties: {
      "Record Reader": x.services.reader,
      "Record Writer": x.services.embeddedWriter,
      "Replacement Value Strategy": "record-path-value",
      [`/${KEY_FIELD}`]: literal(`concat(/${key})`, true),
    },
  });
  x.g.connect(prev, [prevRel], u);
  x.onFailure(u, ["failure"], "failure", "key");
  return { next: u, rel: "success", field: KEY_FIELD };
}
