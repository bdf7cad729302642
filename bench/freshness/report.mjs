// The freshness benchmark's report: bench/freshness/out/report.txt and results.json.
import { writeFileSync } from "node:fs";
import path from "node:path";

const s1 = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : "n/a");
const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a");

function table(lines, head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join("  ");
  lines.push(line(head));
  for (const r of rows) lines.push(line(r));
}

function body(r, p) {
  const e = r.environment;
  p(
    "pipegen freshness benchmark: bench/freshness/fresh.yaml, stream fresh_orders (issue 18, item 3)",
  );
  p(
    `Spark ${e.spark} ${e.master}, driver ${e.driverMemory}; ${e.cpus} x ${e.cpuModel}; node ${e.node}; ${r.generatedAt}`,
  );
  p(`uptime before the job: ${e.uptimeBefore}`);
  p(`uptime after the ramp: ${e.uptimeAfter}`);
  const c = r.counts;
  p(
    `records: ${int(c.produced)} produced (${int(c.cancelled)} cancelled, ${int(c.dead)} dead letters); ` +
      `${int(c.rows)} sink rows (expected ${int(c.expectedRows)}), ${int(c.deadLetters)} in orders.dlq; ` +
      `${int(c.batches)} committed micro-batches; drained after the last phase: ${c.drained ? `yes, ${c.drainedS.toFixed(1)} s` : "NO"}`,
  );
  p();
  p(
    `freshness = produce -> the commit of the row's micro-batch (its last insert); trigger ${r.triggerS} s; ` +
      `goal p95 <= ${s1(r.goalP95Ms)} s. Seconds:`,
  );
  table(
    p.lines,
    [
      "phase",
      "rate/s",
      "rows",
      "p50",
      "p95",
      "p99",
      "max",
      "insert p95",
      "goal",
      "lag +/s",
      "lag max",
      "keeps up",
    ],
    r.figures.map((f) => [
      f.name,
      int(f.rate),
      int(f.rows),
      s1(f.visible.p50),
      s1(f.visible.p95),
      s1(f.visible.p99),
      s1(f.visible.max),
      s1(f.inserted.p95),
      f.visible.p95 <= r.goalP95Ms ? "meets" : "MISSES",
      int(f.lagSlope),
      int(f.lagMax),
      f.gaveUp ? "no (gave up)" : f.sustained ? "yes" : "NO",
    ]),
  );
  p();
  p(
    `highest input rate kept up with (lag growing by <= 5% of the input over each ramp step's last 60%): ` +
      `${r.highestSustained === null ? "none of the ramp" : `${int(r.highestSustained)} records/s`}`,
  );
  p();
  p(
    "where a record's time goes (mean / p95 per record, s): wait = produce -> its batch's trigger;",
  );
  p(
    "batch = trigger -> the commit's transaction starts (offsets, planning, read, decode, stage write);",
  );
  p("commit = the transaction's start -> its last insert (mark + upsert)");
  table(
    p.lines,
    ["phase", "wait", "wait p95", "batch", "batch p95", "commit", "commit p95"],
    r.figures.map((f) => [
      f.name,
      s1(f.wait.mean),
      s1(f.wait.p95),
      s1(f.batch.mean),
      s1(f.batch.p95),
      s1(f.commit.mean),
      s1(f.commit.p95),
    ]),
  );
  p();
  p(
    "the job's StreamingQueryProgress.durationMs, mean per micro-batch with input (s); interval = between triggers:",
  );
  const q = (f, name, x) => [
    `${f.name} ${name}`,
    x.batches,
    int(x.rowsPerBatch),
    s1(x.intervalMs),
    ...[
      "latestOffset",
      "walCommit",
      "queryPlanning",
      "getBatch",
      "addBatch",
      "commitOffsets",
      "triggerExecution",
    ].map((k) => s1(x.durationMs[k])),
  ];
  table(
    p.lines,
    [
      "phase / query",
      "batches",
      "rows",
      "interval",
      "latestOff",
      "walCommit",
      "planning",
      "getBatch",
      "addBatch",
      "commitOff",
      "total",
    ],
    r.figures.flatMap((f) => [q(f, "sinks", f.sinks), q(f, "dead_letter", f.deadLetter)]),
  );
}

/** Writes report.txt and results.json into outDir; returns the report's text. */
export function writeReport(result, failures, outDir, totalS) {
  const lines = [];
  const p = (s = "") => lines.push(s);
  p.lines = lines;
  if (result) body(result, p);
  if (failures.length) {
    p();
    p(`FAILURES (${failures.length}):`);
    for (const f of failures)
      p(`  ${f.what}: ${String(f.detail).split("\n").slice(0, 3).join(" | ")}`);
  }
  p();
  p(`total benchmark time ${totalS.toFixed(0)} s`);
  const text = lines.join("\n");
  writeFileSync(path.join(outDir, "report.txt"), text + "\n");
  writeFileSync(
    path.join(outDir, "results.json"),
    JSON.stringify({ ...result, failures }, null, 2) + "\n",
  );
  return text;
}
