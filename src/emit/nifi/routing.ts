/**
 * An ingest's routes: first match wins, in spec order, across all route steps (a record-level
 * filter or attribute step commutes with routing, so routing happens last). PartitionRecord
 * splits the records by the routed fields' values, RouteOnAttribute sends each part to a topic.
 */
import type { IngestStep, Topic } from "../../ir/types.js";
import { elAttributeIn, literal } from "./escape.js";
import type { Endpoint } from "./flow.js";
import type { IngestGroup } from "./ingest.js";
import { publisher } from "./publish.js";

type Route = Extract<IngestStep, { kind: "route" }>["routes"][number];

const attr = (field: string) => `pipegen.route.${field}`;
const relationship = (topic: string) => `to.${topic}`;

/** The EL condition of one route on its field's partition attribute. */
function condition(r: Route): string {
  const text = (v: string | number | boolean) => String(v);
  const values = Array.isArray(r.value)
    ? r.value.map(text)
    : [text(r.value as string | number | boolean)];
  const test = elAttributeIn(attr(r.field), values);
  if (r.op === "notEquals") return `${attr(r.field)}:isNull():not():and(\${${test}:not()})`;
  return test;
}

/** RouteOnAttribute's properties: per topic, a route matches when no earlier one does. */
function routeProperties(routes: readonly Route[]): {
  props: Record<string, string>;
  topics: string[];
} {
  const conds = routes.map(condition);
  const byTopic = new Map<string, string[]>();
  routes.forEach((r, i) => {
    const earlier = conds
      .slice(0, i)
      .map((c) => `:and(\${${c}:not()})`)
      .join("");
    const list = byTopic.get(r.to) ?? [];
    list.push(`${conds[i]}${earlier}`);
    byTopic.set(r.to, list);
  });
  const props: Record<string, string> = { "Routing Strategy": "Route to Property name" };
  for (const [topic, list] of byTopic) {
    props[relationship(topic)] = `\${${list[0]}${list
      .slice(1)
      .map((c) => `:or(\${${c}})`)
      .join("")}}`;
  }
  return { props, topics: [...byTopic.keys()] };
}

/** PartitionRecord: one FlowFile per distinct value of the routed fields, in attributes. */
function partition(x: IngestGroup, routes: readonly Route[]): Endpoint {
  const fields = [...new Set(routes.map((r) => r.field))];
  const props: Record<string, string> = {
    "Record Reader": x.services.reader,
    "Record Writer": x.services.embeddedWriter,
  };
  for (const fl of fields) props[attr(fl)] = literal(`/${fl}`, true);
  return x.g.processor("route/partition", "PartitionRecord", "group records by routed fields", {
    position: x.pos(),
    comments: `One FlowFile per distinct value of ${fields.join(", ")}, in the attribute(s) ${fields.map(attr).join(", ")} (absent when null).`,
    retry: x.retry,
    // The partitions hold every record of the original.
    autoTerminated: ["original"],
    properties: props,
  });
}

/** The records of `prev` (relationship `rel`) published to the ingest's topic or routed ones. */
export function routeAndPublish(
  x: IngestGroup,
  prev: Endpoint,
  rel: string,
  keyField: string | null,
): void {
  const routes = x.ing.steps.flatMap((s) => (s.kind === "route" ? s.routes : []));
  const main = x.ing.to.topic;
  const publishers = new Map<string, Endpoint>();
  const publish = (t: Topic) => {
    let pub = publishers.get(t.name);
    if (!pub) {
      pub = publisher(x, t, keyField, publishers.size);
      publishers.set(t.name, pub);
    }
    return pub;
  };
  if (routes.length === 0) {
    x.g.connect(prev, [rel], publish(main));
    return;
  }
  const partitioned = partition(x, routes);
  x.g.connect(prev, [rel], partitioned);
  x.onFailure(partitioned, ["failure"], "failure", "route/partition");
  const { props, topics } = routeProperties(routes);
  const router = x.g.processor("route/switch", "RouteOnAttribute", "route to topics", {
    position: x.pos(),
    comments:
      "Each relationship is a topic; a record matching no route goes to the ingest's topic.",
    properties: props,
  });
  x.g.connect(partitioned, ["success"], router);
  const targets = new Set(routes.map((r) => r.to));
  const byName = new Map(
    [main, ...x.flow.p.topics.filter((t) => targets.has(t.name))].map((t) => [t.name, t]),
  );
  x.g.connect(router, ["unmatched"], publish(main));
  for (const topic of topics)
    x.g.connect(router, [relationship(topic)], publish(byName.get(topic)!));
}
