import { describe, expect, it } from "vitest";
import { diagnose, edited } from "../schema/spec-edit.js";

const said = (text: string, env: string | null = null) =>
  diagnose(text, env).map((d) => `${d.code} ${d.message}`);

describe("schema and reference checks run in one pass where the spec is sound enough", () => {
  it("a schema error in one entry and a reference error in another are both reported", () => {
    const text = edited(
      "shop_orders",
      "retention: 7d, compatibility",
      "retention: 7days, compatibility",
    ).replace(
      "from: {topic: orders.raw}\n    to: {connection: archive,",
      "from: {topic: orders.raw}\n    to: {connection: archiv,",
    );
    expect(said(text)).toEqual([
      `PG203 'retention' of topic 'orders.raw' must be a duration or "forever", not the string "7days"`,
      "PG301 unknown connection 'archiv'",
    ]);
  });

  it("a reference to an entry with schema errors is not reported as unknown, nor checked", () => {
    const text = edited(
      "shop_orders",
      "      order_id: {type: long, required: true}",
      "      order_id: {type: lng, required: true}",
    );
    const out = said(text);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^PG205 'type' of field 'order_id' of schema 'order'/);
  });

  it("a plaintext credential is reported with the schema errors", () => {
    const text = edited("shop_orders", "pipeline: shop_orders", "pipeline: Shop-Orders").replace(
      "bucket: shop-archive, prefix: orders/}",
      'bucket: shop-archive, prefix: orders/, endpoint: "https://bob:pw@minio"}',
    );
    expect(said(text).map((s) => s.slice(0, 5))).toEqual(["PG203", "PG303"]);
  });

  it("an unknown top-level key that may be a misspelled section stops the reference checks", () => {
    const text = edited("shop_orders", "\ntopics:\n", "\ntopic:\n");
    expect(said(text)).toEqual(["PG201 unknown key 'topic' in the spec"]);
  });

  it("another spec language version stops the reference checks", () => {
    expect(said(edited("shop_orders", "pipegen: 1", "pipegen: 2"))).toEqual([
      "PG205 'pipegen' must be 1, not number 2",
    ]);
  });

  it("an overlay with schema errors is not applied, and says so once", () => {
    const text = edited(
      "shop_orders",
      "topics: {replicationFactor: 3, minInsyncReplicas: 2}",
      "topics: {replicationFactor: three}",
    );
    expect(said(text, "prod")).toHaveLength(1);
  });

  it("a duplicate key leaves its entry out, and the rest is checked", () => {
    const text = edited(
      "shop_orders",
      "  orders.dlq: {partitions: 1,",
      "  orders.cancelled: {partitions: 1}\n  orders.dlq: {partitions: 1,",
    ).replace(
      "from: {topic: orders.raw}\n    to: {connection: archive,",
      "from: {topic: orders.raw}\n    to: {connection: archiv,",
    );
    expect(said(text)).toEqual([
      "PG102 duplicate key 'orders.cancelled': YAML keys must be unique in a mapping",
      "PG301 unknown connection 'archiv'",
    ]);
  });
});
