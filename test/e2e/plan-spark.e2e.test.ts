// `pipegen plan` on real Spark 4.0.0, Kafka and PostgreSQL: for each breaking Spark and sink
// rule, the old job runs, the plan is made, and the new job restarts from the same checkpoint
// (a copy of it, with a query id of its own) and fails, refuses or goes wrong as the plan said;
// the way out (stateVersion) and a sample of safe changes run with nothing lost or doubled; the
// DDL plan prints makes a failing sink change work.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import {
  applyTopics,
  avsc,
  buildVersion,
  changeOf,
  planBetween,
  rulesOf,
  type Version,
} from "./harness/plan.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { describeSparkJob } from "./harness/spark.js";
import { planRunner } from "./spark/plan-run.js";
import { countRecords } from "./spark/topic-io.js";
import {
  copySpec,
  dupSpec,
  edit,
  orders,
  sinkSpec,
  stateSpec,
  windowCounts,
  type Order,
} from "./spark/plan-data.js";

const work = mkdtempSync(path.join(tmpdir(), "pipegen-plan-spark-"));
let kafka: KafkaBroker;
let pg: Postgres;

beforeAll(async () => {
  [kafka, pg] = await Promise.all([
    startKafka(),
    startPostgres({ user: "spark", database: "plan" }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([kafka?.stop(), pg?.stop()]);
});

const { produce, runJob, copyRoot, ddlOf, failed } = planRunner(work, () => ({ kafka, pg }));
const aggRows = async () =>
  JSON.stringify(
    await pg.query("SELECT window_start, window_end, customer, n, total FROM pa_agg ORDER BY 1, 3"),
  );
const count = async (sql: string) => Number((await pg.query(sql))[0]![0]);

describe("stateful operators (group A: dedupe, then a 1-minute window per customer)", () => {
  const dir = path.join(work, "a");
  const root = path.join(work, "ckpt-a");
  const batch1 = orders(1, 30, "2025-01-01T00:00:30Z");
  const batch2 = orders(31, 30, "2025-01-01T00:07:10Z");
  let v0: Version;
  let rows1: string;

  beforeAll(async () => {
    v0 = buildVersion(dir, "v0", stateSpec(root));
    expect((await applyTopics(v0, kafka.bootstrap)).code).toBe(0);
    await produce(v0, "pa.orders", batch1);
    const r = await runJob(v0, "agg", root);
    expect(r.code, describeSparkJob("agg v0", r)).toBe(0);
    rows1 = await aggRows();
    await produce(v0, "pa.orders", batch2);
    await produce(v0, "pa.other", orders(100, 5, "2025-01-01T00:30:00Z"));
  });

  const opError = "STREAMING_STATEFUL_OPERATOR_NOT_MATCH_IN_STATE_METADATA";
  const refusals: Array<[string, string, Array<[string, string]>, string]> = [
    [
      "SPARK_STATE_KEY_CHANGED",
      "key",
      [["groupBy: [customer]", "groupBy: [customer, region]"]],
      "STATE_STORE_KEY_SCHEMA_NOT_COMPATIBLE",
    ],
    [
      "SPARK_AGGREGATES_CHANGED",
      "aggregates",
      [['total: "sum(amount)"', 'total: "sum(amount)", top: "max(amount)"']],
      "STATE_STORE_VALUE_SCHEMA_NOT_COMPATIBLE",
    ],
    [
      "SPARK_STATEFUL_OPERATOR_ADDED",
      "added",
      [
        [
          "      - window:",
          "      - dedupe: {key: [id, customer], on: at, watermark: 1h}\n      - window:",
        ],
      ],
      opError,
    ],
    [
      "SPARK_STATEFUL_OPERATOR_REMOVED",
      "removed",
      [["      - dedupe: {key: [id], on: at, watermark: 1h}\n", ""]],
      opError,
    ],
    [
      "SPARK_STATEFUL_OPERATOR_CHANGED",
      "changed",
      [["dedupe: {key: [id], on: at, watermark: 1h}", "dedupe: {key: [id]}"]],
      opError,
    ],
    [
      "SPARK_SOURCE_TOPIC_CHANGED",
      "topic",
      [["from: {topic: pa.orders}", "from: {topic: pa.other}"]],
      "Some data may have been lost because they are not available in Kafka any more",
    ],
  ];

  it.each(refusals)(
    "%s: the restart from the checkpoint fails as plan says, and nothing is written",
    async (rule, label, edits, error) => {
      const v = buildVersion(dir, label, edit(stateSpec(root), ...edits));
      const changes = planBetween(v0, v);
      expect(changeOf(changes, rule).class).toBe("breaking");
      expect(changeOf(changes, rule).message).toContain(error);
      // what the plan prints for the table is done first, so that only the state can fail
      for (const c of changes.filter((x) => x.rule.startsWith("SINK_"))) await pg.query(ddlOf(c));
      const r = await runJob(v, "agg", copyRoot(root, label));
      expect(r.code, describeSparkJob(label, r)).not.toBe(0);
      expect(failed(r)).toContain(error);
      expect(await aggRows()).toBe(rows1);
    },
  );
});

describe("what Spark takes (group A): window, shuffle partitions, and the way out", () => {
  const dir = path.join(work, "a");
  const root = path.join(work, "ckpt-a");
  const all = [...orders(1, 30, "2025-01-01T00:00:30Z"), ...orders(31, 30, "2025-01-01T00:07:10Z")];
  const batch2 = all.slice(30);
  const v0 = () => ({
    spec: path.join(dir, "spec.yaml"),
    out: path.join(dir, "v0"),
    gen: path.join(dir, "v0", "pa"),
  });
  /** Rows of the table with windows of a size: customer|start -> n. */
  const rowsOf = async (minutes: number) =>
    new Map(
      (
        await pg.query(
          `SELECT customer, to_char(window_start, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), n FROM pa_agg WHERE window_end - window_start = interval '${minutes} minutes'`,
        )
      ).map(([c, s, n]) => [`${c}|${s}`, Number(n)]),
    );

  it("SPARK_SHUFFLE_PARTITIONS_CHANGED (care): the restart keeps the checkpoint's 4 partitions", async () => {
    writeFileSync(v0().spec, stateSpec(root));
    const v = buildVersion(
      dir,
      "shuffle",
      edit(stateSpec(root), ["shufflePartitions: 4", "shufflePartitions: 6"]),
    );
    expect(changeOf(planBetween(v0(), v), "SPARK_SHUFFLE_PARTITIONS_CHANGED").class).toBe("care");
    const copy = copyRoot(root, "shuffle");
    const r = await runJob(v, "agg", copy);
    expect(r.code, describeSparkJob("shuffle", r)).toBe(0);
    const state = path.join(copy, "pa", "agg", "sinks", "state", "0");
    expect(readdirSync(state).filter((d) => /^\d+$/.test(d)).length).toBe(4);
    const offsets = path.join(copy, "pa", "agg", "sinks", "offsets");
    const last = readdirSync(offsets)
      .filter((f) => /^\d+$/.test(f))
      .sort((a, b) => Number(a) - Number(b))
      .pop()!;
    expect(readFileSync(path.join(offsets, last), "utf8")).toContain(
      '"spark.sql.shuffle.partitions":"4"',
    );
  });

  it("SPARK_WINDOW_CHANGED: Spark restarts without a word; window sizes mix, a spanning window is partial", async () => {
    const v = buildVersion(dir, "window", edit(stateSpec(root), ["size: 1m", "size: 5m"]));
    expect(changeOf(planBetween(v0(), v), "SPARK_WINDOW_CHANGED").class).toBe("breaking");
    const r = await runJob(v, "agg", copyRoot(root, "window"));
    expect(r.code, describeSparkJob("window", r)).toBe(0);
    const [one, five] = [await rowsOf(1), await rowsOf(5)];
    expect(one.size).toBeGreaterThan(0);
    expect(five.size).toBeGreaterThan(0);
    // [00:05, 00:10) holds records of both batches, but only the second batch's are counted
    const key = "c1|2025-01-01T00:05:00.000Z";
    expect(five.get(key)).toBe(windowCounts(batch2, 300_000).get(key));
    expect(five.get(key)).toBeLessThan(windowCounts(all, 300_000).get(key)!);
  });

  it("the way out: stateVersion 2 (care) starts a new checkpoint from earliest, and every window is whole", async () => {
    const text = edit(
      stateSpec(root),
      ["size: 1m", "size: 5m"],
      ["    trigger:", "    stateVersion: 2\n    trigger:"],
    );
    const v = buildVersion(dir, "wayout", text);
    const changes = planBetween(v0(), v);
    expect(changeOf(changes, "SPARK_STATE_VERSION_RAISED").class).toBe("care");
    expect(changes.filter((c) => c.class === "breaking")).toEqual([]);
    const copy = copyRoot(root, "wayout");
    const r = await runJob(v, "agg", copy);
    expect(r.code, describeSparkJob("way out", r)).toBe(0);
    expect(existsSync(path.join(copy, "pa", "agg", "sinks.v2", "commits"))).toBe(true);
    expect(await rowsOf(5)).toEqual(windowCounts(all, 300_000));
  });
});

describe("stateless changes and files (group B)", () => {
  const dir = path.join(work, "b");
  const root = path.join(work, "ckpt-b");
  const lake = path.join(work, "lake");
  let v0: Version;
  let v1: Version;

  beforeAll(async () => {
    v0 = buildVersion(dir, "v0", copySpec(root, lake));
    expect((await applyTopics(v0, kafka.bootstrap)).code).toBe(0);
    await produce(v0, "pb.orders", orders(1, 20, "2025-01-01T00:00:00Z"));
    const r = await runJob(v0, "copier");
    expect(r.code, describeSparkJob("copy v0", r)).toBe(0);
    expect(await count("SELECT count(*) FROM pb_copy")).toBe(20);
  });

  it("safe: SPARK_STATELESS_STEP_CHANGED and SPARK_SOURCE_OPTION_CHANGED: the restart goes on, nothing lost or doubled", async () => {
    const text = edit(
      copySpec(root, lake),
      ['filter: "amount >= 0"', 'filter: "amount >= -100"'],
      [
        "from: {topic: pb.orders}",
        "from: {topic: pb.orders, startingOffsets: latest, maxOffsetsPerTrigger: 7}",
      ],
    );
    v1 = buildVersion(dir, "v1", text);
    const changes = planBetween(v0, v1);
    expect(rulesOf(changes)).toEqual([
      "SPARK_SOURCE_OPTION_CHANGED",
      "SPARK_STATELESS_STEP_CHANGED",
    ]);
    expect(new Set(changes.map((c) => c.class))).toEqual(new Set(["safe"]));
    await produce(v0, "pb.orders", orders(21, 20, "2025-01-01T01:00:00Z"));
    const r = await runJob(v1, "copier");
    expect(r.code, describeSparkJob("copy v1", r)).toBe(0);
    expect(await count("SELECT count(*) FROM pb_copy")).toBe(40);
    expect(await count("SELECT count(DISTINCT id) FROM pb_copy")).toBe(40);
  });

  it("SPARK_FILE_SINK_NEW_CHECKPOINT: the job refuses to start over files an earlier checkpoint wrote", async () => {
    const text = edit(readFileSync(v1.spec, "utf8"), [
      "      - {connection: lake",
      "      - {connection: pg, table: pb_copy2, mode: append}\n      - {connection: lake",
    ]);
    const v2 = buildVersion(dir, "v2", text);
    expect(changeOf(planBetween(v1, v2), "SPARK_FILE_SINK_NEW_CHECKPOINT").class).toBe("breaking");
    await produce(v0, "pb.orders", orders(41, 5, "2025-01-01T02:00:00Z"));
    const r = await runJob(v2, "copier");
    expect(r.code).toBe(1);
    expect(failed(r)).toContain("holds files a file sink wrote under another checkpoint");
    expect(await count("SELECT count(*) FROM pb_copy")).toBe(40);
  });

  it("SPARK_STATEFUL_OPERATOR_ADDED to a query without state: the restart finds no state to load", async () => {
    const text = edit(copySpec(root, lake), [
      "      - select:",
      "      - dedupe: {key: [id]}\n      - select:",
    ]);
    const v = buildVersion(dir, "dedupe", text);
    const change = changeOf(planBetween(v0, v), "SPARK_STATEFUL_OPERATOR_ADDED");
    expect(change.class).toBe("breaking");
    expect(change.message).toContain("CANNOT_LOAD_STATE_STORE");
    const r = await runJob(v, "copier", copyRoot(root, "b-dedupe"));
    expect(r.code, describeSparkJob("dedupe added", r)).not.toBe(0);
    expect(failed(r)).toContain("CANNOT_LOAD_STATE_STORE");
  });
});

describe("new checkpoints and formats (group B2)", () => {
  const dir = path.join(work, "b2");
  const [root1, root2] = [path.join(work, "ckpt-b2-1"), path.join(work, "ckpt-b2-2")];
  let v0: Version;
  const deadLetters = () => countRecords(kafka.bootstrap, "pr.dlq");

  beforeAll(async () => {
    v0 = buildVersion(dir, "v0", dupSpec(root1));
    expect((await applyTopics(v0, kafka.bootstrap)).code).toBe(0);
    await produce(v0, "pr.orders", [
      ...orders(1, 20, "2025-01-01T00:00:00Z"),
      ...orders(21, 2, "2025-01-01T00:10:00Z", { amount: null }),
    ]);
    const r = await runJob(v0, "dup");
    expect(r.code, describeSparkJob("dup v0", r)).toBe(0);
    expect([await count("SELECT count(*) FROM pr_dup"), await deadLetters()]).toEqual([20, 2]);
  });

  it("SPARK_CHECKPOINT_ROOT_CHANGED: every record is read again, rows and dead letters twice", async () => {
    const v = buildVersion(dir, "root", dupSpec(root2));
    expect(changeOf(planBetween(v0, v), "SPARK_CHECKPOINT_ROOT_CHANGED").class).toBe("breaking");
    const r = await runJob(v, "dup");
    expect(r.code, describeSparkJob("dup root2", r)).toBe(0);
    expect([await count("SELECT count(*) FROM pr_dup"), await deadLetters()]).toEqual([40, 4]);
  });

  it("SPARK_STREAM_RENAMED: the renamed stream starts over on new checkpoints", async () => {
    const v = buildVersion(dir, "renamed", edit(dupSpec(root1), ["  dup:", "  dup2:"]));
    expect(changeOf(planBetween(v0, v), "SPARK_STREAM_RENAMED").class).toBe("breaking");
    const r = await runJob(v, "dup2");
    expect(r.code, describeSparkJob("dup2", r)).toBe(0);
    expect([await count("SELECT count(*) FROM pr_dup"), await deadLetters()]).toEqual([60, 6]);
  });

  it("SPARK_DECODER_SCHEMA_CHANGED (safe): an optional field added, the records of the earlier schema are read with its default", async () => {
    const v = buildVersion(
      dir,
      "decoder",
      edit(dupSpec(root1), [
        "      at: {type: timestamp, required: true}",
        "      at: {type: timestamp, required: true}\n      extra: {type: string}",
      ]),
    );
    const changes = planBetween(v0, v);
    expect(changeOf(changes, "SCHEMA_CHANGED_COMPATIBLE").class).toBe("safe");
    expect(changeOf(changes, "SPARK_DECODER_SCHEMA_CHANGED").class).toBe("safe");
    await produce(v0, "pr.orders", orders(50, 5, "2025-01-01T00:30:00Z"));
    // The registry has v0's schema as id 1 (the id produce() writes) and the new one as id 2.
    const writers = { 1: avsc(v0, "pr.orders"), 2: avsc(v, "pr.orders") };
    const r = await runJob(v, "dup", undefined, writers);
    expect(r.code, describeSparkJob("dup decoder", r)).toBe(0);
    expect([await count("SELECT count(*) FROM pr_dup"), await deadLetters()]).toEqual([65, 6]);
  });

  it("KAFKA_TOPIC_FORMAT_CHANGED: the records written before the change are dead letters", async () => {
    const v = buildVersion(
      dir,
      "json",
      edit(dupSpec(root1), [
        "pr.orders: {schema: order, partitions: 2}",
        "pr.orders: {schema: order, partitions: 2, format: json}",
      ]),
    );
    expect(changeOf(planBetween(v0, v), "KAFKA_TOPIC_FORMAT_CHANGED").class).toBe("breaking");
    await produce(v0, "pr.orders", orders(30, 10, "2025-01-01T01:00:00Z"));
    const r = await runJob(v, "dup");
    expect(r.code, describeSparkJob("dup json", r)).toBe(0);
    expect([await count("SELECT count(*) FROM pr_dup"), await deadLetters()]).toEqual([65, 16]);
  });
});

describe("sink tables (group C): each change fails until the DDL plan prints is run", () => {
  const dir = path.join(work, "c");
  const root = path.join(work, "ckpt-c");
  let prev: Version;
  let text = sinkSpec(root);

  beforeAll(async () => {
    prev = buildVersion(dir, "v0", text);
    expect((await applyTopics(prev, kafka.bootstrap)).code).toBe(0);
    await produce(prev, "pc.orders", orders(1, 5, "2025-01-01T00:00:00Z"));
    const r = await runJob(prev, "items");
    expect(r.code, describeSparkJob("items v0", r)).toBe(0);
    expect(await count("SELECT count(*) FROM pc_items")).toBe(5);
  });

  const steps: Array<[string, Array<[string, string]>, Order[], RegExp, number]> = [
    [
      "SINK_COLUMN_ADDED",
      [["select: [id, customer, amount, note]", "select: [id, customer, amount, note, region]"]],
      orders(6, 3, "2025-01-01T01:00:00Z"),
      /column `region` is not defined in table `pipegen_stage_items_/,
      8,
    ],
    [
      "SINK_COLUMN_REMOVED_NOT_NULL",
      [["select: [id, customer, amount, note, region]", "select: [id, amount, note, region]"]],
      orders(9, 2, "2025-01-01T02:00:00Z"),
      /null value in column "customer"/,
      10,
    ],
    [
      "SINK_KEY_CHANGED",
      [["key: [id]", "key: [id, note]"]],
      orders(11, 2, "2025-01-01T03:00:00Z"),
      /no unique or exclusion constraint/,
      12,
    ],
    [
      "SINK_COLUMN_RETYPED",
      [["precision: 10, scale: 2", "precision: 18, scale: 2"]],
      orders(13, 2, "2025-01-01T04:00:00Z", { amount: "250000000.25" }),
      /numeric field overflow/,
      14,
    ],
    [
      "SINK_COLUMN_NULLABLE",
      [["notNull: [note, amount]", "notNull: [note]"]],
      orders(15, 2, "2025-01-01T05:00:00Z", { amount: null }),
      /null value in column "amount"/,
      16,
    ],
    [
      "SINK_MODE_CHANGED",
      [["mode: upsert, key: [id, note]", "mode: append"]],
      orders(15, 1, "2025-01-01T06:00:00Z", { amount: null }),
      /duplicate key value violates unique constraint/,
      17,
    ],
  ];

  it.each(steps)("%s", async (rule, edits, batch, error, rows) => {
    text = edit(text, ...edits);
    const next = buildVersion(dir, rule.toLowerCase(), text);
    const change = changeOf(planBetween(prev, next), rule);
    expect(change.class).toBe("breaking");
    expect(ddlOf(change).length).toBeGreaterThan(0);
    await produce(next, "pc.orders", batch);
    const refused = await runJob(next, "items");
    expect(refused.code, describeSparkJob(`${rule} before the DDL`, refused)).not.toBe(0);
    expect(failed(refused)).toMatch(error);
    console.log(`${rule}: DDL\n  ${change.ddl!.join("\n  ")}`);
    await pg.query(ddlOf(change));
    const r = await runJob(next, "items");
    expect(r.code, describeSparkJob(`${rule} after the DDL`, r)).toBe(0);
    expect(await count("SELECT count(*) FROM pc_items")).toBe(rows);
    prev = next;
  });
});
