// A throwaway MariaDB server for the e2e tests, from the Debian package that
// test/e2e/engines/databases/install.sh installs. One fresh data dir per startMariadb():
// mariadb-install-db, then mariadbd --no-defaults (no /etc/mysql config) on a free 127.0.0.1
// port with its socket in the temp dir (never the distro's service, port 3306 or /run/mysqld).
// Real grant tables: root@localhost (no password, socket only) creates a test user with a
// password that owns a test database. As root the server runs as the `mysql` user.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  exec,
  freePorts,
  removeTempDir,
  startServer,
  tail,
  waitForServer,
  type RunResult,
} from "./process.js";

export interface MariadbOptions {
  /** The test user (default "pipegen"), its password (default random) and database ("pipegen"). */
  user?: string;
  password?: string;
  database?: string;
  /** Extra mariadbd options, e.g. { "sql-mode": "ANSI_QUOTES" } (passed as --name=value). */
  serverOptions?: Record<string, string>;
  /** How long to wait for the server to accept connections; default 60 s. */
  startTimeoutMs?: number;
}

/** A row of a query's result: the columns as text, SQL NULL as null. */
export type Row = (string | null)[];

export interface QueryOptions {
  /** Connect as root over the unix socket instead of the test user over TCP. */
  root?: boolean;
  /** Another database than the test database ("" for none). */
  database?: string;
  timeoutMs?: number;
}

export interface Mariadb {
  host: "127.0.0.1";
  port: number;
  user: string;
  password: string;
  database: string;
  /**
   * jdbc:mysql://127.0.0.1:<port>/<database>?permitMysqlScheme, for Spark with the MariaDB
   * driver: Spark picks its JDBC dialect by URL prefix and has none for jdbc:mariadb: (it falls
   * back to a dialect that quotes identifiers with "..." which MariaDB rejects); the MariaDB
   * Connector/J 3.x accepts jdbc:mysql: only with permitMysqlScheme. Pass
   * driver=org.mariadb.jdbc.Driver (jdbcDriver) and user/password separately.
   */
  jdbcUrl: string;
  /** jdbc:mariadb://127.0.0.1:<port>/<database>, for JDBC clients other than Spark. */
  jdbcUrlMariadb: string;
  jdbcDriver: "org.mariadb.jdbc.Driver";
  /** The server version, e.g. "10.11.19-MariaDB-0+deb12u1". */
  version: string;
  /** The temp dir: data/, the socket, error.log. Removed by stop() unless PIPEGEN_E2E_KEEP=1. */
  dir: string;
  socket: string;
  logFile: string;
  /**
   * Run SQL (one or more statements, `;`-separated) with the mariadb client (--batch) as the
   * test user over TCP and return the rows of every result set, in order. Values are text
   * (the client's \t \n \\ \0 escapes undone); NULL is null (so is the string 'NULL': the
   * batch format cannot tell them apart). Rejects with the client's error on any SQL error.
   */
  query(sql: string, opts?: QueryOptions): Promise<Row[]>;
  /** SIGTERM (clean shutdown), SIGKILL after 20 s, then remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

function findBinary(name: string, dirs: string[]): string {
  for (const d of [...(process.env.PATH ?? "").split(":"), ...dirs]) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  throw new Error(`${name} not found: run bash test/e2e/engines/databases/install.sh`);
}

/** Undo the mariadb client's --batch escapes (\0 \b \n \r \t \Z \\) in one value. */
function unescape(value: string): string | null {
  if (value === "NULL") return null;
  const map: Record<string, string> = {
    "0": "\0",
    b: "\b",
    n: "\n",
    r: "\r",
    t: "\t",
    Z: "\x1a",
    "\\": "\\",
  };
  return value.replace(/\\(.)/g, (_m, c: string) => map[c] ?? `\\${c}`);
}

function parseRows(stdout: string): Row[] {
  if (stdout === "") return [];
  return stdout
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => line.split("\t").map(unescape));
}

const sqlString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
const sqlIdent = (s: string) => `\`${s.replace(/`/g, "``")}\``;

export async function startMariadb(opts: MariadbOptions = {}): Promise<Mariadb> {
  const sbin = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];
  const mariadbd = findBinary("mariadbd", sbin);
  const installDb = findBinary("mariadb-install-db", sbin);
  const client = findBinary("mariadb", sbin);
  const user = opts.user ?? "pipegen";
  const password = opts.password ?? randomBytes(12).toString("hex");
  const database = opts.database ?? "pipegen";

  const dir = await mkdtemp(join(tmpdir(), "pipegen-mariadb-"));
  // As root the server switches to the mysql user (it refuses to run as root without
  // --user=root), so that user must own the temp dir.
  const asRoot = process.getuid?.() === 0;
  const userArgs: string[] = [];
  if (asRoot) {
    const ids = await exec("id", ["mysql"], { timeoutMs: 10_000 });
    const uid = /uid=(\d+)/.exec(ids.stdout)?.[1];
    const gid = /gid=(\d+)/.exec(ids.stdout)?.[1];
    if (ids.code !== 0 || uid === undefined || gid === undefined) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(
        `running as root needs the 'mysql' system user (from mariadb-server): ${ids.stderr}`,
      );
    }
    await chown(dir, Number(uid), Number(gid));
    userArgs.push("--user=mysql");
  }
  const dataDir = join(dir, "data");
  const socket = join(dir, "mysqld.sock");
  const logFile = join(dir, "error.log");
  const [port] = await freePorts(1);
  const env = { LC_ALL: "C", LANG: "C", TZ: "UTC" };

  // Small InnoDB files and memory for a throwaway server (the same for install and run).
  const sizing = ["--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M"];
  const install = await exec(
    installDb,
    [
      "--no-defaults", // must come first
      `--datadir=${dataDir}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      "--skip-name-resolve",
      ...userArgs,
      ...sizing,
    ],
    { cwd: dir, env, timeoutMs: 120_000 },
  );
  if (install.code !== 0) {
    await removeTempDir(dir);
    throw new Error(
      `mariadb-install-db failed (exit ${install.code}):\n${install.stdout}${install.stderr}`,
    );
  }

  const serverOptions: Record<string, string> = {
    datadir: dataDir,
    socket,
    port: String(port),
    "bind-address": "127.0.0.1",
    "pid-file": join(dir, "mysqld.pid"),
    "log-error": logFile,
    tmpdir: dir,
    "skip-name-resolve": "",
    "skip-log-bin": "",
    "innodb-flush-log-at-trx-commit": "0",
    "character-set-server": "utf8mb4",
    "collation-server": "utf8mb4_general_ci",
    "default-time-zone": "+00:00",
    ...opts.serverOptions,
  };
  const args = [
    "--no-defaults",
    ...userArgs,
    ...sizing,
    ...Object.entries(serverOptions).map(([k, v]) => (v === "" ? `--${k}` : `--${k}=${v}`)),
  ];
  const server = startServer({
    name: "mariadbd",
    command: mariadbd,
    args,
    dir,
    outFile: join(dir, "mariadbd.out"),
    env,
    stopSignal: "SIGTERM", // clean shutdown
    stopGraceMs: 20_000,
    logTail: () => tail(logFile),
  });
  const stop = server.stop;

  const runClient = (connArgs: string[], sql: string, timeoutMs = 120_000): Promise<RunResult> =>
    exec(client, ["--no-defaults", ...connArgs, "--batch", "--skip-column-names", "-e", sql], {
      env,
      timeoutMs,
    });
  const rootArgs = ["--socket", socket, "-u", "root"];

  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let lastError = "";
  const version = await waitForServer(
    server,
    async () => {
      const probe = existsSync(socket)
        ? await runClient(rootArgs, "SELECT VERSION()", 10_000)
        : undefined;
      if (probe?.code === 0) return probe.stdout.trim();
      lastError = probe?.stderr.trim() ?? "no socket";
      return undefined;
    },
    { timeoutMs, intervalMs: 100, notReady: "did not accept connections", why: () => lastError },
  );

  // The user for TCP (any host: with skip-name-resolve, 127.0.0.1 matches '%') and for the
  // socket ('localhost'), each with the password.
  const accounts = [`${sqlString(user)}@'%'`, `${sqlString(user)}@'localhost'`];
  const setup = await runClient(
    rootArgs,
    [
      `CREATE DATABASE ${sqlIdent(database)}`,
      ...accounts.map((a) => `CREATE USER ${a} IDENTIFIED BY ${sqlString(password)}`),
      ...accounts.map((a) => `GRANT ALL PRIVILEGES ON ${sqlIdent(database)}.* TO ${a}`),
    ].join(";\n"),
  );
  if (setup.code !== 0) {
    await stop();
    throw new Error(`creating the test user and database failed:\n${setup.stderr}`);
  }

  const query = async (sql: string, q: QueryOptions = {}): Promise<Row[]> => {
    const db = q.database ?? database;
    const conn = q.root
      ? rootArgs
      : [
          "--protocol=TCP",
          "-h",
          "127.0.0.1",
          "-P",
          String(port),
          "-u",
          user,
          `--password=${password}`,
        ];
    const result = await runClient([...conn, ...(db ? ["-D", db] : [])], sql, q.timeoutMs);
    if (result.code !== 0) {
      throw new Error(
        `mariadb client failed (exit ${result.code}) on: ${sql}\n${result.stderr.trim()}`,
      );
    }
    return parseRows(result.stdout);
  };

  return {
    host: "127.0.0.1",
    port: port!,
    user,
    password,
    database,
    jdbcUrl: `jdbc:mysql://127.0.0.1:${port}/${database}?permitMysqlScheme`,
    jdbcUrlMariadb: `jdbc:mariadb://127.0.0.1:${port}/${database}`,
    jdbcDriver: "org.mariadb.jdbc.Driver",
    version,
    dir,
    socket,
    logFile,
    query,
    stop,
  };
}
