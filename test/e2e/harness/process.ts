// The process plumbing every harness shares: run a command to the end with its output collected
// (exec), start a long-running server in its own process group with its output in a log file
// (startServer), wait until it (or anything else) is ready (waitForServer, waitUntil), and stop
// it: a signal (SIGTERM by default), SIGKILL after a grace period, then its temp dir removed.
// Process groups still running when the test process exits, however it exits, are SIGKILLed.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createConnection, createServer, type AddressInfo } from "node:net";

export interface RunResult {
  /** The exit code; -1 when the process died of a signal or could not start. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment variables to add to (and override in) the current environment; undefined removes one. */
export type Env = Record<string, string | undefined>;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** PIPEGEN_E2E_KEEP=1: leave the temp dirs (data, logs) behind for a look. */
const keepTempDirs = () => process.env.PIPEGEN_E2E_KEEP === "1";

/** Remove a temp dir, unless PIPEGEN_E2E_KEEP=1. */
export function removeTempDir(dir: string): Promise<void> {
  return keepTempDirs() ? Promise.resolve() : rm(dir, { recursive: true, force: true });
}

/** The current environment with `extra` added (and overriding); an undefined value removes one. */
export function childEnv(extra: Env = {}): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries({ ...process.env, ...extra }).filter(([, v]) => v !== undefined),
  ) as NodeJS.ProcessEnv;
}

/** The last `lines` lines of a log file, or a note that there is none. */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return `(no log at ${file})`;
  }
}

/** Collect a child's piped stdout and stderr as text; notes of the harness are added to stderr. */
export function collectOutput(child: ChildProcess): { stdout: string; stderr: string } {
  const out = { stdout: "", stderr: "" };
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out.stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (out.stderr += chunk));
  return out;
}

export interface ExecOptions {
  cwd?: string;
  /** Added to (and overriding) the current environment. */
  env?: Env;
  /** Kill the process (SIGKILL) after this long; default 120 s. */
  timeoutMs?: number;
  /**
   * Written to the child's stdin (a pipe), which is then closed. Without it the child's stdin
   * is /dev/null and nothing is written.
   */
  input?: string;
  /**
   * Terser notes in stderr: "killed after <ms> ms" without the command line (which may hold a
   * whole script given with -c), and no note of the signal the process died of.
   */
  brief?: boolean;
}

/** Run a command to the end and collect its output; never rejects (a failure is in `code`). */
export function exec(
  command: string,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: childEnv(opts.env),
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out = collectOutput(child);
    const timeoutMs = opts.timeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      out.stderr += opts.brief
        ? `\n[harness] killed after ${timeoutMs} ms\n`
        : `\n[harness] killed after ${timeoutMs} ms: ${command} ${args.join(" ")}\n`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolvePromise({
        code: -1,
        stdout: out.stdout,
        stderr: `${out.stderr}\n[harness] ${String(err)}\n`,
      });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (signal && !opts.brief) out.stderr += `\n[harness] ${command} died of ${signal}\n`;
      resolvePromise({ code: code ?? -1, stdout: out.stdout, stderr: out.stderr });
    });
    if (opts.input !== undefined) {
      // A child that exits at once closes its stdin first: that is not an error of ours.
      child.stdin!.on("error", () => {});
      child.stdin!.end(opts.input);
    }
  });
}

// --- process groups -------------------------------------------------------------------------------

/** Detached children (each the leader of its process group) and the temp dir to remove with it. */
const live = new Map<ChildProcess, string | undefined>();
let exitHookInstalled = false;

/** Send a signal to a detached child's whole process group, unless the child has exited. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Have a detached child's process group SIGKILLed, and `dir` removed (unless
 * PIPEGEN_E2E_KEEP=1), if the test process exits before untrackGroup(child).
 */
export function trackGroup(child: ChildProcess, dir?: string): void {
  live.set(child, dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const [c, d] of live) {
      killGroup(c, "SIGKILL");
      if (d !== undefined && !keepTempDirs()) rmSync(d, { recursive: true, force: true });
    }
  });
}

export function untrackGroup(child: ChildProcess): void {
  live.delete(child);
}

// --- servers --------------------------------------------------------------------------------------

export interface ServerOptions {
  /** What errors call the server, e.g. "Kafka broker". */
  name: string;
  command: string;
  args: readonly string[];
  /** Its working directory: the temp dir that stop() removes (unless PIPEGEN_E2E_KEEP=1). */
  dir: string;
  /** Where its stdout and stderr go (appended). */
  outFile: string;
  /** Added to (and overriding) the current environment; default the current environment. */
  env?: Env;
  /** What stop() sends the process group first; default SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** How long stop() waits for the server to exit before SIGKILL. */
  stopGraceMs: number;
  /** Leave `dir` behind when the test process exits without stop() (only stop() removes it). */
  keepDirAtExit?: boolean;
  /** The log text errors quote; default the last 30 lines of outFile. */
  logTail?: () => string;
}

export interface ServerProcess {
  name: string;
  child: ChildProcess;
  /** How it ended ("exit code 1, signal none", or the spawn error); undefined while it runs. */
  readonly exited: string | undefined;
  /** Resolves once it has exited (or failed to start). */
  ended: Promise<void>;
  logTail(): string;
  /**
   * The stop signal to the process group, SIGKILL after the grace period (then up to 5 s more
   * for the exit), then the temp dir removed. Safe to call twice.
   */
  stop(): Promise<void>;
  /**
   * Read the log's tail, stop the server (which removes the log), and return an Error with
   * message(logTail), for the caller to throw.
   */
  stopWithError(message: (logTail: string) => string): Promise<Error>;
}

/** Start a server in its own process group (detached), stdout and stderr into outFile. */
export function startServer(opts: ServerOptions): ServerProcess {
  const out = openSync(opts.outFile, "a");
  const child = spawn(opts.command, opts.args, {
    cwd: opts.dir,
    detached: true, // its own process group: stop() reaches everything it started
    stdio: ["ignore", out, out],
    env: opts.env && childEnv(opts.env),
  });
  closeSync(out);
  trackGroup(child, opts.keepDirAtExit ? undefined : opts.dir);
  let exited: string | undefined;
  const ended = new Promise<void>((resolvePromise) => {
    child.once("exit", (code, signal) => {
      exited = `exit code ${code ?? "none"}, signal ${signal ?? "none"}`;
      resolvePromise();
    });
    child.once("error", (err) => {
      exited = String(err);
      resolvePromise();
    });
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      killGroup(child, opts.stopSignal ?? "SIGTERM");
      const timedOut = await Promise.race([
        ended.then(() => false),
        sleep(opts.stopGraceMs).then(() => true),
      ]);
      if (timedOut) {
        killGroup(child, "SIGKILL");
        await Promise.race([ended, sleep(5_000)]);
      }
    }
    untrackGroup(child);
    await removeTempDir(opts.dir);
  };
  const logTail = opts.logTail ?? (() => tail(opts.outFile));
  const stopWithError = async (message: (logTail: string) => string) => {
    const text = logTail();
    await stop();
    return new Error(message(text));
  };
  return {
    name: opts.name,
    child,
    get exited() {
      return exited;
    },
    ended,
    logTail,
    stop,
    stopWithError,
  };
}

// --- waiting --------------------------------------------------------------------------------------

export interface WaitOptions {
  timeoutMs: number;
  /** The pause after a probe that found it not ready. */
  intervalMs: number;
  /** Look at the deadline before each probe (no probe once it has passed) instead of after it. */
  deadlineFirst?: boolean;
}

/**
 * Call `probe` until it returns something other than undefined, and return that. Past the
 * deadline, throw the error onTimeout() makes (the probe's closure can tell it why).
 */
export async function waitUntil<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  opts: WaitOptions & {
    onTimeout: () => Error | Promise<Error>;
    /** Runs before each probe; it throws to give up at once (e.g. the server has exited). */
    before?: () => Promise<void>;
  },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (opts.before) await opts.before();
    if (opts.deadlineFirst && Date.now() > deadline) throw await opts.onTimeout();
    const value = await probe();
    if (value !== undefined) return value;
    if (!opts.deadlineFirst && Date.now() > deadline) throw await opts.onTimeout();
    await sleep(opts.intervalMs);
  }
}

/**
 * Wait until at least `n` items of `list` (which grows meanwhile) match `filter`, and return
 * those; it looks every 50 ms. After timeoutMs, throw an Error with tooFew(how many matched).
 */
export function waitForItems<T>(
  list: readonly T[],
  n: number,
  opts: { timeoutMs: number; filter: (item: T) => boolean },
  tooFew: (found: number) => string,
): Promise<T[]> {
  let matching: T[] = [];
  return waitUntil(
    () => {
      matching = list.filter(opts.filter);
      return matching.length >= n ? matching : undefined;
    },
    {
      timeoutMs: opts.timeoutMs,
      intervalMs: 50,
      onTimeout: () => new Error(tooFew(matching.length)),
    },
  );
}

/**
 * waitUntil() for a server that is starting: when it exits meanwhile, or is not ready in time,
 * stop it and throw an error with the log's tail:
 *   "<name> exited during startup (<how>); log tail:\n..."
 *   "<name> <notReady> within <timeoutMs> ms (<why()>); log tail:\n..."
 */
export function waitForServer<T>(
  server: ServerProcess,
  probe: () => Promise<T | undefined>,
  opts: WaitOptions & {
    /** e.g. "did not answer on 127.0.0.1:9092" */
    notReady: string;
    /** Why the last probe failed. */
    why: () => string;
  },
): Promise<T> {
  return waitUntil(probe, {
    ...opts,
    before: async () => {
      if (server.exited) {
        throw await server.stopWithError(
          (log) => `${server.name} exited during startup (${server.exited}); log tail:\n${log}`,
        );
      }
    },
    onTimeout: () =>
      server.stopWithError(
        (log) =>
          `${server.name} ${opts.notReady} within ${opts.timeoutMs} ms (${opts.why()}); log tail:\n${log}`,
      ),
  });
}

// --- ports ----------------------------------------------------------------------------------------

/** Two (or n) distinct free ports on 127.0.0.1, held open together so they differ. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolvePromise, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolvePromise(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Whether a TCP connection to 127.0.0.1:port succeeds within a second. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
