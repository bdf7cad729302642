/** One self-contained HTML page with the lineage of every pipeline (no network at view time). */
import { readFileSync } from "node:fs";
import type { PipelineGraph } from "./model.js";

const templates = new URL("../../templates/graph/", import.meta.url);

/** JSON that is safe inside a <script> element: no "</script>", no HTML comment, no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function htmlText(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([A-Z]+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

export function toHtml(graphs: readonly PipelineGraph[]): string {
  const read = (name: string) => readFileSync(new URL(name, templates), "utf8");
  const names = graphs.map((g) => g.pipeline).join(", ");
  return fill(read("page.html"), {
    TITLE: htmlText(`pipegen lineage: ${names}`),
    CSS: read("graph.css").trimEnd(),
    JS: read("graph.js").trimEnd(),
    DATA: scriptJson({ pipelines: graphs }),
  });
}
