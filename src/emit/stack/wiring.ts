/**
 * What the local stack must set for the generated files to reach its services: the value of
 * every ${env:...} and ${secret:...} a pipeline reads (Airflow variables of the same names,
 * which the DAGs hand to the jobs and to the NiFi flow), the Airflow connections the DAGs use,
 * the databases, users, buckets and checkpoint folders the services must hold; and what cannot
 * be wired, as findings placed at the spec's setting.
 */
import { refsOf } from "../../ir/refs.js";
import { nifiJdbcDriverDir, sparkPaths } from "../../ir/names.js";
import type { Connection, Pipeline, ValueRef } from "../../ir/types.js";
import { type ServiceName, stackValues as v } from "./images.js";

/** A setting the stack cannot wire, at its JSON pointer in the pipeline's spec. */
export interface StackFinding {
  pipeline: string;
  file: string;
  pointer: string;
  message: string;
  hint: string;
}

/** A database (and its owner) one of the SQL services must hold, and the DDL it runs there. */
export interface SqlDatabase {
  service: "postgres" | "mariadb";
  database: string;
  user: string;
  password: string;
  /** DDL files the generated build holds for it, relative to the output root. */
  ddl: string[];
}

export interface Wiring {
  services: Set<ServiceName>;
  /** Airflow variables by name (the spec's env and secret references). */
  variables: Map<string, string>;
  /** Airflow connections by id: the connection as Airflow's JSON form. */
  connections: Map<string, Record<string, unknown>>;
  databases: SqlDatabase[];
  /** CQL files to run against Cassandra, relative to the output root. */
  cql: string[];
  buckets: Set<string>;
  /** Local folders both Airflow (the Spark driver) and the Spark workers must share. */
  sharedPaths: Set<string>;
  /** The JDBC drivers NiFi's connection pools load (the ingest's databases). */
  nifiDrivers: Set<"postgres" | "mysql">;
  /** Cassandra's datacenter name (the writers' local datacenter). */
  cassandraDc: string | null;
  /** Variables AWS SDKs read on the Spark driver and executors (S3 without keys in the spec). */
  awsEnv: boolean;
  findings: StackFinding[];
}

export function emptyWiring(): Wiring {
  return {
    services: new Set(),
    variables: new Map(),
    connections: new Map(),
    databases: [],
    cql: [],
    buckets: new Set(),
    sharedPaths: new Set(),
    nifiDrivers: new Set(),
    cassandraDc: null,
    awsEnv: false,
    findings: [],
  };
}

/** Wires one pipeline into the stack's wiring (pipelines share services, variables, connections). */
export function wirePipeline(p: Pipeline, w: Wiring): void {
  const at = (pointer: string, message: string, hint: string) =>
    w.findings.push({ pipeline: p.name, file: p.specFile, pointer, message, hint });
  const ctx: Ctx = { p, w, at };
  w.services.add("airflow");
  if (p.topics.length) w.services.add("kafka");
  if (p.topics.some((t) => t.subject) || p.platform.kafka.schemaRegistry)
    w.services.add("schema-registry");
  if (p.ingest.length) w.services.add("nifi");
  if (p.streams.length || p.archive.length) w.services.add("spark");
  wirePlatform(ctx);
  for (const i of p.ingest) {
    const c = i.from.connection;
    if (c.type === "mongodb") continue;
    w.nifiDrivers.add(c.type);
    w.variables.set(nifiJdbcDriverDir, v.nifiJdbcDir);
  }
  for (const c of usedConnections(p)) wireConnection(ctx, c);
}

interface Ctx {
  p: Pipeline;
  w: Wiring;
  at: (pointer: string, message: string, hint: string) => void;
}

/** The connections the pipeline's ingest, streams and archives use, by name. */
export function usedConnections(p: Pipeline): Connection[] {
  const names = new Set<string>();
  for (const i of p.ingest) names.add(i.from.connection.name);
  for (const s of p.streams) {
    for (const k of s.sinks) if (k.kind !== "kafka") names.add(k.connection.name);
    for (const st of s.steps) if (st.kind === "join") names.add(st.connection.name);
  }
  for (const a of p.archive) names.add(a.to.connection.name);
  return p.connections.filter((c) => names.has(c.name));
}

/** The connections the pipeline's Spark jobs write to (each has a DDL file in the build). */
function sinkConnections(p: Pipeline): Set<string> {
  const out = new Set<string>();
  for (const s of p.streams)
    for (const k of s.sinks)
      if (k.kind === "jdbc" || k.kind === "cassandra") out.add(k.connection.name);
  return out;
}

/**
 * Gives a setting the stack's value: a reference becomes an Airflow variable of its name; a
 * literal must already be that value. Returns the value the setting has in the stack.
 */
function wire(ctx: Ctx, ref: ValueRef | null, want: string, pointer: string, what: string) {
  if (!ref) return want;
  if (ref.kind === "literal") {
    if (ref.value !== want)
      ctx.at(
        pointer,
        `${what} is '${ref.value}', written in the spec: in the local stack it must be '${want}'`,
        `give it as a reference (\${env:NAME}) that the stack can set, or build with an environment that sets '${want}'`,
      );
    return ref.value;
  }
  if (ref.kind === "template") {
    ctx.at(
      pointer,
      `${what} mixes text and references: the stack cannot choose values that make it '${want}'`,
      `give ${what} as one reference (\${env:NAME}) that the stack can set`,
    );
    return want;
  }
  const had = ctx.w.variables.get(ref.name);
  if (had !== undefined && had !== want)
    ctx.at(
      pointer,
      `${ref.kind === "secret" ? "secret" : "variable"} ${ref.name} would need two values in the stack: '${had}' and '${want}'`,
      `use a reference of its own for ${what}`,
    );
  else ctx.w.variables.set(ref.name, want);
  return want;
}

/** Every other reference of a value: set to a value of its own when the stack has none to give. */
function wireFree(ctx: Ctx, ref: ValueRef | null, pointer: string, what: string) {
  for (const r of refsOf(ref)) {
    if (ctx.w.variables.has(r.name)) continue;
    ctx.at(
      pointer,
      `${what} reads ${r.kind === "secret" ? "secret" : "variable"} ${r.name}, which no service of the stack provides`,
      `set the Airflow variable ${r.name} yourself (AIRFLOW_VAR_${r.name} in compose.yaml's x-airflow-common environment)`,
    );
  }
}

function wirePlatform(ctx: Ctx) {
  const { kafka, nifi, spark, airflow } = ctx.p.platform;
  const pk = "/platform/kafka";
  wire(
    ctx,
    kafka.bootstrapServers,
    v.kafkaBootstrap,
    `${pk}/bootstrapServers`,
    "Kafka's bootstrap servers",
  );
  if (ctx.w.services.has("schema-registry"))
    wire(
      ctx,
      kafka.schemaRegistry,
      v.registryUrl,
      `${pk}/schemaRegistry`,
      "the schema registry's URL",
    );
  if (kafka.securityProtocol !== "PLAINTEXT")
    ctx.at(
      `${pk}/securityProtocol`,
      `Kafka's security protocol is ${kafka.securityProtocol}: the stack's broker listens in PLAINTEXT`,
      "build the stack with an environment whose platform.kafka.securityProtocol is PLAINTEXT",
    );
  if (ctx.w.services.has("nifi"))
    wire(ctx, nifi.url, v.nifiUrl, "/platform/nifi/url", "NiFi's URL");
  if (ctx.w.services.has("spark")) wireSpark(ctx, spark);
  if (ctx.p.platform.lineage)
    wireFree(ctx, ctx.p.platform.lineage.url, "/platform/lineage/url", "the OpenLineage URL");
  const conns = ctx.w.connections;
  conns.set(airflow.kafkaConnection, {
    conn_type: "kafka",
    extra: { "bootstrap.servers": v.kafkaBootstrap },
  });
  if (ctx.w.services.has("schema-registry"))
    conns.set(airflow.schemaRegistryConnection, { conn_type: "http", host: v.registryUrl });
  if (ctx.w.services.has("nifi"))
    conns.set(airflow.nifiConnection, { conn_type: "http", host: v.nifiUrl });
  if (ctx.w.services.has("spark"))
    conns.set(airflow.sparkConnection, {
      conn_type: "spark",
      host: v.sparkMasterHost,
      port: v.sparkMasterPort,
    });
  const alerts = ctx.p.orchestration.alerts;
  if (alerts.email.length)
    ctx.at(
      "/orchestration/alerts/email",
      "e-mail alerts use the Airflow connection smtp_default: the stack has no mail server",
      "set AIRFLOW_CONN_SMTP_DEFAULT in compose.yaml to a mail server you can reach, or leave alerts unsent",
    );
  if (alerts.slack)
    ctx.at(
      "/orchestration/alerts/slack/connection",
      `Slack alerts use the Airflow connection ${alerts.slack.connection}: a Slack webhook is outside the stack`,
      `set AIRFLOW_CONN_${alerts.slack.connection.toUpperCase()} in compose.yaml to your webhook, or leave alerts unsent`,
    );
}

function wireSpark(ctx: Ctx, spark: Pipeline["platform"]["spark"]) {
  const ps = "/platform/spark";
  if (spark.deployMode === "cluster")
    ctx.at(
      `${ps}/deployMode`,
      "the Spark jobs are submitted in cluster deploy mode: the stack's standalone Spark cannot run a Python application that way",
      "build the pipeline and its stack with an environment whose platform.spark.deployMode is client (e.g. --env dev)",
    );
  if (spark.master.kind !== "literal")
    wire(ctx, spark.master, v.sparkMaster, `${ps}/master`, "Spark's master");
  const root =
    spark.checkpointRoot.kind === "literal"
      ? spark.checkpointRoot.value
      : wire(
          ctx,
          spark.checkpointRoot,
          v.checkpoints,
          `${ps}/checkpointRoot`,
          "the checkpoint root",
        );
  const local = root.startsWith("file:") ? root.replace(/^file:(\/\/)?/, "/") : root;
  if (local.startsWith("/")) ctx.w.sharedPaths.add(local.replace(/\/+$/, "") || "/");
  else if (root.startsWith("s3a://")) ctx.w.buckets.add(root.slice(6).split("/")[0]!);
  else
    ctx.at(
      `${ps}/checkpointRoot`,
      `the checkpoint root '${root}' is on a file system the stack does not have`,
      "build with an environment whose platform.spark.checkpointRoot is a local path or an s3a:// URL",
    );
  if (root.startsWith("s3a://")) ctx.w.services.add("minio");
}

function wireConnection(ctx: Ctx, c: Connection) {
  const at = `/connections/${c.name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  const what = (k: string) => `the ${k} of connection ${c.name}`;
  switch (c.type) {
    case "postgres":
    case "mysql": {
      const service = c.type === "postgres" ? "postgres" : "mariadb";
      ctx.w.services.add(service);
      wire(ctx, c.host, service, `${at}/host`, what("host"));
      wire(ctx, c.port, service === "postgres" ? "5432" : "3306", `${at}/port`, what("port"));
      const database = valueOr(ctx, c.database, c.name, `${at}/database`, what("database"));
      const user = valueOr(ctx, c.user, c.name, `${at}/user`, what("user"));
      const password = valueOr(ctx, c.password, v.password, `${at}/password`, what("password"));
      for (const [k, o] of Object.entries(c.options))
        wireFree(ctx, o, `${at}/options/${k}`, what(`option ${k}`));
      const ddl = sinkConnections(ctx.p).has(c.name) ? [sparkPaths.ddl(ctx.p.name, c.name)] : [];
      ctx.w.databases.push({ service, database, user, password, ddl });
      return;
    }
    case "mongodb":
      ctx.w.services.add("mongodb");
      wire(ctx, c.uri, v.mongoUri, `${at}/uri`, what("URI"));
      valueOr(ctx, c.database, c.name, `${at}/database`, what("database"));
      return;
    case "cassandra":
      wireCassandra(ctx, c, at, what);
      return;
    case "s3":
      ctx.w.services.add("minio");
      ctx.w.buckets.add(c.bucket);
      if (!c.endpoint)
        ctx.at(
          at,
          `connection ${c.name} names no endpoint: its jobs would reach Amazon S3, not the stack's MinIO`,
          `give it endpoint: "\${env:S3_ENDPOINT}" and pathStyle: true (the stack sets S3_ENDPOINT to ${v.s3Endpoint})`,
        );
      else wire(ctx, c.endpoint, v.s3Endpoint, `${at}/endpoint`, what("endpoint"));
      if (c.endpoint && !c.pathStyle)
        ctx.at(
          at,
          `connection ${c.name} uses virtual-host style: MinIO in the stack answers path-style requests`,
          "give it pathStyle: true",
        );
      wire(ctx, c.region, v.s3Region, `${at}/region`, what("region"));
      wire(ctx, c.accessKey, v.s3AccessKey, `${at}/accessKey`, what("access key"));
      wire(ctx, c.secretKey, v.s3SecretKey, `${at}/secretKey`, what("secret key"));
      if (!c.accessKey) ctx.w.awsEnv = true;
      return;
    case "files": {
      const path =
        c.path.kind === "literal"
          ? c.path.value
          : wire(ctx, c.path, `/opt/pipegen/files/${c.name}`, `${at}/path`, what("path"));
      if (path.startsWith("/")) ctx.w.sharedPaths.add(path.replace(/\/+$/, "") || "/");
      else
        ctx.at(
          `${at}/path`,
          `the path '${path}' of connection ${c.name} is not a local folder the stack can share`,
          "give it an absolute path",
        );
      return;
    }
  }
}

function wireCassandra(
  ctx: Ctx,
  c: Extract<Connection, { type: "cassandra" }>,
  at: string,
  what: (k: string) => string,
) {
  ctx.w.services.add("cassandra");
  if (sinkConnections(ctx.p).has(c.name)) ctx.w.cql.push(sparkPaths.cql(ctx.p.name, c.name));
  c.contactPoints.forEach((x, i) =>
    wire(ctx, x, "cassandra", `${at}/contactPoints/${i}`, what("contact point")),
  );
  wire(ctx, c.port, "9042", `${at}/port`, what("port"));
  const dc = valueOr(
    ctx,
    c.localDatacenter,
    v.cassandraDc,
    `${at}/localDatacenter`,
    what("local datacenter"),
  );
  if (ctx.w.cassandraDc && ctx.w.cassandraDc !== dc)
    ctx.at(
      `${at}/localDatacenter`,
      `Cassandra's datacenter would need two names in the stack: '${ctx.w.cassandraDc}' and '${dc}'`,
      "use one datacenter name in every Cassandra connection",
    );
  else ctx.w.cassandraDc = dc;
  const copies =
    c.replication.class === "SimpleStrategy"
      ? (c.replication.factor ?? 1)
      : Math.max(0, ...Object.values(c.replication.datacenters));
  if (copies > 1)
    ctx.at(
      `${at}/replication`,
      `keyspace ${c.keyspace} asks for ${copies} copies: the stack has one Cassandra node, so quorum writes fail`,
      "build with an environment whose replication keeps one copy",
    );
  valueOr(ctx, c.user, "cassandra", `${at}/user`, what("user"));
  valueOr(ctx, c.password, "cassandra", `${at}/password`, what("password"));
}

/** A setting whose value the stack may choose: the literal, else the given value (set as its variable). */
function valueOr(
  ctx: Ctx,
  ref: ValueRef | null,
  value: string,
  pointer: string,
  what: string,
): string {
  if (ref?.kind === "literal") return ref.value;
  return wire(ctx, ref, value, pointer, what);
}
