/** Airflow schedule strings: a preset or a five-field cron expression. */
export const schedulePresets = [
  "@once",
  "@continuous",
  "@hourly",
  "@daily",
  "@weekly",
  "@monthly",
  "@quarterly",
  "@yearly",
  "@annually",
  "@midnight",
] as const;

const ranges: Array<[number, number, Record<string, number>?]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [
    1,
    12,
    Object.fromEntries(
      "jan feb mar apr may jun jul aug sep oct nov dec".split(" ").map((m, i) => [m, i + 1]),
    ),
  ],
  [0, 7, Object.fromEntries("sun mon tue wed thu fri sat".split(" ").map((d, i) => [d, i]))],
];

function atom(s: string, lo: number, hi: number, names?: Record<string, number>): boolean {
  const n =
    names && s.toLowerCase() in names ? names[s.toLowerCase()]! : /^\d+$/.test(s) ? Number(s) : NaN;
  return Number.isInteger(n) && n >= lo && n <= hi;
}

function cronField(field: string, lo: number, hi: number, names?: Record<string, number>): boolean {
  return field.split(",").every((part) => {
    const [range, step, extra] = part.split("/");
    if (extra !== undefined || range === undefined || range === "") return false;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return false;
    if (range === "*") return true;
    const [a, b, more] = range.split("-");
    if (more !== undefined || a === undefined) return false;
    if (!atom(a, lo, hi, names)) return false;
    return b === undefined || atom(b, lo, hi, names);
  });
}

/** True when `s` is an Airflow-compatible schedule. */
export function isSchedule(s: string): boolean {
  if ((schedulePresets as readonly string[]).includes(s)) return true;
  const fields = s.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  return fields.every((f, i) => cronField(f, ranges[i]![0], ranges[i]![1], ranges[i]![2]));
}
