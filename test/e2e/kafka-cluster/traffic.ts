// The moving parts of kafka-cluster.e2e.test.ts around the engines: rows inserted into the
// source table at a steady rate, and a consumer following the topic that notes when each
// record arrives (the failover pauses are measured from these arrivals).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { cachePaths } from "../harness/paths.js";
import { killGroup, sleep, trackGroup, untrackGroup, waitUntil } from "../harness/process.js";
import type { Postgres } from "../harness/postgres.js";

export interface Inserted {
  id: number;
  /** Epoch ms when the insert that holds it committed. */
  at: number;
}

/** Inserts `perTick` rows every `tickMs` into public.items until stop(). */
export class Inserter {
  readonly rows: Inserted[] = [];
  private stopped = false;
  private loop: Promise<void> | undefined;
  constructor(
    private readonly pg: Postgres,
    private readonly perTick: number,
    private readonly tickMs: number,
  ) {}

  get lastId(): number {
    return this.rows.at(-1)?.id ?? 0;
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const from = this.lastId + 1;
        const to = from + this.perTick - 1;
        // One timestamp per statement, whole milliseconds: the flow's max-value column.
        await this.pg.query(
          `INSERT INTO public.items (id, name, updated_at) SELECT g, 'item ' || g, ` +
            `date_trunc('milliseconds', clock_timestamp() AT TIME ZONE 'UTC') ` +
            `FROM generate_series(${from}, ${to}) g`,
        );
        const at = Date.now();
        for (let id = from; id <= to; id++) this.rows.push({ id, at });
        await sleep(this.tickMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

export interface Arrival {
  /** Epoch ms when the consumer got it. */
  t: number;
  p: number;
  o: number;
  id: number;
}

/** A consumer following the topic from its start (tail_topic.py), in the e2e venv. */
export class TopicFollower {
  readonly arrivals: Arrival[] = [];
  readonly errors: string[] = [];
  private readonly child;
  private ready = false;

  constructor(bootstrap: string, topic: string, isolation: "read_committed" | "read_uncommitted") {
    const script = join(import.meta.dirname, "tail_topic.py");
    this.child = spawn(cachePaths().venvPython, [script, bootstrap, topic, isolation], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PYTHONUNBUFFERED: "1" },
    });
    trackGroup(this.child);
    this.child.stderr.on("data", (d: Buffer) => this.errors.push(d.toString()));
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const m = JSON.parse(line) as { t: number; p: number; o: number; k: string } & {
        ready?: boolean;
        error?: string;
      };
      if (m.ready) this.ready = true;
      else if (m.error) this.errors.push(m.error);
      else this.arrivals.push({ t: m.t, p: m.p, o: m.o, id: Number(m.k) });
    });
  }

  async started(): Promise<void> {
    await waitUntil(() => (this.ready ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
      onTimeout: () => new Error(`tail_topic.py did not start: ${this.errors.join("")}`),
    });
  }

  stop(): void {
    killGroup(this.child, "SIGKILL");
    untrackGroup(this.child);
  }
}

/** Per id, how often it is on the topic. */
export function countsById(arrivals: readonly Arrival[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const a of arrivals) counts.set(a.id, (counts.get(a.id) ?? 0) + 1);
  return counts;
}

/** Polls the sink table and notes when each id first appears there. */
export class SinkWatcher {
  readonly seen = new Map<number, number>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  constructor(
    private readonly pg: Postgres,
    private readonly table: string,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.poll();
        await sleep(500);
      }
    })();
  }

  private async poll(): Promise<void> {
    const rows = await this.pg.query(`SELECT id FROM ${this.table}`).catch(() => []);
    const now = Date.now();
    for (const [id] of rows) if (!this.seen.has(Number(id))) this.seen.set(Number(id), now);
  }

  /** Stop polling, after one last look. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.poll();
  }
}

/** An event (a kill, a restart) and the last id inserted before it. */
export interface Event {
  name: string;
  at: number;
  lastBefore: number;
}

/**
 * How an event delayed rows on their way to a stage (`seen`: id -> when the stage had it):
 * `firstAfterMs` from the event to the stage's first row inserted after it; `baselineMs` the
 * median latency (insert -> stage) of the rows inserted in the 10 s before it; `peakMs` the
 * largest latency of the rows inserted from 5 s before it to 30 s after it.
 */
export function delays(event: Event, inserted: readonly Inserted[], seen: Map<number, number>) {
  const latency = (r: Inserted) => (seen.get(r.id) ?? Number.NaN) - r.at;
  const before = inserted
    .filter((r) => r.at >= event.at - 10_000 && r.at < event.at)
    .map(latency)
    .sort((a, b) => a - b);
  const around = inserted
    .filter((r) => r.at >= event.at - 5_000 && r.at <= event.at + 30_000)
    .map(latency);
  const after = inserted
    .filter((r) => r.id > event.lastBefore)
    .map((r) => seen.get(r.id) ?? Infinity);
  return {
    firstAfterMs: Math.min(...after) - event.at,
    baselineMs: before[Math.floor(before.length / 2)] ?? Number.NaN,
    peakMs: Math.max(...around),
  };
}

/** First arrival per id. */
export function firstArrivals(arrivals: readonly Arrival[]): Map<number, number> {
  const first = new Map<number, number>();
  for (const a of arrivals) if (!first.has(a.id) || first.get(a.id)! > a.t) first.set(a.id, a.t);
  return first;
}
