import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { LoadedSpec } from "../load/load.js";
import { escapePointer, pointerOf } from "../load/load.js";
import type * as S from "../schema/spec.gen.js";
import { columnsUsed, inferType } from "./expressions.js";
import { kafkaTopicConfigNames } from "./kafka-configs.js";
import type * as I from "./types.js";
import { deepFreeze, durationMs, hasInlineCredentials, valueRef } from "./values.js";

/** Defaults, applied once, here and nowhere else. Documented in the README. */
export const defaults = {
  kafkaBootstrap: "${env:KAFKA_BOOTSTRAP_SERVERS}",
  schemaRegistry: "${env:SCHEMA_REGISTRY_URL}",
  nifiUrl: "${env:NIFI_URL}",
  nifiVersion: "2.8.0",
  sparkMaster: "local[*]",
  sparkDeployMode: "client" as const,
  checkpointRoot: "/tmp/pipegen/checkpoints",
  shufflePartitions: 8,
  startingOffsets: "earliest" as const,
  ingestRetries: 3,
  ingestBackoff: "30s",
  trigger: { every: "1m" },
  startDate: "2024-01-01",
  retries: 2,
  retryDelay: "5m",
  maxActiveRuns: 1,
  airflow: {
    sparkConnection: "spark_default",
    kafkaConnection: "kafka_default",
    nifiConnection: "nifi_default",
    schemaRegistryConnection: "schema_registry_default",
  },
};

/** Columns an archive may partition by without their being in the record: derived from the Kafka timestamp. */
export const archivePartitionColumns = ["dt", "hour"] as const;

export interface ResolveOptions {
  /** Environment overlay to apply, or null. */
  env: string | null;
}

type Ctx = {
  spec: LoadedSpec;
  diags: Diagnostic[];
};

function err(
  ctx: Ctx,
  code: string,
  pointer: string,
  message: string,
  hint?: string,
  part: "key" | "value" = "value",
) {
  const { line, col } = ctx.spec.locate(pointer, part);
  ctx.diags.push({
    code,
    severity: "error",
    message,
    file: ctx.spec.file,
    line,
    col,
    pointer,
    ...(hint ? { hint } : {}),
  });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function merge<T>(base: T, over: unknown): T {
  if (!isObj(base) || !isObj(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out as T;
}

/** Applies `environments.<env>` to the spec: platform, connections and orchestration are merged, topic settings override every topic. */
function applyEnvironment(
  ctx: Ctx,
  spec: S.PipegenSpec,
  env: string | null,
): S.PipegenSpec | undefined {
  if (env === null) return spec;
  const envs = spec.environments ?? {};
  const overlay = envs[env];
  if (!overlay) {
    err(
      ctx,
      "PG306",
      "/environments",
      `environment '${env}' is not defined in this spec`,
      didYouMean(env, Object.keys(envs), "environments"),
      "key",
    );
    return undefined;
  }
  let out: S.PipegenSpec = { ...spec };
  if (overlay.platform) out.platform = merge(spec.platform ?? {}, overlay.platform);
  if (overlay.orchestration)
    out.orchestration = merge(spec.orchestration ?? {}, overlay.orchestration);
  for (const [name, conn] of Object.entries(overlay.connections ?? {})) {
    const base = spec.connections?.[name];
    const p = pointerOf("environments", env, "connections", name);
    if (!base) {
      err(
        ctx,
        "PG301",
        p,
        `environment '${env}' overrides unknown connection '${name}'`,
        didYouMean(name, Object.keys(spec.connections ?? {}), "connections"),
        "key",
      );
      continue;
    }
    out.connections = { ...out.connections, [name]: merge(base, conn) };
  }
  if (overlay.topics) {
    out.topics = Object.fromEntries(
      Object.entries(spec.topics ?? {}).map(([n, t]) => [n, { ...t, ...overlay.topics }]),
    );
  }
  out = { ...out, environments: spec.environments };
  return out;
}

/** Resolves a schema-valid spec into the immutable IR, collecting every semantic error. */
export function resolve(
  spec: LoadedSpec,
  raw: S.PipegenSpec,
  opts: ResolveOptions,
): { pipeline?: I.Pipeline; diagnostics: Diagnostic[] } {
  const ctx: Ctx = { spec, diags: [] };
  findInlineCredentials(ctx, raw, "");
  const s = applyEnvironment(ctx, raw, opts.env);
  if (!s) return { diagnostics: ctx.diags };

  // connections
  const connections = new Map<string, I.Connection>();
  for (const [name, c] of Object.entries(s.connections ?? {})) {
    const settings: Record<string, I.Connection["settings"][string]> = {};
    const base = raw.connections?.[name];
    for (const [k, v] of Object.entries(c)) {
      if (k === "type" || k === "doc") continue;
      if (base && !(k in base) && !(k in (connectionKeys[c.type] ?? {}))) {
        err(
          ctx,
          "PG305",
          pointerOf("environments", opts.env ?? "", "connections", name, k),
          `'${k}' is not a setting of a ${c.type} connection`,
          didYouMean(k, Object.keys(connectionKeys[c.type] ?? {}), "settings"),
          "key",
        );
        continue;
      }
      settings[k] =
        typeof v === "string"
          ? valueRef(v)
          : Array.isArray(v)
            ? v.map((x) => valueRef(String(x)))
            : (v as number | boolean | Record<string, unknown>);
    }
    connections.set(name, { name, type: c.type, settings });
  }

  // record schemas
  const schemas = new Map<string, I.RecordSchema>();
  for (const [name, sc] of Object.entries(s.schemas ?? {})) {
    const fields: I.Field[] = Object.entries(sc.fields).map(([fname, f]) => {
      const out: I.Field = { name: fname, type: f.type, required: f.required ?? false };
      decimalSettings(ctx, out, f, pointerOf("schemas", name, "fields", fname), "fields");
      if (f.enum) {
        if (f.type !== "string")
          err(
            ctx,
            "PG305",
            pointerOf("schemas", name, "fields", fname, "enum"),
            `enum applies only to string fields, not ${f.type}`,
          );
        out.enum = f.enum;
      }
      if (f.doc) out.doc = f.doc;
      return out;
    });
    const key = sc.key ?? [];
    key.forEach((k, i) => {
      const f = fields.find((x) => x.name === k);
      if (!f)
        unknownColumn(
          ctx,
          pointerOf("schemas", name, "key", i),
          k,
          fields.map((x) => x.name),
          `schema '${name}'`,
        );
      else if (!f.required)
        err(
          ctx,
          "PG305",
          pointerOf("schemas", name, "key", i),
          `key column '${k}' of schema '${name}' is not required`,
          `mark '${k}' with 'required: true': a key can never be null`,
        );
    });
    schemas.set(name, { name, key, fields, ...(sc.doc ? { doc: sc.doc } : {}) });
  }

  // topics: dead-letter use is known from ingest and streams
  const dlqNames = new Set<string>();
  for (const ing of Object.values(s.ingest ?? {}))
    if (ing.onError?.deadLetter) dlqNames.add(ing.onError.deadLetter);
  for (const st of Object.values(s.streams ?? {}))
    if (st.onInvalid && typeof st.onInvalid === "object") dlqNames.add(st.onInvalid.deadLetter);
  const topics = new Map<string, I.Topic>();
  for (const [name, t] of Object.entries(s.topics ?? {})) {
    const p = pointerOf("topics", name);
    if (name === "." || name === ".." || name.startsWith("__"))
      err(ctx, "PG203", p, `'${name}' cannot be a Kafka topic name`, undefined, "key");
    let schema: I.RecordSchema | null = null;
    if (t.schema !== undefined) {
      schema = schemas.get(t.schema) ?? null;
      if (!schema) unknownRef(ctx, `${p}/schema`, "schema", t.schema, schemas.keys());
    }
    const configs: Record<string, string> = {};
    if (t.retention !== undefined)
      configs["retention.ms"] = t.retention === "forever" ? "-1" : String(durationMs(t.retention));
    if (t.retentionBytes !== undefined)
      configs["retention.bytes"] =
        t.retentionBytes === "unlimited" ? "-1" : String(t.retentionBytes);
    if (t.cleanupPolicy) configs["cleanup.policy"] = t.cleanupPolicy;
    if (t.minInsyncReplicas !== undefined)
      configs["min.insync.replicas"] = String(t.minInsyncReplicas);
    if (t.compression) configs["compression.type"] = t.compression;
    if (t.maxMessageBytes !== undefined) configs["max.message.bytes"] = String(t.maxMessageBytes);
    if (t.segment) configs["segment.ms"] = String(durationMs(t.segment));
    for (const [k, v] of Object.entries(t.config ?? {})) {
      const cp = pointerOf("topics", name, "config", k);
      if (!kafkaTopicConfigNames.includes(k)) {
        err(
          ctx,
          "PG201",
          cp,
          `'${k}' is not a Kafka topic config`,
          didYouMean(k, kafkaTopicConfigNames, "topic configs"),
          "key",
        );
      } else if (k in configs) {
        err(
          ctx,
          "PG305",
          cp,
          `'${k}' is already set by this topic's typed settings`,
          "set it in one place only: the typed setting (e.g. 'retention') wins in review",
          "key",
        );
      } else configs[k] = String(v);
    }
    if (
      t.replicationFactor !== undefined &&
      t.minInsyncReplicas !== undefined &&
      t.minInsyncReplicas > t.replicationFactor
    )
      err(
        ctx,
        "PG305",
        `${p}/minInsyncReplicas`,
        `minInsyncReplicas ${t.minInsyncReplicas} is larger than replicationFactor ${t.replicationFactor}: no write could ever succeed`,
      );
    const format = t.format ?? (schema ? "avro" : "json");
    if (format === "avro" && !schema)
      err(
        ctx,
        "PG305",
        `${p}/format`,
        `topic '${name}' is avro but has no schema`,
        "add 'schema: <name>' or use 'format: json'",
      );
    topics.set(name, {
      name,
      partitions: t.partitions,
      replicationFactor: t.replicationFactor ?? null,
      configs: Object.fromEntries(Object.entries(configs).sort(([a], [b]) => (a < b ? -1 : 1))),
      schema,
      format,
      compatibility: schema ? (t.compatibility ?? "BACKWARD") : null,
      subject: schema ? `${name}-value` : null,
      deadLetter: dlqNames.has(name),
      ...(t.doc ? { doc: t.doc } : {}),
    });
  }
  const topicRef = (pointer: string, name: string | undefined): I.Topic | undefined => {
    if (name === undefined) return undefined;
    const t = topics.get(name);
    if (!t) unknownRef(ctx, pointer, "topic", name, topics.keys(), "declare it under 'topics:'");
    return t;
  };
  const connRef = (
    pointer: string,
    name: string,
    types: ReadonlyArray<I.Connection["type"]>,
    role: string,
  ): I.Connection | undefined => {
    const c = connections.get(name);
    if (!c) {
      unknownRef(
        ctx,
        pointer,
        "connection",
        name,
        connections.keys(),
        "declare it under 'connections:'",
      );
      return undefined;
    }
    if (!types.includes(c.type)) {
      err(
        ctx,
        "PG305",
        pointer,
        `connection '${name}' is ${c.type}; ${role} needs ${types.join(" or ")}`,
      );
      return undefined;
    }
    return c;
  };

  // job names share one namespace: files, Airflow task ids
  const jobNames = new Map<string, string>();
  for (const section of ["ingest", "streams", "archive"] as const) {
    for (const name of Object.keys(s[section] ?? {})) {
      const prev = jobNames.get(name);
      if (prev)
        err(
          ctx,
          "PG302",
          pointerOf(section, name),
          `'${name}' is already the name of an entry in '${prev}'`,
          "ingest, stream and archive names must be unique across the three sections",
          "key",
        );
      else jobNames.set(name, section);
    }
  }

  const ingest = Object.entries(s.ingest ?? {}).map(([name, g]) =>
    resolveIngest(ctx, name, g, { topicRef, connRef, schemas }),
  );
  const streams = Object.entries(s.streams ?? {}).map(([name, st]) =>
    resolveStream(ctx, name, st, { topicRef, connRef }),
  );
  const archive = Object.entries(s.archive ?? {}).map(([name, a]) => {
    const p = pointerOf("archive", name);
    const from = topicRef(`${p}/from/topic`, a.from.topic);
    const conn = connRef(`${p}/to/connection`, a.to.connection, ["s3", "files"], "an archive");
    const partitionBy = a.to.partitionBy ?? ["dt"];
    if (from?.schema) {
      const cols = [...from.schema.fields.map((f) => f.name), ...archivePartitionColumns];
      partitionBy.forEach((c, i) => {
        if (!cols.includes(c))
          unknownColumn(
            ctx,
            `${p}/to/partitionBy/${i}`,
            c,
            cols,
            `topic '${from.name}' (plus the derived ${archivePartitionColumns.join(", ")})`,
          );
      });
    } else if (from)
      err(
        ctx,
        "PG305",
        `${p}/from/topic`,
        `topic '${from.name}' has no schema; an archive needs one to write typed columns`,
      );
    return {
      name,
      from: from!,
      to: {
        connection: conn!,
        path: a.to.path ?? name,
        format: a.to.format ?? "parquet",
        partitionBy,
      },
      schedule: a.schedule,
      ...(a.doc ? { doc: a.doc } : {}),
    } satisfies I.Archive;
  });

  const o = s.orchestration ?? {};
  const orchestration: I.Orchestration = {
    schedule: o.schedule ?? null,
    startDate: o.startDate ?? defaults.startDate,
    retries: o.retries ?? defaults.retries,
    retryDelayMs: durationMs(o.retryDelay ?? defaults.retryDelay),
    deadlineMs: o.deadline ? durationMs(o.deadline) : null,
    maxActiveRuns: o.maxActiveRuns ?? defaults.maxActiveRuns,
    owner: o.owner ?? s.owner ?? "pipegen",
    tags: o.tags ?? ["pipegen", s.pipeline],
    alerts: {
      email: o.alerts?.email ?? [],
      slack: o.alerts?.slack
        ? { connection: o.alerts.slack.connection, channel: o.alerts.slack.channel ?? null }
        : null,
    },
  };

  const pf = s.platform ?? {};
  const platform: I.Platform = {
    kafka: {
      bootstrapServers: valueRef(pf.kafka?.bootstrapServers ?? defaults.kafkaBootstrap),
      schemaRegistry: valueRef(pf.kafka?.schemaRegistry ?? defaults.schemaRegistry),
      securityProtocol: pf.kafka?.securityProtocol ?? "PLAINTEXT",
      saslMechanism: pf.kafka?.saslMechanism ?? null,
      saslUser: pf.kafka?.saslUser ? valueRef(pf.kafka.saslUser) : null,
      saslPassword: pf.kafka?.saslPassword ? valueRef(pf.kafka.saslPassword) : null,
    },
    nifi: {
      url: valueRef(pf.nifi?.url ?? defaults.nifiUrl),
      version: pf.nifi?.version ?? defaults.nifiVersion,
    },
    spark: {
      master: valueRef(pf.spark?.master ?? defaults.sparkMaster),
      deployMode: pf.spark?.deployMode ?? defaults.sparkDeployMode,
      checkpointRoot: valueRef(pf.spark?.checkpointRoot ?? defaults.checkpointRoot),
      shufflePartitions: pf.spark?.shufflePartitions ?? defaults.shufflePartitions,
      conf: Object.fromEntries(
        Object.entries(pf.spark?.conf ?? {})
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [k, String(v)]),
      ),
    },
    airflow: { ...defaults.airflow, ...pf.airflow },
  };
  if (pf.kafka?.securityProtocol?.startsWith("SASL") && !pf.kafka.saslPassword)
    err(
      ctx,
      "PG305",
      "/platform/kafka/securityProtocol",
      `${pf.kafka.securityProtocol} needs saslUser and saslPassword`,
    );

  if (ctx.diags.length) return { diagnostics: ctx.diags };
  const pipeline: I.Pipeline = {
    name: s.pipeline,
    specFile: spec.file.split("\\").join("/"),
    environment: opts.env,
    description: s.description ?? "",
    owner: s.owner ?? orchestration.owner,
    platform,
    connections: [...connections.values()].sort(byName),
    schemas: [...schemas.values()].sort(byName),
    topics: [...topics.values()].sort(byName),
    ingest: ingest.filter((x): x is I.Ingest => !!x),
    streams: streams.filter((x): x is I.Stream => !!x),
    archive,
    orchestration,
  };
  return { pipeline: deepFreeze(pipeline), diagnostics: [] };
}

const byName = (a: { name: string }, b: { name: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

const connectionKeys: Record<string, Record<string, true>> = {
  postgres: { host: true, port: true, database: true, user: true, password: true, options: true },
  mysql: { host: true, port: true, database: true, user: true, password: true, options: true },
  mongodb: { uri: true, database: true },
  cassandra: {
    contactPoints: true,
    port: true,
    localDatacenter: true,
    keyspace: true,
    replication: true,
    user: true,
    password: true,
  },
  s3: {
    bucket: true,
    prefix: true,
    endpoint: true,
    region: true,
    pathStyle: true,
    accessKey: true,
    secretKey: true,
  },
  files: { path: true },
};

/** Precision and scale of a decimal field (defaults 38, 0); on any other type they are an error. */
function decimalSettings(
  ctx: Ctx,
  field: I.Field,
  given: { precision?: number; scale?: number },
  pointer: string,
  noun: "fields" | "columns",
) {
  if (field.type === "decimal") {
    field.precision = given.precision ?? 38;
    field.scale = given.scale ?? 0;
    if (field.scale > field.precision)
      err(
        ctx,
        "PG203",
        `${pointer}/scale`,
        `scale ${field.scale} is larger than precision ${field.precision}`,
      );
  } else if (given.precision !== undefined || given.scale !== undefined)
    err(
      ctx,
      "PG305",
      pointer,
      `precision and scale apply only to decimal ${noun}, not ${field.type}`,
    );
}

function unknownRef(
  ctx: Ctx,
  pointer: string,
  what: string,
  name: string,
  known: Iterable<string>,
  fix?: string,
) {
  const hint = didYouMean(name, [...known], `${what}s`);
  err(
    ctx,
    "PG301",
    pointer,
    `unknown ${what} '${name}'`,
    fix && !hint.startsWith("did you mean") ? `${hint}; ${fix}` : hint,
  );
}

function unknownColumn(
  ctx: Ctx,
  pointer: string,
  name: string,
  known: readonly string[],
  where: string,
) {
  err(
    ctx,
    "PG304",
    pointer,
    `unknown column '${name}' in ${where}`,
    didYouMean(name, known, "columns"),
  );
}

/** Plaintext credentials anywhere in a loaded spec, whatever else is wrong with it. */
export function checkInlineCredentials(spec: LoadedSpec): Diagnostic[] {
  const ctx: Ctx = { spec, diags: [] };
  findInlineCredentials(ctx, spec.value, "");
  return ctx.diags;
}

/** Every string in the raw spec that carries user:password@ in a URI is a plaintext secret. */
function findInlineCredentials(ctx: Ctx, v: unknown, pointer: string) {
  if (typeof v === "string") {
    if (hasInlineCredentials(v))
      err(
        ctx,
        "PG303",
        pointer,
        "plaintext credentials in a URI",
        "secrets never appear in a spec: write the whole URI as '${secret:NAME}' and provide NAME at run time",
      );
  } else if (Array.isArray(v))
    v.forEach((x, i) => findInlineCredentials(ctx, x, `${pointer}/${i}`));
  else if (isObj(v))
    for (const [k, x] of Object.entries(v))
      findInlineCredentials(ctx, x, `${pointer}/${escapePointer(k)}`);
}

interface Refs {
  topicRef: (pointer: string, name: string | undefined) => I.Topic | undefined;
  connRef: (
    pointer: string,
    name: string,
    types: ReadonlyArray<I.Connection["type"]>,
    role: string,
  ) => I.Connection | undefined;
}

function resolveIngest(
  ctx: Ctx,
  name: string,
  g: NonNullable<S.PipegenSpec["ingest"]>[string],
  r: Refs & { schemas: Map<string, I.RecordSchema> },
): I.Ingest | undefined {
  const p = pointerOf("ingest", name);
  const conn = r.connRef(
    `${p}/from/connection`,
    g.from.connection,
    ["postgres", "mysql", "mongodb"],
    "an ingest source",
  );
  const to = r.topicRef(`${p}/to/topic`, g.to.topic);
  const fields = to?.schema?.fields.map((f) => f.name) ?? [];
  const inTopic = (pointer: string, col: string | undefined) => {
    if (col !== undefined && to?.schema && !fields.includes(col))
      unknownColumn(ctx, pointer, col, fields, `the schema of topic '${to.name}'`);
  };
  if (conn) {
    const isMongo = conn.type === "mongodb";
    if (isMongo && !g.from.collection)
      err(ctx, "PG204", `${p}/from`, "a MongoDB source needs 'collection'", undefined, "key");
    if (!isMongo && !g.from.table)
      err(ctx, "PG204", `${p}/from`, `a ${conn.type} source needs 'table'`, undefined, "key");
    if (isMongo && g.from.table)
      err(
        ctx,
        "PG305",
        `${p}/from/table`,
        "a MongoDB source reads a 'collection', not a 'table'",
        undefined,
        "key",
      );
    if (!isMongo && g.from.collection)
      err(
        ctx,
        "PG305",
        `${p}/from/collection`,
        `a ${conn.type} source reads a 'table', not a 'collection'`,
        undefined,
        "key",
      );
  }
  inTopic(`${p}/from/incrementalColumn`, g.from.incrementalColumn);
  inTopic(`${p}/to/key`, g.to.key);
  if (to && !to.schema)
    err(
      ctx,
      "PG305",
      `${p}/to/topic`,
      `topic '${to.name}' has no schema; ingest publishes typed records`,
      "give the topic a 'schema:'",
    );
  const format = g.to.format ?? to?.format ?? "avro";
  if (to && g.to.format && g.to.format !== to.format)
    err(
      ctx,
      "PG305",
      `${p}/to/format`,
      `ingest writes ${g.to.format} but topic '${to.name}' is ${to.format}`,
      `use 'format: ${to.format}' or change the topic`,
    );
  const steps: I.IngestStep[] = [];
  (g.steps ?? []).forEach((step, i) => {
    const sp = `${p}/steps/${i}`;
    if (step.validate !== undefined) {
      const sc = r.schemas.get(step.validate);
      if (!sc) unknownRef(ctx, `${sp}/validate`, "schema", step.validate, r.schemas.keys());
      else steps.push({ kind: "validate", schema: sc });
    } else if (step.setAttributes)
      steps.push({ kind: "setAttributes", attributes: step.setAttributes });
    else if (step.route) {
      const routes = step.route.map((rt, j) => {
        inTopic(`${sp}/route/${j}/when/field`, rt.when.field);
        const target = r.topicRef(`${sp}/route/${j}/to`, rt.to);
        if (target && to && target.format !== to.format)
          err(
            ctx,
            "PG305",
            `${sp}/route/${j}/to`,
            `route target '${target.name}' is ${target.format} but the ingest writes ${to.format}`,
          );
        const op =
          rt.when.equals !== undefined
            ? "equals"
            : rt.when.notEquals !== undefined
              ? "notEquals"
              : "in";
        const value = (rt.when.equals ?? rt.when.notEquals ?? rt.when.in)!;
        return { field: rt.when.field, op, value, to: rt.to } as const;
      });
      steps.push({ kind: "route", routes });
    }
  });
  const dlq =
    g.onError?.deadLetter !== undefined
      ? r.topicRef(`${p}/onError/deadLetter`, g.onError.deadLetter)
      : null;
  if (!conn || !to || dlq === undefined) return undefined;
  return {
    name,
    from: {
      connection: conn,
      table: g.from.table ?? null,
      collection: g.from.collection ?? null,
      query: g.from.query ?? null,
      incrementalColumn: g.from.incrementalColumn ?? null,
      everyMs: durationMs(g.from.every),
      fetchSize: g.from.fetchSize ?? null,
    },
    steps,
    to: { topic: to, key: g.to.key ?? null, format },
    onError: {
      retries: g.onError?.retries ?? defaults.ingestRetries,
      backoffMs: durationMs(g.onError?.backoff ?? defaults.ingestBackoff),
      deadLetter: dlq,
    },
    ...(g.doc ? { doc: g.doc } : {}),
  };
}

const numeric = new Set<I.FieldType>(["int", "long", "float", "double", "decimal", "unknown"]);

function aggregateField(name: string, fn: string, src: I.Field | undefined): I.Field {
  if (fn === "count" || fn === "approx_count_distinct")
    return { name, type: "long", required: true };
  if (!src) return { name, type: "unknown", required: false };
  if (fn === "avg") return { name, type: "double", required: false };
  if (fn === "sum") {
    if (src.type === "decimal")
      return {
        name,
        type: "decimal",
        required: false,
        precision: Math.min(38, (src.precision ?? 38) + 10),
        scale: src.scale ?? 0,
      };
    if (src.type === "int" || src.type === "long") return { name, type: "long", required: false };
    return { name, type: src.type === "unknown" ? "unknown" : "double", required: false };
  }
  return { ...src, name, required: false };
}

function resolveStream(
  ctx: Ctx,
  name: string,
  st: NonNullable<S.PipegenSpec["streams"]>[string],
  r: Refs,
): I.Stream | undefined {
  const p = pointerOf("streams", name);
  const from = r.topicRef(`${p}/from/topic`, st.from.topic);
  if (from && !from.schema)
    err(
      ctx,
      "PG305",
      `${p}/from/topic`,
      `topic '${from.name}' has no schema; a stream decodes records with the schema declared for its topic`,
      "give the topic a 'schema:'",
    );
  let cols: I.Field[] = from?.schema ? [...from.schema.fields] : [];
  const known = () => cols.map((c) => c.name);
  const checking = !!from?.schema;
  const need = (pointer: string, c: string, where: string): I.Field | undefined => {
    const f = cols.find((x) => x.name === c);
    if (!f && checking) unknownColumn(ctx, pointer, c, known(), where);
    return f;
  };
  const checkExpr = (pointer: string, expr: string, where: string) => {
    for (const u of columnsUsed(expr)) need(pointer, u.name, where);
  };

  const quality: I.QualityRule[] = [];
  (st.quality ?? []).forEach((q, i) => {
    const qp = `${p}/quality/${i}`;
    const kinds = ["notNull", "check", "enum"].filter(
      (k) => (q as Record<string, unknown>)[k] !== undefined,
    );
    if (kinds.length !== 1) {
      err(
        ctx,
        "PG206",
        qp,
        "a quality rule has exactly one of: notNull, check, enum (plus an optional name)",
      );
      return;
    }
    if (q.notNull) {
      q.notNull.forEach((c, j) => need(`${qp}/notNull/${j}`, c, "the stream's input"));
      quality.push({
        kind: "notNull",
        name: q.name ?? `not_null_${q.notNull.join("_")}`,
        columns: q.notNull,
      });
    } else if (q.check !== undefined) {
      checkExpr(`${qp}/check`, q.check, "the stream's input");
      quality.push({
        kind: "check",
        name: q.name ?? `check_${i + 1}`,
        columns: columnsUsed(q.check).map((u) => u.name),
        expr: q.check,
      });
    } else if (q.enum) {
      need(`${qp}/enum/column`, q.enum.column, "the stream's input");
      quality.push({
        kind: "enum",
        name: q.name ?? `enum_${q.enum.column}`,
        columns: [q.enum.column],
        values: q.enum.values,
      });
    }
  });
  const names = quality.map((q) => q.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i)
      err(
        ctx,
        "PG302",
        `${p}/quality/${i}`,
        `two quality rules are named '${n}'`,
        "give one a different 'name:'",
      );
  });

  let onInvalid: I.Stream["onInvalid"] | undefined;
  if (st.onInvalid === "drop") onInvalid = { kind: "drop" };
  else if (st.onInvalid) {
    const t = r.topicRef(`${p}/onInvalid/deadLetter`, st.onInvalid.deadLetter);
    if (t) onInvalid = { kind: "deadLetter", topic: t };
  } else
    err(
      ctx,
      "PG204",
      p,
      `stream '${name}' says nothing about invalid records`,
      "add 'onInvalid: {deadLetter: <topic>}' to keep them, or 'onInvalid: drop' to discard them on purpose",
      "key",
    );

  const steps: I.StreamStep[] = [];
  (st.steps ?? []).forEach((step, i) => {
    const sp = `${p}/steps/${i}`;
    const kinds = Object.keys(step).filter(
      (k) => (step as Record<string, unknown>)[k] !== undefined,
    );
    const isAgg = kinds.some((k) => k === "window" || k === "groupBy" || k === "aggregate");
    if (
      isAgg
        ? kinds.some((k) => !["window", "groupBy", "aggregate"].includes(k))
        : kinds.length !== 1
    ) {
      err(
        ctx,
        "PG206",
        sp,
        `a step does one thing; this one has: ${kinds.join(", ")}`,
        "split it into several steps (window, groupBy and aggregate belong together)",
      );
      return;
    }
    if (step.filter !== undefined) {
      checkExpr(`${sp}/filter`, step.filter, `step ${i + 1}`);
      steps.push({ kind: "filter", expr: step.filter });
    } else if (step.select) {
      const next: I.Field[] = [];
      step.select.forEach((c, j) => {
        const f = need(`${sp}/select/${j}`, c, `step ${i + 1}`);
        if (f) next.push(f);
      });
      if (checking) cols = next;
      steps.push({ kind: "select", columns: step.select });
    } else if (step.derive) {
      const columns: Record<string, { expr: string; field: I.Field }> = {};
      for (const [c, d] of Object.entries(step.derive)) {
        const dp = `${sp}/derive/${c}`;
        const e = typeof d === "string" ? d : d.expr;
        checkExpr(typeof d === "string" ? dp : `${dp}/expr`, e, `step ${i + 1}`);
        let field: I.Field;
        if (typeof d === "string") {
          const t = inferType(e, cols);
          if (t === undefined && checking)
            err(
              ctx,
              "PG308",
              dp,
              `cannot tell the type of the derived column '${c}' from its expression`,
              `write it with a type, e.g. ${c}: {expr: ${JSON.stringify(e)}, type: decimal, precision: 12, scale: 2}`,
            );
          field = { name: c, type: t ?? "unknown", required: false };
        } else {
          field = { name: c, type: d.type, required: false };
          decimalSettings(ctx, field, d, dp, "columns");
        }
        columns[c] = { expr: e, field };
        cols = [...cols.filter((x) => x.name !== c), field];
      }
      steps.push({ kind: "derive", columns });
    } else if (step.rename) {
      for (const [a, b] of Object.entries(step.rename)) {
        const f = need(`${sp}/rename/${a}`, a, `step ${i + 1}`);
        if (f && cols.some((x) => x.name === b))
          err(
            ctx,
            "PG302",
            `${sp}/rename/${a}`,
            `renaming '${a}' to '${b}' would replace the existing column '${b}'`,
          );
        cols = cols.map((x) => (x.name === a ? { ...x, name: b } : x));
      }
      steps.push({ kind: "rename", columns: step.rename });
    } else if (step.drop) {
      step.drop.forEach((c, j) => need(`${sp}/drop/${j}`, c, `step ${i + 1}`));
      cols = cols.filter((x) => !step.drop!.includes(x.name));
      steps.push({ kind: "drop", columns: step.drop });
    } else if (step.dedupe) {
      step.dedupe.key.forEach((c, j) => need(`${sp}/dedupe/key/${j}`, c, `step ${i + 1}`));
      if (step.dedupe.on) {
        const f = need(`${sp}/dedupe/on`, step.dedupe.on, `step ${i + 1}`);
        if (f && f.type !== "timestamp")
          err(
            ctx,
            "PG307",
            `${sp}/dedupe/on`,
            `dedupe 'on' must be a timestamp column; '${f.name}' is ${f.type}`,
          );
        if (!step.dedupe.watermark)
          err(
            ctx,
            "PG204",
            `${sp}/dedupe`,
            "dedupe 'on' an event-time column needs a 'watermark' to bound its state",
            undefined,
            "key",
          );
      }
      steps.push({
        kind: "dedupe",
        key: step.dedupe.key,
        on: step.dedupe.on ?? null,
        watermarkMs: step.dedupe.watermark ? durationMs(step.dedupe.watermark) : null,
      });
    } else if (step.join) {
      const j = step.join;
      const conn = r.connRef(
        `${sp}/join/connection`,
        j.connection,
        ["postgres", "mysql"],
        "a lookup join",
      );
      j.on.forEach((c, k) => need(`${sp}/join/on/${k}`, c, `step ${i + 1}`));
      for (const c of j.select)
        cols = [...cols.filter((x) => x.name !== c), { name: c, type: "unknown", required: false }];
      if (conn)
        steps.push({
          kind: "join",
          connection: conn,
          table: j.table,
          on: j.on,
          select: j.select,
          how: j.how ?? "left",
        });
    } else if (isAgg) {
      if (!step.aggregate) {
        err(ctx, "PG204", sp, "an aggregation step needs 'aggregate'", undefined, "key");
        return;
      }
      let window: Extract<I.StreamStep, { kind: "aggregate" }>["window"] = null;
      if (step.window) {
        const w = step.window;
        const f = need(`${sp}/window/on`, w.on, `step ${i + 1}`);
        if (f && f.type !== "timestamp")
          err(
            ctx,
            "PG307",
            `${sp}/window/on`,
            `a window is 'on' a timestamp column; '${f.name}' is ${f.type}`,
          );
        window = {
          on: w.on,
          sizeMs: durationMs(w.size),
          slideMs: w.slide ? durationMs(w.slide) : null,
          watermarkMs: durationMs(w.watermark),
        };
        if (window.slideMs !== null && window.slideMs > window.sizeMs)
          err(
            ctx,
            "PG305",
            `${sp}/window/slide`,
            `slide ${w.slide} is longer than the window size ${w.size}: records would fall between windows`,
          );
      }
      const groupBy = step.groupBy ?? [];
      const out: I.Field[] = window
        ? [
            { name: "window_start", type: "timestamp", required: true },
            { name: "window_end", type: "timestamp", required: true },
          ]
        : [];
      groupBy.forEach((c, j) => {
        const f = need(`${sp}/groupBy/${j}`, c, `step ${i + 1}`);
        if (f) out.push(f);
      });
      const aggregates: Array<{ name: string; fn: string; column: string | null }> = [];
      for (const [a, e] of Object.entries(step.aggregate)) {
        const m = /^\s*([a-z_]+)\(\s*(\*|[a-z][a-z0-9_]*)\s*\)\s*$/.exec(e)!;
        const fn = m[1]!;
        const column = m[2] === "*" ? null : m[2]!;
        if (column === null && fn !== "count")
          err(
            ctx,
            "PG203",
            `${sp}/aggregate/${a}`,
            `${fn}(*) is not an aggregate; only count(*) takes '*'`,
          );
        let src: I.Field | undefined;
        if (column !== null) {
          src = need(`${sp}/aggregate/${a}`, column, `step ${i + 1}`);
          if (src && (fn === "sum" || fn === "avg") && !numeric.has(src.type))
            err(
              ctx,
              "PG307",
              `${sp}/aggregate/${a}`,
              `${fn}(${column}) needs a numeric column; '${column}' is ${src.type}`,
            );
        }
        if (out.some((x) => x.name === a))
          err(
            ctx,
            "PG302",
            `${sp}/aggregate/${a}`,
            `aggregate '${a}' has the name of another output column`,
            undefined,
            "key",
          );
        out.push(aggregateField(a, fn, src));
        aggregates.push({ name: a, fn, column });
      }
      if (checking) cols = out;
      steps.push({ kind: "aggregate", window, groupBy, aggregates });
    }
  });

  const eventTime = steps.flatMap((x, i) =>
    x.kind === "dedupe" && x.on
      ? [[x.on, i] as const]
      : x.kind === "aggregate" && x.window
        ? [[x.window.on, i] as const]
        : [],
  );
  for (const [col, i] of eventTime.slice(1))
    if (col !== eventTime[0]![0])
      err(
        ctx,
        "PG305",
        `${p}/steps/${i}`,
        `this step's event time is '${col}' but an earlier step's is '${eventTime[0]![0]}'`,
        "Spark keeps one watermark per stream: use the same event-time column in every dedupe and window",
      );

  const sinks: I.Sink[] = [];
  st.to.forEach((t, i) => {
    const tp = `${p}/to/${i}`;
    const keyCheck = (key: readonly string[]) =>
      key.forEach((c, j) => need(`${tp}/key/${j}`, c, "the stream's output"));
    if (t.topic !== undefined) {
      const extra = [
        "connection",
        "table",
        "collection",
        "path",
        "mode",
        "format",
        "partitionBy",
      ].filter((k) => (t as Record<string, unknown>)[k] !== undefined);
      if (extra.length)
        err(ctx, "PG305", tp, `a Kafka sink takes 'topic' and 'key' only, not ${extra.join(", ")}`);
      const topic = r.topicRef(`${tp}/topic`, t.topic);
      if (t.key && t.key.length !== 1)
        err(ctx, "PG305", `${tp}/key`, "a Kafka sink's key is one column");
      if (t.key) keyCheck(t.key);
      if (topic) sinks.push({ kind: "kafka", topic, key: t.key?.[0] ?? null });
      return;
    }
    if (t.connection === undefined) {
      err(ctx, "PG204", tp, "a sink needs 'topic' or 'connection'", undefined, "key");
      return;
    }
    const conn = r.connRef(
      `${tp}/connection`,
      t.connection,
      ["postgres", "mysql", "cassandra", "mongodb", "s3", "files"],
      "a sink",
    );
    if (!conn) return;
    if (conn.type === "postgres" || conn.type === "mysql" || conn.type === "cassandra") {
      if (!t.table)
        return err(ctx, "PG204", tp, `a ${conn.type} sink needs 'table'`, undefined, "key");
      const mode = t.mode ?? (conn.type === "cassandra" ? "upsert" : "append");
      const key = t.key ?? [];
      if (mode === "upsert" && key.length === 0)
        err(
          ctx,
          "PG204",
          tp,
          `an upsert into ${conn.type} needs 'key'`,
          "list the columns that identify a row, e.g. key: [customer_id, window_start]",
          "key",
        );
      if (conn.type === "cassandra" && mode === "append")
        err(
          ctx,
          "PG305",
          `${tp}/mode`,
          "Cassandra writes are always upserts by primary key",
          "remove 'mode' or write 'mode: upsert'",
        );
      keyCheck(key);
      if (conn.type === "cassandra")
        sinks.push({ kind: "cassandra", connection: conn, table: t.table, mode: "upsert", key });
      else sinks.push({ kind: "jdbc", connection: conn, table: t.table, mode, key });
    } else if (conn.type === "mongodb") {
      if (!t.collection)
        return err(ctx, "PG204", tp, "a MongoDB sink needs 'collection'", undefined, "key");
      const key = t.key ?? [];
      if (key.length === 0)
        err(
          ctx,
          "PG204",
          tp,
          "a MongoDB sink needs 'key': the columns its _id is made of",
          undefined,
          "key",
        );
      keyCheck(key);
      sinks.push({ kind: "mongodb", connection: conn, collection: t.collection, key });
    } else {
      const partitionBy = t.partitionBy ?? [];
      partitionBy.forEach((c, j) => need(`${tp}/partitionBy/${j}`, c, "the stream's output"));
      sinks.push({
        kind: "files",
        connection: conn,
        path: t.path ?? name,
        format: t.format ?? "parquet",
        partitionBy,
      });
    }
  });

  const typed = sinks.some((k) => k.kind === "jdbc" || k.kind === "cassandra");
  if (typed && checking)
    for (const f of cols)
      if (f.type === "unknown")
        err(
          ctx,
          "PG308",
          `${p}/to`,
          `column '${f.name}' reaches a table sink but its type is unknown`,
          "give the step that makes it a type (derive: {col: {expr, type}}) or drop the column before the sink",
        );

  let trigger: I.Stream["trigger"];
  const tr: NonNullable<typeof st.trigger> = st.trigger ?? defaults.trigger;
  if ("availableNow" in tr && tr.availableNow) {
    if ("every" in tr && tr.every)
      err(
        ctx,
        "PG305",
        `${p}/trigger`,
        "a trigger is either 'every' (long-running) or 'availableNow' (scheduled), not both",
      );
    trigger = { kind: "availableNow", schedule: tr.schedule ?? null };
  } else {
    if (tr.schedule)
      err(
        ctx,
        "PG305",
        `${p}/trigger/schedule`,
        "'schedule' applies to 'availableNow' streams; a long-running stream runs continuously",
        "add 'availableNow: true' or remove 'schedule'",
        "key",
      );
    trigger = { kind: "every", everyMs: durationMs(tr.every ?? defaults.trigger.every) };
  }
  if (!from || !onInvalid) return undefined;
  return {
    name,
    from: {
      topic: from,
      startingOffsets: st.from.startingOffsets ?? defaults.startingOffsets,
      maxOffsetsPerTrigger: st.from.maxOffsetsPerTrigger ?? null,
      failOnDataLoss: st.from.failOnDataLoss ?? true,
    },
    quality,
    onInvalid,
    steps,
    output: cols,
    sinks,
    trigger,
    resources: {
      executors: st.resources?.executors ?? null,
      executorCores: st.resources?.executorCores ?? null,
      executorMemory: st.resources?.executorMemory ?? null,
      driverMemory: st.resources?.driverMemory ?? null,
    },
    ...(st.doc ? { doc: st.doc } : {}),
  };
}
