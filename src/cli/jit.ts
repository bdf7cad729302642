import { setFlagsFromString } from "node:v8";

/**
 * V8's tiering, tuned for what the CLI is: a batch that runs much of its code once per spec,
 * a few thousand times at most, and then exits. With V8's default budget, TurboFan optimises
 * some 650 such functions in every thread (about 3 s of compiling per thread in a build of
 * 1,000 specs, on the same two cores as the work), and most never pay that back before the
 * process ends. Eight times the budget leaves the optimising to what is really hot (about 180
 * functions, 0.55 s a thread); everything else runs in the interpreter or Sparkplug's baseline
 * code, which are just as correct. A cold build of 1,000 specs on 2 cores: about 0.8x the wall
 * time and CPU (`npm run bench:compiler`). Flags are the process's, so the compile workers'
 * isolates (api/workers.ts) start with it too. Imported first by main.ts, before the rest of
 * the CLI's code has run.
 */
export const interruptBudget = 8 * 66 * 1024;

setFlagsFromString(`--interrupt-budget=${interruptBudget}`);
