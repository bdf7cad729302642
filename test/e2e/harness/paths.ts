// Where things are: the checkout, this harness, and the install cache of test/e2e/install.sh.
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const HARNESS_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HARNESS_DIR, "../../..");

/** Keep in step with KAFKA_VERSION in test/e2e/install.sh and test/e2e/engines/kafka/pom.xml. */
export const KAFKA_VERSION = "4.1.2";

export interface CachePaths {
  /** ${PIPEGEN_CACHE:-$HOME/.cache/pipegen} */
  cacheDir: string;
  /** The Python venv made from test/e2e/requirements.txt. */
  venvDir: string;
  venvPython: string;
  /** bin/ of the venv, for its tools (ruff, ...). */
  venvBin: string;
  /** The Kafka jars; the broker's classpath is `${kafkaLibs}/*`. */
  kafkaLibs: string;
}

export function cachePaths(): CachePaths {
  const cacheDir = resolve(process.env.PIPEGEN_CACHE || join(homedir(), ".cache", "pipegen"));
  const venvDir = join(cacheDir, "venv-e2e");
  return {
    cacheDir,
    venvDir,
    venvPython: join(venvDir, "bin", "python"),
    venvBin: join(venvDir, "bin"),
    kafkaLibs: join(cacheDir, `kafka-${KAFKA_VERSION}`, "libs"),
  };
}
