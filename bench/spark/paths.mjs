// Where the engines of the benchmarks are: the jars and venvs that test/e2e/install.sh and
// test/e2e/engines/*/install.sh put in ${PIPEGEN_CACHE:-~/.cache/pipegen}, and the JDKs
// (test/e2e/harness/{paths,spark,registry}.ts, in plain JavaScript).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const benchSparkDir = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(benchSparkDir, "..", "..");
export const KAFKA_VERSION = "4.1.2"; // test/e2e/harness/paths.ts
/** Keep in step with APICURIO_VERSION in test/e2e/engines/registry/install.sh. */
export const APICURIO_VERSION = "3.3.3";
export const cacheDir = path.resolve(
  process.env.PIPEGEN_CACHE || path.join(homedir(), ".cache", "pipegen"),
);

/** A Java 17 home, as test/e2e/harness/spark.ts finds it. */
export function java17Home() {
  if (process.env.PIPEGEN_JAVA17_HOME) return process.env.PIPEGEN_JAVA17_HOME;
  const jvm = "/usr/lib/jvm";
  if (existsSync(jvm)) {
    const found = readdirSync(jvm)
      .filter((d) => /^java-17-openjdk/.test(d) || /(^|-)17(\.|-|$)/.test(d))
      .map((d) => path.join(jvm, d))
      .filter((d) => existsSync(path.join(d, "bin", "java")))
      .sort((a, b) => Number(/openjdk/.test(b)) - Number(/openjdk/.test(a)));
    if (found[0]) return found[0];
  }
  return process.env.JAVA_HOME;
}

/** The e2e venv's Python (test/e2e/install.sh), which has pipegen-runtime's apply program. */
export function e2ePython() {
  return path.join(cacheDir, "venv-e2e", "bin", "python");
}

export function sparkPaths() {
  const req = readFileSync(
    path.join(repoRoot, "test", "e2e", "engines", "spark", "requirements.txt"),
    "utf8",
  );
  const version = /^pyspark==([^\s;#]+)/m.exec(req)?.[1];
  const venvDir = path.join(cacheDir, "venv-spark");
  const jarsDir = path.join(cacheDir, `spark-jars-${version}`);
  const hint = "run bash test/e2e/engines/spark/install.sh first";
  if (!existsSync(path.join(venvDir, "bin", "spark-submit")))
    throw new Error(`no Spark venv at ${venvDir}: ${hint}`);
  if (!existsSync(path.join(jarsDir, ".installed")))
    throw new Error(`no Spark jars in ${jarsDir}: ${hint}`);
  const jars = readdirSync(jarsDir)
    .filter((f) => f.endsWith(".jar"))
    .sort()
    .map((f) => path.join(jarsDir, f));
  return {
    version,
    venvDir,
    python: path.join(venvDir, "bin", "python"),
    sparkSubmit: path.join(venvDir, "bin", "spark-submit"),
    jars,
  };
}

function javaMajor(javaHome) {
  const release = path.join(javaHome, "release");
  if (!existsSync(release)) return undefined;
  const m = /^JAVA_VERSION="(\d+)/m.exec(readFileSync(release, "utf8"));
  return m ? Number(m[1]) : undefined;
}

/**
 * A Java 21+ home for Apicurio Registry 3.x (test/e2e/harness/registry.ts): $PIPEGEN_JAVA21_HOME,
 * else $JAVA_HOME if it is 21+, else the newest 21+ JDK in /usr/lib/jvm.
 */
export function java21Home() {
  if (process.env.PIPEGEN_JAVA21_HOME) return process.env.PIPEGEN_JAVA21_HOME;
  const jh = process.env.JAVA_HOME;
  if (jh && (javaMajor(jh) ?? 0) >= 21) return jh;
  const jvm = "/usr/lib/jvm";
  const found = existsSync(jvm)
    ? readdirSync(jvm)
        .map((d) => path.join(jvm, d))
        .filter((d) => existsSync(path.join(d, "bin", "java")))
        .map((d) => ({ d, v: javaMajor(d) ?? 0 }))
        .filter(({ v }) => v >= 21)
        .sort((a, b) => b.v - a.v)
    : [];
  if (!found[0])
    throw new Error("no Java 21+ (set PIPEGEN_JAVA21_HOME): Apicurio Registry needs it");
  return found[0].d;
}

/** Apicurio Registry's folder (test/e2e/engines/registry/install.sh). */
export function registryHome() {
  const dir = path.join(cacheDir, `apicurio-registry-${APICURIO_VERSION}`);
  if (!existsSync(path.join(dir, ".installed")) || !existsSync(path.join(dir, "quarkus-run.jar")))
    throw new Error(
      `no Apicurio Registry ${APICURIO_VERSION} in ${dir}: run bash test/e2e/engines/registry/install.sh first`,
    );
  return dir;
}
