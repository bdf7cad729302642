import { writeFileSync } from "node:fs";
import { compilePaths } from "../api/index.js";
import { diagnosticsDocument } from "../diagnostics/format.js";
import { buildGraph, toHtml, toMermaid } from "../graph/index.js";
import { type CommonOptions, type Outcome, printDiagnostics } from "./output.js";

export interface GraphOptions extends Omit<CommonOptions, "format"> {
  format: "mermaid" | "html" | "json";
}

/** `pipegen graph`: the pipelines' lineage as Mermaid, one HTML page, or JSON; writes no build output. */
export function runGraph(specs: string[], o: GraphOptions): Outcome {
  const r = compilePaths(specs, { env: o.env ?? null });
  const text = { ...o, format: o.format === "json" ? "json" : "text" } as CommonOptions;
  const bad = printDiagnostics(r.diagnostics, r.sources, text);
  const graphs = bad ? [] : r.pipelines.map(buildGraph);
  const json = { ...diagnosticsDocument(r.diagnostics), pipelines: graphs };
  if (bad || o.format === "json") return { exitCode: bad ? 1 : 0, json };
  const out = o.format === "html" ? toHtml(graphs) : toMermaid(graphs);
  if (o.out) {
    writeFileSync(o.out, out);
    if (!o.quiet) process.stderr.write(`wrote ${o.out} (${graphs.length} pipelines)\n`);
  } else process.stdout.write(out);
  return { exitCode: 0, json };
}
