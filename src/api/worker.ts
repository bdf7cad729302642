import { workerData } from "node:worker_threads";
import type { WorkerInput, WorkerMessage } from "./parallel.js";

/**
 * A compile worker thread (parallel.ts): takes the next spec from the shared counter until none
 * is left, sends each result to its port, then counts itself finished and wakes the main thread,
 * whatever happened (a spec this worker took and could not send is compiled there again).
 */
const { specs, opts, shared, port } = workerData as WorkerInput;
const state = new Int32Array(shared);
try {
  const { settle } = await import("./parallel.js");
  for (let i = Atomics.add(state, 0, 1); i < specs.length; i = Atomics.add(state, 0, 1)) {
    const message: WorkerMessage = { index: i, settled: settle(specs[i]!, opts, i) };
    port.postMessage(message);
  }
} finally {
  port.close();
  Atomics.add(state, 1, 1);
  Atomics.notify(state, 1);
}
