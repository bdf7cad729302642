export { buildGraph } from "./build.js";
export { toHtml } from "./html.js";
export { toMermaid } from "./mermaid.js";
export type { GraphColumn, GraphEdge, GraphNode, NodeKind, PipelineGraph } from "./model.js";
