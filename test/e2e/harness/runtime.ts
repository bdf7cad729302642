// pipegen-runtime (runtime/) in the e2e venvs: test/e2e/engines/runtime/install.sh installs it
// into venv-e2e and venv-airflow and stamps each with the hash of runtime/pyproject.toml +
// runtime/src; runtimeHash() is the same computation, so a test refuses to run a stale install.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cachePaths, REPO_ROOT } from "./paths.js";
import { run, type RunOptions, type RunResult } from "./python.js";

export const RUNTIME_DIR = join(REPO_ROOT, "runtime");
const STAMP = ".pipegen-runtime.sha256";

/** Files under dir (relative to RUNTIME_DIR), without build leftovers. */
function files(rel: string): string[] {
  return readdirSync(join(RUNTIME_DIR, rel), { withFileTypes: true }).flatMap((e) => {
    const r = `${rel}/${e.name}`;
    if (e.isDirectory())
      return e.name === "__pycache__" || e.name.endsWith(".egg-info") ? [] : files(r);
    return e.name.endsWith(".pyc") ? [] : [r];
  });
}

/** sha256 of "<sha256>  <path>\n" for pyproject.toml and src/**, paths in byte order. */
export function runtimeHash(): string {
  const paths = ["pyproject.toml", ...files("src")].sort((a, b) =>
    Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  const lines = paths.map((p) => {
    const digest = createHash("sha256")
      .update(readFileSync(join(RUNTIME_DIR, p)))
      .digest("hex");
    return `${digest}  ${p}\n`;
  });
  return createHash("sha256").update(lines.join("")).digest("hex");
}

/** Throws unless the venv holds the runtime as runtime/ is now. */
export function assertRuntimeInstalled(venvDir: string, install: string): void {
  const stamp = join(venvDir, STAMP);
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
