/**
 * What the CLI prints. Text goes to the terminal as it comes (diagnostics on stderr); with
 * `--format json` a command prints exactly one JSON document on stdout, for every outcome:
 * success, invalid specs, stale output, a usage error, an internal error. A closed pipe
 * (`| head`) ends the program quietly.
 */
import { availableParallelism } from "node:os";
import { InternalError, UsageError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { formatDiagnostics } from "../diagnostics/format.js";

export interface CommonOptions {
  env?: string;
  format: "text" | "json";
  quiet?: boolean;
  out?: string;
}

/** build's and check's options: CommonOptions and --jobs, the threads to compile on. */
export type BuildOptions = CommonOptions & { jobs?: number };

/** The API options of build and check: reuse proven-unchanged outputs, one thread per CPU. */
export function apiOptions(o: BuildOptions) {
  return {
    env: o.env ?? null,
    out: o.out ?? "generated",
    reuse: true,
    jobs: o.jobs ?? availableParallelism(),
  };
}

/** What a command ends with: its exit code and, for --format json, the fields of its document. */
export interface Outcome {
  exitCode: number;
  json: Record<string, unknown>;
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return !!stream.isTTY && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "");
}

/** Whether the arguments ask for JSON: known before (and whether or not) they parse. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === "--format=json" || (a === "--format" && argv[i + 1] === "json"));
}

/** A closed stdout or stderr (`pipegen ... | head`) ends the program quietly, with its exit code. */
export function quietPipes(): void {
  for (const stream of [process.stdout, process.stderr])
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
      process.exit(process.exitCode ?? 0);
    });
}

/** The one JSON document of a command. */
export function writeJson(command: string | null, outcome: Outcome): void {
  const doc = { command, ok: outcome.exitCode === 0, exitCode: outcome.exitCode, ...outcome.json };
  process.stdout.write(JSON.stringify(doc, null, 2) + "\n");
}

/** Prints diagnostics (text mode; JSON carries them in its document); true when there were errors. */
export function printDiagnostics(
  diags: Diagnostic[],
  sources: Map<string, string>,
  o: CommonOptions,
): boolean {
  const errors = diags.filter((d) => d.severity === "error").length;
  if (o.format === "text" && diags.length) {
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

/** A usage error (exit 2): the message, in text or in the JSON document. */
export function usage(command: string | null, message: string, json: boolean): number {
  if (json) writeJson(command, { exitCode: 2, json: { error: { kind: "usage", message } } });
  else process.stderr.write(`pipegen: ${message}\n`);
  return 2;
}

/** Turns a thrown error into an exit code: 2 for usage, 70 for pipegen's own bugs. */
export function report(e: unknown, command: string | null, json: boolean): number {
  if (e instanceof UsageError) return usage(command, e.message, json);
  const message = e instanceof Error ? e.message : String(e);
  const stack = e instanceof Error ? (e.stack ?? message) : message;
  const bug = e instanceof InternalError ? "" : " (a bug in pipegen, not in your spec)";
  if (json)
    writeJson(command, {
      exitCode: 70,
      json: {
        error: {
          kind: "internal",
          message: `internal error${bug}: ${message}`,
          ...(process.env.PIPEGEN_DEBUG ? { stack } : {}),
        },
      },
    });
  else
    process.stderr.write(
      `pipegen: internal error${bug}: ${message}\n` +
        (process.env.PIPEGEN_DEBUG ? stack + "\n" : "set PIPEGEN_DEBUG=1 for details\n"),
    );
  return 70;
}
