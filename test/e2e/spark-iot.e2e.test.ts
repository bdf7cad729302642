// The iot_sensors example's generated Spark stream on real Spark, Kafka and MariaDB:
// generated/iot_sensors/spark/site_climate.py (Avro in, a range check, dedupe within a
// watermark, 10-minute windows sliding by 5 minutes, avg/max/count/approx_count_distinct,
// idempotent upsert into MariaDB with ON DUPLICATE KEY UPDATE). The expected rows are
// computed here, not by Spark.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { startMariadb, type Mariadb } from "./harness/mariadb.js";
import { REPO_ROOT } from "./harness/paths.js";
import { describeRun, run } from "./harness/python.js";
import { kafkaApply } from "./harness/runtime.js";
import { describeSparkJob, runSparkJob, runSparkVenvPython, sparkPaths } from "./harness/spark.js";
import { rng } from "./spark/orders-data.js";

const gen = path.join(REPO_ROOT, "generated", "iot_sensors");
const job = path.join(gen, "spark", "site_climate.py");
const work = mkdtempSync(path.join(tmpdir(), "pipegen-spark-iot-"));
const T0 = Date.UTC(2025, 2, 1, 8, 0, 0);
const MIN = 60_000;

let kafka: KafkaBroker;
let db: Mariadb;

interface Reading {
  sensor_id: string;
  site: string;
  read_at: string;
  temperature_c: number | null;
  humidity_pct: number | null;
  battery_mv: number | null;
}

function readings() {
  const r = rng(42);
  const sites = ["north", "south", "east"];
  const valid: Reading[] = [];
  for (const [si, site] of sites.entries())
    for (let s = 0; s < 10; s++)
      for (let m = 0; m < 60; m++)
        valid.push({
          sensor_id: `${site}-${s}`,
          site,
          read_at: new Date(T0 + m * MIN + si * 1000 + s * 100).toISOString(),
          temperature_c: m % 29 === 7 ? null : Math.round((10 + r() * 20) * 10) / 10,
          humidity_pct: Math.round(r() * 1000) / 10,
          battery_mv: 3000 + Math.floor(r() * 600),
        });
  const duplicates = valid.filter((_, i) => i % 17 === 0);
  const outOfRange = Array.from({ length: 20 }, (_, i) => ({
    ...valid[i * 50]!,
    sensor_id: `bad-${i}`,
    temperature_c: 150 + i,
  }));
  return { valid, duplicates, outOfRange };
}

/** Rows site_climate must hold: windows [s, s + 10 min) for s on 5-minute boundaries. */
function expected(valid: Reading[]) {
  const groups = new Map<
    string,
    { site: string; start: number; temps: number[]; n: number; sensors: Set<string> }
  >();
  for (const x of valid) {
    const t = Date.parse(x.read_at);
    const s1 = Math.floor(t / (5 * MIN)) * 5 * MIN;
    for (const start of [s1 - 5 * MIN, s1]) {
      const k = `${x.site}|${start}`;
      const g = groups.get(k) ?? { site: x.site, start, temps: [], n: 0, sensors: new Set() };
      g.n++;
      if (x.temperature_c !== null) g.temps.push(x.temperature_c);
      g.sensors.add(x.sensor_id);
      groups.set(k, g);
    }
  }
  return [...groups.values()]
    .map((g) => ({
      site: g.site,
      window_start: new Date(g.start).toISOString().replace("T", " ").replace(".000Z", ""),
      window_end: new Date(g.start + 10 * MIN).toISOString().replace("T", " ").replace(".000Z", ""),
      avg: g.temps.reduce((a, b) => a + b, 0) / g.temps.length,
      max: Math.max(...g.temps),
      readings: g.n,
      sensors: g.sensors.size,
    }))
    .sort((a, b) => (a.site + a.window_start < b.site + b.window_start ? -1 : 1));
}

beforeAll(async () => {
  kafka = await startKafka();
  db = await startMariadb({ user: "writer", database: "metrics" });
  const apply = await kafkaApply(path.join(gen, "kafka", "topics.json"), [
    "--bootstrap-servers",
    kafka.bootstrap,
  ]);
  expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
  // No DDL applied by hand: the job creates the marker and sink tables it needs at start-up.
  expect(await db.query("SHOW TABLES")).toEqual([]);
});

afterAll(async () => {
  await Promise.allSettled([kafka?.stop(), db?.stop()]);
});

describe("iot_sensors: site_climate on real Spark", () => {
  it("dedupes, drops out-of-range readings to the dead-letter topic, and upserts sliding windows into MariaDB", async () => {
    const env = {
      METRICS_DB_HOST: "127.0.0.1",
      METRICS_DB_PORT: String(db.port),
      METRICS_DB_PASSWORD: db.password,
      KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
    };
    const args = ["--checkpoint-root", path.join(work, "checkpoints")];
    // The stream starts at the topic's end (startingOffsets: latest): a first run on the empty
    // topic fixes its starting offsets in the checkpoint; what is produced after it is read.
    const init = await runSparkJob(job, args, { env, timeoutMs: 400_000 });
    expect(init.code, describeSparkJob("site_climate (first, empty)", init)).toBe(0);
    expect((await db.query("SELECT COUNT(*) FROM site_climate"))[0]![0]).toBe("0");
    // The tables the job made are the generated DDL's (ddl/metrics.sql documents them).
    const created = await db.query("SHOW CREATE TABLE site_climate");
    expect(String(created[0]![1])).toMatch(/PRIMARY KEY \(`site`,`window_start`\)/);
    const { valid, duplicates, outOfRange } = readings();
    const records = [...valid, ...duplicates, ...outOfRange].map((v) => ({
      key: v.sensor_id,
      value: v,
    }));
    records.push({ key: "junk", value: null as unknown as Reading, ...{ raw_hex: "7b7d" } });
    const file = path.join(work, "readings.json");
    writeFileSync(
      file,
      JSON.stringify({
        topic: "iot.readings",
        format: "avro",
        schema: path.join(gen, "kafka", "schemas", "iot.readings.avsc"),
        records,
      }),
    );
    const p = await run(sparkPaths().python, [
      path.join(REPO_ROOT, "test/e2e/spark/produce.py"),
      "--bootstrap-servers",
      kafka.bootstrap,
      file,
    ]);
    expect(p.code, describeRun("produce", p)).toBe(0);

    const r = await runSparkJob(job, args, { env, timeoutMs: 400_000 });
    expect(r.code, describeSparkJob("site_climate", r)).toBe(0);

    const rows = await db.query(
      "SELECT site, DATE_FORMAT(window_start, '%Y-%m-%d %H:%i:%s'), DATE_FORMAT(window_end, '%Y-%m-%d %H:%i:%s'), avg_temperature_c, max_temperature_c, readings, sensors FROM site_climate ORDER BY site, window_start",
    );
    const want = expected(valid);
    expect(rows.length).toBe(want.length);
    rows.forEach(([site, start, end, avg, max, n, sensors], i) => {
      const w = want[i]!;
      expect({ site, start, end, n: Number(n) }).toEqual({
        site: w.site,
        start: w.window_start,
        end: w.window_end,
        n: w.readings,
      });
      expect(Math.abs(Number(avg) - w.avg)).toBeLessThan(1e-9);
      expect(Number(max)).toBeCloseTo(w.max, 6);
      // approx_count_distinct (HyperLogLog++, 5% relative error); exact at these sizes in practice
      expect(Math.abs(Number(sensors) - w.sensors)).toBeLessThanOrEqual(1);
    });

    const dead = await run(sparkPaths().python, [
      path.join(REPO_ROOT, "test/e2e/spark/consume.py"),
      "--bootstrap-servers",
      kafka.bootstrap,
      "iot.readings.dlq",
    ]);
    expect(dead.code, describeRun("consume dlq", dead)).toBe(0);
    const letters = dead.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(letters.map((l) => l.key).sort()).toEqual(
      [...outOfRange.map((x) => x.sensor_id), "junk"].sort(),
    );
    for (const l of letters.filter((x) => x.key !== "junk"))
      expect(l.headers["pipegen.reason"]).toMatch(
        /plausible_temperature: check failed: temperature_c between -60 and 90/,
      );

    // A second run from the checkpoint finds nothing new and changes nothing.
    const again = await runSparkJob(job, args, { env, timeoutMs: 400_000 });
    expect(again.code, describeSparkJob("site_climate (again)", again)).toBe(0);
    expect((await db.query("SELECT COUNT(*) FROM site_climate"))[0]![0]).toBe(String(want.length));
    console.log(
      `site_climate: ${records.length} records -> ${want.length} windows in MariaDB (equal to the ` +
        `expected rows), ${letters.length} dead letters; a rerun changed nothing`,
    );
  });

  it("the readings_hourly archive writes every decodable reading as Parquet partitioned by site, dt and hour", async () => {
    const out = path.join(work, "archive");
    const r = await runSparkJob(
      path.join(gen, "spark", "readings_hourly.py"),
      [
        "--bootstrap-servers",
        kafka.bootstrap,
        "--checkpoint-root",
        path.join(work, "checkpoints-archive"),
        "--output-path",
        out,
      ],
      { env: { KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap }, timeoutMs: 400_000 },
    );
    expect(r.code, describeSparkJob("readings_hourly", r)).toBe(0);
    const read = await runSparkVenvPython(
      [
        "import json, sys",
        "from pyspark.sql import SparkSession",
        "spark = SparkSession.builder.master('local[1]').config('spark.ui.enabled', 'false').getOrCreate()",
        "df = spark.read.parquet(sys.argv[1])",
        "bad = spark.read.parquet(sys.argv[1] + '/_undecodable')",
        "print(json.dumps({'n': df.count(), 'sites': sorted({r.site for r in df.select('site').collect()}), 'hours': df.select('hour').distinct().count(), 'bad': bad.count(), 'columns': sorted(df.columns)}))",
      ].join("\n"),
      [out],
      {
        env: {
          JAVA_HOME: process.env.PIPEGEN_JAVA17_HOME ?? "/usr/lib/jvm/java-17-openjdk-amd64",
          SPARK_LOCAL_IP: "127.0.0.1",
        },
        timeoutMs: 300_000,
      },
    );
    expect(read.code, describeRun("read parquet", read)).toBe(0);
    const got = JSON.parse(read.stdout.trim().split("\n").pop()!);
    const { valid, duplicates, outOfRange } = readings();
    expect(got.n).toBe(valid.length + duplicates.length + outOfRange.length);
    expect(got.sites).toEqual(["east", "north", "south"]);
    expect(got.bad).toBe(1);
    console.log(
      `readings_hourly archive: ${got.n} readings read back from Parquet, ${got.bad} undecodable kept`,
    );
    expect(got.hours).toBeGreaterThanOrEqual(1);
    expect(got.columns).toEqual([
      "battery_mv",
      "dt",
      "hour",
      "humidity_pct",
      "read_at",
      "sensor_id",
      "site",
      "temperature_c",
    ]);
  });
});
