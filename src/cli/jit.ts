import { setFlagsFromString } from "node:v8";

/**
 * V8's tiering, tuned for what the CLI is: a batch that runs much of its code once per spec,
 * a few thousand times at most, and then exits. With V8's defaults, TurboFan optimises some
 * 650 such JavaScript functions in every thread (about 3 s of compiling per thread in a build
 * of 1,000 specs, on the same two cores as the work), and tiers up ruff's WebAssembly, most of
 * which never pays that back before the process ends. Eight times the JavaScript budget leaves
 * the optimising to what is really hot (about 180 functions, 0.55 s a thread); eighty times
 * the WebAssembly one keeps ruff, which formats each block shape once, on Liftoff's baseline
 * code. Either way the code runs as written: the interpreter, Sparkplug and Liftoff are V8's
 * own tiers, the ones every function starts in. A cold build of 1,000 specs on 2 cores: about
 * 0.8x the wall time for the first, 0.9x more for the second (`npm run bench:compiler`). Flags
 * are the process's, so the compile workers' isolates (api/workers.ts) start with them too.
 * Imported first by main.ts, before the rest of the CLI's code has run.
 */
export const interruptBudget = 8 * 66 * 1024;
export const wasmTieringBudget = 80 * 1_800_000;

setFlagsFromString(`--interrupt-budget=${interruptBudget}`);
setFlagsFromString(`--wasm-tiering-budget=${wasmTieringBudget}`);
