// Runs Python scripts (and the venv's tools) in the e2e venv made by test/e2e/install.sh.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cachePaths } from "./paths.js";

export interface RunResult {
  /** The exit code; -1 when the process died of a signal or could not start. */
  code: number;
  stdout: string;
  stderr: string;
}

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
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: Object.fromEntries(
        Object.entries({ ...process.env, PYTHONUNBUFFERED: "1", ...opts.env }).filter(
          ([, v]) => v !== undefined,
        ),
      ) as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      stderr += `\n[harness] killed after ${timeoutMs} ms: ${command} ${args.join(" ")}\n`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolvePromise({ code: -1, stdout, stderr: `${stderr}\n[harness] ${String(err)}\n` });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal) stderr += `\n[harness] ${command} died of ${signal}\n`;
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
    // A child that exits at once closes its stdin first: that is not an error of ours.
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
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
