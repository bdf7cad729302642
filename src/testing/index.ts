/**
 * `pipegen test`: the specs' tests run through the generated jobs' own code on local Spark.
 * Compile (or take the jobs of a build's output folder), plan (encode the given records, name
 * the sinks), find or set up the environment, run every test in one Spark session (the Python
 * runner), judge each against its expectations.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compilePaths, type Compilation } from "../api/index.js";
import { UsageError } from "../diagnostics/diagnostic.js";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { sparkPaths } from "../ir/names.js";
import { prepareEnvironment, type TestEnvironment } from "./env.js";
import { judge, type Outcome, type RunnerResult } from "./judge.js";
import { needsAvro, planTests, type PlannedTest } from "./plan.js";
import { summarize, type Summary } from "./report.js";
import { runRunner } from "./runner.js";

export { EnvironmentError } from "./env.js";

export interface TestOptions {
  env?: string | null;
  /** Test names (`name` or `<pipeline>.<name>`) to run; all when empty. */
  only?: readonly string[];
  /** Run the jobs of this build output folder (e.g. generated) instead of compiling them. */
  jobs?: string;
  /** Progress lines (setting up, starting Spark, each test). */
  say?: (line: string) => void;
}

export interface TestRun {
  compilation: Compilation;
  outcomes: Outcome[];
  summary: Summary;
  environment?: TestEnvironment;
  /** What each test fed the job (the encoded records) and what the runner collected. */
  planned: PlannedTest[];
  results: RunnerResult[];
  /** The runner's log when it ended badly (tests without a result). */
  log?: string;
}

/** How many tests run at once in the session: $PIPEGEN_TEST_PARALLEL, else 4. */
function parallelism(): number {
  const n = Number(process.env.PIPEGEN_TEST_PARALLEL);
  return Number.isInteger(n) && n > 0 ? n : 4;
}

/** Writes the compiled jobs the tests need into `dir` (as a build would lay them out). */
function writeJobs(c: Compilation, tests: readonly PlannedTest[], dir: string): void {
  const wanted = new Set(tests.map((t) => sparkPaths.job(t.pipeline.name, t.stream.name)));
  for (const out of c.outputs)
    for (const f of out.files)
      if (wanted.has(f.path)) {
        mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
        writeFileSync(path.join(dir, f.path), f.content);
      }
}

/** Runs the tests of the specs the inputs name (see the module's docstring). */
export async function runTests(
  inputs: readonly string[],
  opts: TestOptions = {},
): Promise<TestRun> {
  const say = opts.say ?? (() => {});
  const compilation = compilePaths(inputs, { env: opts.env ?? null });
  const empty = { compilation, outcomes: [], summary: summarize([], 0), planned: [], results: [] };
  if (hasErrors(compilation.diagnostics)) return empty;
  const work = mkdtempSync(path.join(tmpdir(), "pipegen-test-"));
  try {
    const jobsDir = opts.jobs ? path.resolve(opts.jobs) : path.join(work, "jobs");
    const only = opts.only?.length ? new Set(opts.only) : undefined;
    const tests = planTests(compilation.pipelines, jobsDir, only);
    if (only && tests.length === 0)
      throw new UsageError(
        `no test named ${[...only].map((n) => `'${n}'`).join(", ")} in ${inputs.join(", ")}`,
      );
    if (tests.length === 0) return empty;
    if (!opts.jobs) writeJobs(compilation, tests, jobsDir);
    const started = Date.now();
    const environment = await prepareEnvironment(needsAvro(tests), say);
    const { jars, packages, ivy } = environment;
    const plan = {
      tests: tests.map((t) => t.runner),
      session: { jars, packages, ivy, shufflePartitions: 1, parallel: parallelism() },
    };
    const run = await runRunner(environment, plan, work, say);
    const byId = new Map(run.results.map((r) => [r.id, r]));
    const outcomes = tests.map((t) => judge(t, byId.get(t.runner.id)));
    const summary = summarize(outcomes, (Date.now() - started) / 1000);
    const incomplete = run.results.length < tests.length;
    return {
      compilation,
      outcomes,
      summary,
      environment,
      planned: tests,
      results: run.results,
      ...(incomplete ? { log: run.log } : {}),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
