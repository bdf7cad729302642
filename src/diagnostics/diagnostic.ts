/** A problem found in a spec, always with a place a person can jump to. */
export type Severity = "error" | "warning";

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  /** Path of the spec as the user gave it (relative when it was relative). */
  file: string;
  /** 1-based line and column; 0 when the problem has no position (e.g. an unreadable file). */
  line: number;
  col: number;
  /** JSON pointer into the spec document, e.g. /topics/orders.raw/partitions. */
  pointer: string;
  /** How to fix it; includes "did you mean" suggestions. */
  hint?: string;
}

/** A bug in pipegen itself, never a user error: printed distinctly, exit code 70. */
export class InternalError extends Error {
  override name = "InternalError";
}

/** A problem with how pipegen was called (missing file, bad flag): exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** An error about a spec as a whole, with no position in it (what its output would do). */
export function fileError(file: string, code: string, message: string, hint?: string): Diagnostic {
  return {
    code,
    severity: "error",
    message,
    file,
    line: 0,
    col: 0,
    pointer: "",
    ...(hint ? { hint } : {}),
  };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}
