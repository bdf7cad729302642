/**
 * The Python runner as a child process: the plan as a JSON file in, one JSON line per test
 * out (pipegen_runtime.testing.runner, from this pipegen's runtime/ folder on PYTHONPATH, so
 * the tests run the runtime the jobs were generated for). Its "pipegen-test: " lines on
 * stderr are progress; the rest of stderr is kept for when something goes wrong.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestEnvironment } from "./env.js";
import type { RunnerResult } from "./judge.js";
import type { RunnerPlan } from "./plan.js";

/** pipegen's runtime package sources (runtime/src beside dist/ and src/). */
export const runtimeSrc = fileURLToPath(new URL("../../runtime/src", import.meta.url));

export interface RunnerRun {
  results: RunnerResult[];
  code: number;
  /** The runner's stderr without its progress lines (the last 200 lines). */
  log: string;
}

/** Runs the plan in `dir`; `say` gets each progress line as it comes. */
export function runRunner(
  env: TestEnvironment,
  plan: RunnerPlan,
  dir: string,
  say: (line: string) => void,
): Promise<RunnerRun> {
  const planFile = path.join(dir, "plan.json");
  const resultsFile = path.join(dir, "results.jsonl");
  writeFileSync(planFile, JSON.stringify(plan));
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: [runtimeSrc, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
    PYSPARK_PYTHON: env.python,
    PYSPARK_DRIVER_PYTHON: env.python,
    SPARK_LOCAL_IP: "127.0.0.1",
    TZ: "UTC",
    ...(env.javaHome
      ? {
          JAVA_HOME: env.javaHome,
          PATH: `${path.join(env.javaHome, "bin")}${path.delimiter}${process.env.PATH ?? ""}`,
        }
      : {}),
  };
  return new Promise((resolve) => {
    const child = spawn(
      env.python,
      ["-m", "pipegen_runtime.testing.runner", planFile, resultsFile],
      {
        env: childEnv,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const log: string[] = [];
    let partial = "";
    const onData = (b: Buffer) => {
      const lines = (partial + b.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("pipegen-test: ")) say(line.slice("pipegen-test: ".length));
        else if (line.trim()) log.push(line);
        if (log.length > 400) log.splice(0, 200);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const done = (code: number) => {
      const text = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "";
      const results = text
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as RunnerResult);
      resolve({ results, code, log: log.slice(-200).join("\n") });
    };
    child.on("error", (e) => {
      log.push(e.message);
      done(127);
    });
    child.on("close", (code) => done(code ?? 1));
  });
}
