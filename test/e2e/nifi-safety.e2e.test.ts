// Issue 11, the NiFi items: what the generated flow does with bad records, on NiFi 2.8.0's
// stateless engine against real PostgreSQL, FerretDB (MongoDB wire protocol), Kafka and a
// schema registry. One pipeline (test/e2e/nifi/safety.yaml, built into a temp dir) with three
// ingests, one run of its flow, then per item: the good records on their topic, each bad one
// on the dead-letter topic with its reason, nothing lost, nothing doubled.
//
// - item 2: 200 MongoDB documents and one whose duration_ms (a long) holds a string;
// - item 3: ingests without a validate step, 300 valid rows and two with a NULL required field;
// - item 4: values outside an enum whose values are Avro names (priority) and one whose values
//   are not (state: spaces, quotes, '$#{', a backslash, a leading digit, non-ASCII);
// - item 13: a JSON topic (and the dead-letter topic): each message exactly one JSON object.
//
// One set of servers for the file; about 3 minutes.
import { mkdtemp, rm, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/api/index.js";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { startMongo, type Mongo } from "./harness/mongo.js";
import {
  assertNifiInstalled,
  describeNifiRun,
  nifiPaths,
  runStatelessFlow,
  type StatelessFlowResult,
} from "./harness/nifi.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { startRegistry, type SchemaRegistry } from "./harness/registry.js";
import {
  applyTopics,
  flowParameters,
  pipelineFiles,
  readTopic,
  registerSchemas,
  type PipelineFiles,
  type TopicMessage,
} from "./nifi/ingest.js";
import {
  EVENTS,
  header,
  insertEvents,
  insertTickets,
  isValidTicket,
  oneJsonObject,
  TICKETS,
  TICKETS_TABLE,
  type Event,
  type Ticket,
} from "./nifi/safety.js";

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const validTickets = TICKETS.filter(isValidTicket);
const invalidTickets = TICKETS.filter((t) => !isValidTicket(t));
const goodEvents = EVENTS.filter((e) => typeof e.duration_ms !== "string");

describe("bad records are dead-lettered one by one (issue 11, NiFi)", () => {
  let dir: string;
  let files: PipelineFiles;
  let kafka: KafkaBroker | undefined;
  let pg: Postgres | undefined;
  let mongo: Mongo | undefined;
  let registry: SchemaRegistry | undefined;
  let ids: Map<string, number>;
  let result: StatelessFlowResult;
  let dlq: TopicMessage[];
  const scrubbed = new Map<string, string>();

  beforeAll(async () => {
    assertNifiInstalled();
    dir = await mkdtemp(join(tmpdir(), "pipegen-nifi-safety-"));
    const specFile = join(dir, "safety.yaml");
    await writeFile(specFile, await readFile(join(REPO_ROOT, "test/e2e/nifi/safety.yaml")));
    const out = join(dir, "generated");
    expect(build([specFile], { out }).diagnostics).toEqual([]);
    files = pipelineFiles("nifi_safety", out);
    // The engine would take environment variables named like a parameter over ours.
    for (const name of flowParameters(files.flowJson).keys()) {
      if (process.env[name] !== undefined) scrubbed.set(name, process.env[name]!);
      delete process.env[name];
    }
    [kafka, pg, mongo, registry] = await Promise.all([
      startKafka(),
      startPostgres({ user: "ingest", database: "safety" }),
      startMongo(),
      startRegistry(),
    ]);
    await pg.query(TICKETS_TABLE);
    await insertTickets(pg, TICKETS);
    await insertEvents(mongo, EVENTS);
    await applyTopics(files, kafka.bootstrap);
    ids = await registerSchemas(files, registry.ccompatUrl);
  });

  afterAll(async () => {
    for (const [k, v] of scrubbed) process.env[k] = v;
    await Promise.all([kafka?.stop(), pg?.stop(), mongo?.stop(), registry?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const deadLetters = (ingest: string) => dlq.filter((m) => header(m, "pipegen.ingest") === ingest);

  it("one run of the flow succeeds", async () => {
    result = await runStatelessFlow({
      flowJson: files.flowJson,
      contextName: "nifi_safety",
      parameters: {
        KAFKA_BOOTSTRAP_SERVERS: kafka!.bootstrap,
        SCHEMA_REGISTRY_URL: registry!.ccompatUrl,
        SAFETY_DB_HOST: pg!.host,
        SAFETY_DB_PORT: String(pg!.port),
        SAFETY_DB_PASSWORD: pg!.password,
        SAFETY_MONGO_URI: mongo!.uri,
        "jdbc.driver.dir": nifiPaths().jdbcDir,
      },
      timeoutMs: 240_000,
    });
    const expected = 1 + 2 * invalidTickets.length;
    dlq = await readTopic(kafka!.bootstrap, "safety.dlq", { min: expected, timeoutS: 20 });
    console.log(
      `nifi_safety: one run of three ingests in ${result.durationMs} ms (killed: ${result.killed}); safety.dlq ${dlq.length} messages`,
    );
    expect(result.killed, describeNifiRun(result)).toBe(false);
    expect(result.failed, describeNifiRun(result)).toBe(false);
  }, 300_000);

  it("item 2: a badly typed MongoDB document is dead-lettered alone; the 200 others are published", async () => {
    const messages = await readTopic(kafka!.bootstrap, "safety.events", {
      avsc: files.schemaFile("safety.events"),
      min: goodEvents.length,
      timeoutS: 20,
    });
    const got = messages.map((m) => {
      expect(m.error, JSON.stringify(m)).toBeNull();
      expect(m.schema_id).toBe(ids.get("safety.events-value"));
      const v = m.value as Event;
      expect(v).toEqual(goodEvents.find((e) => e.event_id === v.event_id));
      expect(m.key).toBe(v.user_id);
      return v.event_id;
    });
    expect(got.sort(byText)).toEqual(goodEvents.map((e) => e.event_id).sort(byText));
    const dead = deadLetters("events");
    expect(dead).toHaveLength(1);
    expect(header(dead[0]!, "pipegen.reason")).toBe("invalid");
    expect(header(dead[0]!, "pipegen.validation.details")).toMatch(/duration_ms/);
    // The document as it is, as JSON.
    expect(oneJsonObject(dead[0]!)).toMatchObject({ event_id: "e201", duration_ms: "abc" });
    console.log(
      `item 2: ${EVENTS.length} documents -> safety.events ${messages.length}, dead letters ${dead.length} (${header(dead[0]!, "pipegen.reason")}: ${header(dead[0]!, "pipegen.validation.details")})`,
    );
  });

  const checkTicketDeadLetters = (ingest: string) => {
    const dead = deadLetters(ingest);
    const byId = new Map(dead.map((m) => [oneJsonObject(m).ticket_id as number, m]));
    expect([...byId.keys()].sort((a, b) => a - b)).toEqual(invalidTickets.map((t) => t.ticket_id));
    expect(dead).toHaveLength(invalidTickets.length);
    for (const t of invalidTickets) {
      const m = byId.get(t.ticket_id)!;
      expect(header(m, "pipegen.reason")).toBe("invalid");
      expect(header(m, "pipegen.step")).toMatch(/^validate for safety\.tickets/);
      const why = t.title === null ? /title/ : t.priority === "MEDIUM" ? /priority/ : /state/;
      expect(header(m, "pipegen.validation.details")).toMatch(why);
      expect(oneJsonObject(m)).toMatchObject({ ticket_id: t.ticket_id, title: t.title });
    }
    return dead.map(
      (m) => `${oneJsonObject(m).ticket_id as number}: ${header(m, "pipegen.validation.details")}`,
    );
  };

  it("items 3 and 4: without a validate step, rows with a NULL required field or a value outside an enum are dead-lettered one by one", async () => {
    const messages = await readTopic(kafka!.bootstrap, "safety.tickets", {
      avsc: files.schemaFile("safety.tickets"),
      min: validTickets.length,
      timeoutS: 20,
    });
    const got = messages.map((m) => {
      expect(m.error, JSON.stringify(m)).toBeNull();
      expect(m.schema_id).toBe(ids.get("safety.tickets-value"));
      const v = m.value as Ticket;
      expect(v).toEqual(validTickets.find((t) => t.ticket_id === v.ticket_id));
      expect(m.key).toBe(String(v.ticket_id));
      return v.ticket_id;
    });
    expect(got.sort((a, b) => a - b)).toEqual(validTickets.map((t) => t.ticket_id));
    const reasons = checkTicketDeadLetters("tickets");
    console.log(
      `items 3, 4: ${TICKETS.length} rows -> safety.tickets ${messages.length}, dead letters ${reasons.length}:\n  ${reasons.join("\n  ")}`,
    );
  });

  it("item 13: each message of a JSON topic and of the dead-letter topic is exactly one JSON object", async () => {
    const messages = await readTopic(kafka!.bootstrap, "safety.tickets.json", {
      min: validTickets.length,
      timeoutS: 20,
    });
    const got = messages.map((m) => {
      const v = oneJsonObject(m) as unknown as Ticket;
      expect(v).toEqual(validTickets.find((t) => t.ticket_id === v.ticket_id));
      expect(m.key).toBe(String(v.ticket_id));
      return v.ticket_id;
    });
    expect(got.sort((a, b) => a - b)).toEqual(validTickets.map((t) => t.ticket_id));
    checkTicketDeadLetters("tickets_json");
    for (const m of dlq) oneJsonObject(m);
    console.log(
      `item 13: safety.tickets.json ${messages.length} messages, safety.dlq ${dlq.length}, each one JSON object`,
    );
  });
});
