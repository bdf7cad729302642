import { describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";
import type { Pipeline } from "../../../src/ir/types.js";
import { durationMs, hasInlineCredentials, valueRef } from "../../../src/ir/values.js";
import { columnsUsed } from "../../../src/ir/expressions.js";
import { isSchedule } from "../../../src/schema/schedule.js";

const pipeline = (file: string, env: string | null = null): Pipeline => {
  const r = compilePaths([file], { env });
  expect(r.diagnostics).toEqual([]);
  return r.pipelines[0]!;
};

describe("IR", () => {
  it("applies defaults once and derives topic configs, subjects and dead-letter flags", () => {
    const p = pipeline("specs/shop_orders.yaml");
    const raw = p.topics.find((t) => t.name === "orders.raw")!;
    expect(raw).toMatchObject({
      partitions: 6,
      replicationFactor: null,
      format: "avro",
      subject: "orders.raw-value",
      compatibility: "BACKWARD",
      deadLetter: false,
      configs: { "compression.type": "zstd", "retention.ms": String(7 * 86_400_000) },
    });
    expect(p.topics.find((t) => t.name === "orders.dlq")).toMatchObject({
      deadLetter: true,
      format: "json",
      schema: null,
    });
    expect(p.topics.map((t) => t.name)).toEqual([...p.topics.map((t) => t.name)].sort());
    expect(p.orchestration).toMatchObject({
      retries: 2,
      retryDelayMs: 300_000,
      deadlineMs: 1_800_000,
      maxActiveRuns: 1,
    });
    expect(p.platform.kafka.bootstrapServers).toEqual({
      kind: "env",
      name: "KAFKA_BOOTSTRAP_SERVERS",
    });
  });

  it("applies an environment overlay: platform and connections merged, topic settings everywhere", () => {
    const dev = pipeline("specs/shop_orders.yaml", "dev");
    expect(dev.environment).toBe("dev");
    expect(dev.topics.every((t) => t.replicationFactor === 1)).toBe(true);
    expect(dev.platform.spark.master).toEqual({ kind: "literal", value: "local[*]" });
    expect(dev.platform.spark.shufflePartitions).toBe(16); // untouched by the overlay
    const db = dev.connections.find((c) => c.name === "shop_db")!;
    expect(db.type).toBe("postgres");
    if (db.type !== "postgres") return;
    expect(db.host).toEqual({ kind: "literal", value: "localhost" });
    expect(db.password).toEqual({ kind: "secret", name: "SHOP_DB_PASSWORD" });
  });

  it("propagates the record schema through the stream's steps", () => {
    const p = pipeline("specs/shop_orders.yaml");
    const s = p.streams[0]!;
    expect(s.output.map((f) => `${f.name}:${f.type}`)).toEqual([
      "window_start:timestamp",
      "window_end:timestamp",
      "customer_id:string",
      "orders:long",
      "revenue:decimal",
      "largest:decimal",
    ]);
    const u = pipeline("specs/user_activity.yaml").streams[0]!;
    expect(u.output.map((f) => `${f.name}:${f.type}`)).toEqual([
      "window_start:timestamp",
      "window_end:timestamp",
      "user_id:string",
      "action:string",
      "events:long",
      "total_duration_ms:long",
    ]);
  });

  it("is deeply immutable", () => {
    const p = pipeline("specs/iot_sensors.yaml");
    expect(() => {
      (p.topics[0] as { partitions: number }).partitions = 1;
    }).toThrow(TypeError);
    expect(Object.isFrozen(p.streams[0]!.output[0])).toBe(true);
  });
});

describe("values", () => {
  it("durations", () => {
    expect(["250ms", "30s", "5m", "2h", "7d", "1w"].map(durationMs)).toEqual([
      250, 30_000, 300_000, 7_200_000, 604_800_000, 604_800_000,
    ]);
  });
  it("references", () => {
    expect(valueRef("plain")).toEqual({ kind: "literal", value: "plain" });
    expect(valueRef("${secret:A_B}")).toEqual({ kind: "secret", name: "A_B" });
    expect(valueRef("jdbc://${env:HOST}:5432/${secret:DB}")).toEqual({
      kind: "template",
      parts: ["jdbc://", { kind: "env", name: "HOST" }, ":5432/", { kind: "secret", name: "DB" }],
    });
  });
  it("inline credentials", () => {
    expect(hasInlineCredentials("mongodb://u:p@h/db")).toBe(true);
    expect(hasInlineCredentials("https://admin:pw@registry:8081")).toBe(true);
    expect(hasInlineCredentials("mongodb://u:${secret:PW}@h/db")).toBe(false);
    expect(hasInlineCredentials("mongodb://h:27017/db")).toBe(false);
    expect(hasInlineCredentials("user@example.com")).toBe(false);
  });
  it("schedules", () => {
    for (const ok of [
      "@daily",
      "@hourly",
      "*/15 * * * *",
      "0 3 * * mon-fri",
      "5 * * * *",
      "0 0 1 jan *",
      "0 12 * * 0,6",
    ])
      expect(isSchedule(ok), ok).toBe(true);
    for (const bad of [
      "@sometimes",
      "* * * *",
      "60 * * * *",
      "* * 32 * *",
      "*/0 * * * *",
      "1-2-3 * * * *",
      "",
    ])
      expect(isSchedule(bad), bad).toBe(false);
  });
  it("columns used by expressions skip literals, functions, keywords and types", () => {
    const cols = (e: string) => columnsUsed(e).map((u) => u.name);
    expect(cols("amount >= 0")).toEqual(["amount"]);
    expect(cols("status <> 'CANCELLED' and note is not null")).toEqual(["status", "note"]);
    expect(cols("cast(amount as double) * 0.92")).toEqual(["amount"]);
    expect(cols("upper(name) like 'A%' or `odd col` = \"x\"")).toEqual(["name", "odd col"]);
    expect(cols("temperature_c between -60 and 90")).toEqual(["temperature_c"]);
    expect(cols("ts > current_timestamp() - interval 1 hour")).toEqual(["ts"]);
  });
});
