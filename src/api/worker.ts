import { workerData, type MessagePort } from "node:worker_threads";
import type { WorkerInput, WorkerMessage } from "./parallel.js";

/**
 * A compile worker thread (parallel.ts, started by workers.ts): loads the compiler as soon as
 * it starts, then waits for its input on its port; takes the next spec from the shared counter
 * until none is left, sends each result to its port, then counts itself finished and wakes the
 * main thread, whatever happened (a spec this worker took and could not send, or never took
 * because the compiler would not load, is compiled there).
 */
const { port } = workerData as { port: MessagePort };
const loading = import("./parallel.js");
loading.catch(() => undefined); // awaited, and reported, when the input comes
port.once("message", (input: WorkerInput) => void work(input));

async function work({ specs, opts, shared }: WorkerInput): Promise<void> {
  const state = new Int32Array(shared);
  try {
    const { settle } = await loading;
    for (let i = Atomics.add(state, 0, 1); i < specs.length; i = Atomics.add(state, 0, 1)) {
      const message: WorkerMessage = { index: i, settled: settle(specs[i]!, opts, i) };
      port.postMessage(message);
    }
  } finally {
    port.close();
    Atomics.add(state, 1, 1);
    Atomics.notify(state, 1);
  }
}
