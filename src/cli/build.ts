import { build } from "../api/index.js";
import { printDiagnostics, progress, type CommonOptions } from "./output.js";

export function runBuild(specs: string[], o: CommonOptions): void {
  const r = build(specs, {
    env: o.env ?? null,
    out: o.out ?? "generated",
    reuse: true,
    onProgress: progress(o),
  });
  const bad = printDiagnostics(r.diagnostics, r.sources, o);
  if (bad) {
    if (o.format === "text") process.stderr.write("nothing was written\n");
    process.exitCode = 1;
    return;
  }
  if (!o.quiet && o.format === "text" && r.plan) {
    const count = (k: string) => r.plan!.changes.filter((c) => c.kind === k).length;
    process.stdout.write(
      `${r.outputs.length} pipeline${r.outputs.length === 1 ? "" : "s"} built into ${r.plan.root}: ` +
        `${count("create")} created, ${count("update")} updated, ${count("delete")} deleted, ${r.plan.unchanged} unchanged\n`,
    );
  }
  process.exitCode = 0;
}
