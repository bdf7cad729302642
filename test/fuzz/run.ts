/**
 * Runs the fuzz: fast-check generates the cases (cases.ts) and each is checked (properties.ts).
 * `counting` keeps going after a failure and counts them all (npm run fuzz); otherwise the
 * first failure ends the run with fast-check's shrunk counterexample (the unit test's sample).
 */
import fc from "fast-check";
import { type FuzzCase, fuzzCase } from "./cases.js";
import { Failure, checkBroken, checkNothingWritten, checkValid } from "./properties.js";
import { knownBugs } from "./valid.js";

export interface FuzzStats {
  seed: number;
  cases: number;
  valid: number;
  broken: number;
  failures: string[];
  /** Diagnostics per broken case (one violation each). */
  diagnostics: number[];
  /** Broken cases built with build() into a folder, which stayed empty. */
  builtToDisk: number;
  byKind: Map<string, number>;
  ms: number;
}

export interface FuzzOptions {
  numRuns: number;
  seed: number;
  counting: boolean;
  /** Every how many broken cases one is also built to disk. */
  diskEvery: number;
}

function runOne(c: FuzzCase, s: FuzzStats, o: FuzzOptions) {
  s.cases++;
  if (c.kind === "valid") {
    s.valid++;
    s.byKind.set("valid", (s.byKind.get("valid") ?? 0) + 1);
    checkValid(c.valid);
    return;
  }
  s.broken++;
  const kind = c.broken.kind.replace(/:.*/, "");
  s.byKind.set(kind, (s.byKind.get(kind) ?? 0) + 1);
  s.diagnostics.push(checkBroken(c.broken));
  if (s.broken % o.diskEvery === 0) {
    checkNothingWritten(c.broken);
    s.builtToDisk++;
  }
}

export function runFuzz(o: FuzzOptions): FuzzStats {
  const s: FuzzStats = {
    seed: o.seed,
    cases: 0,
    valid: 0,
    broken: 0,
    failures: [],
    diagnostics: [],
    builtToDisk: 0,
    byKind: new Map(),
    ms: 0,
  };
  const t = performance.now();
  const property = fc.property(fuzzCase, (c) => {
    if (!o.counting) return runOne(c, s, o);
    try {
      runOne(c, s, o);
    } catch (e) {
      if (!(e instanceof Failure)) throw e;
      s.failures.push(e.message);
    }
  });
  fc.assert(property, { numRuns: o.numRuns, seed: o.seed });
  s.ms = performance.now() - t;
  return s;
}

/** The middle value of a list of counts. */
export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : 0;
}

/** The counts, as `npm run fuzz` prints them. */
export function report(s: FuzzStats): string {
  const kinds = [...s.byKind.entries()]
    .sort()
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  return [
    `fuzz: ${s.cases} cases (seed ${s.seed}) in ${(s.ms / 1000).toFixed(1)} s: ${s.valid} valid, ${s.broken} broken once (${kinds})`,
    `failures: ${s.failures.length}`,
    `diagnostics per single violation: median ${median(s.diagnostics)}, max ${Math.max(0, ...s.diagnostics)}`,
    `broken specs built to disk with nothing written: ${s.builtToDisk}`,
    ...knownBugs.map((b) => `left out of the valid cases, a known bug: ${b.what}`),
  ].join("\n");
}
