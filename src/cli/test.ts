/**
 * `pipegen test <spec|dir>... [--only NAME] [--format text|json|junit] [--jobs DIR]`.
 * Exit codes: 0 every test passed (or there is none), 1 an invalid spec, 2 a usage error,
 * 4 a test failed (or its job could not run it), 5 the environment is missing (Java 17/21,
 * Python, pyspark), 70 an internal error.
 */
import { diagnosticsDocument } from "../diagnostics/format.js";
import { EnvironmentError, runTests, type TestRun } from "../testing/index.js";
import { junitReport, textReport } from "../testing/report.js";
import { type Outcome, printDiagnostics } from "./output.js";

export interface TestCliOptions {
  env?: string;
  format: "text" | "json" | "junit";
  quiet?: boolean;
  only?: string[];
  jobs?: string;
}

export const testExit = { passed: 0, invalid: 1, usage: 2, failed: 4, environment: 5 } as const;

function outcomesJson(run: TestRun) {
  return {
    tests: run.outcomes.map((o) => ({
      id: o.id,
      pipeline: o.pipeline,
      name: o.name,
      stream: o.stream,
      file: o.file,
      line: o.line,
      status: o.status,
      seconds: o.seconds,
      ...(o.error ? { error: o.error } : {}),
      comparisons: o.comparisons.filter((c) => !c.ok),
    })),
    summary: run.summary,
  };
}

export async function runTestCommand(specs: string[], o: TestCliOptions): Promise<Outcome> {
  const text = o.format === "text";
  const say = (line: string) => {
    if (!o.quiet && o.format !== "json") process.stderr.write(`pipegen test: ${line}\n`);
  };
  let run: TestRun;
  try {
    run = await runTests(specs, { env: o.env ?? null, only: o.only ?? [], jobs: o.jobs, say });
  } catch (e) {
    if (!(e instanceof EnvironmentError)) throw e;
    if (o.format !== "json")
      process.stderr.write(`pipegen test: ${e.message}\n  hint: ${e.hint}\n`);
    return {
      exitCode: testExit.environment,
      json: { error: { kind: "environment", message: e.message, hint: e.hint } },
    };
  }
  const c = run.compilation;
  const diagnostics = diagnosticsDocument(c.diagnostics);
  const bad = printDiagnostics(c.diagnostics, c.sources, {
    ...o,
    format: o.format === "json" ? "json" : "text",
  });
  if (bad) return { exitCode: testExit.invalid, json: { ...diagnostics, ...outcomesJson(run) } };
  if (run.log) process.stderr.write(`pipegen test: the runner ended early; its log:\n${run.log}\n`);
  if (o.format === "junit") process.stdout.write(junitReport(run.outcomes, run.summary));
  else if (text && run.outcomes.length === 0) process.stdout.write("no tests in the given specs\n");
  else if (text) process.stdout.write(textReport(run.outcomes, run.summary));
  const failed = run.summary.failed + run.summary.errors > 0;
  return {
    exitCode: failed ? testExit.failed : testExit.passed,
    json: { ...diagnostics, ...outcomesJson(run) },
  };
}
