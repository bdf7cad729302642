import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
} from "node:worker_threads";
import { InternalError } from "../diagnostics/diagnostic.js";
import { compileSpec, type CompileOptions, type SpecResult } from "./compile.js";
import type { SpecSource } from "./sources.js";

/**
 * Compiling specs on worker threads. Specs are independent and their stages pure, so each can
 * be compiled on any thread: this thread and the workers take the next spec from one shared
 * counter, and compile() gathers the results in spec order afterwards, so the output and the
 * diagnostics do not depend on which thread compiled what. It stays synchronous: this thread
 * waits on the counter of finished workers (Atomics.wait) and reads their results from their
 * ports (receiveMessageOnPort).
 */

/** A worker costs ~0.3 s to start (modules, ruff's WASM): fewer specs each would not pay for it. */
export const minSpecsPerThread = 40;

const workerFile = fileURLToPath(new URL("./worker.js", import.meta.url));

/**
 * A worker's young generation (V8's default is larger): a spec's garbage is short-lived, and a
 * smaller nursery keeps a 2-thread build of 1,000 pipelines near 470 MB peak RSS instead of
 * near 500, with no measurable cost in CPU time (bench/run.mjs).
 */
const workerYoungGenerationMb = 12;

/** What a worker thread is given. */
export interface WorkerInput {
  specs: readonly SpecSource[];
  opts: Pick<CompileOptions, "env" | "limits" | "targets" | "stage">;
  /** [next spec to take, workers finished] */
  shared: SharedArrayBuffer;
  port: MessagePort;
}

/** A spec's result, or what compiling it threw (rethrown where the spec comes in order). */
export type Settled = { result: SpecResult } | { thrown: { name: string; message: string } };

/** What a worker sends for each spec it compiled. */
export interface WorkerMessage {
  index: number;
  settled: Settled;
}

/** Compiles one spec, catching what it throws. */
export function settle(spec: SpecSource, opts: WorkerInput["opts"], index: number): Settled {
  try {
    return { result: compileSpec(spec, opts, false, index) };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { thrown: { name: err.name, message: err.message } };
  }
}

/** The result of a settled spec; throws again what compiling it threw. */
export function unwrap(s: Settled): SpecResult {
  if ("result" in s) return s.result;
  if (s.thrown.name === "InternalError") throw new InternalError(s.thrown.message);
  throw new Error(s.thrown.message);
}

/** How many threads to compile n specs on (1: this thread alone). */
export function threadsFor(n: number, jobs = 1): number {
  const usable = Math.min(jobs, availableParallelism(), Math.floor(n / minSpecsPerThread));
  return usable >= 2 && workerFile.endsWith(".js") && existsSync(workerFile) ? usable : 1;
}

/**
 * Compiles the specs on `opts.jobs` threads when that pays; undefined when they are better
 * compiled one by one on this thread (few specs, one job, or run from sources).
 */
export function compileInParallel(
  specs: readonly SpecSource[],
  opts: CompileOptions,
): Map<string, Settled> | undefined {
  const threads = threadsFor(specs.length, opts.jobs);
  if (threads < 2) return undefined;
  const wopts = {
    env: opts.env ?? null,
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.targets ? { targets: opts.targets } : {}),
    ...(opts.stage ? { stage: opts.stage } : {}),
  };
  const shared = new SharedArrayBuffer(8);
  const state = new Int32Array(shared);
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  for (let w = 1; w < threads; w++) {
    const { port1, port2 } = new MessageChannel();
    const input: WorkerInput = { specs, opts: wopts, shared, port: port2 };
    workers.push(
      new Worker(workerFile, {
        workerData: input,
        transferList: [port2],
        resourceLimits: { maxYoungGenerationSizeMb: workerYoungGenerationMb },
      }),
    );
    ports.push(port1);
  }
  const settled: Settled[] = new Array<Settled>(specs.length);
  for (let i = Atomics.add(state, 0, 1); i < specs.length; i = Atomics.add(state, 0, 1))
    settled[i] = settle(specs[i]!, wopts, i);
  for (let done = Atomics.load(state, 1); done < workers.length; done = Atomics.load(state, 1))
    Atomics.wait(state, 1, done);
  for (const port of ports) {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      const { index, settled: s } = m.message as WorkerMessage;
      settled[index] = s;
    }
    port.close();
  }
  for (const w of workers) void w.terminate();
  for (let i = 0; i < specs.length; i++) settled[i] ??= settle(specs[i]!, wopts, i);
  return new Map(specs.map((s, i) => [s.file, settled[i]!]));
}
