// Freshness: the spec setting (checked, in the IR), the monitoring DAG it brings (which jobs,
// which consumer groups, how often, which alerts) and the DAG in the pipeline's state.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";
import { checkIntervalMs, watchedJobs } from "../../../src/emit/airflow/monitoring.js";
import { dagStates } from "../../../src/emit/state/airflow.js";
import { formatWhole, lintPython } from "../../../src/format/python.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Spec = Record<string, unknown>;

function spec(over: { stream?: Spec; archive?: Spec; alerts?: Spec | null } = {}): Spec {
  return {
    pipegen: 1,
    pipeline: "shop",
    connections: { lake: { type: "files", path: "/data/lake" } },
    schemas: { rec: { fields: { id: { type: "long", required: true } } } },
    topics: { orders: { schema: "rec", partitions: 2 }, out: { partitions: 1 } },
    streams: {
      clean: {
        from: { topic: "orders" },
        onInvalid: "drop",
        to: [{ topic: "out" }],
        ...over.stream,
      },
    },
    archive: {
      daily: {
        from: { topic: "orders" },
        to: { connection: "lake" },
        schedule: "@daily",
        ...over.archive,
      },
    },
    orchestration: {
      startDate: "2026-01-01",
      ...(over.alerts === null
        ? {}
        : { alerts: over.alerts ?? { email: ["ops@example.com"], slack: { connection: "hook" } } }),
    },
  };
}

function compile(s: Spec) {
  const dir = mkdtempSync(path.join(tmpdir(), "pipegen-monitoring-"));
  dirs.push(dir);
  const file = path.join(dir, "shop.yaml");
  writeFileSync(file, stringify(s));
  const r = compilePaths([file], { out: path.join(dir, "generated") });
  const files = Object.fromEntries(
    r.outputs.flatMap((o) => o.files).map((f) => [f.path, f.content]),
  );
  return {
    diagnostics: r.diagnostics.map((d) => `${d.code} ${d.pointer}: ${d.message}`),
    pipeline: r.pipelines[0],
    files,
  };
}

describe("the freshness setting", () => {
  const cases: Array<{
    name: string;
    given: Parameters<typeof spec>[0];
    want: string[] | [number | null, number | null];
  }> = [
    { name: "not set: nothing monitored", given: {}, want: [null, null] },
    {
      name: "a stream's and an archive's, in ms",
      given: { stream: { freshness: "5m" }, archive: { freshness: "26h" } },
      want: [300_000, 93_600_000],
    },
    {
      name: "without alerts nobody would hear of a breach",
      given: { archive: { freshness: "1d" }, alerts: null },
      want: [
        "PG305 /archive/daily/freshness: archive 'daily' sets 'freshness' but nobody would be alerted when it is breached",
      ],
    },
    {
      name: "no longer than a long-running stream's trigger (default 1m)",
      given: { stream: { freshness: "60s" } },
      want: [
        "PG305 /streams/clean/freshness: stream 'clean' sets 'freshness' no longer than its trigger interval: a record waits up to one interval by design, so it would alert all the time",
      ],
    },
    {
      name: "longer than the trigger it sets",
      given: { stream: { freshness: "31s", trigger: { every: "30s" } } },
      want: [31_000, null],
    },
    {
      name: "an available-now stream's is not compared with a trigger",
      given: { stream: { freshness: "1m", trigger: { availableNow: true, schedule: "@hourly" } } },
      want: [60_000, null],
    },
    {
      name: "not a duration",
      given: { stream: { freshness: "5 minutes" } },
      want: ["PG203 /streams/clean/freshness"],
    },
  ];
  it.each(cases)("$name", ({ given, want }) => {
    const r = compile(spec(given));
    if (typeof want[0] === "string") {
      const short = (d: string) => (String(want[0]).includes(":") ? d : d.split(":")[0]);
      expect(r.diagnostics.map(short)).toEqual(want);
      return;
    }
    expect(r.diagnostics).toEqual([]);
    expect([r.pipeline!.streams[0]!.freshnessMs, r.pipeline!.archive[0]!.freshnessMs]).toEqual(
      want,
    );
  });
});

describe("the monitoring DAG", () => {
  it("is written only when a job sets freshness", () => {
    expect(Object.keys(compile(spec()).files).filter((f) => f.includes("monitoring"))).toEqual([]);
  });

  const r = compile(spec({ stream: { freshness: "5m" }, archive: { freshness: "26h" } }));
  const dag = r.files["shop/airflow/shop_monitoring.py"]!;

  it("is formatted and lint clean", () => {
    expect(formatWhole("shop_monitoring.py", dag)).toBe(dag);
    expect(lintPython(dag)).toEqual([]);
  });

  it("checks each job's consumer group on its topic, with its freshness, in a task of its own", () => {
    expect(dag).toContain(
      [
        '    "clean": {',
        '        "kind": "stream",',
        '        "topic": "orders",',
        '        "group": "pipegen.shop.clean",',
        '        "freshness": timedelta(minutes=5),',
        "    },",
        '    "daily": {',
        '        "kind": "archive",',
        '        "topic": "orders",',
        '        "group": "pipegen.shop.daily",',
        '        "freshness": timedelta(hours=26),',
      ].join("\n"),
    );
    // A Watch made when the task runs: pipegen_runtime.freshness is not imported at parse.
    expect(dag).toContain("watch = freshness.Watch(job=job, **WATCHES[job])");
    expect(dag).not.toMatch(/^(from|import) pipegen_runtime[. ]freshness/m);
    expect(dag).toContain('check_freshness.override(task_id="check_clean")("clean")');
    expect(dag).toContain('check_freshness.override(task_id="check_daily")("daily")');
    expect(dag).toContain("schedule=timedelta(seconds=150),");
    expect(dag).toContain('dag_id="shop_monitoring"');
  });

  it("alerts from the task at once (no retries), with the reason in the subject and the Slack text, and no deadline", () => {
    expect(dag).toContain('"retries": 0,');
    // The task sends them itself (with the reason), not a failure callback.
    expect(dag).not.toContain("on_failure_callback");
    expect(dag).toContain(
      "freshness.check_from_airflow(KAFKA_CONN_ID, [watch], alerts=FAILURE_ALERTS)",
    );
    expect(dag).toContain(
      "subject='[pipegen] shop: {{ exception | default(\"the freshness check failed\", true) | string | truncate(180) }}',",
    );
    expect(dag).toMatch(/text=':warning: \[pipegen\] shop: \{\{ exception/);
    expect(dag).not.toContain("DEADLINE");
  });

  it("is in the pipeline's state: its schedule and tasks", () => {
    expect(dagStates(r.pipeline!)["shop_monitoring"]).toEqual({
      at: "/streams/clean/freshness",
      file: "shop/airflow/shop_monitoring.py",
      schedule: "every 150 seconds",
      startDate: "2026-01-01",
      catchup: false,
      tasks: ["check_clean", "check_daily"],
    });
  });

  it("names the jobs it watches in the order of the spec", () => {
    expect(watchedJobs(r.pipeline!).map((w) => [w.kind, w.job, w.group, w.taskId])).toEqual([
      ["stream", "clean", "pipegen.shop.clean", "check_clean"],
      ["archive", "daily", "pipegen.shop.daily", "check_daily"],
    ]);
  });
});

describe("the check interval", () => {
  it.each([
    [[300_000], 150_000],
    [[300_000, 60_000], 60_000],
    [[90_000], 60_000],
    [[93_600_000], 46_800_000],
    [[61_500], 60_000],
    [[3_001_000], 1_500_000],
  ])("freshness %j -> every %i ms", (freshness, ms) => {
    expect(checkIntervalMs(freshness)).toBe(ms);
  });
});
