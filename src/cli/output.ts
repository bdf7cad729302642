import { InternalError, UsageError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { diagnosticsToJson, formatDiagnostics } from "../diagnostics/format.js";

export interface CommonOptions {
  env?: string;
  format: "text" | "json";
  quiet?: boolean;
  out?: string;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return !!stream.isTTY && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "");
}

/** Prints diagnostics; returns true when there were errors. */
export function printDiagnostics(
  diags: Diagnostic[],
  sources: Map<string, string>,
  o: CommonOptions,
): boolean {
  const errors = diags.filter((d) => d.severity === "error").length;
  if (o.format === "json") {
    process.stdout.write(diagnosticsToJson(diags));
    return errors > 0;
  }
  if (diags.length) {
    process.stderr.write(
      formatDiagnostics(diags, { color: useColor(process.stderr), sources }) + "\n",
    );
    const warnings = diags.length - errors;
    process.stderr.write(
      `\n${errors} error${errors === 1 ? "" : "s"}${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}\n`,
    );
  }
  return errors > 0;
}

/** A progress line on a terminal when many specs are built. */
export function progress(o: CommonOptions) {
  if (o.quiet || o.format === "json" || !process.stderr.isTTY) return undefined;
  return (done: number, total: number, file: string) => {
    if (total < 5) return;
    process.stderr.write(`\r\u001b[K[${done}/${total}] ${file}`);
    if (done === total) process.stderr.write("\r\u001b[K");
  };
}

/** Turns a thrown error into an exit code: 2 for usage, 70 for pipegen's own bugs. */
export function report(e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`pipegen: ${e.message}\n`);
    return 2;
  }
  const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(
    `pipegen: internal error${e instanceof InternalError ? "" : " (a bug in pipegen, not in your spec)"}: ${e instanceof Error ? e.message : String(e)}\n` +
      (process.env.PIPEGEN_DEBUG ? msg + "\n" : "set PIPEGEN_DEBUG=1 for details\n"),
  );
  return 70;
}
