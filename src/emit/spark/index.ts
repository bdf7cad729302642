import { createHash } from "node:crypto";
import type {
  Archive,
  Connection,
  Field,
  Pipeline,
  Sink,
  Stream,
  Topic,
  ValueRef,
} from "../../ir/types.js";
import { avroSchema } from "../kafka/avro.js";
import { headerComment, headerLines, headerText } from "../shared/header.js";
import { stableJson } from "../shared/json.js";
import { render } from "../shared/templates.js";
import type { GeneratedFile } from "../shared/types.js";
import {
  createBatchTable,
  createTable,
  markStatement,
  mergeStatement,
  stageStatement,
  type Dialect,
} from "./sql.js";
import { cassandraDriver, sparkPackages } from "./versions.js";
import { cassandraInsert, createCassandraTable, createKeyspace } from "./cql.js";

export const sparkPaths = {
  job: (p: string, name: string) => `${p}/spark/${name}.py`,
  submit: (p: string, name: string) => `${p}/spark/${name}.submit.json`,
  ddl: (p: string, connection: string) => `${p}/spark/ddl/${connection}.sql`,
};

const sparkTypes: Record<Exclude<Field["type"], "unknown">, string> = {
  string: "StringType",
  int: "IntegerType",
  long: "LongType",
  float: "FloatType",
  double: "DoubleType",
  boolean: "BooleanType",
  decimal: "DecimalType",
  timestamp: "TimestampType",
  date: "DateType",
  bytes: "BinaryType",
};

/** The Spark SQL name of a field's type, for casts. */
export function sparkSqlType(f: Field): string {
  switch (f.type) {
    case "decimal":
      return `decimal(${f.precision ?? 38},${f.scale ?? 0})`;
    case "long":
      return "bigint";
    case "bytes":
      return "binary";
    case "unknown":
      throw new Error(`field ${f.name} has no known type`);
    default:
      return f.type;
  }
}

/** Milliseconds as a Spark interval string ("10 minutes"). */
export function interval(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, "days"],
    [3_600_000, "hours"],
    [60_000, "minutes"],
    [1000, "seconds"],
  ];
  for (const [size, name] of units) if (ms % size === 0) return `${ms / size} ${name}`;
  return `${ms} milliseconds`;
}

const jdbcDrivers: Record<Dialect, string> = {
  postgres: "org.postgresql.Driver",
  mysql: "org.mariadb.jdbc.Driver",
};

/** The JDBC URL of a postgres or mysql connection as a ValueRef (references resolved at run time). */
export function jdbcUrl(c: Connection): ValueRef {
  const parts: Array<string | { kind: "env" | "secret"; name: string }> = [];
  const add = (v: unknown) => {
    if (typeof v === "number") parts.push(String(v));
    else {
      const r = v as ValueRef;
      if (r.kind === "literal") parts.push(r.value);
      else if (r.kind === "template") parts.push(...r.parts);
      else parts.push({ kind: r.kind, name: r.name });
    }
  };
  // MySQL and MariaDB: the MariaDB driver, with the jdbc:mysql: scheme (permitMysqlScheme) so
  // that Spark picks its MySQL dialect; it has none for jdbc:mariadb:.
  parts.push(c.type === "postgres" ? "jdbc:postgresql://" : "jdbc:mysql://");
  add(c.settings.host);
  parts.push(":");
  add(c.settings.port ?? (c.type === "postgres" ? 5432 : 3306));
  parts.push("/");
  add(c.settings.database);
  if (c.type === "mysql") parts.push("?permitMysqlScheme");
  const merged: typeof parts = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (typeof p === "string" && typeof last === "string") merged[merged.length - 1] = last + p;
    else merged.push(p);
  }
  return merged.length === 1 && typeof merged[0] === "string"
    ? { kind: "literal", value: merged[0] }
    : { kind: "template", parts: merged };
}

const short = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 8);

function groupCoveredBy(s: Stream, key: readonly string[]): boolean {
  const agg = [...s.steps].reverse().find((x) => x.kind === "aggregate");
  if (!agg || agg.kind !== "aggregate") return false;
  const group = [...(agg.window ? ["window_start"] : []), ...agg.groupBy];
  const after = s.steps.slice(s.steps.indexOf(agg) + 1);
  return (
    after.every((x) => x.kind === "filter" || x.kind === "drop") &&
    group.every((c) => key.includes(c))
  );
}

/** Columns flow into table sinks in this order; upserts need their key. */
function jdbcSinkData(p: Pipeline, s: Stream, sink: Extract<Sink, { kind: "jdbc" }>, i: number) {
  const dialect: Dialect = sink.connection.type === "postgres" ? "postgres" : "mysql";
  const cols = s.output.map((f) => f.name);
  const stage = `pipegen_stage_${s.name.slice(0, 30)}_${short(`${p.name}.${s.name}.${i}`)}`;
  return {
    connectionFn: `jdbc_${sink.connection.name}`,
    sinkId: `${p.name}.${s.name}.${i}.${sink.table}`,
    stage,
    upsert: sink.mode === "upsert",
    // An upsert batch must hold each key once; an aggregation's update-mode output already does
    // when the key covers its group (window start and group columns).
    dedupeBatch: sink.mode === "upsert" && !groupCoveredBy(s, sink.key),
    key: sink.key,
    stageSql: stageStatement(sink.table, stage, dialect),
    mergeSql: mergeStatement(sink, stage, cols, dialect),
    markSql: markStatement(dialect),
  };
}

function refJson(r: ValueRef): unknown {
  if (r.kind === "literal") return r.value;
  if (r.kind === "env" || r.kind === "secret") return { [r.kind]: r.name };
  return { template: r.parts.map((x) => (typeof x === "string" ? x : { [x.kind]: x.name })) };
}

/** Environment variables a connection's settings read (lists such as contactPoints included). */
function connectionEnv(c: Connection): string[] {
  return Object.values(c.settings)
    .flat()
    .filter((v): v is ValueRef => !!v && typeof v === "object" && "kind" in v)
    .flatMap((v) => envNames(v));
}

function envNames(...refs: Array<ValueRef | undefined | null>): string[] {
  const out: string[] = [];
  for (const r of refs) {
    if (!r) continue;
    if (r.kind === "env" || r.kind === "secret") out.push(r.name);
    if (r.kind === "template") for (const x of r.parts) if (typeof x !== "string") out.push(x.name);
  }
  return out;
}

function filePath(c: Connection, path: string): ValueRef {
  if (c.type === "s3") {
    const bucket = (c.settings.bucket as ValueRef & { kind: "literal" }).value;
    const prefix = c.settings.prefix
      ? (c.settings.prefix as ValueRef & { kind: "literal" }).value
      : "";
    return { kind: "literal", value: `s3a://${bucket}/${prefix}${path}` };
  }
  const base = c.settings.path as ValueRef;
  const join = (s: string) => `${s.replace(/\/+$/, "")}/${path}`;
  if (base.kind === "literal") return { kind: "literal", value: join(base.value) };
  if (base.kind === "template") return { kind: "template", parts: [...base.parts, `/${path}`] };
  return { kind: "template", parts: [base, `/${path}`] };
}

/** What every job reading a topic needs: the record schema, its encoding and the Kafka client settings. */
function sourceData(p: Pipeline, topic: Topic) {
  const schema = topic.schema!;
  const k = p.platform.kafka;
  const sasl = k.saslMechanism
    ? {
        mechanism: k.saslMechanism,
        loginModule:
          k.saslMechanism === "PLAIN"
            ? "org.apache.kafka.common.security.plain.PlainLoginModule"
            : "org.apache.kafka.common.security.scram.ScramLoginModule",
        user: k.saslUser,
        password: k.saslPassword,
      }
    : null;
  const avro = topic.format === "avro";
  const firstRequired = avro ? (schema.fields.find((f) => f.required)?.name ?? null) : null;
  return {
    avro,
    firstRequired: firstRequired === null ? null : `__pg_record.${firstRequired}`,
    avroReduce: avro && firstRequired === null,
    avroSchema: avro
      ? JSON.stringify({ ...avroSchema(schema, `pipegen.${p.name}`, ""), $comment: undefined })
      : null,
    fields: schema.fields.map((f) => ({
      name: f.name,
      sparkType: sparkTypes[f.type as Exclude<Field["type"], "unknown">],
      decimal: f.type === "decimal",
      precision: f.precision ?? 38,
      scale: f.scale ?? 0,
      nullable: !f.required,
    })),
    bootstrapServers: k.bootstrapServers,
    checkpointRoot: p.platform.spark.checkpointRoot,
    sasl: sasl !== null,
    kafkaSecurity:
      k.securityProtocol === "PLAINTEXT"
        ? null
        : {
            protocol: k.securityProtocol,
            mechanism: sasl?.mechanism ?? null,
            loginModule: sasl?.loginModule ?? null,
            user: sasl?.user ?? null,
            password: sasl?.password ?? null,
          },
  };
}

function submission(
  p: Pipeline,
  name: string,
  packages: string[],
  env: Set<string>,
  extra: object,
) {
  return stableJson({
    $comment: headerText(p),
    name: `pipegen.${p.name}.${name}`,
    application: `${name}.py`,
    master: refJson(p.platform.spark.master),
    deployMode: p.platform.spark.deployMode,
    packages: [...packages].sort(),
    conf: {
      ...p.platform.spark.conf,
      "spark.sql.shuffle.partitions": String(p.platform.spark.shufflePartitions),
      "spark.sql.session.timeZone": "UTC",
      "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
      "spark.executor.extraJavaOptions": "-Duser.timezone=UTC",
    },
    environment: [...env].sort(),
    ...extra,
  });
}

function archiveJob(p: Pipeline, a: Archive): { job: string; submit: string } {
  const src = sourceData(p, a.from);
  const path = filePath(a.to.connection, a.to.path);
  const job = render("spark/archive_job.py.hbs", {
    header: headerComment(p),
    pipeline: p.name,
    archive: a.name,
    sourceTopic: a.from.name,
    format: a.to.format,
    partitionBy: a.to.partitionBy,
    shufflePartitions: p.platform.spark.shufflePartitions,
    path,
    ...src,
  });
  const k = p.platform.kafka;
  const s3 = a.to.connection.settings as Record<string, ValueRef | undefined>;
  const env = new Set(
    envNames(
      k.bootstrapServers,
      p.platform.spark.checkpointRoot,
      k.saslUser,
      k.saslPassword,
      path,
      s3.endpoint,
      s3.region,
      s3.accessKey,
      s3.secretKey,
    ),
  );
  const packages = [
    sparkPackages.kafka,
    ...(src.avro ? [sparkPackages.avro] : []),
    ...(a.to.connection.type === "s3" ? [sparkPackages.hadoopAws] : []),
  ];
  const conf: Record<string, string> = {};
  const submit = submission(p, a.name, packages, env, {
    s3: a.to.connection.type === "s3" ? s3Conf(a.to.connection) : null,
    resources: {
      numExecutors: null,
      executorCores: null,
      executorMemory: null,
      driverMemory: null,
    },
    pythonRequirements: [],
    longRunning: false,
    schedule: a.schedule,
    ...conf,
  });
  return { job, submit };
}

/** Hadoop S3A settings of an s3 connection; credentials only from the environment (or the instance's role). */
function s3Conf(c: Connection) {
  const lit = (v: unknown) => (v === undefined ? null : refJson(v as ValueRef));
  return {
    endpoint: lit(c.settings.endpoint),
    region: lit(c.settings.region),
    pathStyle: c.settings.pathStyle === true,
    accessKey: lit(c.settings.accessKey),
    secretKey: lit(c.settings.secretKey),
  };
}

/**
 * The datacenter the Cassandra writer's DCAwareRoundRobinPolicy treats as local: the connection's
 * localDatacenter, else the only datacenter its NetworkTopologyStrategy replication names (a
 * keyspace replicated to dc1 alone lives on dc1's nodes), else Cassandra's default "datacenter1".
 */
function cassandraLocalDc(c: Connection): ValueRef {
  if (c.settings.localDatacenter) return c.settings.localDatacenter as ValueRef;
  const r = (c.settings.replication ?? {}) as { datacenters?: Record<string, number> };
  const dcs = Object.keys(r.datacenters ?? {});
  return { kind: "literal", value: dcs.length === 1 ? dcs[0]! : "datacenter1" };
}

function streamJob(p: Pipeline, s: Stream): { job: string; submit: string } {
  const topic = s.from.topic;
  const schema = topic.schema!;
  const hasAggregate = s.steps.some((x) => x.kind === "aggregate");
  const jdbc = s.sinks.filter((x): x is Extract<Sink, { kind: "jdbc" }> => x.kind === "jdbc");
  const kafka = s.sinks.filter((x): x is Extract<Sink, { kind: "kafka" }> => x.kind === "kafka");
  const files = s.sinks.filter((x): x is Extract<Sink, { kind: "files" }> => x.kind === "files");
  const mongo = s.sinks.filter(
    (x): x is Extract<Sink, { kind: "mongodb" }> => x.kind === "mongodb",
  );
  const cassandra = s.sinks.filter(
    (x): x is Extract<Sink, { kind: "cassandra" }> => x.kind === "cassandra",
  );
  const connections = [...new Map(jdbc.map((x) => [x.connection.name, x.connection])).values()];
  const lookups = s.steps.flatMap((x, i) =>
    x.kind === "join" ? [{ step: x, name: `step_${i + 1}` }] : [],
  );
  for (const l of lookups)
    if (!connections.some((c) => c.name === l.step.connection.name))
      connections.push(l.step.connection);
  const rules: object[] = [];
  // Avro cannot encode a null in a required field: after decoding, such checks cannot fail,
  // and every column they touch would repeat the decoder in Spark's plan.
  const avroRequired = new Set(
    topic.format === "avro" ? schema.fields.filter((f) => f.required).map((f) => f.name) : [],
  );
  for (const f of schema.fields)
    if (f.required && !avroRequired.has(f.name))
      rules.push({
        isNull: true,
        column: f.name,
        reason: `schema: required field ${f.name} is null`,
      });
  for (const q of s.quality) {
    if (q.kind === "notNull")
      for (const c of q.columns.filter((c) => !avroRequired.has(c)))
        rules.push({ isNull: true, column: c, reason: `${q.name}: ${c} is null` });
    else if (q.kind === "check")
      rules.push({ check: q.expr, reason: `${q.name}: check failed: ${q.expr}` });
    else
      rules.push({
        values: q.values,
        column: q.columns[0],
        reason: `${q.name}: ${q.columns[0]} not in the allowed values`,
      });
  }
  // Spark allows one watermark per stream: it is defined at the first event-time step, with the
  // longest delay any step asks for, and holds for every stateful step after it.
  const delays = s.steps.flatMap((x) =>
    x.kind === "dedupe" && x.watermarkMs !== null
      ? [x.watermarkMs]
      : x.kind === "aggregate" && x.window
        ? [x.window.watermarkMs]
        : [],
  );
  let watermarkSet = false;
  const watermark = () => {
    if (watermarkSet || delays.length === 0) return null;
    watermarkSet = true;
    return interval(Math.max(...delays));
  };
  const steps = s.steps.map((x, i) => {
    switch (x.kind) {
      case "filter":
        return { filter: x.expr };
      case "select":
        return { select: x.columns };
      case "drop":
        return { drop: x.columns };
      case "derive":
        return {
          derive: Object.entries(x.columns).map(([name, d]) => ({
            name,
            expr: d.expr,
            sqlType: sparkSqlType(d.field),
          })),
        };
      case "rename":
        return { rename: Object.entries(x.columns).map(([from, to]) => ({ from, to })) };
      case "dedupe":
        return {
          dedupe: {
            key: x.key,
            on: x.on,
            watermark: x.on === null ? null : watermark(),
          },
        };
      case "join":
        return { join: { name: `step_${i + 1}`, on: x.on, how: x.how } };
      case "aggregate":
        return {
          aggregate: {
            window: x.window && {
              on: x.window.on,
              size: interval(x.window.sizeMs),
              slide: x.window.slideMs === null ? null : interval(x.window.slideMs),
              watermark: watermark(),
            },
            groupBy: x.groupBy,
            aggregates: x.aggregates,
          },
        };
    }
  });
  const data = {
    header: headerComment(p),
    pipeline: p.name,
    stream: s.name,
    sourceTopic: topic.name,
    startingOffsets: s.from.startingOffsets,
    maxOffsetsPerTrigger: s.from.maxOffsetsPerTrigger,
    failOnDataLoss: s.from.failOnDataLoss,
    deadLetterTopic: s.onInvalid.kind === "deadLetter" ? s.onInvalid.topic.name : null,
    shufflePartitions: p.platform.spark.shufflePartitions,
    triggerEvery: s.trigger.kind === "every" ? interval(s.trigger.everyMs) : null,
    outputMode: hasAggregate
      ? jdbc.some((x) => x.mode === "append")
        ? "append"
        : "update"
      : "append",
    ...sourceData(p, topic),
    connections: connections.map((c) => ({
      fn: `jdbc_${c.name}`,
      url: jdbcUrl(c),
      user: c.settings.user as ValueRef,
      password: (c.settings.password as ValueRef | undefined) ?? { kind: "literal", value: "" },
      driver: jdbcDrivers[c.type === "postgres" ? "postgres" : "mysql"],
    })),
    rules,
    steps,
    output: s.output.map((f) => f.name),
    lookups: lookups.map((l) => ({
      name: l.name,
      connectionFn: `jdbc_${l.step.connection.name}`,
      table: l.step.table,
      columns: [...l.step.on, ...l.step.select],
    })),
    jdbcSinks: jdbc.map((x) => jdbcSinkData(p, s, x, s.sinks.indexOf(x))),
    kafkaSinks: kafka.map((x) => ({ topic: x.topic.name, key: x.key })),
    mongoSinks: mongo.map((x) => ({
      uri: x.connection.settings.uri,
      database: x.connection.settings.database,
      collection: x.collection,
      key: x.key,
    })),
    cassandraSinks: cassandra.map((x) => ({
      contactPoints: x.connection.settings.contactPoints,
      port:
        x.connection.settings.port === undefined
          ? { kind: "literal", value: "9042" }
          : typeof x.connection.settings.port === "number"
            ? { kind: "literal", value: String(x.connection.settings.port) }
            : x.connection.settings.port,
      localDc: cassandraLocalDc(x.connection),
      user: x.connection.settings.user ?? null,
      password: x.connection.settings.password ?? null,
      cql: cassandraInsert(
        x.connection,
        x,
        s.output.map((f) => f.name),
      ),
    })),
    hasBatchSinks: jdbc.length + kafka.length + mongo.length + cassandra.length > 0,
    fileSinks: files.map((x) => ({
      name: `files_${s.sinks.indexOf(x)}`,
      format: x.format,
      partitionBy: x.partitionBy,
      path: filePath(x.connection, x.path),
    })),
  };
  const job = render("spark/stream_job.py.hbs", data);
  const k = p.platform.kafka;
  const env = new Set<string>(
    envNames(k.bootstrapServers, p.platform.spark.checkpointRoot, k.saslUser, k.saslPassword),
  );
  const packages: string[] = [sparkPackages.kafka, ...(data.avro ? [sparkPackages.avro] : [])];
  if (connections.some((c) => c.type === "postgres")) packages.push(sparkPackages.postgres);
  if (connections.some((c) => c.type === "mysql")) packages.push(sparkPackages.mysql);
  if (mongo.length) packages.push(sparkPackages.mongodb);
  for (const c of [
    ...connections,
    ...mongo.map((m) => m.connection),
    ...cassandra.map((x) => x.connection),
  ])
    for (const n of connectionEnv(c)) env.add(n);
  for (const f of data.fileSinks) for (const n of envNames(f.path)) env.add(n);
  const submit = submission(p, s.name, packages, env, {
    resources: {
      numExecutors: s.resources.executors,
      executorCores: s.resources.executorCores,
      executorMemory: s.resources.executorMemory,
      driverMemory: s.resources.driverMemory,
    },
    pythonRequirements: cassandra.length ? [cassandraDriver] : [],
    longRunning: s.trigger.kind === "every",
    schedule: s.trigger.kind === "availableNow" ? s.trigger.schedule : null,
  });
  return { job, submit };
}

function ddlFiles(p: Pipeline): GeneratedFile[] {
  const byConn = new Map<string, { dialect: Dialect; statements: string[] }>();
  for (const s of p.streams)
    for (const sink of s.sinks) {
      if (sink.kind !== "jdbc") continue;
      const dialect: Dialect = sink.connection.type === "postgres" ? "postgres" : "mysql";
      const entry = byConn.get(sink.connection.name) ?? {
        dialect,
        statements: [createBatchTable(dialect)],
      };
      entry.statements.push(
        `-- stream ${s.name}, ${sink.mode}\n${createTable(sink.table, s.output, sink.key, dialect)}`,
      );
      byConn.set(sink.connection.name, entry);
    }
  const cql = new Map<string, string[]>();
  for (const s of p.streams)
    for (const sink of s.sinks) {
      if (sink.kind !== "cassandra") continue;
      const entry = cql.get(sink.connection.name) ?? [createKeyspace(sink.connection)];
      entry.push(`-- stream ${s.name}\n${createCassandraTable(sink.connection, sink, s.output)}`);
      cql.set(sink.connection.name, entry);
    }
  const cqlFiles = [...cql.entries()].map(([conn, statements]) => ({
    path: `${p.name}/spark/ddl/${conn}.cql`,
    content: `-- ${headerLines(p).join("\n-- ")}\n-- Keyspace and tables of connection ${conn} (Cassandra) written by this pipeline's Spark jobs.\n\n${statements.join("\n\n")}\n`,
  }));
  return [
    ...cqlFiles,
    ...[...byConn.entries()].map(([conn, e]) => ({
      path: sparkPaths.ddl(p.name, conn),
      content: `-- ${headerLines(p).join("\n-- ")}\n-- Tables of connection ${conn} (${e.dialect}) written by this pipeline's Spark jobs.\n\n${e.statements.join("\n\n")}\n`,
    })),
  ];
}

/**
 * The Spark target's files per pipeline: the Airflow target reads the same submissions, so a
 * build renders each pipeline's jobs once. Keyed by the IR object, which is deeply frozen.
 */
const emitted = new WeakMap<Pipeline, readonly GeneratedFile[]>();

/** Spark target: one Structured Streaming job per stream with its submission settings, and sink DDL. */
export function emitSpark(p: Pipeline): GeneratedFile[] {
  let files = emitted.get(p);
  if (!files) {
    files = Object.freeze(renderSpark(p).map((f) => Object.freeze(f)));
    emitted.set(p, files);
  }
  return [...files];
}

function renderSpark(p: Pipeline): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  for (const s of p.streams) {
    const { job, submit } = streamJob(p, s);
    files.push({ path: sparkPaths.job(p.name, s.name), content: job, format: "python" });
    files.push({ path: sparkPaths.submit(p.name, s.name), content: submit });
  }
  for (const a of p.archive) {
    const { job, submit } = archiveJob(p, a);
    files.push({ path: sparkPaths.job(p.name, a.name), content: job, format: "python" });
    files.push({ path: sparkPaths.submit(p.name, a.name), content: submit });
  }
  files.push(...ddlFiles(p));
  return files;
}
