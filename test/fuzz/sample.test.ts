import { describe, expect, it } from "vitest";
import { median, report, runFuzz } from "./run.js";

/**
 * A fixed-seed sample of the fuzz in the unit run (npm run fuzz runs 10,000 cases): every
 * broken spec refused with at most 3 diagnostics, the first at the broken place, nothing
 * written; every valid spec built into format-stable, lint-clean Python and parsing JSON.
 */
describe("fuzz sample (fixed seed)", () => {
  it(
    "300 generated specs, valid and broken once, keep every property",
    { timeout: 120_000 },
    () => {
      const s = runFuzz({ numRuns: 300, seed: 20_240_601, counting: false, diskEvery: 25 });
      console.log(report(s));
      expect(s.cases).toBe(300);
      expect(s.valid).toBeGreaterThan(30);
      expect(s.broken).toBeGreaterThan(200);
      expect(s.builtToDisk).toBeGreaterThan(5);
      expect(Math.max(...s.diagnostics)).toBeLessThanOrEqual(3);
      expect(median(s.diagnostics)).toBe(1);
      expect(new Set(s.byKind.keys()).size).toBeGreaterThanOrEqual(6);
    },
  );
});
