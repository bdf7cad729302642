import { diagnosticsDocument } from "../diagnostics/format.js";
import { plan } from "../plan/index.js";
import {
  githubReport,
  jsonReport,
  planExitCode,
  summary,
  summaryLine,
  textReport,
} from "../plan/report.js";
import { type CommonOptions, type Outcome, printDiagnostics, useColor } from "./output.js";

export interface PlanOptions extends Omit<CommonOptions, "format"> {
  format: "text" | "json" | "github";
  against: string;
  except?: string[];
}

/** Exit codes: 0 nothing breaking, 3 a breaking change not accepted, 1 invalid spec, 2 usage. */
export function runPlan(specs: string[], o: PlanOptions): Outcome {
  const r = plan(specs, {
    against: o.against,
    out: o.out ?? "generated",
    env: o.env ?? null,
    except: o.except ?? [],
  });
  const diagnostics = diagnosticsDocument(r.compilation.diagnostics);
  const textual = o.format === "text" ? "text" : "json";
  const printed = printDiagnostics(r.compilation.diagnostics, r.compilation.sources, {
    ...o,
    format: o.format === "github" ? "text" : textual,
  });
  if (printed || !r.baseline) return { exitCode: 1, json: { ...diagnostics } };
  const exitCode = planExitCode(r.changes);
  if (o.format === "github")
    process.stdout.write(
      githubReport(r)
        .map((l) => l + "\n")
        .join(""),
    );
  if (o.format === "text" || o.format === "github") {
    const color = o.format === "text" && useColor(process.stdout);
    const paint = (c: string, s: string) => (color ? `\u001b[${c}m${s}\u001b[0m` : s);
    const lines = o.format === "text" ? textReport(r, paint) : [];
    for (const n of r.notes) if (!o.quiet) lines.push(`note: ${n}`);
    lines.push(
      r.changes.length
        ? summaryLine(summary(r.changes))
        : `No changes: the running systems need nothing new for ${r.pipelines.length} pipeline${r.pipelines.length === 1 ? "" : "s"} (against ${r.baseline.name}).`,
    );
    if (!o.quiet || exitCode) process.stdout.write(lines.join("\n") + "\n");
  }
  return { exitCode, json: { ...diagnostics, ...jsonReport(r) } };
}
