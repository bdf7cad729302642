import { receiveMessageOnPort } from "node:worker_threads";
import { InternalError } from "../diagnostics/diagnostic.js";
import { compileSpec, type CompileOptions, type SpecResult } from "./compile.js";
import type { SpecSource } from "./sources.js";
import { takeWorkers, threadsFor } from "./workers.js";

export { threadsFor } from "./workers.js";

/**
 * Compiling specs on worker threads. Specs are independent and their stages pure, so each can
 * be compiled on any thread: this thread and the workers take the next spec from one shared
 * counter, and compile() gathers the results in spec order afterwards, so the output and the
 * diagnostics do not depend on which thread compiled what. It stays synchronous: this thread
 * waits on the counter of finished workers (Atomics.wait) and reads their results from their
 * ports (receiveMessageOnPort).
 */

/** What a worker thread is sent on its port (workers.ts) when there is work. */
export interface WorkerInput {
  specs: readonly SpecSource[];
  opts: Pick<CompileOptions, "env" | "limits" | "targets" | "stage">;
  /** [next spec to take, workers finished] */
  shared: SharedArrayBuffer;
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
  const workers = takeWorkers(threads - 1);
  const input: WorkerInput = { specs, opts: wopts, shared };
  for (const { port } of workers) port.postMessage(input);
  const settled: Settled[] = new Array<Settled>(specs.length);
  for (let i = Atomics.add(state, 0, 1); i < specs.length; i = Atomics.add(state, 0, 1))
    settled[i] = settle(specs[i]!, wopts, i);
  for (let done = Atomics.load(state, 1); done < workers.length; done = Atomics.load(state, 1))
    Atomics.wait(state, 1, done);
  for (const { port } of workers) {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      const { index, settled: s } = m.message as WorkerMessage;
      settled[index] = s;
    }
    port.close();
  }
  for (const { worker } of workers) void worker.terminate();
  for (let i = 0; i < specs.length; i++) settled[i] ??= settle(specs[i]!, wopts, i);
  return new Map(specs.map((s, i) => [s.file, settled[i]!]));
}
