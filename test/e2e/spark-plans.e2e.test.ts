// Every generated Spark job decodes each record once: the optimized plan of each filter its
// queries put on the decoded records (dead letters / valid records, archived / undecodable)
// calls from_avro or from_json exactly once. Without the decode-once guard Spark's optimizer
// pushes those filters below the decoding and inlines the decoder into every condition (the
// orders_per_minute job called from_avro 5 and 7 times), about 7% of its throughput (bench/spark).
// Planning only, on real Spark with the connector jars: no broker is needed.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./harness/paths.js";
import { describeSparkJob, runSparkJob } from "./harness/spark.js";

const generated = path.join(REPO_ROOT, "generated");
const jobs = readdirSync(generated, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(path.join(generated, d.name, "spark"))
      .filter((f) => f.endsWith(".py"))
      .map((f) => path.join(generated, d.name, "spark", f)),
  )
  .sort();

describe("generated Spark jobs: plans", () => {
  it("decode each record once under every filter of their queries", async () => {
    expect(jobs.length).toBeGreaterThanOrEqual(6);
    const result = await runSparkJob(path.join(REPO_ROOT, "test/e2e/spark/decode_plans.py"), jobs);
    expect(result.code, describeSparkJob("decode_plans.py", result)).toBe(0);
    const line = result.stdout.split("\n").find((l) => l.startsWith("DECODE_PLANS "));
    expect(line, describeSparkJob("decode_plans.py", result)).toBeDefined();
    const counts = JSON.parse(line!.slice("DECODE_PLANS ".length)) as Record<
      string,
      Record<string, number>
    >;
    // Every job has decode(): streams and archives alike.
    expect(Object.keys(counts).sort()).toEqual(jobs);
    for (const [job, byFilter] of Object.entries(counts)) {
      expect(Object.keys(byFilter).length, job).toBeGreaterThanOrEqual(2);
      for (const [filter, n] of Object.entries(byFilter))
        expect(n, `${path.relative(REPO_ROOT, job)} under ${filter}`).toBe(1);
    }
  });
});
