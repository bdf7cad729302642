// src/ir/names.ts: every derived name in one place. The names a job computes when it runs
// (checkpoint folders, query names) are written in the templates: this holds them together.
import { describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";
import {
  airflowPaths,
  docsPaths,
  archiveQueries,
  dagIds,
  ingestionTasks,
  kafkaPaths,
  kubernetesPaths,
  nifiPaths,
  shortHash,
  sparkCheckpoint,
  sparkNames,
  sparkPaths,
  statePath,
  streamQueries,
  topicTaskIds,
} from "../../../src/ir/names.js";
import type { Topic } from "../../../src/ir/types.js";

const r = compilePaths(["specs"]);
const files = new Map(r.outputs.flatMap((o) => o.files.map((f) => [f.path, f.content])));

describe("output paths", () => {
  it("every file of the examples is one names.ts derives", () => {
    const derived = new Set<string>();
    for (const p of r.pipelines) {
      const n = p.name;
      derived.add(kafkaPaths.manifest(n)).add(statePath(n));
      for (const t of p.topics) if (t.schema) derived.add(kafkaPaths.schema(n, t.name));
      if (p.ingest.length) derived.add(nifiPaths.flow(n));
      for (const job of [...p.streams, ...p.archive]) {
        derived.add(sparkPaths.job(n, job.name)).add(sparkPaths.submit(n, job.name));
      }
      for (const c of p.connections) {
        derived.add(sparkPaths.ddl(n, c.name)).add(sparkPaths.cql(n, c.name));
      }
      derived.add(airflowPaths.ingestion(n)).add(airflowPaths.processing(n));
      derived.add(airflowPaths.archival(n)).add(docsPaths.readme(n));
      if ([...p.streams, ...p.archive].some((j) => j.freshnessMs !== null))
        derived.add(airflowPaths.monitoring(n));
      if (p.platform.spark.kubernetes)
        for (const s of p.streams) derived.add(kubernetesPaths.sparkApplication(n, s.name));
    }
    for (const path of files.keys()) expect(derived, path).toContain(path);
  });

  it("the parts agree with the whole", () => {
    expect(kafkaPaths.schema("p", "t.v1")).toBe(`p/kafka/${kafkaPaths.schemaInManifest("t.v1")}`);
    expect(kafkaPaths.schemaInManifest("t.v1")).toBe(`schemas/${kafkaPaths.schemaFile("t.v1")}`);
    expect(nifiPaths.flow("p")).toBe(`${nifiPaths.dir("p")}/${nifiPaths.flowFile("p")}`);
    expect(sparkPaths.job("p", "j")).toBe(`p/spark/${sparkPaths.application("j")}`);
  });
});

describe("DAG and task ids", () => {
  it("each DAG of the examples has the id dagIds gives it", () => {
    for (const p of r.pipelines) {
      const ids = [
        dagIds.ingestion(p.name),
        ...p.streams.map((s) => dagIds.processing(p.name, s.name)),
        ...p.archive.map((a) => dagIds.archival(p.name, a.name)),
        ...([...p.streams, ...p.archive].some((j) => j.freshnessMs !== null)
          ? [dagIds.monitoring(p.name)]
          : []),
      ];
      const dags = [...files.entries()].filter(([path]) => path.startsWith(`${p.name}/airflow/`));
      const written = dags.flatMap(([, text]) =>
        [...text.matchAll(/dag_id="([^"]+)"/g)].map((m) => m[1]),
      );
      expect(written.sort()).toEqual(ids.sort());
    }
  });

  it("the ingestion DAG's tasks are the ones ingestionTasks names", () => {
    const text = files.get(airflowPaths.ingestion("shop_orders"))!;
    expect(text).toContain(`def ${ingestionTasks.applyTopics}(`);
    expect(text).toContain(`TaskGroup(group_id="${ingestionTasks.registerSchemas}")`);
    expect(text).toContain(`def ${ingestionTasks.deployNifi}(`);
    expect(text).toContain(`def ${ingestionTasks.startNifi}(`);
  });

  const topic = (name: string) => ({ name }) as Topic;
  const cases: ReadonlyArray<[string[], string[]]> = [
    [["orders.raw"], ["orders_raw"]],
    [
      ["a-b", "a_b.c"],
      ["a-b", "a_b_c"],
    ],
    [
      ["a.b", "a_b"],
      [`a_b_${shortHash("a.b")}`, `a_b_${shortHash("a_b")}`],
    ],
  ];
  it.each(cases)("topic task ids of %j", (given, want) => {
    const ids = topicTaskIds(given.map(topic));
    expect(given.map((t) => ids.get(t))).toEqual(want);
  });
});

describe("names inside a Spark job", () => {
  const job = (name: string) =>
    [...files.entries()].find(([p]) => p.endsWith(`/spark/${name}.py`))![1];

  it("a stream job's queries and checkpoints are the ones streamQueries names", () => {
    const text = job("orders_per_minute");
    expect(text).toContain('JOB_NAME = f"{PIPELINE}.{STREAM}"');
    for (const q of Object.values(streamQueries)) {
      expect(text).toContain(`name=f"{JOB_NAME}.${q}",`);
      expect(text).toContain(`checkpoint=f"{checkpoints}/${q}",`);
      expect(sparkCheckpoint("shop_orders", "orders_per_minute", q, 1)).toBe(
        `shop_orders/orders_per_minute/${q}`,
      );
    }
    expect(text).toContain(
      "checkpoints = jobs.checkpoint_dir(args.checkpoint_root, PIPELINE, STREAM)",
    );
  });

  it("an archive job's checkpoints are the ones archiveQueries names", () => {
    const text = job("orders_daily");
    for (const q of Object.values(archiveQueries))
      expect(text).toContain(`checkpoint=f"{checkpoints}/${q}",`);
    expect(text).toContain('JOB_NAME = f"{PIPELINE}.{ARCHIVE}"');
    expect(text).toContain(`name=f"{JOB_NAME}.${archiveQueries.undecodable}",`);
  });

  it("stage tables are short and distinct per sink", () => {
    const long = "s".repeat(60);
    const a = sparkNames.stageTable("p", long, 0);
    expect(a).toBe(`pipegen_stage_${"s".repeat(30)}_${shortHash(`p.${long}.0`)}`);
    expect(a).not.toBe(sparkNames.stageTable("p", long, 1));
  });

  it("sink ids fit the marker column with the query id the job appends (200 characters)", () => {
    expect(sparkNames.sinkId("p", "s", 0, "public.t")).toBe("p.s.0.public.t");
    const long = sparkNames.sinkId("p", "s".repeat(100), 0, "t".repeat(100));
    expect(long.length).toBe(159);
    expect(long + "@" + "0".repeat(36)).toHaveLength(196);
    expect(long).not.toBe(sparkNames.sinkId("p", "s".repeat(100), 1, "t".repeat(100)));
  });

  it("a stream job with table sinks records batches under its checkpoint's query id", () => {
    // pipegen_runtime.spark (jobs.start_batch_sinks, JdbcTableSink) appends "@" and the id of
    // the query that writes the sinks; runtime/tests/spark/test_jdbc.py checks the markers.
    const text = job("orders_per_minute");
    expect(text).toContain('sink_id="shop_orders.orders_per_minute.0.orders_per_minute",');
    expect(text).toContain("jobs.start_batch_sinks(");
  });
});
