import { stack } from "../api/stack.js";
import { diagnosticsDocument } from "../diagnostics/format.js";
import { type CommonOptions, type Outcome, printDiagnostics } from "./output.js";

/** `pipegen stack`: the Compose file of a local stack for the specs' pipelines (<out>/stack/). */
export function runStack(specs: string[], o: CommonOptions): Outcome {
  const out = o.out ?? "generated";
  const r = stack(specs, { env: o.env ?? null, out });
  const diagnostics = diagnosticsDocument(r.diagnostics);
  if (printDiagnostics(r.diagnostics, r.sources, o) || !r.written) {
    if (o.format === "text") process.stderr.write("nothing was written\n");
    return { exitCode: 1, json: { ...diagnostics, written: null } };
  }
  const written = { root: out, files: r.written.length, removed: r.removed.length };
  if (!o.quiet && o.format === "text")
    process.stdout.write(
      `stack written into ${out}/stack: ${written.files} files (compose.yaml, images/, init scripts)` +
        `${written.removed ? `, ${written.removed} removed` : ""}; run \`pipegen build\` with the same --env, then \`docker compose up -d --build\` there\n`,
    );
  return { exitCode: 0, json: { ...diagnostics, written } };
}
