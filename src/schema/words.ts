/**
 * Plain words for the schema's shapes: every pattern and format of the schema belongs to a
 * named definition, and each definition has what it is, an example, and a hint that says what
 * to write (from the value written, where that helps). A message never shows a pattern.
 */
import { closest } from "../diagnostics/suggest.js";
import { schedulePresets } from "./schedule.js";

export interface Shape {
  /** What a value of this shape is, e.g. "a duration". */
  what: string;
  /** A value of this shape, for hints such as "add 'every: 1m'". */
  example: string;
  /** What to write instead of `data`. */
  hint: (data: unknown) => string;
}

const nameRule = (extra: string) =>
  `use lower case letters, digits${extra} and '_', starting with a letter`;

/** The closest name of the shape to what was written (lower case, other characters as '_'). */
function asName(data: unknown, keep: RegExp): string | undefined {
  if (typeof data !== "string") return undefined;
  const s = data
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(keep, "_")
    .replace(/^[^a-z]+/, "");
  return s && s !== data ? s : undefined;
}

/** A shape whose hint does not depend on what was written. */
const plain = (what: string, example: string, hint: string): Shape => ({
  what,
  example,
  hint: () => hint,
});

function nameShape(what: string, example: string, extra: string, keep: RegExp): Shape {
  return {
    what,
    example,
    hint: (data) => {
      const fixed = asName(data, keep);
      return `${nameRule(extra)}, e.g. '${fixed ?? example}'`;
    },
  };
}

const units: Record<string, string> = {
  ms: "ms",
  milli: "ms",
  millis: "ms",
  millisecond: "ms",
  milliseconds: "ms",
  s: "s",
  sec: "s",
  secs: "s",
  second: "s",
  seconds: "s",
  m: "m",
  min: "m",
  mins: "m",
  minute: "m",
  minutes: "m",
  h: "h",
  hr: "h",
  hrs: "h",
  hour: "h",
  hours: "h",
  d: "d",
  day: "d",
  days: "d",
  w: "w",
  week: "w",
  weeks: "w",
};

function durationHint(data: unknown): string {
  const rule = "write a whole number and a unit: ms, s, m, h, d or w, e.g. '30s', '5m', '7d'";
  if (typeof data === "number" && Number.isInteger(data) && data > 0)
    return `a duration needs a unit: write '${data}s' for ${data} seconds${data % 60 === 0 ? ` (or '${data / 60}m')` : ""}`;
  const m = typeof data === "string" ? /^\s*([1-9][0-9]*)\s*([A-Za-z]+)\s*$/.exec(data) : null;
  const unit = m ? units[m[2]!.toLowerCase()] : undefined;
  return unit ? `write '${m![1]}${unit}'` : rule;
}

function memoryHint(data: unknown): string {
  const m = typeof data === "string" ? /^\s*([1-9][0-9]*)\s*([kmgt])i?b?\s*$/i.exec(data) : null;
  if (m) return `write '${m[1]}${m[2]!.toLowerCase()}'`;
  if (typeof data === "number") return `a memory size needs a unit: e.g. '${data}m' or '4g'`;
  return "write a whole number and a unit: k, m, g or t, e.g. '4g'";
}

function dateHint(data: unknown): string {
  const m = typeof data === "string" ? /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(data) : null;
  const two = (n: string) => n.padStart(2, "0");
  if (m && (Number(m[1]) > 12 || m[1] === m[2]))
    return `write it as year-month-day: '${m[3]}-${two(m[2]!)}-${two(m[1]!)}'`;
  if (m && Number(m[2]) > 12)
    return `write it as year-month-day: '${m[3]}-${two(m[1]!)}-${two(m[2]!)}'`;
  return "write it as year-month-day, e.g. '2025-01-01'";
}

const aggregateFns = ["count", "sum", "avg", "min", "max", "approx_count_distinct"];

function aggregateHint(data: unknown): string {
  const rule =
    "an aggregate is one function of one column: count(*), count(c), sum(c), avg(c), min(c), max(c) or approx_count_distinct(c); compute anything more in a 'derive' step before it";
  const m =
    typeof data === "string" ? /^\s*([A-Za-z_]+)\s*\(\s*([^()]*?)\s*\)\s*$/.exec(data) : null;
  if (!m) return rule;
  const fn = m[1]!.toLowerCase();
  const fixed = aggregateFns.includes(fn) ? fn : closest(fn, aggregateFns);
  const col = m[2]!.toLowerCase();
  if (fixed && fixed !== m[1] && /^(\*|[a-z][a-z0-9_]*)$/.test(col))
    return `did you mean '${fixed}(${col})'?`;
  return rule;
}

/** Every named definition of the schema that has a pattern or format, or that is a choice. */
export const shapes: Record<string, Shape> = {
  identifier: nameShape("an identifier", "shop_orders", "", /[^a-z0-9_]+/g),
  column: nameShape("a column name", "customer_id", "", /[^a-z0-9_]+/g),
  topicName: nameShape("a topic name", "orders.raw", ", '.', '-'", /[^a-z0-9_.-]+/g),
  tableName: plain(
    "a table name",
    "public.orders",
    "write 'table' or 'schema.table' in lower case, e.g. 'public.orders'",
  ),
  duration: { what: "a duration", example: "1m", hint: durationHint },
  memory: { what: "a memory size", example: "4g", hint: memoryHint },
  schedule: plain(
    "a schedule",
    "@daily",
    `write a five-field cron expression such as '*/15 * * * *' or one of ${schedulePresets.join(", ")}`,
  ),
  email: plain("an email address", "oncall@example.com", "write it as name@example.com"),
  bucket: plain(
    "an S3 bucket name",
    "my-bucket",
    "use 3 to 63 lower case letters, digits, '.' and '-', starting and ending with a letter or digit",
  ),
  envRef: plain(
    "an '${env:NAME}' reference",
    "${env:NAME}",
    "write '${env:NAME}' with NAME in upper case",
  ),
  port: {
    what: "a port number or an '${env:NAME}' reference",
    example: "5432",
    hint: (data) =>
      typeof data === "string" && /^\d+$/.test(data)
        ? `write the number without quotes: ${data}`
        : "write a number from 1 to 65535, or '${env:NAME}'",
  },
  columns: plain(
    "a column or a list of columns",
    "[order_id]",
    "write one column (key: order_id) or a list (key: [customer_id, window_start])",
  ),
  aggregate: {
    what: "an aggregate such as 'count(*)' or 'sum(amount)'",
    example: "count(*)",
    hint: aggregateHint,
  },
  isoDate: { what: "a date (year-month-day)", example: "2024-01-01", hint: dateHint },
  prefix: {
    what: "an S3 key prefix",
    example: "orders/",
    hint: (data) =>
      typeof data === "string" && /^[A-Za-z0-9_.=/-]+[^/]$/.test(data) && !data.startsWith("/")
        ? `a prefix ends with '/': write '${data}/'`
        : "write folder names separated by '/' and ending in '/', e.g. 'orders/' (letters, digits, '_', '.', '=', '-')",
  },
  relativePath: plain(
    "a relative path",
    "orders/daily",
    "write folder names separated by '/', without a leading '/' or '..', e.g. 'orders/daily' (letters, digits, '_', '.', '=', '-')",
  ),
  nifiVersion: plain("a NiFi 2 version", "2.8.0", "write a NiFi 2 release such as '2.8.0'"),
  topicConfigName: plain(
    "a Kafka topic config name",
    "retention.ms",
    "write a Kafka topic config in lower case, e.g. 'retention.ms'",
  ),
  sparkConfName: plain(
    "a Spark setting",
    "spark.sql.shuffle.partitions",
    "write a Spark setting starting with 'spark.', e.g. 'spark.sql.shuffle.partitions'",
  ),
  containerImage: plain(
    "a container image",
    "registry.example.com/pipegen-spark:4.0.0",
    "write the image as registry/repository:tag (or @sha256:...), e.g. 'registry.example.com/pipegen-spark:4.0.0'",
  ),
  kubernetesLabel: plain(
    "a Kubernetes name",
    "spark-jobs",
    "use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
  ),
  kubernetesName: plain(
    "a Kubernetes object name",
    "spark",
    "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
  ),
  jobFilesUri: plain(
    "a folder URI",
    "local:///opt/pipegen/shop/spark",
    "write local:///<folder in the image> or a URL Spark reads (s3a://, hdfs://, gs://, abfs(s)://, http(s)://) without a trailing '/'",
  ),
  uploadUri: plain(
    "a folder on a shared file system",
    "s3a://spark-uploads/pipegen",
    "write an s3a://, hdfs://, gs:// or abfs(s):// folder without a trailing '/'",
  ),
  archiveUri: plain(
    "a file URI Spark can fetch",
    "hdfs:///envs/pipegen-env.tar.gz",
    "write hdfs://, s3a://, gs://, abfs(s)://, http(s)://, file:// or local:// and the path (no ',' or '#')",
  ),
  yarnQueue: plain(
    "a YARN queue",
    "streaming",
    "use letters, digits, '_', '.' and '-', e.g. 'streaming'",
  ),
  executable: plain(
    "a program",
    "python3",
    "write a program name or an absolute path without spaces, e.g. 'python3'",
  ),
  attributeName: plain(
    "a NiFi attribute name",
    "source",
    "use letters, digits, '_', '.' and '-', starting with a letter, e.g. 'source'",
  ),
  tag: plain("a tag", "orders", "use letters, digits, '_', '.', ':' and '-', e.g. 'orders'"),
  planRule: plain(
    "a rule id of pipegen plan",
    "SPARK_WINDOW_CHANGED",
    "write a rule id in upper case, e.g. 'SPARK_WINDOW_CHANGED' (the README lists them)",
  ),
  slackChannel: plain(
    "a Slack channel",
    "#data-alerts",
    "write the channel in lower case, e.g. '#data-alerts'",
  ),
  onInvalid: {
    what: "'drop' or {deadLetter: <topic>}",
    example: "{deadLetter: orders.dlq}",
    hint: (data) =>
      typeof data === "string" && data !== ""
        ? `to send invalid records to topic '${data}' write 'onInvalid: {deadLetter: ${data}}'; to discard them on purpose, 'onInvalid: drop'`
        : "write 'onInvalid: {deadLetter: <topic>}' to keep invalid records, or 'onInvalid: drop' to discard them",
  },
  expression: plain(
    "a Spark SQL expression",
    "amount > 0",
    "write a Spark SQL expression over the record's columns, e.g. 'amount > 0'",
  ),
  secretRef: plain(
    "a '${secret:NAME}' reference",
    "${secret:NAME}",
    "write '${secret:NAME}' and provide NAME at run time",
  ),
  stringOrRef: plain(
    "a value, or a '${env:NAME}' / '${secret:NAME}' reference",
    "${env:NAME}",
    "a '${...}' reference is '${env:NAME}' or '${secret:NAME}' with NAME in upper case",
  ),
};

/** A value in words: "the string "x"", "number 300", "a list". */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  return `${typeof v} ${String(v)}`;
}

const typeWords: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
};

/** JSON Schema types in words: "a string or a number". */
export function listTypes(t: unknown): string {
  const ts = Array.isArray(t) ? t : [t];
  return ts.map((x) => typeWords[String(x)] ?? String(x)).join(" or ");
}
