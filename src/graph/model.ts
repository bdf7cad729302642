/**
 * The lineage graph of a pipeline: what runs where (sources, NiFi ingest, topics, Spark streams,
 * sinks, archives) and, per node, its columns with the upstream columns each comes from.
 * Built from the IR only; every renderer (Mermaid, HTML, JSON) reads this.
 */

export type NodeKind = "source" | "ingest" | "topic" | "stream" | "sink" | "archive" | "lookup";

/** One column of a node and the columns it is computed from (by node id and column name). */
export interface GraphColumn {
  name: string;
  type: string;
  from: ReadonlyArray<{ node: string; column: string }>;
}

export interface GraphNode {
  /** Stable within the pipeline: `<pipeline>.<kind>.<name>`. */
  id: string;
  kind: NodeKind;
  /** Which engine holds it: PostgreSQL, MySQL, MongoDB, NiFi, Kafka, Spark, S3, ... */
  engine: string;
  label: string;
  /** Short lines under the label: partitions, steps, mode, schedule. */
  details: readonly string[];
  columns: readonly GraphColumn[];
}

export interface GraphEdge {
  from: string;
  to: string;
  /** "data" records flow; "dead-letter" rejected records; "lookup" a join reads a table. */
  kind: "data" | "dead-letter" | "lookup";
}

export interface PipelineGraph {
  pipeline: string;
  description: string;
  specFile: string;
  nodes: readonly GraphNode[];
  edges: readonly GraphEdge[];
}

/** The left-to-right layer of each node kind in a picture. */
export const layerOf: Readonly<Record<NodeKind, number>> = {
  source: 0,
  lookup: 0,
  ingest: 1,
  topic: 2,
  stream: 3,
  sink: 4,
  archive: 4,
};
