// A Spark job reads only committed records (Kafka 4.1.2, Spark 4.0.0). The NiFi flows publish in
// Kafka transactions (acks=all); a transaction NiFi aborts (a failed publish, a broker failover)
// leaves its records in the log, and a consumer at Kafka's default isolation, read_uncommitted,
// reads them. The job's source reads read_committed: records of an aborted transaction never
// reach a sink, and the offsets' gaps (the transaction markers) are no data loss.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { applyTopics, buildVersion } from "./harness/plan.js";
import { REPO_ROOT } from "./harness/paths.js";
import { describeRun, run } from "./harness/python.js";
import { describeSparkJob, runSparkJob, sparkPaths } from "./harness/spark.js";
import { countRecords } from "./spark/topic-io.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-transactions-"));
const lake = path.join(work, "lake");
let kafka: KafkaBroker;

beforeAll(async () => {
  kafka = await startKafka();
});

afterAll(async () => {
  await kafka?.stop();
});

const SPEC = `pipegen: 1
pipeline: tx
platform:
  spark: {checkpointRoot: "${path.join(work, "ckpt")}"}
connections:
  lake: {type: files, path: "${lake}"}
schemas:
  event:
    fields:
      id: {type: long, required: true}
      name: {type: string}
topics:
  tx.events: {schema: event, partitions: 1, format: json}
  tx.dlq: {partitions: 1}
streams:
  mirror:
    from: {topic: tx.events}
    onInvalid: {deadLetter: tx.dlq}
    to:
      - {connection: lake, path: out, format: json}
    trigger: {availableNow: true, schedule: "@hourly"}
`;

/** The ids the files sink wrote (JSON lines), sorted. */
function sinkIds(): number[] {
  const out = path.join(lake, "out");
  return readdirSync(out, { recursive: true, encoding: "utf8" })
    .filter((f) => /part-.*\.json$/.test(f))
    .flatMap((f) => readFileSync(path.join(out, f), "utf8").split("\n").filter(Boolean))
    .map((l) => Number((JSON.parse(l) as { id: number }).id))
    .sort((a, b) => a - b);
}

describe("records of committed and aborted transactions", () => {
  it("the job writes the committed records only, and no dead letter", async () => {
    const v = buildVersion(path.join(work, "spec"), "v1", SPEC);
    expect((await applyTopics(v, kafka.bootstrap)).code).toBe(0);
    const transactions = [
      {
        commit: true,
        values: [
          { id: 1, name: "a" },
          { id: 2, name: "b" },
        ],
      },
      {
        commit: false,
        values: [
          { id: 3, name: "aborted" },
          { id: 4, name: "aborted" },
        ],
      },
      { commit: true, values: [{ id: 5, name: "e" }] },
    ];
    const p = await run(sparkPaths().python, [
      path.join(REPO_ROOT, "test/e2e/spark/produce_tx.py"),
      kafka.bootstrap,
      "tx.events",
      JSON.stringify(transactions),
    ]);
    expect(p.code, describeRun("produce_tx", p)).toBe(0);
    const r = await runSparkJob(path.join(v.gen, "spark", "mirror.py"), ["--available-now"], {
      env: { KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap },
      timeoutMs: 400_000,
    });
    expect(r.code, describeSparkJob("mirror", r)).toBe(0);
    expect(sinkIds()).toEqual([1, 2, 5]);
    expect(await countRecords(kafka.bootstrap, "tx.dlq")).toBe(0);
  });
});
