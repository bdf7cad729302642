/**
 * Where `pipegen test` runs the jobs: Java 17 or 21, a Python with the pyspark the jobs target
 * (src/emit/spark/versions.ts), and the spark-avro jar when a job decodes Avro. Found, or set
 * up once under
 * ${PIPEGEN_CACHE:-~/.cache/pipegen}; what cannot be found or made is an EnvironmentError
 * (exit 5) that says what is missing and how to get it.
 *
 * The Python, in this order: $PIPEGEN_TEST_PYTHON (must have that pyspark); $CACHE/venv-spark
 * when it has it (the project's own Spark environment, which the e2e set-up installs);
 * $CACHE/test-env-<spark version> (made here on first use: a venv, pip install, with pip's
 * progress shown). spark-avro: $PIPEGEN_TEST_JARS (comma-separated jar files), else
 * $CACHE/spark-jars-<spark version>/spark-avro_<scala>-<spark version>.jar when it is there,
 * else Spark fetches it by its Maven coordinates on first use into $CACHE/ivy.
 */
import { spawnSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { scalaBinary, sparkPackages, sparkVersion } from "../emit/spark/versions.js";

/** What `pipegen test` cannot run without (exit 5). */
export class EnvironmentError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** The Python packages of the test environment, exactly. */
export const testRequirements = [`pyspark==${sparkVersion}`, "py4j==0.10.9.9"];

export interface TestEnvironment {
  python: string;
  javaHome: string | undefined;
  jars: string[];
  packages: string[];
  ivy: string;
  /** How the Python was chosen, for the report. */
  source: string;
}

export const cacheDir = () =>
  process.env.PIPEGEN_CACHE || path.join(homedir(), ".cache", "pipegen");

type Say = (line: string) => void;

/** The major version of the Java at `java` (a path or "java"), or undefined when none runs. */
export function javaMajor(java: string): number | undefined {
  const r = spawnSync(java, ["-version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return undefined;
  const m = /version "(?:1\.)?(\d+)/.exec(`${r.stderr}${r.stdout}`);
  return m ? Number(m[1]) : undefined;
}

const javaOk = (v: number | undefined) => v === 17 || v === 21;

/** JAVA_HOME, else `java` on PATH, else a JDK 17 or 21 under `jvm` (Debian's folder of JDKs). */
export function findJava(jvm = "/usr/lib/jvm"): string | undefined {
  const tried: string[] = [];
  const home = process.env.JAVA_HOME;
  if (home) {
    const v = javaMajor(path.join(home, "bin", "java"));
    if (javaOk(v)) return home;
    tried.push(`JAVA_HOME=${home} (${v ? `Java ${v}` : "no java there"})`);
  }
  const onPath = javaMajor("java");
  if (javaOk(onPath)) return undefined;
  tried.push(onPath ? `java on PATH (Java ${onPath})` : "no java on PATH");
  const found = existsSync(jvm)
    ? readdirSync(jvm)
        .sort()
        .map((d) => path.join(jvm, d))
        .find((d) => javaOk(javaMajor(path.join(d, "bin", "java"))))
    : undefined;
  if (found) return found;
  throw new EnvironmentError(
    `pipegen test runs the jobs on Spark ${sparkVersion}, which needs Java 17 or 21; found: ${tried.join(", ")}`,
    "install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless, or Temurin 17) and put it on PATH or in JAVA_HOME",
  );
}

/** pyspark's version in a Python, or why it cannot be read. */
function probe(python: string): { pyspark?: string; error?: string } {
  const code =
    "import json\nout = {}\ntry:\n    out['pyspark'] = __import__('pyspark').__version__\nexcept Exception:\n    pass\nprint(json.dumps(out))";
  const r = spawnSync(python, ["-c", code], { encoding: "utf8" });
  if (r.error || r.status !== 0) return { error: (r.error?.message ?? r.stderr).trim() };
  try {
    return JSON.parse(r.stdout) as { pyspark?: string };
  } catch {
    return { error: r.stdout.trim() };
  }
}

const fits = (p: ReturnType<typeof probe>) => p.pyspark === sparkVersion;

function venvPython(dir: string): string {
  return path.join(dir, "bin", "python");
}

/**
 * Runs a command, its output shown line by line through `say`; its exit code. While it prints
 * nothing (pip downloading pyspark's ~430 MB prints nothing with its bar off), a line every
 * `heartbeatMs` says it is still at work and for how long.
 */
export function shown(
  cmd: string,
  args: string[],
  say: Say,
  heartbeatMs = 15_000,
): Promise<{ code: number; tail: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    let quietSince = started;
    const heartbeat = setInterval(() => {
      if (Date.now() - quietSince < heartbeatMs) return;
      say(`  ... still working (${Math.round((Date.now() - started) / 1000)} s)`);
      quietSince = Date.now();
    }, heartbeatMs / 3);
    const onData = (b: Buffer) => {
      const text = b.toString("utf8");
      tail = (tail + text).slice(-4000);
      for (const line of text.split(/\r?\n|\r/)) if (line.trim()) say(`  ${line.trim()}`);
      quietSince = Date.now();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const done = (r: { code: number; tail: string }) => {
      clearInterval(heartbeat);
      resolve(r);
    };
    child.on("error", (e) => done({ code: 127, tail: e.message }));
    child.on("close", (code) => done({ code: code ?? 1, tail }));
  });
}

/** Makes $CACHE/test-env-<version> (a venv with testRequirements), showing pip's progress. */
async function createVenv(dir: string, say: Say): Promise<string> {
  const base = process.env.PIPEGEN_PYTHON || "python3";
  const marker = path.join(dir, ".pipegen-requirements");
  say(`setting up the test environment in ${dir} (once: ${testRequirements.join(", ")}) ...`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  const venv = await shown(base, ["-m", "venv", dir], say);
  if (venv.code !== 0)
    throw new EnvironmentError(
      `cannot make a Python environment with '${base} -m venv' (${venv.tail.trim().split("\n").pop()})`,
      "install Python 3.10-3.13 with its venv module (e.g. apt-get install python3-venv), or set PIPEGEN_PYTHON to one",
    );
  const pip = await shown(
    venvPython(dir),
    [
      "-m",
      "pip",
      "install",
      "--disable-pip-version-check",
      "--progress-bar",
      "off",
      ...testRequirements,
    ],
    say,
  );
  if (pip.code !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new EnvironmentError(
      `pip could not install ${testRequirements.join(" ")} (exit ${pip.code})`,
      "check the network and the Python version (pyspark 4.0 needs Python 3.9-3.13); pip's output is above",
    );
  }
  writeFileSync(marker, `${testRequirements.join("\n")}\n`);
  return venvPython(dir);
}

/** The Python of the test environment (see the module's docstring). */
export async function findPython(say: Say): Promise<{ python: string; source: string }> {
  const own = process.env.PIPEGEN_TEST_PYTHON;
  if (own) {
    const p = probe(own);
    if (!fits(p))
      throw new EnvironmentError(
        `PIPEGEN_TEST_PYTHON=${own} ${p.error ? `does not run (${p.error})` : `has pyspark ${p.pyspark ?? "missing"}`}; the jobs need pyspark ${sparkVersion}`,
        `pip install ${testRequirements.join(" ")} there, or unset PIPEGEN_TEST_PYTHON to let pipegen set one up`,
      );
    return { python: own, source: "PIPEGEN_TEST_PYTHON" };
  }
  const cache = cacheDir();
  const shared = venvPython(path.join(cache, "venv-spark"));
  if (existsSync(shared) && fits(probe(shared))) return { python: shared, source: shared };
  const dir = path.join(cache, `test-env-${sparkVersion}`);
  const marker = path.join(dir, ".pipegen-requirements");
  const wanted = `${testRequirements.join("\n")}\n`;
  if (existsSync(marker) && readFileSync(marker, "utf8") === wanted && existsSync(venvPython(dir)))
    return { python: venvPython(dir), source: dir };
  return withLock(`${dir}.lock`, say, async () => {
    // Another pipegen may have made it while this one waited.
    if (existsSync(marker) && readFileSync(marker, "utf8") === wanted)
      return { python: venvPython(dir), source: dir };
    return { python: await createVenv(dir, say), source: dir };
  });
}

/**
 * Runs `f` holding a lock folder (two pipegens setting up one environment at once would
 * break it); a lock older than 20 minutes is taken for a crashed run's and removed.
 */
async function withLock<T>(lock: string, say: Say, f: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(lock), { recursive: true });
  for (let waited = 0; ; waited++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 20 * 60_000) rmSync(lock, { recursive: true, force: true });
      else if (waited % 30 === 0)
        say(`waiting for another pipegen setting up ${lock.slice(0, -5)} ...`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await f();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The jars and packages a session needs (spark-avro when a job decodes Avro). */
export function sparkJars(avro: boolean): { jars: string[]; packages: string[] } {
  const given = process.env.PIPEGEN_TEST_JARS;
  if (given) return { jars: given.split(",").filter(Boolean), packages: [] };
  if (!avro) return { jars: [], packages: [] };
  const cached = path.join(
    cacheDir(),
    `spark-jars-${sparkVersion}`,
    `spark-avro_${scalaBinary}-${sparkVersion}.jar`,
  );
  return existsSync(cached)
    ? { jars: [cached], packages: [] }
    : { jars: [], packages: [sparkPackages.avro] };
}

/** Everything the run needs, found or set up; throws EnvironmentError. */
export async function prepareEnvironment(avro: boolean, say: Say): Promise<TestEnvironment> {
  const javaHome = findJava();
  const { python, source } = await findPython(say);
  const { jars, packages } = sparkJars(avro);
  const ivy = path.join(cacheDir(), "ivy");
  if (packages.length) say(`Spark fetches ${packages.join(", ")} on first use (into ${ivy})`);
  return { python, javaHome, jars, packages, ivy, source };
}
