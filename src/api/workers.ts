import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";

/**
 * The compile workers' threads (parallel.ts compiles on them). This module loads none of the
 * compiler, so the CLI can start workers before it loads the compiler itself: a worker loads
 * its modules (~0.3 s) while this thread loads its own, instead of after.
 */

/** A worker costs ~0.3 s to start (modules, ruff's WASM): fewer specs each would not pay for it. */
export const minSpecsPerThread = 40;

const workerFile = fileURLToPath(new URL("./worker.js", import.meta.url));

/**
 * A worker's young generation: a spec's garbage is short-lived, and a nursery of 48 MB keeps
 * most of it from ever being promoted. With V8's tiering tuned (cli/jit.ts), a 12 MB nursery
 * cost a 2-thread build of 1,000 pipelines about 0.3 s of its ~5 s (more scavenges, more
 * promoted), at the same peak RSS (about 400 MB either way; bench/run.mjs).
 */
const workerYoungGenerationMb = 48;

/** How many threads to compile n specs on (1: this thread alone). */
export function threadsFor(n: number, jobs = 1): number {
  const usable = Math.min(jobs, availableParallelism(), Math.floor(n / minSpecsPerThread));
  return usable >= 2 && workerFile.endsWith(".js") && existsSync(workerFile) ? usable : 1;
}

/** A started worker and this thread's end of its channel (the worker waits for its input there). */
export interface CompileWorker {
  worker: Worker;
  port: MessagePort;
}

/** Workers started ahead and not taken yet; they never keep the process alive. */
const ready: CompileWorker[] = [];

function start(): CompileWorker {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(workerFile, {
    workerData: { port: port2 },
    transferList: [port2],
    resourceLimits: { maxYoungGenerationSizeMb: workerYoungGenerationMb },
  });
  worker.unref();
  return { worker, port: port1 };
}

/** Starts workers for compiling n specs with `jobs` threads, ahead of the compiler (see above). */
export function startWorkersFor(n: number, jobs = 1): void {
  for (let w = ready.length + 1; w < threadsFor(n, jobs); w++) ready.push(start());
}

/** n workers: those started ahead first, then new ones. */
export function takeWorkers(n: number): CompileWorker[] {
  const taken = ready.splice(0, n);
  while (taken.length < n) taken.push(start());
  return taken;
}
