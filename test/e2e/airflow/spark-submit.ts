// `spark-submit` stand-ins on PATH for SparkSubmitOperator in the airflow-dags e2e test.
//
// The generated DAGs submit with `--packages` (Maven coordinates, fetched by Ivy at run time).
// The e2e machine runs Spark the way test/e2e/harness/spark.ts does instead: the connector jars
// from the cache with --jars, local mode on 127.0.0.1, no UI. localSparkSubmit() writes a
// `spark-submit` script that records the command line Airflow built (one file per call), drops
// --packages <coordinates>, puts the harness's --jars and --conf settings first (the DAG's own
// --conf settings come later and win) and execs the Spark venv's real spark-submit. The
// script records its PID, which after exec is the driver JVM's: the test kills it (a crash)
// or stops the job gracefully through the JVM's Python child.
//
// failingSparkSubmit() writes one that prints a message and exits 1 (a task made to fail).
import { chmod, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { shStr } from "../../../src/emit/shared/escape.js";
import { defaultSparkConf, sparkPaths } from "../harness/spark.js";

export interface SparkSubmitStandIn {
  /** Put first on PATH. */
  binDir: string;
  /** Command lines spark-submit was called with (argv after the program), oldest first. */
  calls(): Promise<string[][]>;
  /** PIDs of the driver JVMs started, oldest first. */
  pids(): Promise<number[]>;
}

export async function localSparkSubmit(dir: string): Promise<SparkSubmitStandIn> {
  const { sparkSubmit, jars } = sparkPaths();
  const binDir = join(dir, "bin");
  const callsDir = join(dir, "calls");
  await mkdir(binDir, { recursive: true });
  await mkdir(callsDir, { recursive: true });
  const pidFile = join(dir, "pids");
  // (Spark's own INFO logging stays on: the DAG's spark.driver.extraJavaOptions, which
  // comes later on the command line, would replace a log4j setting made here.)
  const conf = { ...defaultSparkConf(), "spark.local.dir": join(dir, "local") };
  const script = [
    "#!/usr/bin/env bash",
    "# spark-submit stand-in of test/e2e/airflow/spark-submit.ts: --jars instead of --packages.",
    "set -euo pipefail",
    `echo "$$" >> ${shStr(pidFile)}`,
    `printf '%s\\0' "$@" > ${shStr(callsDir)}/"$(date +%s%N)-$$"`,
    "args=()",
    "while (($#)); do",
    "  if [[ $1 == --packages ]]; then shift 2; continue; fi",
    '  args+=("$1"); shift',
    "done",
    `exec ${shStr(sparkSubmit)} --jars ${shStr(jars.join(","))} ${Object.entries(conf)
      .map(([k, v]) => `--conf ${shStr(`${k}=${v}`)}`)
      .join(" ")} "\${args[@]}"`,
    "",
  ].join("\n");
  const file = join(binDir, "spark-submit");
  await writeFile(file, script);
  await chmod(file, 0o755);
  return {
    binDir,
    async calls() {
      const names = (await readdir(callsDir)).sort();
      return Promise.all(
        names.map(async (n) =>
          (await readFile(join(callsDir, n), "utf8")).split("\0").slice(0, -1),
        ),
      );
    },
    async pids() {
      try {
        return (await readFile(pidFile, "utf8")).split("\n").filter(Boolean).map(Number);
      } catch {
        return [];
      }
    },
  };
}

export async function failingSparkSubmit(dir: string, message: string): Promise<string> {
  const binDir = join(dir, "bin-failing");
  await mkdir(binDir, { recursive: true });
  const file = join(binDir, "spark-submit");
  await writeFile(file, `#!/bin/sh\necho ${shStr(message)} >&2\nexit 1\n`);
  await chmod(file, 0o755);
  return binDir;
}

/** The PIDs of the direct children of `pid` (from /proc), e.g. the Python driver of a JVM. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid ...: comm may hold spaces and parentheses; split after the last ")"
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

/** The command line of a process (argv joined by spaces), or "" when it is gone. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** The executable name of a process (/proc/<pid>/comm), or "" when it is gone. */
export function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}
