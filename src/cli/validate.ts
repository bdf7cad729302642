import { compilePaths } from "../api/index.js";
import { printDiagnostics, progress, type CommonOptions } from "./output.js";

export function runValidate(specs: string[], o: CommonOptions): void {
  const r = compilePaths(specs, { env: o.env ?? null, onProgress: progress(o) });
  const bad = printDiagnostics(r.diagnostics, r.sources, o);
  if (!bad && !o.quiet && o.format === "text")
    process.stdout.write(
      `${r.pipelines.length} spec${r.pipelines.length === 1 ? "" : "s"} valid\n`,
    );
  process.exitCode = bad ? 1 : 0;
}
