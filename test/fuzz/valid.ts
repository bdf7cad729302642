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
  sinks: fc.constantFrom("topic", "table", "both"),
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
}

/** The steps of a stream and the columns of its output that identify a row. */
function streamSteps(m: Of<typeof streamModel>, r: Roles, spare: string[]) {
  const steps: Spec[] = [];
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
  const { steps, key } = streamSteps(m, r, spare);
  const quality = [
    ...(m.notNull ? [{ notNull: [r.group] }] : []),
    ...(m.check ? [{ check: `${r.measure} >= 0` }] : []),
  ];
  const tableSink =
    n.sinkType === "cassandra"
      ? { connection: n.sink, table: m.table, key }
      : { connection: n.sink, table: m.table, mode: "upsert", key };
  const topicSink = { topic: n.out, key: m.singleKey ? key[0] : [key[0]] };
  const to =
    m.sinks === "topic" ? [topicSink] : m.sinks === "table" ? [tableSink] : [topicSink, tableSink];
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
});

function buildIngest(m: Of<typeof ingestModel>, r: Roles, schema: string, src: string, n: Names) {
  const steps: Spec[] = [];
  if (m.validate) steps.push({ validate: schema });
  if (Object.keys(m.attributes).length) steps.push({ setAttributes: m.attributes });
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
  email: fc.boolean(),
});

function buildOrchestration(m: Of<typeof orchestrationModel>): Spec {
  return {
    startDate: "2025-01-01",
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
  topics: fc.uniqueArray(topicName, { minLength: 3, maxLength: 3 }),
  topicSettings: fc.array(topicSettings, { minLength: 3, maxLength: 3 }),
  connections: connectionModel,
  jobs: fc.uniqueArray(ident, { minLength: 3, maxLength: 3 }),
  stream: streamModel,
  ingest: fc.option(ingestModel, { nil: undefined }),
  archive: fc.boolean(),
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

function buildSpec(m: Model): { spec: Spec; roles: Roles } {
  const { schema, roles, spare } = buildSchema(m.schema);
  const { names: c, connections } = buildConnections(m.connections);
  const [raw, dlq, out] = m.topics as [string, string, string];
  const [s1, s2, s3] = m.topicSettings as [
    Of<typeof topicSettings>,
    Of<typeof topicSettings>,
    Of<typeof topicSettings>,
  ];
  const n: Names = { raw, dlq, out, sink: c.sink, sinkType: c.sinkType };
  const [ingestName, streamName, archiveName] = m.jobs as [string, string, string];
  const spec: Spec = {
    pipegen: 1,
    pipeline: m.pipeline,
    ...(m.description !== undefined ? { description: m.description } : {}),
    platform: {
      spark: { master: "yarn", deployMode: "cluster", checkpointRoot: "hdfs:///checkpoints" },
    },
    connections,
    schemas: { [m.schemaName]: schema },
    topics: { [raw]: topic(s1, m.schemaName), [dlq]: topic(s2), [out]: topic(s3) },
    ...(m.ingest
      ? { ingest: { [ingestName]: buildIngest(m.ingest, roles, m.schemaName, c.src, n) } }
      : {}),
    streams: { [streamName]: buildStream(m.stream, roles, spare, n) },
    ...(m.archive
      ? {
          archive: {
            [archiveName]: {
              from: { topic: raw },
              to: { connection: c.lake, partitionBy: ["dt"] },
              schedule: "@daily",
            },
          },
        }
      : {}),
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

/** Valid specs with their YAML text. */
export const validCase: fc.Arbitrary<ValidCase> = pipelineModel.map((m) => {
  const { spec, roles } = buildSpec(m);
  return { spec, text: toYaml(spec, m.flow), roles, flow: m.flow };
});
