import { describe, expect, it } from "vitest";
import { compilePaths } from "../../../../src/api/index.js";
import { describeFile, markdownText } from "../../../../src/emit/docs/readme.js";

describe("markdownText", () => {
  it.each([
    ["a_b *c* [d](e) <f> | g", "a\\_b \\*c\\* \\[d\\](e) \\<f\\> \\| g"],
    ["two\n  lines ", "two lines"],
    ["x & y", "x &amp; y"],
  ])("%j", (given, want) => expect(markdownText(given)).toBe(want));
});

describe("describeFile", () => {
  const [p] = compilePaths(["specs/shop_orders.yaml"]).pipelines;
  it.each([
    ["spark/orders_daily.py", "Spark batch job of archive orders_daily"],
    ["spark/orders_per_minute.py", "Spark Structured Streaming job of stream orders_per_minute"],
    [
      "kafka/schemas/orders.raw.avsc",
      "Avro schema of topic orders.raw, registered by the ingestion DAG",
    ],
    [
      "spark/ddl/analytics.sql",
      "tables the Spark jobs write in connection analytics (the jobs also create them)",
    ],
    ["something/else.txt", "else.txt"],
  ])("%s", (rel, want) => expect(describeFile(p!, rel)).toBe(want));
});
