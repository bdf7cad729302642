// What the Spark benchmarks (bench/spark/run.mjs, run-iot.mjs) share: medians and number
// formats, waiting for a quiet machine, and the per-job summary and report tables.
import os from "node:os";

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
export const fmtInt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a");
export const pct = (x) => (Number.isFinite(x) ? `${Math.round(100 * x)}%` : "n/a");
export const tail = (s, n = 40) => s.trim().split("\n").slice(-n).join("\n");
/** The jobs in the order of round `rep` (1-based): no job always runs first. */
export const rotate = (xs, rep) => xs.map((_, i) => xs[(i + rep - 1) % xs.length]);

/** The share of the machine's CPU that was busy over the next `ms` (nothing of ours runs). */
export async function busyShare(ms = 3000) {
  const snap = () =>
    os.cpus().reduce(
      (a, c) => {
        const t = c.times;
        return [
          a[0] + t.user + t.nice + t.sys + t.irq,
          a[1] + t.user + t.nice + t.sys + t.irq + t.idle,
        ];
      },
      [0, 0],
    );
  const a = snap();
  await new Promise((r) => setTimeout(r, ms));
  const b = snap();
  return (b[0] - a[0]) / Math.max(1, b[1] - a[1]);
}

/** Waits up to `waitS` seconds until other processes use less than `share` of the machine. */
export async function waitQuiet(waitS, share) {
  const limit = Number(waitS) * 1000;
  if (!(limit > 0)) return null;
  const until = performance.now() + limit;
  let busy = await busyShare();
  while (busy > Number(share) && performance.now() < until) busy = await busyShare();
  return busy;
}

export const PHASES = [
  "latestOffset",
  "queryPlanning",
  "getBatch",
  "addBatch",
  "walCommit",
  "commitOffsets",
  "triggerExecution",
];

/** Per job: the medians of its full and empty runs, events/s and events/CPU-s over N records. */
export function summarize(jobs, runs, N) {
  const summary = {};
  for (const job of jobs) {
    const f = runs.filter((r) => r.job === job && r.kind === "full" && !r.failed);
    const e = runs.filter((r) => r.job === job && r.kind === "empty" && !r.failed);
    const medQ = median(f.map((r) => r.queryWallS));
    const medC = median(f.map((r) => r.queryCpuS));
    const medW = median(f.map((r) => r.wallS));
    const medE = median(e.map((r) => r.wallS));
    // the run whose in-query time is the median: its per-query breakdown
    const mid = [...f].sort((a, b) => a.queryWallS - b.queryWallS)[(f.length - 1) >> 1];
    summary[job] = {
      runs: f.length,
      queryWallS: f.map((r) => r.queryWallS),
      queryCpuS: f.map((r) => r.queryCpuS),
      othersCpuShare: f.map((r) => r.othersCpuShare),
      wallS: f.map((r) => r.wallS),
      emptyWallS: e.map((r) => r.wallS),
      emptyQueryWallS: e.map((r) => r.queryWallS),
      medianQueryWallS: medQ,
      medianQueryCpuS: medC,
      medianWallS: medW,
      medianEmptyWallS: medE,
      medianEmptyQueryWallS: median(e.map((r) => r.queryWallS)),
      medianOthersCpuShare: median(f.map((r) => r.othersCpuShare)),
      // the headline figure: input records over the in-query wall time
      eventsPerSecond: N / medQ,
      eventsPerCpuSecond: N / medC,
      // NaN when the difference is lost in the noise (a busy machine slows JVM starts a lot)
      eventsPerSecondWallMinusEmpty: medW - medE > 0.25 * medQ ? N / (medW - medE) : NaN,
      medianRunQueries: mid?.queries.map((qq) => ({
        name: qq.name,
        batches: qq.batches,
        inputRows: qq.inputRows,
        stateRowsTotal: qq.stateRowsTotal,
        durationMs: Object.fromEntries(PHASES.map((p) => [p, qq.durationMs[p] ?? 0])),
      })),
    };
  }
  return summary;
}

const camel = (job) => job.replace(/(^|_)(\w)/g, (_, __, c) => c.toUpperCase());

/** generated / every other job: events/s, per CPU-second and wall minus the empty run. */
export function ratiosOf(jobs, summary) {
  const ratio = (a, b, k) => (summary[a] && summary[b] ? summary[a][k] / summary[b][k] : NaN);
  const ratios = {};
  for (const other of jobs.filter((j) => j !== "generated")) {
    const key = camel(other);
    ratios[`generatedVs${key}`] = ratio("generated", other, "eventsPerSecond");
    ratios[`generatedVs${key}PerCpuSecond`] = ratio("generated", other, "eventsPerCpuSecond");
    ratios[`generatedVs${key}WallMinusEmpty`] = ratio(
      "generated",
      other,
      "eventsPerSecondWallMinusEmpty",
    );
  }
  return ratios;
}

/** Report lines and a `p(line)` that appends to them, with a text table of rows. */
export function reportLines() {
  const lines = [];
  const p = (s = "") => lines.push(s);
  const table = (head, rows) => {
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    const line = (r) =>
      r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join("  ");
    p(line(head));
    for (const r of rows) p(line(r));
  };
  return { lines, p, table };
}

/** The per-run table, the per-job medians and the ratios to `baseline` against `goal`. */
export function reportTimes({ p, table }, { runs, jobs, summary, ratios, baseline, goal }) {
  p("per run (in-query = first writeStream.start() to spark.stop(); cpu = the job's process");
  p("tree meanwhile; others = share of the 2 CPUs used by other processes meanwhile):");
  table(
    ["run", "job", "in-query s", "cpu s", "others", "wall s"],
    runs
      .filter((r) => !r.failed && r.kind !== "warm-up")
      .map((r) => [
        `${r.kind} #${r.rep}`,
        r.job,
        fmt(r.queryWallS),
        fmt(r.queryCpuS, 1),
        pct(r.othersCpuShare),
        fmt(r.wallS),
      ]),
  );
  p();
  const head = ["job", "in-query s", "events/s", "cpu s", "events/cpu-s", "others", "wall s"];
  table(
    [...head, "empty wall s", "events/s (wall-empty)"],
    [
      ...jobs.map((job) => {
        const s = summary[job];
        return [
          job,
          fmt(s.medianQueryWallS),
          fmtInt(s.eventsPerSecond),
          fmt(s.medianQueryCpuS, 1),
          fmtInt(s.eventsPerCpuSecond),
          pct(s.medianOthersCpuShare),
          fmt(s.medianWallS),
          fmt(s.medianEmptyWallS),
          fmtInt(s.eventsPerSecondWallMinusEmpty),
        ];
      }),
    ],
  );
  p();
  const verdict = (x) => (Number.isFinite(x) ? (x >= goal ? "meets" : "MISSES") : "n/a");
  for (const other of jobs.filter((j) => j !== "generated")) {
    const key = camel(other);
    const r = ratios[`generatedVs${key}`];
    const perCpu = ratios[`generatedVs${key}PerCpuSecond`];
    const isBase = other === baseline;
    p(
      `generated / ${other}: ${fmt(r, 3)} events/s${isBase ? ` (goal >= ${goal}: ${verdict(r)})` : ""}; ` +
        `per CPU-second ${fmt(perCpu, 3)}${isBase ? ` (${verdict(perCpu)})` : ""}; ` +
        `wall minus empty run ${fmt(ratios[`generatedVs${key}WallMinusEmpty`], 3)}`,
    );
  }
  const busiest = Math.max(
    ...runs.filter((r) => r.kind === "full").map((r) => r.othersCpuShare ?? 0),
  );
  if (busiest > 0.1)
    p(
      `NOTE: other processes used up to ${pct(busiest)} of the machine during the runs: wall-time figures are ` +
        `noisy; the per-CPU-second ratio is the steadier comparison.`,
    );
}

/** The phases of each job's median run: StreamingQueryProgress.durationMs summed, in seconds. */
export function reportPhases({ p, table }, jobs, summary) {
  p(
    "where the time goes (median run; StreamingQueryProgress.durationMs summed over micro-batches, s):",
  );
  const rows = [];
  for (const job of jobs)
    for (const q of summary[job].medianRunQueries ?? [])
      rows.push([
        `${job} ${q.name.split(".").pop()}`,
        q.batches,
        fmtInt(q.inputRows),
        ...PHASES.map((ph) => fmt(q.durationMs[ph] / 1000, 1)),
      ]);
  table(
    [
      "job / query",
      "batches",
      "rows in",
      ...PHASES.map((x) => x.replace("triggerExecution", "total")),
    ],
    rows,
  );
  p(
    "(a job's two queries run at the same time on the same 2 cores; executed plans: bench/spark/out/plans/)",
  );
}
