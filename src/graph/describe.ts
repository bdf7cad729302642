/** Short human lines for the nodes of a lineage picture: engines, durations, steps, sinks. */
import type { Connection, Sink, Stream, StreamStep, Topic } from "../ir/types.js";

const engines: Readonly<Record<Connection["type"], string>> = {
  postgres: "PostgreSQL",
  mysql: "MySQL",
  mongodb: "MongoDB",
  cassandra: "Cassandra",
  s3: "S3",
  files: "Files",
};

export function engineOf(c: Connection): string {
  return engines[c.type];
}

/** 600000 -> "10m": the largest unit that divides the duration. */
export function duration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
    [1000, "s"],
  ];
  for (const [size, unit] of units) if (ms % size === 0 && ms >= size) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export function topicDetails(t: Topic): string[] {
  const parts = [`${t.partitions} partition${t.partitions === 1 ? "" : "s"}`, t.format];
  if (t.deadLetter) parts.push("dead letters");
  const lines = [parts.join(" · ")];
  const retention = t.configs["retention.ms"];
  if (retention !== undefined)
    lines.push(`retention ${retention === "-1" ? "forever" : duration(Number(retention))}`);
  if (t.schema)
    lines.push(`schema ${t.schema.name}${t.compatibility ? ` (${t.compatibility})` : ""}`);
  return lines;
}

function stepLine(s: StreamStep): string {
  switch (s.kind) {
    case "filter":
      return `filter ${s.expr}`;
    case "select":
      return `select ${s.columns.join(", ")}`;
    case "derive":
      return `derive ${Object.keys(s.columns).join(", ")}`;
    case "rename":
      return `rename ${Object.entries(s.columns)
        .map(([a, b]) => `${a}→${b}`)
        .join(", ")}`;
    case "drop":
      return `drop ${s.columns.join(", ")}`;
    case "dedupe":
      return `dedupe by ${s.key.join(", ")}`;
    case "join":
      return `${s.how} join ${s.connection.name}.${s.table} on ${s.on.join(", ")}`;
    case "aggregate": {
      const w = s.window;
      const window = w
        ? `window ${duration(w.sizeMs)}${w.slideMs ? `/${duration(w.slideMs)}` : ""} on ${w.on}`
        : "aggregate";
      const by = s.groupBy.length ? ` by ${s.groupBy.join(", ")}` : "";
      return `${window}${by}: ${s.aggregates.map((a) => a.name).join(", ")}`;
    }
  }
}

export function streamDetails(s: Stream): string[] {
  const trigger =
    s.trigger.kind === "every"
      ? `every ${duration(s.trigger.everyMs)}`
      : `available now${s.trigger.schedule ? ` (${s.trigger.schedule})` : ""}`;
  const rules = s.quality.length ? [`${s.quality.length} quality rule(s)`] : [];
  return [...rules, ...s.steps.map(stepLine), trigger];
}

/** A sink's node name (shared by streams writing the same target) and its lines. */
export function sinkTarget(s: Exclude<Sink, { kind: "kafka" }>): {
  name: string;
  engine: string;
  details: string[];
} {
  switch (s.kind) {
    case "jdbc":
    case "cassandra":
      return {
        name: `${s.connection.name}.${s.table}`,
        engine: engineOf(s.connection),
        details: [`${s.mode}${s.key.length ? ` by ${s.key.join(", ")}` : ""}`],
      };
    case "mongodb":
      return {
        name: `${s.connection.name}.${s.collection}`,
        engine: "MongoDB",
        details: [s.key.length ? `upsert by ${s.key.join(", ")}` : "insert"],
      };
    case "files":
      return {
        name: `${s.connection.name}:${s.path}`,
        engine: engineOf(s.connection),
        details: [`${s.format}${s.partitionBy.length ? ` by ${s.partitionBy.join("/")}` : ""}`],
      };
  }
}
