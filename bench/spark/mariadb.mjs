// A throwaway MariaDB server for the Spark benchmark of iot_sensors (bench/spark/run-iot.mjs),
// started the way test/e2e/harness/mariadb.ts starts it (condensed, in plain JavaScript): the
// Debian package test/e2e/engines/databases/install.sh installs, a fresh data dir, mariadbd
// --no-defaults on a free 127.0.0.1 port with its socket in the temp dir, and a user with a
// random password that owns one database.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { exec, freePorts, startDaemon } from "./services.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sqlString = (s) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

function binary(name) {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/bin", "/usr/local/sbin"];
  for (const d of dirs) if (d && existsSync(path.join(d, name))) return path.join(d, name);
  throw new Error(`${name} not found: run bash test/e2e/engines/databases/install.sh`);
}

/** Rows of the mariadb client's --batch output (text; NULL as null; \t \n \\ escapes undone). */
function parseRows(stdout) {
  if (stdout === "") return [];
  const unescape = (v) =>
    v === "NULL" ? null : v.replace(/\\(.)/g, (_, c) => ({ n: "\n", t: "\t", 0: "\0" })[c] ?? c);
  return stdout
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => l.split("\t").map(unescape));
}

/**
 * Starts MariaDB; resolves {port, user, password, database, query(sql) -> rows, stop}. `query`
 * runs `;`-separated SQL as the user over TCP and rejects on any SQL error.
 */
export async function startMariadb({ user = "writer", database = "metrics" } = {}) {
  const [mariadbd, installDb, client] = ["mariadbd", "mariadb-install-db", "mariadb"].map(binary);
  const password = randomBytes(12).toString("hex");
  const dir = await mkdtemp(path.join(tmpdir(), "pipegen-bench-mariadb-"));
  const userArgs = [];
  if (process.getuid?.() === 0) {
    // as root the server switches to the mysql user, which must own the temp dir
    const ids = await exec("id", ["mysql"]);
    const uid = /uid=(\d+)/.exec(ids.stdout)?.[1];
    const gid = /gid=(\d+)/.exec(ids.stdout)?.[1];
    if (uid === undefined) throw new Error("running as root needs the 'mysql' system user");
    await chown(dir, Number(uid), Number(gid));
    userArgs.push("--user=mysql");
  }
  const dataDir = path.join(dir, "data");
  const socket = path.join(dir, "mysqld.sock");
  const logFile = path.join(dir, "error.log");
  const [port] = await freePorts(1);
  const env = { LC_ALL: "C", LANG: "C", TZ: "UTC" };
  const sizing = ["--innodb-buffer-pool-size=128M", "--innodb-log-file-size=64M"];
  const install = await exec(
    installDb,
    [
      "--no-defaults",
      `--datadir=${dataDir}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      "--skip-name-resolve",
      ...userArgs,
      ...sizing,
    ],
    { cwd: dir, env },
  );
  if (install.code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed:\n${install.stdout}${install.stderr}`);
  }
  const settings = {
    datadir: dataDir,
    socket,
    port: String(port),
    "bind-address": "127.0.0.1",
    "pid-file": path.join(dir, "mysqld.pid"),
    "log-error": logFile,
    tmpdir: dir,
    "innodb-flush-log-at-trx-commit": "0",
    "character-set-server": "utf8mb4",
    "collation-server": "utf8mb4_general_ci",
    "default-time-zone": "+00:00",
  };
  const { exited, stop } = startDaemon({
    command: mariadbd,
    args: [
      "--no-defaults",
      ...userArgs,
      ...sizing,
      "--skip-name-resolve",
      "--skip-log-bin",
      ...Object.entries(settings).map(([k, v]) => `--${k}=${v}`),
    ],
    cwd: dir,
    env,
    logFile: path.join(dir, "mariadbd.out"),
    dir,
    stopSignal: "SIGTERM",
    graceMs: 20_000,
  });
  const run = (conn, sql, timeoutMs = 300_000) =>
    exec(client, ["--no-defaults", ...conn, "--batch", "--skip-column-names", "-e", sql], {
      env,
      timeoutMs,
    });
  const root = ["--socket", socket, "-u", "root"];
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited()) throw new Error(`mariadbd exited during startup (${exited()}); see ${logFile}`);
    if (existsSync(socket) && (await run(root, "SELECT 1", 10_000)).code === 0) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error("mariadbd did not accept connections within 60 s");
    }
    await sleep(100);
  }
  const accounts = [`${sqlString(user)}@'%'`, `${sqlString(user)}@'localhost'`];
  const setup = await run(
    root,
    [
      `CREATE DATABASE \`${database}\``,
      ...accounts.map((a) => `CREATE USER ${a} IDENTIFIED BY ${sqlString(password)}`),
      ...accounts.map((a) => `GRANT ALL PRIVILEGES ON \`${database}\`.* TO ${a}`),
    ].join(";\n"),
  );
  if (setup.code !== 0) {
    await stop();
    throw new Error(`creating the user and database failed:\n${setup.stderr}`);
  }
  const tcp = ["--protocol=TCP", "-h", "127.0.0.1", "-P", String(port), "-u", user];
  const query = async (sql) => {
    const r = await run([...tcp, `--password=${password}`, "-D", database], sql);
    if (r.code !== 0) throw new Error(`mariadb client failed on ${sql}:\n${r.stderr.trim()}`);
    return parseRows(r.stdout);
  };
  return { port, user, password, database, query, stop };
}
