import { diagnosticsDocument } from "../diagnostics/format.js";
import {
  apiOptions,
  type BuildOptions,
  type Outcome,
  printDiagnostics,
  progress,
} from "./output.js";

export async function runBuild(specs: string[], o: BuildOptions): Promise<Outcome> {
  // The light attempt hands what it read to the full build (no spec or output read twice).
  const opts = { ...apiOptions(o), onProgress: progress(o), reads: {} };
  // A no-op needs none of the compiler: try without loading it first (api/light.ts).
  const r =
    (await import("../api/light.js")).buildReused(specs, opts) ??
    (await import("../api/index.js")).build(specs, opts);
  const diagnostics = diagnosticsDocument(r.diagnostics);
  if (printDiagnostics(r.diagnostics, r.sources, o) || !r.plan) {
    if (o.format === "text") process.stderr.write("nothing was written\n");
    return { exitCode: 1, json: { ...diagnostics, written: null } };
  }
  const count = (k: string) => r.plan!.changes.filter((c) => c.kind === k).length;
  const written = {
    root: r.plan.root,
    pipelines: r.outputs.length,
    created: count("create"),
    updated: count("update"),
    deleted: count("delete"),
    unchanged: r.plan.unchanged,
  };
  if (!o.quiet && o.format === "text") {
    const n = written.pipelines;
    process.stdout.write(
      `${n} pipeline${n === 1 ? "" : "s"} built into ${written.root}: ` +
        `${written.created} created, ${written.updated} updated, ${written.deleted} deleted, ${written.unchanged} unchanged\n`,
    );
    if (r.asWritten.length)
      process.stdout.write(
        `environment '${o.env}' is not defined in ${r.asWritten.join(", ")}: built as written\n`,
      );
  }
  const environment = o.env ? { environment: { name: o.env, asWritten: r.asWritten } } : {};
  return { exitCode: 0, json: { ...diagnostics, written, ...environment } };
}
