/**
 * Valid specs, generated: the parts (parts.ts) put together into a pipeline: an optional ingest
 * from a SQL table, a stream (quality rules, filter, derive, dedupe, window and aggregate in
 * random combinations) into topic and table sinks, an optional archive, orchestration and an
 * environment overlay. Every reference resolves and every rule holds, so each must build.
 */
import fc from "fast-check";
import {
  type Of,
  type Roles,
  type Spec,
  buildConnections,
  buildSchema,
  connectionModel,
  duration,
  ident,
  jobName,
  schemaModel,
  text,
  toYaml,
  topic,
  topicName,
  topicSettings,
} from "./parts.js";

const streamModel = fc.record({
  startingOffsets: fc.constantFrom("earliest", "latest"),
  notNull: fc.boolean(),
  check: fc.boolean(),
  dropInvalid: fc.boolean(),
  filter: fc.constantFrom("none", "measure", "group"),
  derive: fc.boolean(),
  dedupe: fc.constantFrom("none", "list", "single"),
  aggregate: fc.constantFrom("none", "window", "group"),
  slide: fc.boolean(),
  reshape: fc.constantFrom("none", "select", "rename", "drop", "join"),
  enumRule: fc.boolean(),
  sinks: fc.constantFrom("topic", "table", "both", "mongodb", "files", "all"),
  fileFormat: fc.constantFrom("parquet", "json"),
  singleKey: fc.boolean(),
  availableNow: fc.boolean(),
  every: duration,
  table: ident,
});

/** Where a stream reads and writes, by name. */
interface Names {
  raw: string;
  dlq: string;
  out: string;
  sink: string;
  sinkType: string;
  lake: string;
  docs: string;
  src: string;
  /** A second topic of the record schema, where an ingest routes some records. */
  routed: string;
}

/** A step that changes which columns there are, before the others (join only with topic sinks). */
function reshaping(m: Of<typeof streamModel>, r: Roles, spare: string[], n: Names): Spec[] {
  const extra = r.extras[0];
  if (m.reshape === "select") return [{ select: [r.id, r.ts, r.group, r.measure] }];
  if (m.reshape === "rename" && extra) return [{ rename: { [extra]: spare[3]! } }];
  if (m.reshape === "drop" && extra) return [{ drop: [extra] }];
  if (m.reshape === "join" && m.sinks === "topic")
    return [
      { join: { connection: n.src, table: "public.lookup", on: [r.id], select: [spare[4]!] } },
    ];
  return [];
}

/** The steps of a stream and the columns of its output that identify a row. */
function streamSteps(m: Of<typeof streamModel>, r: Roles, spare: string[], n: Names) {
  const steps: Spec[] = [...reshaping(m, r, spare, n)];
  if (m.filter === "measure") steps.push({ filter: `${r.measure} > 0` });
  if (m.filter === "group") steps.push({ filter: `${r.group} <> 'x'` });
  if (m.derive)
    steps.push({ derive: { [spare[0]!]: { expr: `${r.measure} * 2`, type: "double" } } });
  if (m.dedupe !== "none")
    steps.push({
      dedupe: { key: m.dedupe === "single" ? r.id : [r.id], on: r.ts, watermark: "10m" },
    });
  const aggregate = { [spare[1]!]: "count(*)", [spare[2]!]: `sum(${r.measure})` };
  if (m.aggregate === "window")
    steps.push({
      window: { on: r.ts, size: "5m", watermark: "10m", ...(m.slide ? { slide: "1m" } : {}) },
      groupBy: [r.group],
      aggregate,
    });
  if (m.aggregate === "group") steps.push({ groupBy: [r.group], aggregate });
  const key =
    m.aggregate === "window"
      ? [r.group, "window_start"]
      : m.aggregate === "group"
        ? [r.group]
        : [r.id];
  return { steps, key };
}

function buildStream(m: Of<typeof streamModel>, r: Roles, spare: string[], n: Names): Spec {
  const { steps, key } = streamSteps(m, r, spare, n);
  const quality = [
    ...(m.notNull ? [{ notNull: [r.group] }] : []),
    ...(m.check ? [{ check: `${r.measure} >= 0` }] : []),
    ...(m.enumRule && r.groupValues.length
      ? [{ enum: { column: r.group, values: r.groupValues } }]
      : []),
  ];
  const sinks: Record<string, Spec> = {
    topic: { topic: n.out, key: m.singleKey ? key[0] : [key[0]] },
    table:
      n.sinkType === "cassandra"
        ? { connection: n.sink, table: m.table, key }
        : { connection: n.sink, table: m.table, mode: "upsert", key },
    mongodb: { connection: n.docs, collection: m.table, key },
    files: { connection: n.lake, path: m.table, format: m.fileFormat, partitionBy: [r.group] },
  };
  const chosen: Record<string, string[]> = {
    both: ["topic", "table"],
    all: ["topic", "table", "mongodb", "files"],
  };
  const to = (chosen[m.sinks] ?? [m.sinks]).map((k) => sinks[k]!);
  return {
    from: { topic: n.raw, startingOffsets: m.startingOffsets },
    ...(quality.length ? { quality } : {}),
    onInvalid: m.dropInvalid ? "drop" : { deadLetter: n.dlq },
    ...(steps.length ? { steps } : {}),
    to,
    trigger: m.availableNow ? { availableNow: true, schedule: "@hourly" } : { every: m.every },
  };
}

const ingestModel = fc.record({
  table: ident,
  every: duration,
  validate: fc.boolean(),
  attributes: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,8}$/), text, { maxKeys: 2 }),
  singleKey: fc.boolean(),
  retries: fc.integer({ min: 0, max: 10 }),
  route: fc.boolean(),
});

function buildIngest(m: Of<typeof ingestModel>, r: Roles, schema: string, src: string, n: Names) {
  const steps: Spec[] = [];
  if (m.validate) steps.push({ validate: schema });
  if (Object.keys(m.attributes).length) steps.push({ setAttributes: m.attributes });
  if (m.route)
    steps.push({
      route: [{ when: { field: r.group, equals: r.groupValues[0] ?? "X" }, to: n.routed }],
    });
  return {
    from: { connection: src, table: `public.${m.table}`, incrementalColumn: r.ts, every: m.every },
    ...(steps.length ? { steps } : {}),
    to: { topic: n.raw, key: m.singleKey ? r.id : [r.id] },
    onError: { retries: m.retries, backoff: "30s", deadLetter: n.dlq },
  };
}

const orchestrationModel = fc.record({
  retries: fc.integer({ min: 0, max: 5 }),
  retryDelay: duration,
  deadline: fc.option(duration, { nil: undefined }),
  tags: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_.:-]{0,8}$/), { maxLength: 3 }),
  schedule: fc.option(fc.constantFrom("@daily", "*/15 * * * *", "0 6 * * mon-fri"), {
    nil: undefined,
  }),
  email: fc.boolean(),
});

function buildOrchestration(m: Of<typeof orchestrationModel>): Spec {
  return {
    startDate: "2025-01-01",
    ...(m.schedule ? { schedule: m.schedule } : {}),
    retries: m.retries,
    retryDelay: m.retryDelay,
    ...(m.deadline ? { deadline: m.deadline } : {}),
    ...(m.tags.length ? { tags: m.tags } : {}),
    ...(m.email ? { alerts: { email: ["oncall@example.com"] } } : {}),
  };
}

const pipelineModel = fc.record({
  pipeline: ident,
  description: fc.option(text, { nil: undefined }),
  schema: schemaModel,
  schemaName: ident,
  topics: fc.uniqueArray(topicName, { minLength: 4, maxLength: 4 }),
  topicSettings: fc.array(topicSettings, { minLength: 4, maxLength: 4 }),
  connections: connectionModel,
  jobs: fc.uniqueArray(jobName, { minLength: 3, maxLength: 3 }),
  stream: streamModel,
  ingest: fc.option(ingestModel, { nil: undefined }),
  archive: fc.option(fc.constantFrom("dt", "hour", "group"), { nil: undefined }),
  sasl: fc.boolean(),
  orchestration: fc.option(orchestrationModel, { nil: undefined }),
  dev: fc.boolean(),
  flow: fc.boolean(),
});

export type Model = Of<typeof pipelineModel>;

/** A generated valid spec: its value, its YAML text, and the model it came from. */
export interface ValidCase {
  spec: Spec;
  text: string;
  roles: Roles;
  /** Whether leaf mappings are written in flow style ({a: 1}). */
  flow: boolean;
}

/** Spark on YARN; Kafka with SASL and a secret password when `sasl`. */
function platform(sasl: boolean): Spec {
  const kafka = {
    bootstrapServers: "${env:KAFKA_BOOTSTRAP}",
    securityProtocol: "SASL_SSL",
    saslMechanism: "SCRAM-SHA-512",
    saslUser: "pipegen",
    saslPassword: "${secret:KAFKA_PASSWORD}",
  };
  return {
    ...(sasl ? { kafka } : {}),
    spark: { master: "yarn", deployMode: "cluster", checkpointRoot: "hdfs:///checkpoints" },
  };
}

/** A daily archive of the record topic, partitioned by the day, the hour or the group column. */
function archive(by: string, topic: string, lake: string, r: Roles): Spec {
  const partitionBy = by === "dt" ? ["dt"] : by === "hour" ? ["dt", "hour"] : [r.group];
  return { from: { topic }, to: { connection: lake, partitionBy }, schedule: "@daily" };
}

function buildSpec(m: Model): { spec: Spec; roles: Roles } {
  const { schema, roles, spare } = buildSchema(m.schema);
  const { names: c, connections } = buildConnections(m.connections);
  const [raw, dlq, out, routed] = m.topics as [string, string, string, string];
  const [s1, s2, s3, s4] = m.topicSettings as Array<Of<typeof topicSettings>>;
  const n: Names = { raw, dlq, out, routed, ...c };
  const [ingestName, streamName, archiveName] = m.jobs as [string, string, string];
  const spec: Spec = {
    pipegen: 1,
    pipeline: m.pipeline,
    ...(m.description !== undefined ? { description: m.description } : {}),
    platform: platform(m.sasl),
    connections,
    schemas: { [m.schemaName]: schema },
    topics: {
      [raw]: topic(s1!, m.schemaName),
      [dlq]: topic(s2!),
      [out]: topic(s3!),
      [routed]: topic(s4!, m.schemaName),
    },
    ...(m.ingest
      ? { ingest: { [ingestName]: buildIngest(m.ingest, roles, m.schemaName, c.src, n) } }
      : {}),
    streams: { [streamName]: buildStream(m.stream, roles, spare, n) },
    ...(m.archive ? { archive: { [archiveName]: archive(m.archive, raw, c.lake, roles) } } : {}),
    ...(m.orchestration ? { orchestration: buildOrchestration(m.orchestration) } : {}),
    ...(m.dev
      ? {
          environments: {
            dev: {
              topics: { replicationFactor: 1, minInsyncReplicas: 1 },
              platform: { spark: { master: "local[*]", deployMode: "client" } },
            },
          },
        }
      : {}),
  };
  return { spec, roles };
}

/**
 * Valid specs the fuzz found pipegen getting wrong in a place this branch does not own: left
 * out of the valid cases until fixed (they are reported), so each stays visible here.
 */
/** Generated-code defects the valid cases still avoid, each named until it is fixed (none now). */
export const knownBugs: ReadonlyArray<{ what: string; applies: (m: Model) => boolean }> = [];

/** Valid specs with their YAML text. */
export const validCase: fc.Arbitrary<ValidCase> = pipelineModel
  .filter((m) => !knownBugs.some((b) => b.applies(m)))
  .map((m) => {
    const { spec, roles } = buildSpec(m);
    return { spec, text: toYaml(spec, m.flow), roles, flow: m.flow };
  });
