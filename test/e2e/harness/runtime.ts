// pipegen-runtime (runtime/ in this checkout) in the e2e environments. Every install is stamped
// with runtimeHash(), the hash of runtime/pyproject.toml and runtime/src that the install
// scripts compute too, so a test never runs against a stale copy:
//   - venv-e2e and venv-airflow: test/e2e/engines/runtime/install.sh; assertRuntimeInstalled()
//     refuses a stale install, kafkaApply() runs the topic apply program from venv-e2e;
//   - venv-spark: test/e2e/engines/spark/install.sh; ensureSparkRuntime() reinstalls it first
//     when the sources changed (startSparkJob calls it);
//   - shipped with spark-submit --py-files: runtimeZip() writes the zip that
//     `python -m pipegen_runtime.pyfiles` makes, and pythonWithoutRuntime() gives a Python
//     that has venv-spark's packages but not the runtime, to prove the zip alone is enough.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import { join } from "node:path";
import { cachePaths, REPO_ROOT } from "./paths.js";
import { exec } from "./process.js";
import { run, type RunOptions, type RunResult } from "./python.js";

export const RUNTIME_DIR = join(REPO_ROOT, "runtime");

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * The hash install.sh keys the installed runtime by: `sha256sum` of runtime/pyproject.toml and
 * every file under runtime/src (paths relative to runtime/, byte order, no bytecode), hashed.
 */
export function runtimeHash(): string {
  const files = ["pyproject.toml"];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(RUNTIME_DIR, rel), { withFileTypes: true })) {
      const path = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== "__pycache__" && !e.name.endsWith(".egg-info")) walk(path);
      } else if (e.isFile() && !e.name.endsWith(".pyc")) files.push(path);
    }
  };
  walk("src");
  files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return sha256(files.map((f) => `${sha256(readFileSync(join(RUNTIME_DIR, f)))}  ${f}\n`).join(""));
}

const sparkVenv = () => join(cachePaths().cacheDir, "venv-spark");

let ensured: Promise<void> | undefined;

/** Reinstalls the runtime into venv-spark (install.sh) when its sources changed; once per process. */
export function ensureSparkRuntime(): Promise<void> {
  ensured ??= (async () => {
    const stamp = join(sparkVenv(), ".pipegen-runtime.sha256");
    const installed = existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : "";
    if (installed === runtimeHash()) return;
    const script = join(REPO_ROOT, "test", "e2e", "engines", "spark", "install.sh");
    const r = await exec("bash", [script], { timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`${script} failed (exit ${r.code}):\n${r.stderr}`);
    if (readFileSync(stamp, "utf8").trim() !== runtimeHash())
      throw new Error(`${script} did not install the runtime of ${RUNTIME_DIR}`);
  })();
  return ensured;
}

/** Writes pipegen_runtime-<version>.zip of this checkout's runtime into `dir`; its path. */
export async function runtimeZip(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const python = join(sparkVenv(), "bin", "python");
  const r = await exec(python, ["-m", "pipegen_runtime.pyfiles", "--output-dir", dir], {
    cwd: dir,
    // The checkout's sources, whatever venv-spark has installed.
    env: { PYTHONPATH: join(RUNTIME_DIR, "src") },
  });
  if (r.code !== 0) throw new Error(`pipegen_runtime.pyfiles failed:\n${r.stderr}`);
  return r.stdout.trim();
}

/**
 * A Python with every package of venv-spark but pipegen-runtime: a venv in `dir` whose
 * site-packages links each entry of venv-spark's except the runtime's. Checks that it
 * imports pyspark and does not import pipegen_runtime; returns the path of its python.
 */
export async function pythonWithoutRuntime(dir: string): Promise<string> {
  const from = sparkVenv();
  const made = await exec(join(from, "bin", "python"), ["-m", "venv", "--without-pip", dir]);
  if (made.code !== 0) throw new Error(`python -m venv ${dir} failed:\n${made.stderr}`);
  const lib = readdirSync(join(from, "lib")).find((d) => d.startsWith("python"))!;
  const source = join(from, "lib", lib, "site-packages");
  const target = join(dir, "lib", lib, "site-packages");
  for (const entry of readdirSync(source))
    if (!/^pipegen_runtime([-.]|$)/.test(entry))
      await symlink(join(source, entry), join(target, entry));
  const python = join(dir, "bin", "python");
  const probe = await exec(
    python,
    ["-c", "import importlib.util as u, pyspark, cassandra; print(u.find_spec('pipegen_runtime'))"],
    { cwd: dir },
  );
  if (probe.code !== 0 || probe.stdout.trim() !== "None")
    throw new Error(
      `${python} should import pyspark but not pipegen_runtime: ${JSON.stringify(probe)}`,
    );
  return python;
}

/** Throws unless the venv holds the runtime as runtime/ is now. */
export function assertRuntimeInstalled(venvDir: string, install: string): void {
  const stamp = join(venvDir, ".pipegen-runtime.sha256");
  const installed = existsSync(stamp) ? readFileSync(stamp, "utf8").trim() : "";
  if (installed !== runtimeHash())
    throw new Error(
      `${installed ? "a stale" : "no"} pipegen-runtime in ${venvDir} (runtime/ changed since): run ${install}`,
    );
}

/** `python -m pipegen_runtime.kafka_apply MANIFEST ARGS...` in venv-e2e. */
export function kafkaApply(
  manifest: string,
  args: readonly string[] = [],
  opts: RunOptions = {},
): Promise<RunResult> {
  const { venvDir, venvPython } = cachePaths();
  assertRuntimeInstalled(venvDir, "bash test/e2e/install.sh");
  return run(venvPython, ["-m", "pipegen_runtime.kafka_apply", manifest, ...args], opts);
}
