// `pipegen plan`'s SINK_KEY_CHANGED on the stores whose key is not a SQL primary key (the JDBC
// case is in plan-spark.e2e.test.ts): real Spark 4.0.0 and Kafka, Apache Cassandra 5.0 and
// FerretDB (MongoDB wire). A stream upserts orders into a Cassandra table and a MongoDB
// collection by `id`; the sinks' key becomes [id, customer], records with known ids and a new
// customer arrive, and the job restarts from its checkpoint: what each store then holds is
// what plan's message says (Cassandra goes on keying rows by the table's primary key; MongoDB
// writes documents under a new _id beside the old ones).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCassandra, type Cassandra } from "./harness/cassandra.js";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { startMongo, type Mongo } from "./harness/mongo.js";
import { applyTopics, buildVersion, changeOf, planBetween, type Version } from "./harness/plan.js";
import { describeSparkJob } from "./harness/spark.js";
import { edit, keySpec, orders } from "./spark/plan-data.js";
import { planRunner } from "./spark/plan-run.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-plan-sinks-"));
let kafka: KafkaBroker;
let cassandra: Cassandra;
let mongo: Mongo;

beforeAll(async () => {
  [kafka, cassandra, mongo] = await Promise.all([startKafka(), startCassandra(), startMongo()]);
}, 300_000);

afterAll(async () => {
  await Promise.allSettled([kafka?.stop(), cassandra?.stop(), mongo?.stop()]);
});

const { produce, runJob } = planRunner(work, () => ({
  kafka,
  env: {
    CASSANDRA_HOST: cassandra.host,
    CASSANDRA_PORT: String(cassandra.port),
    PD_MONGO_URI: mongo.uri,
  },
}));

/** Cassandra's rows as "id customer", sorted. */
const tableRows = async () =>
  (await cassandra.cql('SELECT id, customer FROM "pd"."pd_items"'))
    .map((r) => `${String(r.id)} ${String(r.customer)}`)
    .sort();

/** MongoDB's documents as "_id -> id customer", sorted. */
const documents = async () =>
  (await mongo.find("pd", "pd_items"))
    .map((d) => `${JSON.stringify(d._id)} -> ${String(d.id)} ${String(d.customer)}`)
    .sort();

describe("SINK_KEY_CHANGED on Cassandra and MongoDB (group D)", () => {
  const dir = path.join(work, "d");
  const root = path.join(work, "ckpt-d");
  let v0: Version;

  beforeAll(async () => {
    v0 = buildVersion(dir, "v0", keySpec(root));
    expect((await applyTopics(v0, kafka.bootstrap)).code).toBe(0);
    await produce(v0, "pd.orders", orders(1, 5, "2025-01-01T00:00:00Z"));
    const r = await runJob(v0, "items");
    expect(r.code, describeSparkJob("items v0", r)).toBe(0);
    expect((await tableRows()).length).toBe(5);
    expect((await documents()).length).toBe(5);
  }, 600_000);

  it("key [id] -> [id, customer]: Cassandra keeps keying rows by id, MongoDB writes a second document", async () => {
    const v = buildVersion(
      dir,
      "key",
      edit(
        keySpec(root),
        ["key: [id]}", "key: [id, customer]}"],
        ["key: [id]}", "key: [id, customer]}"],
      ),
    );
    const changes = planBetween(v0, v).filter((c) => c.rule === "SINK_KEY_CHANGED");
    expect(changes.map((c) => [c.object, c.class])).toEqual([
      ["table cs/pd.pd_items", "breaking"],
      ["collection mg/pd_items", "breaking"],
    ]);
    const [table, collection] = changes.map((c) => c.message);
    expect(table).toContain("the job runs without an error and rows stay keyed by (id)");
    expect(table).toContain("records with the same (id) and another customer overwrite one row");
    expect(collection).toContain("becomes a second document beside the old one");
    // ids 3..5 again with another customer, and a new id 6
    await produce(v0, "pd.orders", [
      ...orders(3, 3, "2025-01-01T01:00:00Z", { customer: "cx" }),
      ...orders(6, 1, "2025-01-01T01:10:00Z"),
    ]);
    const r = await runJob(v, "items");
    expect(r.code, describeSparkJob("items with the new key", r)).toBe(0);
    // Cassandra: one row per id (the new key would keep (3, c3) and (3, cx) apart: 9 rows)
    expect(await tableRows()).toEqual(["1 c1", "2 c2", "3 cx", "4 cx", "5 cx", "6 c1"]);
    // MongoDB: the 5 documents of the old _id stay as they were, 4 more under the new one
    expect(await documents()).toEqual([
      '{"id":1} -> 1 c1',
      '{"id":2} -> 2 c2',
      '{"id":3,"customer":"cx"} -> 3 cx',
      '{"id":3} -> 3 c3',
      '{"id":4,"customer":"cx"} -> 4 cx',
      '{"id":4} -> 4 c1',
      '{"id":5,"customer":"cx"} -> 5 cx',
      '{"id":5} -> 5 c2',
      '{"id":6,"customer":"c1"} -> 6 c1',
    ]);
  });
});
