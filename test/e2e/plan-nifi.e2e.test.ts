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
import { mkdtempSync, writeFileSync } from "node:fs";
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

/** How often each id is on the topic (id -> times, by id), once `n` messages arrived and no more came for 4 s. */
async function onTopic(n: number): Promise<Array<[number, number]>> {
  const messages = await readTopic(kafka.bootstrap, "pn.items", { min: n, idleS: 4 });
  const out = new Map<number, number>();
  for (const m of messages) {
    const id = (JSON.parse(String(m.value)) as { id: number }).id;
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return [...out].sort(([a], [b]) => a - b);
}

/** What the topic should hold: id -> times, raised by each step's rows. */
const expected = new Map<number, number>();
function published(from: number, to: number) {
  for (let id = from; id <= to; id++) expected.set(id, (expected.get(id) ?? 0) + 1);
  return [...expected].sort(([a], [b]) => a - b);
}
const total = () => [...expected.values()].reduce((a, b) => a + b, 0);

/** The state of the group's source (QueryDatabaseTableRecord): "<table>@!@<column>" -> largest value seen. */
async function sourceState() {
  const g = (await rootGroups(nifi)).find((x) => x.name === "pn")!;
  const p = (await groupProcessors(nifi, g.id)).find((x) => x.type === "QueryDatabaseTableRecord")!;
  return processorState(nifi, p.id);
}

/** The largest updated_at of rows up to id n, as NiFi keeps it. */
const at = (n: number) => `2025-01-01 00:${String(n).padStart(2, "0")}:00.0`;

describe("NIFI_SOURCE_STATE_RESET: the source's state across replaces of the flow", () => {
  const dir = path.join(work, "pn");
  let prev: Version;
  let text = spec;
  /** Builds the spec with `edits` applied to the last version, plans it against that, deploys it. */
  async function next(label: string, ...edits: Array<[string, string]>) {
    text = edit(text, ...edits);
    const v = buildVersion(dir, label, text);
    const changes = planBetween(prev, v);
    await deploy(v);
    prev = v;
    return changes;
  }
  const reset = "NIFI_SOURCE_STATE_RESET";

  beforeAll(async () => {
    prev = buildVersion(dir, "v1", spec);
    expect((await applyTopics(prev, kafka.bootstrap)).code).toBe(0);
    await insertItems(1, 10);
    await deploy(prev);
    expect(await onTopic(10)).toEqual(published(1, 10));
    expect(await sourceState()).toEqual({ "public.items@!@updated_at": at(10) });
  }, 300_000);

  it("near miss: another poll interval keeps the state, and no row comes again", async () => {
    const changes = await next("every", ["every: 1s", "every: 2s"]);
    expect(rulesOf(changes)).not.toContain(reset);
    await insertItems(11, 2);
    expect(await onTopic(12)).toEqual(published(11, 12));
    expect(await sourceState()).toEqual({ "public.items@!@updated_at": at(12) });
  });

  it("another incrementalColumn (breaking): every row of the table is published again", async () => {
    const changes = await next("column", [
      "incrementalColumn: updated_at",
      "incrementalColumn: id",
    ]);
    expect(changeOf(changes, reset).class).toBe("breaking");
    expect(changeOf(changes, reset).message).toContain("publishes every row of the table again");
    await insertItems(13, 3);
    published(1, 12);
    const want = published(13, 15);
    expect(await onTopic(total())).toEqual(want);
    // the state of the earlier column stays beside the new one
    expect(await sourceState()).toEqual({
      "public.items@!@updated_at": at(12),
      "public.items@!@id": "15",
    });
  });

  it("the column of an earlier deploy again: the source resumes from the value it kept then", async () => {
    const changes = await next("back", ["incrementalColumn: id", "incrementalColumn: updated_at"]);
    expect(changeOf(changes, reset).message).toContain("every row above the value it kept then");
    await insertItems(16, 1);
    // rows 13..15 were read by id since; they are above the 00:12 kept for updated_at
    expect(await onTopic(total() + 4)).toEqual(published(13, 16));
    expect(await sourceState()).toEqual({
      "public.items@!@updated_at": at(16),
      "public.items@!@id": "15",
    });
  });

  it("another table (breaking): each of its rows is published, those the topic has again", async () => {
    await pg.query("CREATE TABLE public.items_copy AS SELECT * FROM public.items");
    const changes = await next("table", ["table: public.items,", "table: public.items_copy,"]);
    expect(changeOf(changes, reset).class).toBe("breaking");
    expect(await onTopic(total() + 16)).toEqual(published(1, 16));
    expect((await sourceState())["public.items_copy@!@updated_at"]).toBe(at(16));
  });

  it("the ingest renamed (breaking): its source is a new processor without state, and reads every row again", async () => {
    const changes = await next("renamed", ["  items:\n    from", "  items2:\n    from"]);
    expect(changeOf(changes, reset).class).toBe("breaking");
    expect(changeOf(changes, reset).message).toContain("a new component");
    expect(await onTopic(total() + 16)).toEqual(published(1, 16));
    expect(await sourceState()).toEqual({ "public.items_copy@!@updated_at": at(16) });
  });
});

describe("NIFI_PARAMETER_VALUE_CHANGED", () => {
  it("(care) the replace keeps the parameter's value in NiFi; the Airflow variable sets the new one", async () => {
    const dir = path.join(work, "param");
    const text = edit(
      spec,
      ["every: 1s", "every: 2s"],
      ["table: public.items,", "table: public.items_copy,"],
      ["  items:\n    from", "  items2:\n    from"],
    );
    const v1 = buildVersion(dir, "v1", text);
    const v2 = buildVersion(dir, "v2", edit(text, ["user: nifi,", "user: nifi2,"]));
    const changes = planBetween(v1, v2);
    expect(rulesOf(changes)).toEqual(["NIFI_PARAMETER_VALUE_CHANGED"]);
    expect(changeOf(changes, "NIFI_PARAMETER_VALUE_CHANGED").class).toBe("care");
    await pg.query(
      [
        `CREATE ROLE nifi2 LOGIN PASSWORD '${pg.password}'`,
        "GRANT SELECT ON ALL TABLES IN SCHEMA public TO nifi2",
      ],
      { superuser: true },
    );
    const g = (await rootGroups(nifi)).find((x) => x.name === "pn")!;
    const user = async () => (await groupParameters(nifi, g.id))["src.user"]?.value;
    expect(await user()).toBe("nifi");
    expect(await deploy(v2)).not.toMatch(/set parameters/);
    expect(await user()).toBe("nifi");
    expect(await deploy(v2, { "src.user": "nifi2" })).toMatch(/set parameters src\.user /);
    expect(await user()).toBe("nifi2");
  });
});
