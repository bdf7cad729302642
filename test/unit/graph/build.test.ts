import { describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";
import { buildGraph } from "../../../src/graph/build.js";

const [shop] = compilePaths(["specs/shop_orders.yaml"]).pipelines.map(buildGraph);

describe("buildGraph on specs/shop_orders.yaml", () => {
  it("has the source, ingest, topics, stream, sink and archive, wired as the spec says", () => {
    expect(
      shop!.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`.replaceAll("shop_orders.", "")),
    ).toEqual([
      "source.shop_db.public.orders -data-> ingest.shop_orders",
      "ingest.shop_orders -data-> topic.orders.raw",
      "ingest.shop_orders -data-> topic.orders.cancelled",
      "ingest.shop_orders -dead-letter-> topic.orders.dlq",
      "topic.orders.raw -data-> stream.orders_per_minute",
      "stream.orders_per_minute -dead-letter-> topic.orders.dlq",
      "stream.orders_per_minute -data-> sink.analytics.orders_per_minute",
      "stream.orders_per_minute -data-> topic.orders.per_minute",
      "topic.orders.raw -data-> archive.orders_daily",
    ]);
  });
  it("traces a sink column to the topic columns it is computed from", () => {
    const stream = shop!.nodes.find((n) => n.id === "shop_orders.stream.orders_per_minute")!;
    const from = (c: string) => stream.columns.find((x) => x.name === c)!.from.map((f) => f.column);
    expect(from("revenue")).toEqual(["amount"]);
    expect(from("window_start")).toEqual(["updated_at"]);
    expect(from("orders")).toEqual([]);
    const sink = shop!.nodes.find((n) => n.kind === "sink")!;
    expect(sink.columns.map((c) => c.from[0]!.node)).toEqual(
      Array(sink.columns.length).fill("shop_orders.stream.orders_per_minute"),
    );
  });
});
