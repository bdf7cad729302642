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

/** The longest pause between two consecutive arrivals in [from, to], with its start. */
export function longestGap(arrivals: readonly Arrival[], from: number, to: number) {
  const times = arrivals
    .map((a) => a.t)
    .filter((t) => t >= from && t <= to)
    .sort((a, b) => a - b);
  let gap = 0;
  let at = from;
  for (let i = 1; i < times.length; i++) {
    if (times[i]! - times[i - 1]! > gap) {
      gap = times[i]! - times[i - 1]!;
      at = times[i - 1]!;
    }
  }
  return { gapMs: gap, afterMs: at - from };
}

/** Per id, how often it is on the topic. */
export function countsById(arrivals: readonly Arrival[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const a of arrivals) counts.set(a.id, (counts.get(a.id) ?? 0) + 1);
  return counts;
}
