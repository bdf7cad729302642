// Airflow 3 for the e2e tests: the venv of test/e2e/engines/airflow/install.sh, a fresh
// AIRFLOW_HOME per test (SQLite metadata DB, dags_folder of the caller's choosing, no examples),
// a DagBag import report of a folder, and `airflow dags test` with the run's task states.
//
//   const home = await createAirflowHome({ dagsFolder });        // db migrated (from a template)
//   const bag = await dagbagReport(dagsFolder, { home });         // {dag_ids, import_errors, dags}
//   const res = await dagsTest(home, "my_dag", {
//     env: { ...connectionEnv("smtp_default", {...}), ...variableEnv("x", "1") },
//   });                                                           // res.code, res.states["task"]
//   await home.cleanup();
//
// Connections and variables come from the environment only (AIRFLOW_CONN_<ID> in URI or JSON
// form, AIRFLOW_VAR_<KEY>): every AIRFLOW* variable of the calling environment is dropped, so a
// developer's own Airflow settings never leak into a test.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cachePaths, REPO_ROOT } from "./paths.js";
import { run, type RunResult } from "./python.js";
import { assertRuntimeInstalled } from "./runtime.js";

export const AIRFLOW_ENGINE_DIR = join(REPO_ROOT, "test", "e2e", "engines", "airflow");
const LOCK = join(AIRFLOW_ENGINE_DIR, "requirements.lock");
const HINT = "run bash test/e2e/engines/airflow/install.sh first";

export interface AirflowPaths {
  /** apache-airflow's version in requirements.lock. */
  version: string;
  /** sha256 of requirements.lock: the stamp in the venv. */
  lockHash: string;
  venvDir: string;
  python: string;
  /** The `airflow` CLI of the venv. */
  airflowBin: string;
  /** venv-airflow-dagfactory: venv-airflow's packages plus dag-factory. */
  dagFactoryPython: string;
}

export function airflowPaths(): AirflowPaths {
  const lock = readFileSync(LOCK, "utf8");
  const version = /^apache-airflow==(\S+)/m.exec(lock)?.[1];
  if (!version) throw new Error(`no apache-airflow==<version> in ${LOCK}`);
  const lockHash = createHash("sha256").update(lock).digest("hex");
  const { cacheDir } = cachePaths();
  const venvDir = join(cacheDir, "venv-airflow");
  const stamp = join(venvDir, ".lock.sha256");
  if (!existsSync(stamp)) throw new Error(`no Airflow venv at ${venvDir}: ${HINT}`);
  if (readFileSync(stamp, "utf8").trim() !== lockHash) {
    throw new Error(
      `the Airflow venv at ${venvDir} is not from the current requirements.lock: ${HINT}`,
    );
  }
  // The generated ingestion DAGs import pipegen-runtime: the one of this checkout.
  assertRuntimeInstalled(venvDir, "bash test/e2e/engines/airflow/install.sh");
  return {
    version,
    lockHash,
    venvDir,
    python: join(venvDir, "bin", "python"),
    airflowBin: join(venvDir, "bin", "airflow"),
    dagFactoryPython: join(cacheDir, "venv-airflow-dagfactory", "bin", "python"),
  };
}

type Env = Record<string, string | undefined>;

/** AIRFLOW_CONN_<ID>: a connection, as a URI string or an object (JSON form). */
export function connectionEnv(connId: string, conn: string | Record<string, unknown>): Env {
  return {
    [`AIRFLOW_CONN_${connId.toUpperCase()}`]:
      typeof conn === "string" ? conn : JSON.stringify(conn),
  };
}

/** AIRFLOW_VAR_<KEY>: a variable (objects are given as JSON, for Variable.get(deserialize_json=True)). */
export function variableEnv(key: string, value: string | number | boolean | object): Env {
  return {
    [`AIRFLOW_VAR_${key.toUpperCase()}`]:
      typeof value === "object" ? JSON.stringify(value) : String(value),
  };
}

/**
 * The environment of every Airflow process of a home: the caller's environment without its
 * AIRFLOW* variables, then the home's settings, then `extra`.
 */
export function airflowEnv(home: string, dagsFolder: string, extra: Env = {}): Env {
  const dropped = Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => k.startsWith("AIRFLOW"))
      .map((k) => [k, undefined]),
  );
  return {
    ...dropped,
    // Vitest sets DEV=1 in process.env; Airflow then formats logged exceptions with rich,
    // which crashes on a RuntimeTaskInstance local ("no attribute 'start_date'") and takes
    // the whole `dags test` down with it.
    DEV: undefined,
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__DAGS_FOLDER: dagsFolder,
    AIRFLOW__CORE__LOAD_EXAMPLES: "False",
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${join(home, "airflow.db")}`,
    AIRFLOW__LOGGING__BASE_LOG_FOLDER: join(home, "logs"),
    // No usage data leaves the machine (dag-factory reports to Scarf unless told not to).
    AIRFLOW__DAG_FACTORY__ENABLE_TELEMETRY: "False",
    DO_NOT_TRACK: "1",
    SCARF_NO_ANALYTICS: "true",
    ...extra,
  };
}

export interface AirflowHome {
  /** AIRFLOW_HOME (a temp dir). */
  home: string;
  dagsFolder: string;
  /** The SQLite metadata DB, $AIRFLOW_HOME/airflow.db. */
  dbFile: string;
  /** The environment of this home (see airflowEnv), including createAirflowHome's `env`. */
  env: Env;
  /** How long preparing the metadata DB took (a copy of the template, or `airflow db migrate`). */
  dbSetupMs: number;
  /** Remove the home (and the dags folder if createAirflowHome made it), unless PIPEGEN_E2E_KEEP=1. */
  cleanup(): Promise<void>;
}

export interface AirflowHomeOptions {
  /** The dags folder; default a new empty `dags/` inside the home. */
  dagsFolder?: string;
  /** Added to the home's environment for every command (connections, variables, config). */
  env?: Env;
  /**
   * How the metadata DB is made:
   * "template" (default): `airflow db migrate` once per requirements.lock into
   *   $CACHE/airflow-db-template/<lock hash>.db, then a copy of it per home (instant);
   * "fresh": `airflow db migrate` in this home (about 6 s);
   * "none": no DB (enough for DagBag imports).
   */
  db?: "template" | "fresh" | "none";
}

function describe(what: string, r: RunResult): string {
  return `${what} exited ${r.code}\n--- stdout (tail)\n${r.stdout.slice(-3000)}\n--- stderr (tail)\n${r.stderr.slice(-3000)}`;
}

async function migrate(paths: AirflowPaths, home: string, dagsFolder: string): Promise<void> {
  const r = await run(paths.airflowBin, ["db", "migrate"], {
    env: airflowEnv(home, dagsFolder),
    timeoutMs: 180_000,
  });
  if (r.code !== 0) throw new Error(describe(`airflow db migrate (AIRFLOW_HOME=${home})`, r));
}

/** The migrated template DB of this requirements.lock, made on first use. */
async function templateDb(paths: AirflowPaths): Promise<string> {
  const dir = join(cachePaths().cacheDir, "airflow-db-template");
  const file = join(dir, `${paths.version}-${paths.lockHash.slice(0, 16)}.db`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const tmpHome = await mkdtemp(join(tmpdir(), "pipegen-airflow-template-"));
  try {
    mkdirSync(join(tmpHome, "dags"));
    await migrate(paths, tmpHome, join(tmpHome, "dags"));
    const partial = `${file}.${process.pid}.tmp`;
    copyFileSync(join(tmpHome, "airflow.db"), partial);
    renameSync(partial, file); // atomic: a concurrent builder's copy is as good
  } finally {
    await rm(tmpHome, { recursive: true, force: true });
  }
  return file;
}

/** A fresh AIRFLOW_HOME in a temp dir with a migrated SQLite DB (see AirflowHomeOptions.db). */
export async function createAirflowHome(opts: AirflowHomeOptions = {}): Promise<AirflowHome> {
  const paths = airflowPaths();
  const home = await mkdtemp(join(tmpdir(), "pipegen-airflow-"));
  const ownDags = opts.dagsFolder === undefined;
  const dagsFolder = resolve(opts.dagsFolder ?? join(home, "dags"));
  mkdirSync(dagsFolder, { recursive: true });
  const dbFile = join(home, "airflow.db");
  const env = airflowEnv(home, dagsFolder, opts.env);
  const cleanup = async () => {
    if (process.env.PIPEGEN_E2E_KEEP === "1") return;
    await rm(home, { recursive: true, force: true });
    if (ownDags) await rm(dagsFolder, { recursive: true, force: true });
  };
  const started = Date.now();
  try {
    const mode = opts.db ?? "template";
    if (mode === "template") copyFileSync(await templateDb(paths), dbFile);
    else if (mode === "fresh") await migrate(paths, home, dagsFolder);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { home, dagsFolder, dbFile, env, dbSetupMs: Date.now() - started, cleanup };
}

/** Run the venv's `airflow` CLI in a home: `runAirflow(home, ["dags", "list", "-o", "json"])`. */
export function runAirflow(
  home: AirflowHome,
  args: readonly string[],
  opts: { env?: Env; timeoutMs?: number } = {},
): Promise<RunResult> {
  return run(airflowPaths().airflowBin, args, {
    env: { ...home.env, ...opts.env },
    timeoutMs: opts.timeoutMs ?? 180_000,
    cwd: home.home,
  });
}

export interface DagBagTask {
  operator: string;
  operator_module: string;
  task_type: string;
  upstream: string[];
  downstream: string[];
  task_group: string | null;
  trigger_rule: string;
  retries: number | null;
  pool: string | null;
  queue: string | null;
  outlets: string[];
  inlets: string[];
  on_failure_callback: string[] | null;
}

export interface DagBagDag {
  fileloc: string;
  schedule: string | null;
  timetable: string;
  tags: string[];
  owner: string;
  catchup: boolean;
  max_active_runs: number;
  has_deadline: boolean;
  on_failure_callback: string[] | null;
  task_groups: string[];
  tasks: Record<string, DagBagTask>;
}

export interface DagBagReport {
  airflow_version: string;
  /** e.g. "airflow.dag_processing.dagbag.DagBag" */
  dagbag_class: string;
  dags_folder: string;
  dag_ids: string[];
  /** file -> error text (with a traceback) */
  import_errors: Record<string, string>;
  /** file -> warnings captured while importing it */
  warnings: Record<string, string[]>;
  stats: { file: string; duration_s: number; dag_num: number; task_num: number; dags: string }[];
  /** Sum of the per-file parse durations DagBag measured. */
  parse_seconds: number;
  /** Wall time of DagBag(...) in the script. */
  wall_seconds: number;
  dags: Record<string, DagBagDag>;
  /** The script's own run (Airflow's logs are on its stdout). */
  run: RunResult;
}

export interface DagBagOptions {
  /** The home to run in (its env); default a throwaway AIRFLOW_HOME without a DB. */
  home?: AirflowHome;
  env?: Env;
  /** Use venv-airflow-dagfactory's python (dag-factory importable, its plugin loaded). */
  dagFactory?: boolean;
  /** Airflow's safe mode (only files mentioning "airflow" and "dag"); default off: every .py file. */
  safeMode?: boolean;
  timeoutMs?: number;
}

/** Import every DAG file of `dagsFolder` with DagBag (dagbag_report.py) and report. */
export async function dagbagReport(
  dagsFolder: string,
  opts: DagBagOptions = {},
): Promise<DagBagReport> {
  const paths = airflowPaths();
  const python = opts.dagFactory ? paths.dagFactoryPython : paths.python;
  if (opts.dagFactory && !existsSync(python))
    throw new Error(`no venv-airflow-dagfactory: ${HINT}`);
  const folder = resolve(dagsFolder);
  const scratch = await mkdtemp(join(tmpdir(), "pipegen-dagbag-"));
  try {
    const out = join(scratch, "report.json");
    const env = opts.home
      ? { ...opts.home.env, ...opts.env }
      : airflowEnv(scratch, folder, opts.env);
    const r = await run(
      python,
      [
        join(AIRFLOW_ENGINE_DIR, "dagbag_report.py"),
        folder,
        "--out",
        out,
        ...(opts.safeMode ? ["--safe-mode"] : []),
      ],
      { env, timeoutMs: opts.timeoutMs ?? 180_000, cwd: scratch },
    );
    if (r.code !== 0 || !existsSync(out)) throw new Error(describe("dagbag_report.py", r));
    const report = JSON.parse(await readFile(out, "utf8")) as Omit<DagBagReport, "run">;
    return { ...report, run: r };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export interface TaskInstanceReport {
  task_id: string;
  map_index: number;
  /** "success", "failed", "upstream_failed", "skipped", ... or null (never scheduled). */
  state: string | null;
  try_number: number;
  operator: string | null;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
}

export interface DagsTestResult extends RunResult {
  /** The newest run of the DAG in the home's DB (null when none was created). */
  run: {
    run_id: string;
    state: string | null;
    logical_date: string | null;
    run_type: string;
    start_date: string | null;
    end_date: string | null;
  } | null;
  taskInstances: TaskInstanceReport[];
  /** task_id (map index appended as "[i]" for mapped tasks) -> state */
  states: Record<string, string | null>;
  /** Set when the report could not be read from the DB. */
  reportError?: string;
  /** Wall time of the whole command. */
  durationMs: number;
}

export interface DagsTestOptions {
  /** The logical date (e.g. "2025-01-02"); default: none given, Airflow uses now. */
  logicalDate?: string;
  /** dag_run.conf, given as --conf JSON. */
  conf?: Record<string, unknown>;
  /** More environment (connections, variables) for this run only. */
  env?: Env;
  /** Other `airflow dags test` options, e.g. ["--mark-success-pattern", "spark_.*"]. */
  extraArgs?: string[];
  /**
   * Work around Airflow 3.2's crash of `dags test` on a successful run of a DAG with
   * `deadline=` (see dags_test.py); default true.
   */
  deadlineFix?: boolean;
  /**
   * Work around Airflow 3.2's `dags test` running DAG-level callbacks with the serialized DAG,
   * which makes every notifier (SmtpNotifier, SlackWebhookNotifier, ...) used as a DAG-level
   * on_failure_callback/on_success_callback fail to render (see dags_test.py); default true.
   */
  dagCallbackFix?: boolean;
  /**
   * One in-process Execution API app for the whole run instead of one per task instance (a
   * speed-up of about 3 s per task; see dags_test.py); default true.
   */
  apiReuse?: boolean;
  /**
   * Set every task's retries before the run. `dags test` honours retries and really waits
   * retry_delay between tries, so a DAG with retries=3 and a 5-minute delay takes 15 minutes
   * to fail; e.g. {retries: 0} or {retryDelaySeconds: 0} makes a failure test quick.
   */
  retries?: number;
  /** Set every task's retry_delay (seconds) before the run (and max_retry_delay to none). */
  retryDelaySeconds?: number;
  timeoutMs?: number;
}

/**
 * `airflow dags test <dagId> [logicalDate]` in the home (through dags_test.py, which runs the
 * Airflow CLI in-process and then reads the run and its task instances from the DB). Never
 * rejects for a failed run: check `code` (1 when the run failed) and `states`.
 */
export async function dagsTest(
  home: AirflowHome,
  dagId: string,
  opts: DagsTestOptions = {},
): Promise<DagsTestResult> {
  const paths = airflowPaths();
  const scratch = await mkdtemp(join(tmpdir(), "pipegen-dagstest-"));
  try {
    const reportFile = join(scratch, "report.json");
    const airflowArgs = [
      dagId,
      ...(opts.logicalDate ? [opts.logicalDate] : []),
      ...(opts.conf ? ["--conf", JSON.stringify(opts.conf)] : []),
      ...(opts.extraArgs ?? []),
    ];
    const started = Date.now();
    const r = await run(
      paths.python,
      [
        join(AIRFLOW_ENGINE_DIR, "dags_test.py"),
        reportFile,
        ...(opts.deadlineFix === false ? ["--no-deadline-fix"] : []),
        ...(opts.dagCallbackFix === false ? ["--no-callback-fix"] : []),
        ...(opts.apiReuse === false ? ["--no-api-reuse"] : []),
        ...(opts.retries !== undefined ? ["--retries", String(opts.retries)] : []),
        ...(opts.retryDelaySeconds !== undefined
          ? ["--retry-delay", String(opts.retryDelaySeconds)]
          : []),
        "--",
        ...airflowArgs,
      ],
      { env: { ...home.env, ...opts.env }, timeoutMs: opts.timeoutMs ?? 300_000, cwd: home.home },
    );
    const durationMs = Date.now() - started;
    let report: {
      run: DagsTestResult["run"];
      task_instances: TaskInstanceReport[];
      report_error?: string;
    } = { run: null, task_instances: [], report_error: "dags_test.py wrote no report" };
    if (existsSync(reportFile)) report = JSON.parse(await readFile(reportFile, "utf8"));
    const states = Object.fromEntries(
      report.task_instances.map((ti) => [
        ti.map_index >= 0 ? `${ti.task_id}[${ti.map_index}]` : ti.task_id,
        ti.state,
      ]),
    );
    return {
      ...r,
      run: report.run,
      taskInstances: report.task_instances,
      states,
      ...(report.report_error ? { reportError: report.report_error } : {}),
      durationMs,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A readable account of a dags test, for assertion messages (tails of the output). */
export function describeDagsTest(what: string, r: DagsTestResult): string {
  return (
    `${what}: exit ${r.code}, run ${JSON.stringify(r.run)}, states ${JSON.stringify(r.states)}` +
    (r.reportError ? `, report error ${r.reportError}` : "") +
    `\n--- stdout (tail)\n${r.stdout.slice(-6000)}\n--- stderr (tail)\n${r.stderr.slice(-4000)}`
  );
}
