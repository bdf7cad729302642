// Test data for the user_activity example (specs/user_activity.yaml) and the results its jobs
// must produce, computed here from the spec's meaning and independently of Spark:
//   user_actions_hourly: quality rules (notNull user_id/action/occurred_at, action in the enum)
//   with onInvalid: drop; undecodable bytes dropped; dedupe on event_id; 1-hour tumbling windows
//   on occurred_at per (user_id, action) with events = count(*) and
//   total_duration_ms = sum(duration_ms) (null when every duration in the window is null).
//   activity_daily: every decodable record (quality rules do not apply to archives), as JSON.

export const ACTIONS = ["login", "view", "click", "purchase", "logout"] as const;

export interface ActivityValue {
  event_id: string;
  user_id: string;
  action: string;
  page: string | null;
  duration_ms: number | null;
  /** ISO-8601 UTC with milliseconds, e.g. "2025-06-01T10:15:00.123Z". */
  occurred_at: string;
}

export interface ActivityRecord {
  key: string | null;
  value: ActivityValue | null;
  /** Exact bytes sent instead of an Avro value (malformed records). */
  raw_hex?: string;
}

export interface Activity {
  records: ActivityRecord[];
  /** Valid, first-seen events (what the hourly windows count). */
  counted: ActivityValue[];
  /** How many records are duplicates of an earlier event_id, invalid by a rule, undecodable. */
  duplicates: number;
  invalid: number;
  undecodable: number;
}

/** A small deterministic generator (LCG), so every run sends the same data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** 2025-06-01 09:00 UTC: the data spans the hours from here. */
export const T0 = Date.UTC(2025, 5, 1, 9, 0, 0);
const HOUR = 3_600_000;

/**
 * `valid` distinct events over `hours` hours from `start` by 15 users (and three views without a
 * duration by user u00 in the first hour), then about 8 % of them sent
 * again (same event_id and content, later in the topic), 40 records that break the action enum,
 * and 25 undecodable values. With `sorted`, records are in event-time order (a duplicate right
 * after its original; the bad records spread through), so micro-batches of a few hundred never
 * run behind the 30-minute watermark; otherwise duplicates and bad records come at the end.
 */
export function activity(
  seed: number,
  valid: number,
  opts: { start?: number; hours?: number; sorted?: boolean; idPrefix?: string } = {},
): Activity {
  const r = rng(seed);
  const start = opts.start ?? T0;
  const span = (opts.hours ?? 3) * HOUR;
  const prefix = opts.idPrefix ?? `e${seed}`;
  const users = Array.from({ length: 15 }, (_, i) => `u${String(i + 1).padStart(2, "0")}`);
  const pages = ["/", "/home", "/cart", "/checkout", "/search?q=a b", "/p/ü-ñ"];
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: Activity = { records: [], counted: [], duplicates: 0, invalid: 0, undecodable: 0 };

  const events: ActivityValue[] = [];
  for (let i = 0; i < valid; i++) {
    const at = start + Math.floor(r() * span);
    events.push({
      event_id: `${prefix}-${String(i).padStart(6, "0")}`,
      user_id: pick(users),
      action: pick(ACTIONS),
      page: r() < 0.2 ? null : pick(pages),
      // about 15 % without a duration; some windows end up with only nulls
      duration_ms: r() < 0.15 ? null : 50 + Math.floor(r() * 120_000),
      occurred_at: new Date(at).toISOString(),
    });
  }
  // One user whose views never have a duration: a window whose sum is null.
  for (let i = 0; i < 3; i++)
    events.push({
      event_id: `${prefix}-nulls-${i}`,
      user_id: "u00",
      action: "view",
      page: "/",
      duration_ms: null,
      occurred_at: new Date(start + HOUR / 2 + i * 60_000).toISOString(),
    });
  events.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
  const dupOf = new Set(events.filter(() => r() < 0.08).map((e) => e.event_id));
  const invalid: ActivityValue[] = Array.from({ length: 40 }, (_, i) => ({
    event_id: `${prefix}-bad-${i}`,
    user_id: pick(users),
    action: pick(["scroll", "LOGIN", "", "purchase "]),
    page: null,
    duration_ms: 1000,
    occurred_at: new Date(start + Math.floor(((i + 0.5) / 40) * span)).toISOString(),
  }));
  // Not Confluent Avro: JSON text, too short, and a valid header with a truncated body.
  const bad: string[] = [];
  for (let i = 0; i < 10; i++)
    bad.push(Buffer.from(JSON.stringify({ event_id: `j${i}` })).toString("hex"));
  for (let i = 0; i < 5; i++) bad.push("00000001");
  for (let i = 0; i < 10; i++) bad.push(`0000000001${"0a".repeat(1 + (i % 3))}`);

  const push = (v: ActivityValue) => out.records.push({ key: v.user_id, value: v });
  if (opts.sorted) {
    const inv = [...invalid];
    const raw = [...bad];
    events.forEach((e, i) => {
      push(e);
      if (dupOf.has(e.event_id)) push({ ...e });
      if (inv.length && i % Math.ceil(events.length / 40) === 0) push(inv.shift()!);
      if (raw.length && i % Math.ceil(events.length / 25) === 1)
        out.records.push({ key: null, value: null, raw_hex: raw.shift()! });
    });
    inv.forEach(push);
    raw.forEach((h) => out.records.push({ key: null, value: null, raw_hex: h }));
  } else {
    events.forEach(push);
    events.filter((e) => dupOf.has(e.event_id)).forEach((e) => push({ ...e }));
    invalid.forEach(push);
    bad.forEach((h) => out.records.push({ key: null, value: null, raw_hex: h }));
  }
  out.counted = events;
  out.duplicates = dupOf.size;
  out.invalid = invalid.length;
  out.undecodable = bad.length;
  return out;
}

export interface HourlyRow {
  user_id: string;
  action: string;
  /** ISO-8601 UTC with milliseconds. */
  window_start: string;
  window_end: string;
  events: number;
  total_duration_ms: number | null;
}

/** The rows user_actions_hourly must hold: one per user, action and hour; sorted by those. */
export function expectedHourly(counted: readonly ActivityValue[]): HourlyRow[] {
  const seen = new Set<string>();
  const groups = new Map<string, HourlyRow>();
  for (const e of counted) {
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    const hour = Math.floor(Date.parse(e.occurred_at) / HOUR) * HOUR;
    const k = `${e.user_id}|${e.action}|${hour}`;
    const g = groups.get(k) ?? {
      user_id: e.user_id,
      action: e.action,
      window_start: new Date(hour).toISOString(),
      window_end: new Date(hour + HOUR).toISOString(),
      events: 0,
      total_duration_ms: null,
    };
    g.events++;
    if (e.duration_ms !== null) g.total_duration_ms = (g.total_duration_ms ?? 0) + e.duration_ms;
    groups.set(k, g);
  }
  return sortHourly([...groups.values()]);
}

export function sortHourly<T extends { user_id: string; action: string; window_start: string }>(
  rows: T[],
): T[] {
  const key = (x: T) => `${x.user_id}|${x.action}|${x.window_start}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Every decodable record's value: what activity_daily must archive (duplicates and rule breakers included). */
export function archived(records: readonly ActivityRecord[]): ActivityValue[] {
  return records.filter((x) => x.value !== null && !x.raw_hex).map((x) => x.value!);
}
