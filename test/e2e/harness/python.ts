// Runs Python scripts (and the venv's tools) in the e2e venv made by test/e2e/install.sh.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cachePaths } from "./paths.js";
import { exec, type RunResult } from "./process.js";

export type { RunResult } from "./process.js";

export interface RunOptions {
  cwd?: string;
  /** Added to (and overriding) the current environment. */
  env?: Record<string, string | undefined>;
  /** Kill the process (SIGKILL) after this long; default 120 s. */
  timeoutMs?: number;
  input?: string;
}

function venvReady(): string {
  const { venvPython } = cachePaths();
  if (!existsSync(venvPython)) {
    throw new Error(`no e2e venv at ${venvPython}: run bash test/e2e/install.sh first`);
  }
  return venvPython;
}

/** Run a command to the end and collect its output; never rejects for a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  // stdin is always a pipe (closed after `input`, default empty), unlike exec()'s default.
  return exec(command, args, {
    cwd: opts.cwd,
    env: { PYTHONUNBUFFERED: "1", ...opts.env },
    timeoutMs: opts.timeoutMs,
    input: opts.input ?? "",
  });
}

/** Run `python script args...` with the venv's Python. */
export function runPython(
  script: string,
  args: readonly string[] = [],
  opts: RunOptions = {},
): Promise<RunResult> {
  return run(venvReady(), [script, ...args], opts);
}

/** Run `python -c code args...` with the venv's Python (sys.argv[1:] are the args). */
export function runPythonCode(
  code: string,
  args: readonly string[] = [],
  opts: RunOptions = {},
): Promise<RunResult> {
  return run(venvReady(), ["-c", code, ...args], opts);
}

/** Run a tool installed in the venv, e.g. runVenvTool("ruff", ["check", file]). */
export function runVenvTool(
  tool: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  venvReady();
  return run(join(cachePaths().venvBin, tool), args, opts);
}

/** A readable account of a run, for assertion messages. */
export function describeRun(what: string, result: RunResult): string {
  return `${what} exited ${result.code}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`;
}
