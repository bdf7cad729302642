import { expect, it } from "vitest";
import { median, report, runFuzz } from "./run.js";

/**
 * npm run fuzz: FUZZ_RUNS cases (10,000 by default) from a random seed (FUZZ_SEED replays one);
 * every failure is counted and the first few shown, then the counts are printed.
 */
it("fuzz", { timeout: 6 * 3600_000 }, () => {
  const numRuns = Number(process.env.FUZZ_RUNS ?? 10_000);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const s = runFuzz({ numRuns, seed, counting: true, diskEvery: 100 });
  const kinds = new Map<string, number>();
  for (const f of s.failures) {
    const k = f.split("\n")[0]!.replace(/[\w.-]*\/[\w./-]*\.py/, "<file>.py");
    if (!kinds.has(k)) console.log(`FAILURE ${f}\n`);
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  for (const [k, n] of kinds) console.log(`${n} x ${k}`);
  console.log(report(s));
  expect(s.failures).toEqual([]);
  expect(s.cases).toBe(numRuns);
  expect(Math.max(...s.diagnostics)).toBeLessThanOrEqual(3);
  expect(median(s.diagnostics)).toBe(1);
});
