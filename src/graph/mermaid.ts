/** Mermaid flowchart source for lineage graphs (GitHub renders it in Markdown). */
import type { GraphEdge, GraphNode, NodeKind, PipelineGraph } from "./model.js";

/** One line of plain text: control characters and line breaks as spaces, lone surrogates as U+FFFD. */
export function plainLine(s: string): string {
  // With the u flag, [\ud800-\udfff] matches only surrogates that are not part of a pair.
  return s
    .replace(/[\ud800-\udfff]/gu, "\ufffd")
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(/ {2,}/g, " ");
}

/** Text inside a quoted Mermaid label: Mermaid's entity codes for what its parser would read. */
export function mermaidText(s: string): string {
  return plainLine(s)
    .replace(/#/g, "#35;")
    .replace(/&/g, "#38;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;");
}

const shapes: Readonly<Record<NodeKind, [string, string]>> = {
  source: ["[(", ")]"],
  lookup: ["[(", ")]"],
  ingest: ["([", "])"],
  topic: ["[[", "]]"],
  stream: ["[", "]"],
  sink: ["[(", ")]"],
  archive: ["[/", "/]"],
};

const styles: Readonly<Record<NodeKind, string>> = {
  source: "fill:#e8f1fb,stroke:#2f6fb3",
  lookup: "fill:#eef3f8,stroke:#7a8ea5",
  ingest: "fill:#fdf1e3,stroke:#c77a12",
  topic: "fill:#f2ecfa,stroke:#6b4aa8",
  stream: "fill:#e7f6ec,stroke:#2d8a4e",
  sink: "fill:#e8f1fb,stroke:#2f6fb3",
  archive: "fill:#f4f4f4,stroke:#666",
};

/** At most this many detail lines per box, so the picture stays readable. */
const MAX_DETAILS = 3;

function nodeLine(n: GraphNode, id: string): string {
  const details = n.details.slice(0, MAX_DETAILS);
  if (n.details.length > MAX_DETAILS) details.push("…");
  const text = [
    `<b>${mermaidText(n.label)}</b>`,
    mermaidText(n.engine),
    ...details.map(mermaidText),
  ];
  const [open, close] = shapes[n.kind];
  return `${id}${open}"${text.join("<br/>")}"${close}:::${n.kind}`;
}

function edgeLine(e: GraphEdge, ids: ReadonlyMap<string, string>): string | null {
  const from = ids.get(e.from);
  const to = ids.get(e.to);
  if (!from || !to) return null;
  if (e.kind === "data") return `${from} --> ${to}`;
  return `${from} -.->|${e.kind === "dead-letter" ? "dead letters" : "lookup"}| ${to}`;
}

/** One flowchart; with several pipelines, one subgraph each. */
export function toMermaid(graphs: readonly PipelineGraph[]): string {
  const lines = ["flowchart LR"];
  const ids = new Map<string, string>();
  let next = 0;
  for (const g of graphs) for (const n of g.nodes) ids.set(n.id, `n${next++}`);
  for (const [i, g] of graphs.entries()) {
    const indent = graphs.length > 1 ? "    " : "  ";
    if (graphs.length > 1) lines.push(`  subgraph p${i}["${mermaidText(g.pipeline)}"]`);
    for (const n of g.nodes) lines.push(indent + nodeLine(n, ids.get(n.id)!));
    for (const e of g.edges) {
      const line = edgeLine(e, ids);
      if (line) lines.push(indent + line);
    }
    if (graphs.length > 1) lines.push("  end");
  }
  for (const [kind, style] of Object.entries(styles)) lines.push(`  classDef ${kind} ${style}`);
  return lines.join("\n") + "\n";
}
