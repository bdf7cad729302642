import { compilePaths } from "../api/index.js";
import { diagnosticsDocument } from "../diagnostics/format.js";
import { type CommonOptions, type Outcome, printDiagnostics, progress } from "./output.js";

export function runValidate(specs: string[], o: CommonOptions): Outcome {
  const r = compilePaths(specs, { env: o.env ?? null, onProgress: progress(o) });
  const bad = printDiagnostics(r.diagnostics, r.sources, o);
  if (!bad && !o.quiet && o.format === "text")
    process.stdout.write(
      `${r.pipelines.length} spec${r.pipelines.length === 1 ? "" : "s"} valid\n`,
    );
  return {
    exitCode: bad ? 1 : 0,
    json: { ...diagnosticsDocument(r.diagnostics), valid: bad ? 0 : r.pipelines.length },
  };
}
