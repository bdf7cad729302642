// The freshness benchmark's figures, from what one run left behind (bench/freshness/run.mjs):
// the sink rows (produced_ms, seen_at), the marker table's batches (batch id, began_at: the
// start of the commit's transaction), the job's progress events and the producer's phases
// and lag samples. Pure functions: no engine, no file.

/** Nearest-rank percentile of sorted numbers (q in 0..100). */
export function percentile(sorted, q) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))];
}

const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const sortNum = (xs) => [...xs].sort((a, b) => a - b);

/** {n, mean, p50, p95, p99, max} of numbers. */
export function stats(xs) {
  const s = sortNum(xs);
  return {
    n: s.length,
    mean: mean(s),
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s.length ? s[s.length - 1] : NaN,
  };
}

/** Least-squares slope of y over x (per unit of x); NaN with fewer than 3 points. */
export function slope(points) {
  if (points.length < 3) return NaN;
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den ? num / den : NaN;
}

/**
 * Each sink row with the micro-batch that committed it. A batch's transaction starts at its
 * began_at (`committedMs`) and its rows are inserted after it (the sink's batches commit one after the
 * other), so a row belongs to the last batch whose began_at is not after its seen_at. A
 * batch's rows become visible together at its commit: `visibleMs` is its last row's seen_at,
 * the last statement's time before the COMMIT (which adds well under a millisecond on this
 * PostgreSQL, fsync off).
 * rows: [{producedMs, seenMs}]; batches: [{batchId, committedMs}] (the sink's marker rows);
 * starts: Map batchId -> the batch's trigger time (its progress event's timestamp, epoch ms).
 */
export function attribute(rows, batches, starts) {
  const bs = [...batches].sort((a, b) => a.committedMs - b.committedMs);
  const byBatch = new Map(bs.map((b) => [b.batchId, { ...b, lastSeenMs: -Infinity, rows: 0 }]));
  const sorted = [...rows].sort((a, b) => a.seenMs - b.seenMs);
  const out = [];
  let i = -1;
  for (const r of sorted) {
    while (i + 1 < bs.length && bs[i + 1].committedMs <= r.seenMs) i++;
    const b = i >= 0 ? byBatch.get(bs[i].batchId) : undefined;
    if (b) {
      b.lastSeenMs = Math.max(b.lastSeenMs, r.seenMs);
      b.rows++;
    }
    out.push({ ...r, batch: b });
  }
  return out.map((r) => {
    const b = r.batch;
    const startMs = b ? starts.get(b.batchId) : undefined;
    return {
      producedMs: r.producedMs,
      seenMs: r.seenMs,
      batchId: b?.batchId,
      visibleMs: b ? b.lastSeenMs : r.seenMs,
      // produce -> the start of the micro-batch that read it (trigger wait, or the previous
      // batch still running)
      waitMs: startMs !== undefined ? startMs - r.producedMs : NaN,
      // batch start -> its commit's transaction starts (offsets, planning, Kafka read, decode,
      // dedupe, the staging table's JDBC write)
      batchMs: startMs !== undefined && b ? b.committedMs - startMs : NaN,
      // the commit's transaction up to the batch's last insert (mark + upsert)
      commitMs: b ? b.lastSeenMs - b.committedMs : NaN,
    };
  });
}

const PHASES = [
  "latestOffset",
  "walCommit",
  "queryPlanning",
  "getBatch",
  "addBatch",
  "commitOffsets",
  "triggerExecution",
];

/** Mean durationMs by phase and the batch count of a query's progress events in [from, to). */
export function sparkPhases(progress, name, from, to) {
  const ps = progress.filter(
    (p) => p.name === name && p.startMs >= from && p.startMs < to && p.numInputRows > 0,
  );
  const durationMs = Object.fromEntries(
    PHASES.map((k) => [k, mean(ps.map((p) => p.durationMs[k] ?? 0))]),
  );
  const starts = ps.map((p) => p.startMs);
  return {
    batches: ps.length,
    rowsPerBatch: mean(ps.map((p) => p.numInputRows)),
    durationMs,
    intervalMs: mean(starts.slice(1).map((s, k) => s - starts[k])),
  };
}

/**
 * Per producer phase: the latencies of its records, the lag's trend over the phase's last
 * `tailShare` and whether the job kept up: the lag grew by at most `maxGrowth` of the input
 * rate (records/s) and the producer did not give up.
 */
export function phaseFigures(phase, rows, lagSamples, { tailShare = 0.6, maxGrowth = 0.05 } = {}) {
  const mine = rows.filter((r) => r.producedMs >= phase.startMs && r.producedMs < phase.endMs);
  const seconds = (phase.endMs - phase.startMs) / 1000;
  const from = phase.endMs - tailShare * (phase.endMs - phase.startMs);
  const lag = lagSamples.filter((s) => s.lag !== undefined && s.t >= from && s.t <= phase.endMs);
  const lagSlope = slope(lag.map((s) => ({ x: s.t / 1000, y: s.lag })));
  const rate = phase.records / seconds;
  return {
    name: phase.name,
    targetRate: phase.rate,
    rate,
    seconds,
    records: phase.records,
    rows: mine.length,
    visible: stats(mine.map((r) => r.visibleMs - r.producedMs)),
    inserted: stats(mine.map((r) => r.seenMs - r.producedMs)),
    wait: stats(mine.map((r) => r.waitMs).filter(Number.isFinite)),
    batch: stats(mine.map((r) => r.batchMs).filter(Number.isFinite)),
    commit: stats(mine.map((r) => r.commitMs).filter(Number.isFinite)),
    lagSlope,
    lagMax: Math.max(0, ...lag.map((s) => s.lag)),
    gaveUp: Boolean(phase.gaveUp),
    sustained: !phase.gaveUp && Number.isFinite(lagSlope) && lagSlope <= maxGrowth * rate,
  };
}

/** The highest ramp rate (records/s) the job kept up with, every lower step kept up too. */
export function highestSustained(figures) {
  let best = null;
  for (const f of figures.filter((x) => x.name.startsWith("ramp"))) {
    if (!f.sustained) break;
    best = f;
  }
  return best;
}
