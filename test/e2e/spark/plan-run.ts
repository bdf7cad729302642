// The runs of plan-spark.e2e.test.ts: records produced to a topic, a build's job run to the end
// of its topic, checkpoint roots copied with queries of their own, the DDL a change prints.
import { cpSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Change } from "../../../src/plan/types.js";
import type { KafkaBroker } from "../harness/kafka.js";
import type { Version } from "../harness/plan.js";
import type { Postgres } from "../harness/postgres.js";
import { runSparkJob, type SparkJobResult } from "../harness/spark.js";
import type { Order } from "./plan-data.js";
import { produceRecords } from "./topic-io.js";

/** The engines a test file starts (known once its beforeAll has run), and the jobs' settings of others. */
export interface PlanEngines {
  kafka: KafkaBroker;
  pg?: Postgres;
  /** More environment of the jobs (e.g. a Cassandra host). */
  env?: Record<string, string>;
}

/** The helpers, over the engines the test file starts. */
export function planRunner(work: string, engines: () => PlanEngines) {
  async function produce(
    v: Version,
    topic: string,
    records: Order[],
    format: "avro" | "json" = "avro",
  ) {
    await produceRecords(engines().kafka.bootstrap, work, {
      topic,
      format,
      schema: path.join(v.gen, "kafka", "schemas", `${topic}.avsc`),
      records: records.map((value) => ({ key: String(value.id), value })),
    });
  }

  /**
   * Runs a stream's job of a build to the end of its topic (--available-now). `writers`: the
   * registry's versions the job finds (schema id -> schema; default its own schema as id 1,
   * the id produce() writes).
   */
  function runJob(
    v: Version,
    job: string,
    root?: string,
    writers?: Record<number, string>,
  ): Promise<SparkJobResult> {
    const { kafka, pg, env: more } = engines();
    const env = {
      ...(pg ? { PG_HOST: "127.0.0.1", PG_PORT: String(pg.port), PG_PASSWORD: pg.password } : {}),
      KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrap,
      ...more,
    };
    const args = ["--available-now", ...(root ? ["--checkpoint-root", root] : [])];
    return runSparkJob(path.join(v.gen, "spark", `${job}.py`), args, {
      env,
      timeoutMs: 400_000,
      writerSchemas: writers,
    });
  }

  /** A copy of a checkpoint root whose queries get new ids (their batch markers are their own). */
  function copyRoot(from: string, label: string): string {
    const to = path.join(work, `ckpt-${label}`);
    cpSync(from, to, { recursive: true });
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === "metadata" && existsSync(path.join(dir, "offsets")))
          writeFileSync(p, JSON.stringify({ id: randomUUID() }) + "\n");
      }
    };
    walk(to);
    return to;
  }

  /** The DDL of a change, its comment lines left out. */
  const ddlOf = (c: Change) => (c.ddl ?? []).filter((x) => !x.startsWith("--"));

  /** Everything a run printed, for its error. */
  const failed = (r: SparkJobResult) => `${r.stdout}\n${r.stderr}`;

  return { produce, runJob, copyRoot, ddlOf, failed };
}
