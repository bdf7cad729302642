// A throwaway PostgreSQL server for the e2e tests, from the Debian packages that
// test/e2e/engines/databases/install.sh installs. One fresh cluster per startPostgres(): initdb
// in a temp dir, the server on a free 127.0.0.1 port with its unix socket in that dir (never the
// distro's cluster, port 5432 or /var/run/postgresql). As root, initdb and postgres run as the
// `postgres` user (they refuse to run as root) via setpriv; otherwise as the current user.
// A test user with a password (scram-sha-256 over TCP) owns a test database; the superuser
// `postgres` is reachable without a password over the socket only.
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  exec,
  freePorts,
  removeTempDir,
  startServer,
  waitForServer,
  type RunResult,
} from "./process.js";

export interface PostgresOptions {
  /** The test user (default "pipegen"), its password (default random) and database ("pipegen"). */
  user?: string;
  password?: string;
  database?: string;
  /** Extra `-c name=value` server settings, added to (or overriding) the defaults below. */
  serverConfig?: Record<string, string>;
  /** How long to wait for the server to accept connections; default 60 s. */
  startTimeoutMs?: number;
}

/** A row of a query's result: the columns as psql prints them (text), SQL NULL as null. */
export type Row = (string | null)[];

export interface QueryOptions {
  /** Connect as the superuser `postgres` over the unix socket instead of the test user. */
  superuser?: boolean;
  /** Another database than the test database. */
  database?: string;
  timeoutMs?: number;
}

export interface Postgres {
  host: "127.0.0.1";
  port: number;
  user: string;
  password: string;
  database: string;
  /** jdbc:postgresql://127.0.0.1:<port>/<database> (pass user and password separately). */
  jdbcUrl: string;
  jdbcDriver: "org.postgresql.Driver";
  /** The server version, e.g. "15.18". */
  version: string;
  /** The temp dir: data/, the unix socket, postgres.log. Removed by stop() unless PIPEGEN_E2E_KEEP=1. */
  dir: string;
  logFile: string;
  /**
   * Run SQL with psql as the test user over TCP and return the rows of every result set, in
   * order (statements without rows add none). A string is one `psql -c`: several
   * `;`-separated statements in it run as one implicit transaction (so CREATE DATABASE or
   * VACUUM must stand alone); an array runs each element as its own `-c`, one after another. Values
   * are text as psql prints them (`-A`: a value holding a tab or newline is ambiguous);
   * NULL is null. Rejects with psql's error on any SQL error (ON_ERROR_STOP).
   */
  query(sql: string | readonly string[], opts?: QueryOptions): Promise<Row[]>;
  /** Fast shutdown (SIGINT), SIGKILL after 15 s, then remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** The bin dir of the newest /usr/lib/postgresql/<major>/bin, or $PIPEGEN_PG_BINDIR. */
export function postgresBinDir(): string {
  const fromEnv = process.env.PIPEGEN_PG_BINDIR;
  if (fromEnv) return fromEnv;
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error(
      `no PostgreSQL server in ${root}/<major>/bin: run bash test/e2e/engines/databases/install.sh`,
    );
  }
  return join(root, majors[0]!, "bin");
}

const NULL_MARK = "\\N";

/** As root: run as this unprivileged user (setpriv execs, so the pid is the server's). */
async function dropPrivileges(
  user: string,
): Promise<{ prefix: string[]; uid: number; gid: number } | null> {
  if (process.getuid?.() !== 0) return null;
  const ids = await exec("id", [user], { timeoutMs: 10_000 });
  const uid = /uid=(\d+)/.exec(ids.stdout)?.[1];
  const gid = /gid=(\d+)/.exec(ids.stdout)?.[1];
  if (ids.code !== 0 || uid === undefined || gid === undefined) {
    throw new Error(
      `running as root needs the '${user}' system user (from the Debian package): ${ids.stderr}`,
    );
  }
  return {
    prefix: ["setpriv", `--reuid=${user}`, `--regid=${user}`, "--init-groups", "--"],
    uid: Number(uid),
    gid: Number(gid),
  };
}

/** psql's unaligned, tuples-only output (tab-separated) as rows; NULL printed as \N. */
function parseRows(stdout: string): Row[] {
  if (stdout === "") return [];
  return stdout
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => line.split("\t").map((v) => (v === NULL_MARK ? null : v)));
}

const sqlLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function startPostgres(opts: PostgresOptions = {}): Promise<Postgres> {
  const bin = postgresBinDir();
  const user = opts.user ?? "pipegen";
  const password = opts.password ?? randomBytes(12).toString("hex");
  const database = opts.database ?? "pipegen";
  const priv = await dropPrivileges("postgres");
  const prefix = priv?.prefix ?? [];

  const dir = await mkdtemp(join(tmpdir(), "pipegen-pg-"));
  if (priv) await chown(dir, priv.uid, priv.gid);
  const dataDir = join(dir, "data");
  const logFile = join(dir, "postgres.log");
  const [port] = await freePorts(1);
  // psql runs as us (root can use the postgres-owned socket; otherwise we own it).
  const psql = join(bin, "psql");
  const env = { LC_ALL: "C", LANG: "C", PGTZ: "UTC", PGCONNECT_TIMEOUT: "10" };

  const initdb = await exec(
    prefix[0] ?? join(bin, "initdb"),
    [
      ...prefix.slice(1),
      ...(prefix.length ? [join(bin, "initdb")] : []),
      "-D",
      dataDir,
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--no-locale",
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "--no-sync",
      "--no-instructions",
    ],
    { cwd: dir, env, timeoutMs: 120_000 },
  );
  if (initdb.code !== 0) {
    await removeTempDir(dir);
    throw new Error(`initdb failed (exit ${initdb.code}):\n${initdb.stdout}${initdb.stderr}`);
  }

  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    port: String(port),
    unix_socket_directories: dir,
    // A throwaway cluster: no durability, small memory.
    fsync: "off",
    synchronous_commit: "off",
    full_page_writes: "off",
    shared_buffers: "32MB",
    max_connections: "40",
    max_wal_senders: "0",
    wal_level: "minimal",
    timezone: "UTC",
    log_timezone: "UTC",
    log_min_messages: "warning",
    ...opts.serverConfig,
  };
  const serverArgs = [
    "-D",
    dataDir,
    ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
  ];
  const server = startServer({
    name: "postgres",
    command: prefix[0] ?? join(bin, "postgres"),
    args: [...prefix.slice(1), ...(prefix.length ? [join(bin, "postgres")] : []), ...serverArgs],
    dir,
    outFile: logFile,
    env,
    stopSignal: "SIGINT", // "fast" shutdown: abort transactions, checkpoint, exit
    stopGraceMs: 15_000,
  });
  const stop = server.stop;

  const superArgs = (db: string) => [
    "-X",
    "-q",
    "-h",
    dir,
    "-p",
    String(port),
    "-U",
    "postgres",
    "-d",
    db,
  ];
  const runPsql = (
    connArgs: string[],
    sql: string | readonly string[],
    timeoutMs = 120_000,
    pgPassword?: string,
  ): Promise<RunResult> =>
    exec(
      psql,
      [
        ...connArgs,
        "-v",
        "ON_ERROR_STOP=1",
        "-A",
        "-t",
        "-F",
        "\t",
        "-P",
        `null=${NULL_MARK}`,
        ...(typeof sql === "string" ? [sql] : sql).flatMap((statement) => ["-c", statement]),
      ],
      { env: { ...env, PGPASSWORD: pgPassword }, timeoutMs },
    );

  // Ready when the superuser gets an answer over the socket.
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let lastError = "";
  const version = await waitForServer(
    server,
    async () => {
      const probe = await runPsql(superArgs("postgres"), "SHOW server_version", 10_000);
      if (probe.code === 0) return probe.stdout.trim().split(" ")[0] ?? "";
      lastError = probe.stderr.trim();
      return undefined;
    },
    {
      timeoutMs,
      intervalMs: 100,
      notReady: `did not accept connections on 127.0.0.1:${port}`,
      why: () => lastError,
    },
  );

  const setup = await runPsql(superArgs("postgres"), [
    `CREATE ROLE ${sqlIdent(user)} LOGIN PASSWORD ${sqlLiteral(password)}`,
    `CREATE DATABASE ${sqlIdent(database)} OWNER ${sqlIdent(user)}`,
  ]);
  if (setup.code !== 0) {
    await stop();
    throw new Error(`creating the test user and database failed:\n${setup.stderr}`);
  }

  const query = async (sql: string | readonly string[], q: QueryOptions = {}): Promise<Row[]> => {
    const db = q.database ?? database;
    const result = q.superuser
      ? await runPsql(superArgs(db), sql, q.timeoutMs)
      : await runPsql(
          ["-X", "-q", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", db],
          sql,
          q.timeoutMs,
          password,
        );
    if (result.code !== 0) {
      throw new Error(`psql failed (exit ${result.code}) on: ${sql}\n${result.stderr.trim()}`);
    }
    return parseRows(result.stdout);
  };

  return {
    host: "127.0.0.1",
    port: port!,
    user,
    password,
    database,
    jdbcUrl: `jdbc:postgresql://127.0.0.1:${port}/${database}`,
    jdbcDriver: "org.postgresql.Driver",
    version,
    dir,
    logFile,
    query,
    stop,
  };
}
