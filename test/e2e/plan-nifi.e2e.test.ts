// `pipegen plan`'s NiFi rules on a real NiFi 2.8.0 server (harness/nifi-server.ts), PostgreSQL
// and Kafka: a flow is deployed and started with the ingestion DAG's own task code
// (pipegen_runtime.airflow.deploy_nifi_flow and start_nifi_flow, through nifi/deploy_flow.py),
// ingests rows, and each changed build is deployed over it as the DAG would (a replace of the
// process group's flow); the test counts what reaches the topic and reads the source's state
// and the parameter context from NiFi, and checks that plan's rule and class say what happened:
// - NIFI_SOURCE_STATE_RESET: QueryDatabaseTableRecord's incremental column changed;
// - near miss: the poll interval changed, the state is kept and no row comes again;
// - NIFI_PARAMETER_VALUE_CHANGED: a literal parameter's new value in the flow definition.
// One NiFi server, broker and database for the file.
import { writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import {
  groupParameters,
  groupProcessors,
  processorState,
  rootGroups,
} from "./harness/nifi-rest.js";
import {
  assertNifiServerInstalled,
  startNifiServer,
  type NifiServer,
} from "./harness/nifi-server.js";
import { cachePaths, REPO_ROOT } from "./harness/paths.js";
import {
  applyTopics,
  buildVersion,
  changeOf,
  planBetween,
  rulesOf,
  type Version,
} from "./harness/plan.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { describeRun, runPython } from "./harness/python.js";
import { assertRuntimeInstalled } from "./harness/runtime.js";
import { readTopic } from "./nifi/ingest.js";
import { edit } from "./spark/plan-data.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-plan-nifi-"));
let kafka: KafkaBroker;
let pg: Postgres;
let nifi: NifiServer;

beforeAll(async () => {
  assertNifiServerInstalled();
  assertRuntimeInstalled(cachePaths().venvDir, "bash test/e2e/install.sh");
  [kafka, pg, nifi] = await Promise.all([
    startKafka(),
    startPostgres({ user: "nifi", database: "plan" }),
    startNifiServer(),
  ]);
  await pg.query(
    "CREATE TABLE public.items (id bigint PRIMARY KEY, name text, updated_at timestamptz NOT NULL)",
  );
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([nifi?.stop(), kafka?.stop(), pg?.stop()]);
});

const spec = `pipegen: 1
pipeline: pn
platform:
  kafka: {bootstrapServers: "\${env:KAFKA_BOOTSTRAP_SERVERS}"}
  nifi: {url: "\${env:NIFI_URL}"}
connections:
  src: {type: postgres, host: "\${env:PN_DB_HOST}", port: "\${env:PN_DB_PORT}", database: plan, user: nifi, password: "\${secret:PN_DB_PASSWORD}"}
schemas:
  item:
    key: [id]
    fields:
      id: {type: long, required: true}
      name: {type: string}
      updated_at: {type: timestamp, required: true}
topics:
  pn.items: {schema: item, partitions: 1, format: json}
ingest:
  items:
    from: {connection: src, table: public.items, incrementalColumn: updated_at, every: 1s}
    to: {topic: pn.items, key: id, format: json}
`;

/** Rows `first`..`first+n-1`, updated a minute apart from 2025-01-01 plus `first` minutes. */
async function insertItems(first: number, n: number) {
  const rows = Array.from(
    { length: n },
    (_, k) =>
      `(${first + k}, 'item ${first + k}', TIMESTAMPTZ '2025-01-01T00:00:00Z' + interval '${first + k} minutes')`,
  );
  await pg.query(`INSERT INTO public.items VALUES ${rows.join(", ")}`);
}

/** Deploys and starts a build's flow as the ingestion DAG's tasks do; returns what they printed. */
async function deploy(v: Version, variables: Record<string, string> = {}) {
  const settings = path.join(work, `deploy-${path.basename(v.out)}.json`);
  writeFileSync(
    settings,
    JSON.stringify({
      nifi: nifi.url,
      group: "pn",
      flow: path.join(v.gen, "nifi", "pn.flow.json"),
      kafka: kafka.bootstrap,
      variables: {
        PN_DB_HOST: pg.host,
        PN_DB_PORT: String(pg.port),
        PN_DB_PASSWORD: pg.password,
        "jdbc.driver.dir": nifi.jdbcDir,
        ...variables,
      },
    }),
  );
  const r = await runPython(path.join(REPO_ROOT, "test/e2e/nifi/deploy_flow.py"), [settings], {
    timeoutMs: 300_000,
  });
  expect(r.code, `${describeRun("deploy_flow.py", r)}\n${nifi.logTail(40)}`).toBe(0);
  return r.stdout;
}

/** How often each id is on the topic, once `n` messages arrived and no more came for 4 s. */
async function onTopic(n: number): Promise<Map<number, number>> {
  const messages = await readTopic(kafka.bootstrap, "pn.items", { min: n, idleS: 4 });
  const out = new Map<number, number>();
  for (const m of messages) {
    const id = (JSON.parse(String(m.value)) as { id: number }).id;
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

/** id -> times for ids `from`..`to`. */
const times = (from: number, to: number, n: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => [from + k, n] as [number, number]);

/** The group's source processor and its state (key -> largest value seen). */
async function source() {
  const g = (await rootGroups(nifi)).find((x) => x.name === "pn")!;
  const ps = await groupProcessors(nifi, g.id);
  const p = ps.find((x) => x.type === "QueryDatabaseTableRecord")!;
  return { group: g, processor: p, state: await processorState(nifi, p.id) };
}

describe("NiFi source state and parameters across a replace of the flow", () => {
  const dir = path.join(work, "pn");
  let prev: Version;
  let text = spec;
  /** Builds the spec with `edits` applied to the last version, and plans it against that. */
  function next(label: string, ...edits: Array<[string, string]>) {
    text = edit(text, ...edits);
    const v = buildVersion(dir, label, text);
    const changes = planBetween(prev, v);
    return { v, changes };
  }

  it("v1 ingests every row once", async () => {
    prev = buildVersion(dir, "v1", spec);
    expect((await applyTopics(prev, kafka.bootstrap)).code).toBe(0);
    await insertItems(1, 10);
    await deploy(prev);
    expect([...(await onTopic(10))]).toEqual(times(1, 10, 1));
    console.log("v1 state", JSON.stringify((await source()).state));
  });

  it("near miss: every 1s -> 2s keeps the state, no row comes again", async () => {
    const { v, changes } = next("every", ["every: 1s", "every: 2s"]);
    console.log("every", rulesOf(changes));
    expect(rulesOf(changes)).not.toContain("NIFI_SOURCE_STATE_RESET");
    const before = (await source()).state;
    await deploy(v);
    await insertItems(11, 2);
    expect([...(await onTopic(12))]).toEqual(times(1, 12, 1));
    expect((await source()).state).toMatchObject(before);
    prev = v;
  });

  it("NIFI_SOURCE_STATE_RESET: incrementalColumn updated_at -> id publishes every row again", async () => {
    const { v, changes } = next("column", [
      "incrementalColumn: updated_at",
      "incrementalColumn: id",
    ]);
    expect(changeOf(changes, "NIFI_SOURCE_STATE_RESET").class).toBe("breaking");
    console.log(changeOf(changes, "NIFI_SOURCE_STATE_RESET").message);
    await deploy(v);
    await insertItems(13, 3);
    const seen = await onTopic(27);
    console.log("column", [...seen], JSON.stringify((await source()).state));
    expect([...seen]).toEqual([...times(1, 12, 2), ...times(13, 15, 1)]);
    prev = v;
  });

  it("back to updated_at", async () => {
    const { v, changes } = next("back", ["incrementalColumn: id", "incrementalColumn: updated_at"]);
    console.log("back", rulesOf(changes), changeOf(changes, "NIFI_SOURCE_STATE_RESET").message);
    await deploy(v);
    await insertItems(16, 1);
    const seen = await onTopic(28);
    console.log("back", [...seen], JSON.stringify((await source()).state));
    prev = v;
  });

  it("table public.items -> public.items_copy", async () => {
    await pg.query("CREATE TABLE public.items_copy AS SELECT * FROM public.items");
    const { v, changes } = next("table", ["table: public.items,", "table: public.items_copy,"]);
    console.log("table", rulesOf(changes), JSON.stringify(changes, null, 1));
    await deploy(v);
    const seen = await onTopic(44);
    console.log("table", [...seen], JSON.stringify((await source()).state));
    prev = v;
  });

  it("ingest renamed", async () => {
    const { v, changes } = next("renamed", ["  items:\n    from", "  items2:\n    from"]);
    console.log("renamed", rulesOf(changes), JSON.stringify(changes, null, 1));
    await deploy(v);
    const seen = await onTopic(60);
    console.log("renamed", [...seen], JSON.stringify((await source()).state));
    prev = v;
  });

  it("NIFI_PARAMETER_VALUE_CHANGED (care): the replace keeps the old value; the Airflow variable sets the new one", async () => {
    await pg.query(
      [
        `CREATE ROLE nifi2 LOGIN PASSWORD '${pg.password}'`,
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO nifi2",
      ],
      { superuser: true },
    );
    const { v, changes } = next("user", ["user: nifi,", "user: nifi2,"]);
    expect(rulesOf(changes)).toEqual(["NIFI_PARAMETER_VALUE_CHANGED"]);
    expect(changeOf(changes, "NIFI_PARAMETER_VALUE_CHANGED").class).toBe("care");
    const { group } = await source();
    const user = async () => (await groupParameters(nifi, group.id))["src.user"]?.value;
    expect(await user()).toBe("nifi");
    expect(await deploy(v)).not.toMatch(/set parameters/);
    expect(await user()).toBe("nifi");
    expect(await deploy(v, { "src.user": "nifi2" })).toMatch(/set parameters src.user/);
    expect(await user()).toBe("nifi2");
  });
});
