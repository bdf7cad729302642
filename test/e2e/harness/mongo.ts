// A real MongoDB wire-protocol server for the e2e tests: FerretDB 1.24 with its SQLite backend,
// built from the Go module proxy by test/e2e/engines/ferretdb/install.sh into
// $CACHE/ferretdb-<version>/bin/ferretdb and run as
//   ferretdb --handler=sqlite --sqlite-url=file:<dir>/data/ --listen-addr=127.0.0.1:<free>
//     --debug-addr=- --telemetry=disable --state-dir=<dir>/state
// One server per startMongo(), in a fresh temp dir; no auth. Ready when pymongo (in the Spark
// venv) gets an answer to `ping`. find() reads documents back with pymongo as relaxed
// extended JSON (dates as {"$date": "...Z"}).
import { existsSync, mkdirSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachePaths } from "./paths.js";
import { exec, freePorts, startServer, type ExecOptions } from "./process.js";
import { sparkPaths } from "./spark.js";

/** Keep in step with VERSION in test/e2e/engines/ferretdb/install.sh. */
export const FERRETDB_VERSION = "1.24.2";

export interface MongoOptions {
  /** Give up (and kill it) when it does not answer ping in time; default 60 s. */
  startTimeoutMs?: number;
  /** Extra ferretdb flags, e.g. ["--log-level=debug"]. */
  args?: string[];
}

export interface Mongo {
  /** mongodb://127.0.0.1:<port>/ (no auth) */
  uri: string;
  host: "127.0.0.1";
  port: number;
  /** FerretDB's version as the server reports it (buildInfo), e.g. "7.0.42". */
  version: string;
  dir: string;
  logFile: string;
  /** Every document of a collection, as relaxed extended JSON, sorted by the given fields (default _id). */
  find(
    database: string,
    collection: string,
    opts?: { sort?: string[]; filter?: Record<string, unknown> },
  ): Promise<Array<Record<string, unknown>>>;
  /** Run a database command (pymongo's db.command), e.g. {count: "coll"}; returns its reply. */
  command(database: string, command: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** SIGTERM, SIGKILL after 10 s, then remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export function ferretdbBinary(): string {
  const bin = join(cachePaths().cacheDir, `ferretdb-${FERRETDB_VERSION}`, "bin", "ferretdb");
  if (!existsSync(bin))
    throw new Error(`no FerretDB at ${bin}: run bash test/e2e/engines/ferretdb/install.sh first`);
  return bin;
}

const MONGO_RUNNER = `
import json, sys, time
from bson import json_util
from pymongo import MongoClient

uri, mode = sys.argv[1], sys.argv[2]
opts = json_util.JSONOptions(json_mode=json_util.JSONMode.RELAXED, tz_aware=True)
if mode == "probe":
    deadline = time.monotonic() + float(sys.argv[3])
    last = None
    while time.monotonic() < deadline:
        try:
            with MongoClient(uri, serverSelectionTimeoutMS=2000) as client:
                client.admin.command("ping")
                print(json.dumps({"version": client.server_info().get("version")}))
                sys.exit(0)
        except Exception as e:
            last = e
            time.sleep(0.3)
    sys.exit(f"no answer to ping: {last}")
req = json.loads(sys.stdin.read())
with MongoClient(uri, serverSelectionTimeoutMS=10000) as client:
    db = client[req["database"]]
    if mode == "find":
        docs = list(db[req["collection"]].find(json_util.loads(json.dumps(req.get("filter") or {}))))
        print(json_util.dumps(docs, json_options=opts))
    else:
        reply = db.command(json_util.loads(json.dumps(req["command"])))
        print(json_util.dumps(reply, json_options=opts))
`;

/** Run the venv's python (the pymongo runner), its stdin only opened when there is input. */
const execPython = (python: string, args: readonly string[], opts: ExecOptions) =>
  exec(python, args, { ...opts, env: { PYTHONUNBUFFERED: "1" }, brief: true });

export async function startMongo(opts: MongoOptions = {}): Promise<Mongo> {
  const bin = ferretdbBinary();
  const python = sparkPaths().python; // pymongo is in the Spark venv
  const dir = await mkdtemp(join(tmpdir(), "pipegen-ferretdb-"));
  mkdirSync(join(dir, "data"));
  mkdirSync(join(dir, "state"));
  const logFile = join(dir, "ferretdb.log");
  const [port] = await freePorts(1);
  const uri = `mongodb://127.0.0.1:${port}/`;
  const server = startServer({
    name: "ferretdb",
    command: bin,
    args: [
      "--handler=sqlite",
      `--sqlite-url=file:${join(dir, "data")}/`,
      `--listen-addr=127.0.0.1:${port}`,
      "--debug-addr=-", // no metrics/pprof HTTP listener
      "--telemetry=disable",
      `--state-dir=${join(dir, "state")}`,
      "--log-level=warn",
      ...(opts.args ?? []),
    ],
    dir,
    outFile: logFile,
    stopGraceMs: 10_000,
  });

  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  const probe = execPython(python, ["-c", MONGO_RUNNER, uri, "probe", String(timeoutMs / 1000)], {
    timeoutMs: timeoutMs + 10_000,
  });
  const first = await Promise.race([probe, server.ended.then(() => null)]);
  if (first === null || first.code !== 0) {
    const why =
      first === null ? `ferretdb exited during startup (${server.exited})` : first.stderr.trim();
    throw await server.stopWithError(
      (logTail) => `FerretDB did not answer on ${uri}: ${why}\nlog tail:\n${logTail}`,
    );
  }
  const version = (JSON.parse(first.stdout.trim()) as { version: string }).version;

  const call = async (mode: "find" | "command", req: object): Promise<unknown> => {
    const r = await execPython(python, ["-c", MONGO_RUNNER, uri, mode], {
      input: JSON.stringify(req),
    });
    if (r.code !== 0) throw new Error(`pymongo ${mode} failed (exit ${r.code}):\n${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const find: Mongo["find"] = async (database, collection, q = {}) => {
    const docs = (await call("find", { database, collection, filter: q.filter })) as Array<
      Record<string, unknown>
    >;
    const keys = q.sort ?? ["_id"];
    const keyOf = (d: Record<string, unknown>) =>
      keys.map((k) => JSON.stringify(d[k])).join("\u0000");
    return docs.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  };
  const command: Mongo["command"] = async (database, cmd) =>
    (await call("command", { database, command: cmd })) as Record<string, unknown>;

  return {
    uri,
    host: "127.0.0.1",
    port: port!,
    version,
    dir,
    logFile,
    find,
    command,
    stop: server.stop,
  };
}
