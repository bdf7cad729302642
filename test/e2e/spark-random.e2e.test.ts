// Random specs on real engines (issue 11): random VALID specs from fast-check
// (test/e2e/random/spec-gen.ts) with a FIXED seed, built with pipegen's build(), their topics
// created by the runtime's apply program from the generated topics.json, their records (random/records.ts: valid, invalid,
// duplicates, updates, late) produced in two phases, each followed by a run of the generated
// Spark job (--available-now) on one shared Kafka, PostgreSQL and MariaDB. Every sink and every
// dead-letter topic is compared with what the reference model (random/model.ts) computes from
// the spec's meaning, independently of Spark. PIPEGEN_RANDOM_SEED picks another seed.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, compile } from "../../src/api/index.js";
import { startKafka, type KafkaBroker } from "./harness/kafka.js";
import { startMariadb, type Mariadb } from "./harness/mariadb.js";
import { REPO_ROOT } from "./harness/paths.js";
import { startPostgres, type Postgres } from "./harness/postgres.js";
import { describeRun, run } from "./harness/python.js";
import { kafkaApply } from "./harness/runtime.js";
import { describeSparkJob, runSparkJob, sparkPaths } from "./harness/spark.js";
import { Ambiguous, expected, type Expected } from "./random/model.js";
import { streamRecords, type Produced } from "./random/records.js";
import {
  fromJson,
  mariaRows,
  multisetDiff,
  pgRows,
  type CanonRow,
  type KafkaRecord,
} from "./random/sinks.js";
import { randomSpec, specYaml, type GenSpec, type GenStream } from "./random/spec-gen.js";

const SEED = Number(process.env.PIPEGEN_RANDOM_SEED ?? 3583);
/** Streams per spec: five streams in two specs (each stream is two Spark runs, ~60 s). */
const SHAPE = (process.env.PIPEGEN_RANDOM_SHAPE ?? "3,2").split(",").map(Number);

const specs: GenSpec[] = SHAPE.map((n, i) => randomSpec(SEED + 101 * i, i + 1, n));
const work = mkdtempSync(path.join(tmpdir(), "pipegen-spark-random-"));
const gen = path.join(work, "generated");

let kafka: KafkaBroker;
let pg: Postgres;
let maria: Mariadb;
let env: Record<string, string>;
const totals = { records: 0, valid: 0, deadLetters: 0, rowsCompared: 0, late: 0, streams: 0 };
const findings: string[] = [];
/** How many records of each kind (valid row, duplicate, late, each invalid kind) were sent. */
const notes = new Map<string, number>();

async function produce(
  s: GenStream,
  spec: GenSpec,
  records: Produced[],
  name: string,
): Promise<string[]> {
  const file = path.join(work, `${spec.pipeline}-${s.name}-${name}.json`);
  const valuesOut = `${file}.values`;
  writeFileSync(
    file,
    JSON.stringify({
      topic: s.topic,
      schema:
        s.format === "avro"
          ? path.join(gen, spec.pipeline, "kafka", "schemas", `${s.topic}.avsc`)
          : null,
      records: records.map((p) => ({
        key: p.key,
        avro: p.avro ?? null,
        text: p.text ?? null,
        raw_hex: p.rawHex ?? null,
      })),
    }),
  );
  const r = await run(sparkPaths().python, [
    path.join(REPO_ROOT, "test/e2e/random/produce.py"),
    "--bootstrap-servers",
    kafka.bootstrap,
    "--values-out",
    valuesOut,
    file,
  ]);
  expect(r.code, describeRun("produce", r)).toBe(0);
  return JSON.parse(readFileSync(valuesOut, "utf8")) as string[];
}

async function consume(topic: string): Promise<KafkaRecord[]> {
  const r = await run(sparkPaths().python, [
    path.join(REPO_ROOT, "test/e2e/spark/consume.py"),
    "--bootstrap-servers",
    kafka.bootstrap,
    topic,
  ]);
  expect(r.code, describeRun(`consume ${topic}`, r)).toBe(0);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as KafkaRecord);
}

/** The stream's records and expected result; records the model finds ambiguous are left out. */
function plan(s: GenStream, seed: number): { records: Produced[]; exp: Expected } {
  let records = streamRecords(s, seed);
  for (;;) {
    try {
      return { records, exp: expected(s, records) };
    } catch (e) {
      if (!(e instanceof Ambiguous)) throw e;
      records = records.filter((p) => p !== e.produced);
    }
  }
}

const show = (xs: readonly string[]) =>
  xs.slice(0, 8).join("\n      ") + (xs.length > 8 ? `\n      ... ${xs.length - 8} more` : "");

function compareRows(what: string, got: CanonRow[], want: CanonRow[], problems: string[]) {
  const d = multisetDiff(got, want);
  if (d.missing.length || d.extra.length)
    problems.push(
      `${what}: ${got.length} rows, expected ${want.length}; missing ${d.missing.length}, unexpected ${d.extra.length}\n` +
        `    missing:\n      ${show(d.missing)}\n    unexpected:\n      ${show(d.extra)}`,
    );
}

beforeAll(async () => {
  [kafka, pg, maria] = await Promise.all([
    startKafka(),
    startPostgres({ user: "spark", database: "rnd" }),
    startMariadb({ user: "writer", database: "rnd" }),
  ]);
  env = {
    KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
    RND_PG_HOST: "127.0.0.1",
    RND_PG_PORT: String(pg.port),
    RND_PG_PASSWORD: pg.password,
    RND_MY_HOST: "127.0.0.1",
    RND_MY_PORT: String(maria.port),
    RND_MY_PASSWORD: maria.password,
  };
});

/** What the specs exercise, for the summary line. */
function coverage(): string {
  const count = new Map<string, number>();
  const add = (k: string) => count.set(k, (count.get(k) ?? 0) + 1);
  for (const spec of specs)
    for (const s of spec.streams) {
      add(`format ${s.format}`);
      s.schema.fields.forEach((f) =>
        add(`${f.type}${f.required ? "" : "?"}${f.enum ? " enum" : ""}`),
      );
      s.quality.forEach((q) => add(`rule ${q.k}`));
      s.steps.forEach((x) => add(`step ${x.k}${x.k === "dedupe" && x.on ? " on" : ""}`));
      s.sinks.forEach((k) => add(`sink ${k.k}${k.k === "kafka" ? "" : ` ${k.mode}`}`));
      add(s.deadLetter ? "onInvalid deadLetter" : "onInvalid drop");
    }
  return [...count.entries()]
    .sort()
    .map(([k, n]) => `${k}: ${n}`)
    .join(", ");
}

afterAll(async () => {
  console.log(`random specs cover: ${coverage()}`);
  console.log(
    `random records: ${[...notes.entries()]
      .sort()
      .map(([k, n]) => `${k}: ${n}`)
      .join(", ")}`,
  );
  console.log(
    `random specs (seed ${SEED}): ${specs.length} specs, ${totals.streams} streams run, ${totals.records} records ` +
      `(${totals.valid} valid, ${totals.late} late), ${totals.rowsCompared} sink rows compared, ` +
      `${totals.deadLetters} dead letters compared${findings.length ? `; ${findings.length} streams differ from the model` : ""}`,
  );
  if (findings.length) writeFileSync(path.join(work, "findings.txt"), findings.join("\n\n"));
  await Promise.allSettled([kafka?.stop(), pg?.stop(), maria?.stop()]);
});

describe(`random specs (seed ${SEED})`, () => {
  it("every random spec is valid: compile() gives no diagnostic, build() writes it", () => {
    mkdirSync(gen, { recursive: true });
    for (const spec of specs) {
      const text = specYaml(spec);
      const file = path.join(work, `${spec.pipeline}.yaml`);
      writeFileSync(file, text);
      const c = compile([{ file, text }]);
      expect(
        c.diagnostics.map((d) => `${d.code} ${d.pointer} ${d.message}`),
        text,
      ).toEqual([]);
      const b = build([file], { out: gen });
      expect(b.diagnostics, text).toEqual([]);
    }
  });

  it("the generated apply programs create every topic", async () => {
    for (const spec of specs) {
      const apply = await kafkaApply(path.join(gen, spec.pipeline, "kafka", "topics.json"), [
        "--bootstrap-servers",
        kafka.bootstrap,
      ]);
      expect(apply.code, describeRun("kafka_apply", apply)).toBe(0);
    }
  });

  for (const spec of specs)
    for (const [i, s] of spec.streams.entries())
      it(`${spec.pipeline}.${s.name}: sinks and dead letters as the reference model computes`, async () => {
        const { records, exp } = plan(s, SEED * 31 + i + 1000 * Number(spec.pipeline.slice(3)));
        const job = path.join(gen, spec.pipeline, "spark", `${s.name}.py`);
        const args = [
          "--bootstrap-servers",
          kafka.bootstrap,
          "--checkpoint-root",
          path.join(work, "checkpoints"),
          "--available-now",
        ];
        const hex = new Map<Produced, string>();
        const problems: string[] = [];
        for (const phase of [1, 2] as const) {
          const batch = records.filter((p) => p.phase === phase);
          const values = await produce(s, spec, batch, `phase${phase}`);
          batch.forEach((p, j) => hex.set(p, values[j]!));
          const r = await runSparkJob(job, args, { env, timeoutMs: 300_000 });
          // A failed run is a finding; what the sinks hold is still compared (and reported).
          if (r.code !== 0) {
            const cause = r.stderr
              .split("\n")
              .filter((l) => /Exception|Error/.test(l) && !/^\s+at /.test(l))
              .slice(-3)
              .join("\n      ");
            problems.push(`run ${phase} of the job exited ${r.code}:\n      ${cause}`);
            writeFileSync(
              path.join(work, `${spec.pipeline}.${s.name}.run${phase}.log`),
              describeSparkJob(s.name, r, 200_000),
            );
          }
        }
        totals.streams++;
        for (const p of records) notes.set(p.note, (notes.get(p.note) ?? 0) + 1);
        totals.records += records.length;
        totals.valid += exp.valid;
        totals.late += exp.late;

        if (s.deadLetter) {
          const dead = await consume(s.deadLetter);
          const got = dead.map((d) => [d.key, d.value_hex, d.headers["pipegen.reason"] ?? null]);
          const want = exp.deadLetters.map((d) => [d.produced.key, hex.get(d.produced)!, d.reason]);
          compareRows(`dead letters of ${s.deadLetter}`, got, want, problems);
          for (const d of dead) {
            if (d.headers["pipegen.stream"] !== `${spec.pipeline}.${s.name}`)
              problems.push(`dead letter with pipegen.stream ${d.headers["pipegen.stream"]}`);
            if (d.headers["pipegen.source.topic"] !== s.topic)
              problems.push(
                `dead letter with pipegen.source.topic ${d.headers["pipegen.source.topic"]}`,
              );
          }
          totals.deadLetters += want.length;
        }
        for (const e of exp.sinks) {
          const k = e.sink;
          if (k.k === "kafka") {
            const got = (await consume(k.topic)).map((rec) => fromJson(rec, e.columns));
            if (e.check === "multiset") compareRows(`Kafka sink ${k.topic}`, got, e.rows, problems);
            else {
              // update mode: the last record of each group is its final row
              const idx = e.groupCols!.map((c) => e.columns.findIndex((x) => x.name === c));
              const last = new Map<string, CanonRow>();
              for (const row of got) last.set(JSON.stringify(idx.map((j) => row[j])), row);
              compareRows(
                `Kafka sink ${k.topic} (last record per group)`,
                [...last.values()],
                e.rows,
                problems,
              );
            }
            totals.rowsCompared += got.length;
          } else {
            const got =
              k.k === "pg"
                ? await pgRows(pg, k.table, e.columns)
                : await mariaRows(maria, k.table, e.columns);
            compareRows(
              `${k.k === "pg" ? "PostgreSQL" : "MariaDB"} table ${k.table} (${k.mode})`,
              got,
              e.rows,
              problems,
            );
            totals.rowsCompared += got.length;
          }
        }
        if (problems.length) {
          const text =
            `${spec.pipeline}.${s.name} (seed ${SEED}): ${records.length} records, ${exp.valid} valid, ` +
            `${exp.outputRows} output rows expected, watermark ${exp.watermark === null ? "none" : new Date(exp.watermark).toISOString()}\n  ` +
            problems.join("\n  ") +
            `\n--- spec\n${specYaml(spec)}`;
          findings.push(text);
          writeFileSync(
            path.join(work, `${spec.pipeline}.${s.name}.records.json`),
            JSON.stringify(records, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 1),
          );
        }
        expect(problems, problems.join("\n")).toEqual([]);
      });
});
