import { codeFrameColumns } from "@babel/code-frame";
import type { Diagnostic } from "./diagnostic.js";

export interface FormatOptions {
  color: boolean;
  /** Source text per file, for code frames. */
  sources: ReadonlyMap<string, string>;
}

const paint = (on: boolean, code: string, text: string) =>
  on ? `\u001b[${code}m${text}\u001b[0m` : text;

/** Human form: `file:line:col error PG201 message`, a code frame, then the hint. */
export function formatDiagnostic(d: Diagnostic, opts: FormatOptions): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file;
  const sev = paint(opts.color, d.severity === "error" ? "31;1" : "33;1", d.severity);
  const lines = [`${paint(opts.color, "1", where)} ${sev} ${d.code} ${d.message}`];
  const src = opts.sources.get(d.file);
  if (src !== undefined && d.line > 0) {
    lines.push(
      codeFrameColumns(
        src,
        { start: { line: d.line, column: d.col } },
        { highlightCode: opts.color, forceColor: opts.color, linesAbove: 2, linesBelow: 1 },
      ),
    );
  }
  if (d.hint) lines.push(`  ${paint(opts.color, "36", "hint:")} ${d.hint}`);
  return lines.join("\n");
}

export function formatDiagnostics(diags: readonly Diagnostic[], opts: FormatOptions): string {
  return diags.map((d) => formatDiagnostic(d, opts)).join("\n\n");
}

/** Machine form of diagnostics, the part of every `--format json` document that has them. */
export function diagnosticsDocument(diags: readonly Diagnostic[]) {
  return {
    diagnostics: diags.map((d) => ({
      code: d.code,
      severity: d.severity,
      file: d.file,
      line: d.line,
      col: d.col,
      pointer: d.pointer,
      message: d.message,
      ...(d.hint ? { hint: d.hint } : {}),
    })),
    errors: diags.filter((d) => d.severity === "error").length,
    warnings: diags.filter((d) => d.severity === "warning").length,
  };
}
