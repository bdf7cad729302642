/**
 * NiFi target: one flow definition per pipeline with `ingest:` entries,
 * `<pipeline>/nifi/<pipeline>.flow.json`, in the format of NiFi 2.x's "Download flow
 * definition" (what "Upload flow definition", NiFi Registry and the stateless engine read).
 *
 * The root process group holds the services the ingests share (Kafka, the schema registry,
 * record readers and writers, one connection pool per database) and one child process group
 * per ingest:
 *
 *   source (QueryDatabaseTableRecord | GetMongoRecord)
 *     -> steps in spec order (ValidateRecord | UpdateAttribute)
 *     -> derive message key (UpdateRecord, when the key field is not a string)
 *     -> route (PartitionRecord on the routed fields + RouteOnAttribute), when there are routes
 *     -> PublishKafka per destination topic
 *   every failure relationship: retried (onError.retries, onError.backoff), then tagged
 *   (UpdateAttribute: pipegen.reason, pipegen.step) and published to the dead-letter topic as
 *   JSON; without a dead-letter topic, and when the dead-letter publish fails too, the FlowFile
 *   goes to the group's "failure" port (portFunction FAILURE: a stateless run fails and rolls
 *   back; full NiFi keeps the FlowFile queued). Nothing that carries data is auto-terminated.
 *
 * FlowFile content between processors is Avro with the schema embedded (the source's record
 * schema, then the validated schema). Avro topics are written in the Confluent wire format
 * (magic byte, schema id, Avro body) by an AvroRecordSetWriter that looks the topic's subject
 * up in the schema registry, so the schemas must be registered before the flow runs.
 */
import type {
  Connection,
  Field,
  Ingest,
  IngestStep,
  Pipeline,
  RecordSchema,
  Topic,
  ValueRef,
} from "../../ir/types.js";
import { valueRef } from "../../ir/values.js";
import { avroSchema } from "../kafka/avro.js";
import { headerText } from "../shared/header.js";
import { stableJson } from "../shared/json.js";
import type { GeneratedFile } from "../shared/types.js";
import { elAttributeIn, literal, propertyValue, type Fragment } from "./escape.js";
import { GroupBuilder, nifiDuration, type Endpoint, type Position } from "./flow.js";
import { componentIds } from "./ids.js";
import { Parameters, type Target } from "./params.js";

export const nifiPaths = {
  dir: (p: string) => `${p}/nifi`,
  flow: (p: string) => `${p}/nifi/${p}.flow.json`,
};

/** The attribute ValidateRecord writes its findings to (a Kafka header on dead letters). */
export const VALIDATION_DETAILS_ATTRIBUTE = "pipegen.validation.details";
/** The record field PublishKafka takes the message key from when the key field is not a string. */
export const KEY_FIELD = "_kafka_key";
/** Timestamps in JSON messages: ISO 8601 with milliseconds and the offset ("Z" in UTC). */
export const JSON_TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSX";
/** Rows per FlowFile from QueryDatabaseTableRecord (bounds the FlowFile size of a big first load). */
export const MAX_ROWS_PER_FLOWFILE = 10000;

const JDBC_DIR_DOC =
  "Directory on the NiFi host(s) with the JDBC driver jars (PostgreSQL: org.postgresql:postgresql, MySQL/MariaDB: org.mariadb.jdbc:mariadb-java-client), or a comma-separated list of jar files.";

const EL: Target = { el: true };
const NO_EL: Target = { el: false };
const SENSITIVE: Target = { el: true, sensitive: true };

const jdbc = {
  postgres: {
    driver: "org.postgresql.Driver",
    scheme: "jdbc:postgresql://",
    port: 5432,
    type: "PostgreSQL",
  },
  // MariaDB Connector/J speaks to MySQL and MariaDB; QueryDatabaseTableRecord's MySQL dialect.
  mysql: {
    driver: "org.mariadb.jdbc.Driver",
    scheme: "jdbc:mariadb://",
    port: 3306,
    type: "MySQL",
  },
} as const;

/** The compression codecs PublishKafka offers; a topic's other settings leave it at "none". */
const producerCompression = new Set(["gzip", "snappy", "lz4", "zstd"]);

/** Every ${secret:NAME} the flow may use: those names stay sensitive parameters. */
function secretNames(p: Pipeline): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown) => {
    if (!v || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach(visit);
    const r = v as Partial<ValueRef>;
    if (r.kind === "secret") out.add((r as { name: string }).name);
    else if (r.kind === "template")
      for (const part of (r as { parts: ReadonlyArray<unknown> }).parts)
        if (typeof part === "object" && (part as { kind: string }).kind === "secret")
          out.add((part as { name: string }).name);
  };
  for (const c of p.connections) {
    for (const [key, v] of Object.entries(c.settings)) {
      // JDBC options are kept as written in the IR: their references are parsed here.
      if (key === "options" && v && typeof v === "object" && !Array.isArray(v) && !("kind" in v))
        Object.values(v).forEach((x) => visit(valueRef(String(x))));
      else visit(v);
    }
  }
  visit(p.platform.kafka.saslPassword);
  visit(p.platform.kafka.saslUser);
  visit(p.platform.kafka.bootstrapServers);
  visit(p.platform.kafka.schemaRegistry);
  return out;
}

/** An Avro schema as NiFi's components get it: no header comment, no docs, compact JSON. */
function schemaText(
  rec: RecordSchema,
  namespace: string,
  opts: { enums?: boolean; relaxed?: boolean } = {},
): string {
  const base = avroSchema(rec, namespace, "") as { fields: Array<Record<string, unknown>> };
  const byName = new Map(rec.fields.map((f) => [f.name, f]));
  const avroName = /^[A-Za-z_][A-Za-z0-9_]*$/;
  const fields = base.fields.map((f) => {
    const field = byName.get(f.name as string)!;
    let type = Array.isArray(f.type) ? (f.type as unknown[])[1] : f.type;
    // ValidateRecord checks an Avro enum's symbols; values that are not Avro names stay strings.
    if (opts.enums && field.enum && field.enum.every((s) => avroName.test(s))) {
      type = { type: "enum", name: `pipegen_${field.name}_enum`, symbols: [...field.enum] };
    }
    const required = field.required && !opts.relaxed;
    return required
      ? { name: f.name, type }
      : { name: f.name, type: ["null", type], default: null };
  });
  return JSON.stringify({ type: "record", name: rec.name, namespace, fields });
}

function setting(c: Connection, key: string): ValueRef | number | undefined {
  const v = c.settings[key];
  if (v === undefined) return undefined;
  if (typeof v === "number") return v;
  if (typeof v === "object" && v !== null && "kind" in v) return v as ValueRef;
  if (typeof v === "boolean") return { kind: "literal", value: String(v) };
  return undefined;
}

interface Shared {
  reader: string;
  embeddedWriter: string;
  kafka: string;
  topicWriter(t: Topic, dead: boolean): string;
  database(c: Connection): string;
  mongo(c: Connection): string;
}

class FlowEmitter {
  readonly params: Parameters;
  readonly root: GroupBuilder;
  readonly namespace: string;
  private readonly shared: Shared;
  private readonly services = new Map<string, string>();

  constructor(readonly p: Pipeline) {
    this.params = new Parameters(secretNames(p));
    this.namespace = `pipegen.${p.name}`;
    this.root = new GroupBuilder(
      p.name,
      "flow",
      p.name,
      p.platform.nifi.version,
      { x: 0, y: 0 },
      p.name,
      p.description,
    );
    this.shared = {
      reader: this.once("avro-reader", () =>
        this.root.service("avro-reader", "AvroReader", "Avro reader (embedded schema)", {
          properties: { "Schema Access Strategy": "embedded-avro-schema" },
        }),
      ),
      embeddedWriter: this.once("avro-writer", () =>
        this.root.service("avro-writer", "AvroRecordSetWriter", "Avro writer (embedded schema)", {
          properties: {
            "Schema Write Strategy": "avro-embedded",
            "Schema Access Strategy": "inherit-record-schema",
            "Compression Format": "NONE",
          },
        }),
      ),
      kafka: this.kafkaService(),
      topicWriter: (t, dead) => this.topicWriter(t, dead),
      database: (c) => this.databaseService(c),
      mongo: (c) => this.mongoService(c),
    };
  }

  private once(key: string, make: () => string): string {
    let id = this.services.get(key);
    if (id === undefined) {
      id = make();
      this.services.set(key, id);
    }
    return id;
  }

  private prop(parts: readonly Fragment[], target: Target): string {
    return propertyValue(parts, target.el);
  }

  private kafkaService(): string {
    const k = this.p.platform.kafka;
    const props: Record<string, string> = {
      "bootstrap.servers": this.prop(
        this.params.ref(
          k.bootstrapServers,
          "kafka.bootstrap.servers",
          "Kafka bootstrap servers",
          NO_EL,
        ),
        NO_EL,
      ),
      "security.protocol": this.prop(
        [
          this.params.literal(
            "kafka.security.protocol",
            k.securityProtocol,
            "Kafka security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)",
            NO_EL,
          ),
        ],
        NO_EL,
      ),
      "max.block.ms": "10 sec",
      "ack.wait.time": "10 sec",
    };
    if (k.securityProtocol.startsWith("SASL_")) {
      props["sasl.mechanism"] = k.saslMechanism ?? "PLAIN";
      if (k.saslUser)
        props["sasl.username"] = this.prop(
          this.params.ref(k.saslUser, "kafka.sasl.username", "Kafka SASL user", EL),
          EL,
        );
      if (k.saslPassword)
        props["sasl.password"] = this.prop(
          this.params.ref(k.saslPassword, "kafka.sasl.password", "Kafka SASL password", SENSITIVE),
          SENSITIVE,
        );
    }
    return this.root.service("kafka", "Kafka3ConnectionService", "Kafka", { properties: props });
  }

  private registry(): { registry: string; referenceWriter: string } {
    const registry = this.once("schema-registry", () => {
      const url = this.p.platform.kafka.schemaRegistry ?? {
        kind: "env",
        name: "SCHEMA_REGISTRY_URL",
      };
      return this.root.service(
        "schema-registry",
        "ConfluentSchemaRegistry",
        "Schema registry (Confluent API)",
        {
          comments:
            "Looks each topic's subject up (<topic>-value); the schemas are registered before the flow runs.",
          properties: {
            "Schema Registry URLs": this.prop(
              this.params.ref(
                url,
                "schema.registry.url",
                "Schema registry URL (Confluent REST API)",
                EL,
              ),
              EL,
            ),
            "Authentication Type": "NONE",
            "Communications Timeout": "30 secs",
            "Cache Size": "1000",
            "Cache Expiration": "1 hour",
          },
        },
      );
    });
    const referenceWriter = this.once("confluent-reference-writer", () =>
      this.root.service(
        "confluent-reference-writer",
        "ConfluentEncodedSchemaReferenceWriter",
        "Confluent wire format header (magic byte + schema id)",
        { properties: {} },
      ),
    );
    return { registry, referenceWriter };
  }

  private jsonWriterProps(): Record<string, string> {
    return {
      "Schema Write Strategy": "no-schema",
      "Output Grouping": "output-oneline",
      "Suppress Null Values": "never-suppress",
      "Pretty Print JSON": "false",
      "Timestamp Format": JSON_TIMESTAMP_FORMAT,
    };
  }

  /** The writer of a topic's messages: Confluent-framed Avro from the registry, or JSON. */
  private topicWriter(t: Topic, dead: boolean): string {
    if (t.format === "avro" && t.schema && t.subject) {
      return this.once(`writer/${t.name}`, () => {
        const { registry, referenceWriter } = this.registry();
        return this.root.service(
          `writer/${t.name}`,
          "AvroRecordSetWriter",
          `Avro writer for ${t.name} (Confluent wire format)`,
          {
            properties: {
              "Schema Write Strategy": "schema-reference-writer",
              "Schema Reference Writer": referenceWriter,
              "Schema Access Strategy": "schema-name",
              "Schema Registry": registry,
              "Schema Name": literal(t.subject!, true),
              "Compression Format": "NONE",
            },
          },
        );
      });
    }
    if (t.schema) {
      return this.once(`writer/${t.name}`, () =>
        this.root.service(`writer/${t.name}`, "JsonRecordSetWriter", `JSON writer for ${t.name}`, {
          properties: {
            ...this.jsonWriterProps(),
            "Schema Access Strategy": "schema-text-property",
            "Schema Text": literal(schemaText(t.schema!, this.namespace), true),
          },
        }),
      );
    }
    // Dead letters (and schemaless JSON topics): every record as it is, one JSON object per message.
    return this.once(`writer/json`, () =>
      this.root.service(
        "writer/json",
        "JsonRecordSetWriter",
        dead
          ? "JSON writer (dead letters: records as they are)"
          : "JSON writer (records as they are)",
        {
          properties: {
            ...this.jsonWriterProps(),
            "Schema Access Strategy": "inherit-record-schema",
          },
        },
      ),
    );
  }

  private databaseService(c: Connection): string {
    return this.once(`db/${c.name}`, () => {
      const kind = jdbc[c.type as "postgres" | "mysql"];
      const named = (key: string, what: string, target: Target, fallback?: number) => {
        const v = setting(c, key) ?? fallback;
        return v === undefined
          ? []
          : this.params.ref(v, `${c.name}.${key}`, `${what} of connection ${c.name}`, target);
      };
      const url: Fragment[] = [
        kind.scheme,
        ...named("host", "Host", EL),
        ":",
        ...named("port", "Port", EL, kind.port),
        "/",
        ...named("database", "Database", EL),
      ];
      const props: Record<string, string> = {
        "Database Connection URL": this.prop(url, EL),
        "Database Driver Class Name": kind.driver,
        "Database Driver Locations": this.prop(
          [this.params.deployment("jdbc.driver.dir", JDBC_DIR_DOC)],
          EL,
        ),
        "Password Source": "PASSWORD",
        "Max Wait Time": "10 sec",
        "Max Total Connections": "4",
        "Validation Query": "SELECT 1",
      };
      const user = setting(c, "user");
      if (user !== undefined) props["Database User"] = this.prop(named("user", "User", EL), EL);
      const password = setting(c, "password");
      if (password !== undefined)
        props.Password = this.prop(named("password", "Password", SENSITIVE), SENSITIVE);
      const options = c.settings.options;
      if (
        options &&
        typeof options === "object" &&
        !Array.isArray(options) &&
        !("kind" in options)
      ) {
        for (const [name, raw] of Object.entries(options as Record<string, unknown>).sort(
          ([a], [b]) => (a < b ? -1 : 1),
        )) {
          const ref = valueRef(String(raw));
          const secret =
            ref.kind === "secret" ||
            (ref.kind === "template" &&
              ref.parts.some((x) => typeof x !== "string" && x.kind === "secret"));
          // JDBC properties are dynamic properties; a secret one goes into a SENSITIVE.<name> property.
          const target = secret ? { el: false, sensitive: true } : EL;
          props[secret ? `SENSITIVE.${name}` : name] = this.prop(
            this.params.ref(
              ref,
              `${c.name}.options.${name}`,
              `JDBC property ${name} of connection ${c.name}`,
              target,
            ),
            target,
          );
        }
      }
      return this.root.service(`db/${c.name}`, "DBCPConnectionPool", `${c.name} (${c.type})`, {
        comments:
          "Database Driver Locations: a directory with the JDBC driver jar (or a comma-separated list of jars).",
        properties: props,
      });
    });
  }

  private mongoService(c: Connection): string {
    return this.once(`mongo/${c.name}`, () => {
      const uri = setting(c, "uri");
      const parts =
        uri === undefined
          ? []
          : this.params.ref(uri, `${c.name}.uri`, `MongoDB URI of connection ${c.name}`, EL);
      const fromEnv = parts
        .filter((x): x is { env: string } => typeof x === "object" && "env" in x)
        .map((x) => x.env);
      return this.root.service(
        `mongo/${c.name}`,
        "MongoDBControllerService",
        `${c.name} (mongodb)`,
        {
          comments: fromEnv.length
            ? `Mongo URI reads the environment variable(s) ${fromEnv.join(", ")} of the NiFi JVM: a secret that NiFi's Mongo URI property (not sensitive) cannot take from a sensitive parameter.`
            : "",
          properties: {
            "Mongo URI": this.prop(parts, EL),
            "Write Concern": "ACKNOWLEDGED",
          },
        },
      );
    });
  }

  emit(): Record<string, unknown> {
    this.p.ingest.forEach((ing, i) =>
      new IngestEmitter(this, ing, this.shared, {
        x: (i % 3) * 700,
        y: Math.floor(i / 3) * 500,
      }).emit(),
    );
    const ctx = componentIds(this.p.name, "parameter-context");
    return {
      $comment: headerText(this.p),
      flowContents: this.root.toJson(),
      externalControllerServices: {},
      parameterContexts: {
        [this.p.name]: {
          identifier: ctx.identifier,
          name: this.p.name,
          description: `Connection settings of pipeline ${this.p.name}. Parameters without a value are set when the flow is deployed.`,
          componentType: "PARAMETER_CONTEXT",
          inheritedParameterContexts: [],
          parameters: this.params.toJson(),
        },
      },
      parameterProviders: {},
      flowEncodingVersion: "1.0",
      latest: false,
    };
  }
}

class IngestEmitter {
  private readonly g: GroupBuilder;
  private readonly retry: { count: number; backoff: string };
  private failurePort: Endpoint | undefined;
  private deadLetterPublisher: Endpoint | undefined;
  private row = 0;
  private sideRow = 0;
  private readonly headerAttributes: string[];

  constructor(
    private readonly f: FlowEmitter,
    private readonly ing: Ingest,
    private readonly shared: Shared,
    position: Position,
  ) {
    this.g = f.root.child(`ingest/${ing.name}`, ing.name, position, ing.doc ?? "");
    this.retry = { count: ing.onError.retries, backoff: nifiDuration(ing.onError.backoffMs) };
    this.headerAttributes = [
      ...new Set(
        ing.steps.flatMap((s) => (s.kind === "setAttributes" ? Object.keys(s.attributes) : [])),
      ),
    ].sort();
  }

  private pos(): Position {
    return { x: 0, y: 200 * this.row++ };
  }

  private sidePos(): Position {
    return { x: 700, y: 200 * this.sideRow++ };
  }

  private failure(): Endpoint {
    this.failurePort ??= this.g.failurePort("failure", "failure", { x: 1400, y: 0 });
    return this.failurePort;
  }

  private headerPattern(extra: string[] = []): string | undefined {
    const alternatives = [
      ...extra,
      ...this.headerAttributes.map((a) => a.replace(/[.\-]/g, (c) => `\\${c}`)),
    ];
    return alternatives.length ? `^(?:${alternatives.join("|")})$` : undefined;
  }

  /** The dead-letter publisher, created on first use. */
  private deadLetters(): Endpoint | undefined {
    const dlq = this.ing.onError.deadLetter;
    if (!dlq) return undefined;
    if (!this.deadLetterPublisher) {
      const pattern = this.headerPattern(["pipegen\\..*"])!;
      const publisher = this.g.processor(
        "dead-letter/publish",
        "PublishKafka",
        `publish dead letters to ${dlq.name}`,
        {
          position: { x: 700, y: 1400 },
          comments:
            "Records that failed validation or a processor, one JSON message each, with pipegen.* attributes as headers.",
          retry: this.retry,
          autoTerminated: ["success"],
          properties: {
            ...this.publishProperties(dlq, this.shared.topicWriter(dlq, true)),
            "FlowFile Attribute Header Pattern": pattern,
            "Header Encoding": "UTF-8",
          },
        },
      );
      this.g.connect(publisher, ["failure"], this.failure());
      this.deadLetterPublisher = publisher;
    }
    return this.deadLetterPublisher;
  }

  /**
   * Where the failing FlowFiles of `source` go: a tag (pipegen.reason, pipegen.step,
   * pipegen.ingest) and the dead-letter topic, or the failure port when there is none.
   */
  private onFailure(
    source: Endpoint,
    relationships: string[],
    reason: "failure" | "invalid",
    path: string,
  ): void {
    const dlq = this.deadLetters();
    if (!dlq) {
      this.g.connect(source, relationships, this.failure());
      return;
    }
    const tag = this.g.processor(
      `dead-letter/tag/${path}`,
      "UpdateAttribute",
      `dead letter: ${reason} in ${source.name}`,
      {
        position: this.sidePos(),
        properties: {
          "Store State": "Do not store state",
          "pipegen.reason": literal(reason, true),
          "pipegen.step": literal(source.name, true),
          "pipegen.ingest": literal(this.ing.name, true),
        },
      },
    );
    this.g.connect(source, relationships, tag);
    this.g.connect(tag, ["success"], dlq);
  }

  private publishProperties(t: Topic, writer: string): Record<string, string> {
    const compression = t.configs["compression.type"];
    return {
      "Kafka Connection Service": this.shared.kafka,
      "Topic Name": literal(t.name, true),
      "Failure Strategy": "Route to Failure",
      acks: "all",
      "compression.type":
        compression && producerCompression.has(compression) ? compression : "none",
      "Transactions Enabled": "true",
      "partitioner.class": "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
      "Record Reader": this.shared.reader,
      "Record Writer": writer,
      "Publish Strategy": "USE_VALUE",
    };
  }

  private source(): Endpoint {
    const from = this.ing.from;
    const c = from.connection;
    const topicSchema = this.ing.to.topic.schema!;
    if (c.type === "postgres" || c.type === "mysql") {
      const columns = [
        ...new Set([
          ...topicSchema.fields.map((fl) => fl.name),
          ...this.ing.steps.flatMap((s) =>
            s.kind === "validate" ? s.schema.fields.map((fl) => fl.name) : [],
          ),
        ]),
      ];
      const props: Record<string, string> = {
        "Database Connection Pooling Service": this.shared.database(c),
        "Database Type": jdbc[c.type].type,
        "Table Name": literal(from.table!, true),
        "Columns to Return": literal(columns.join(", "), true),
        "Record Writer": this.shared.embeddedWriter,
        "Initial Load Strategy": "Start at Beginning",
        "Fetch Size": String(from.fetchSize ?? 0),
        "Max Rows Per FlowFile": String(MAX_ROWS_PER_FLOWFILE),
        "Output Batch Size": "0",
        "Use Avro Logical Types": "true",
        "Normalize Table/Column Names": "false",
      };
      if (from.incrementalColumn)
        props["Maximum-value Columns"] = literal(from.incrementalColumn, true);
      return this.g.processor("source", "QueryDatabaseTableRecord", `read ${from.table}`, {
        position: this.pos(),
        comments: from.incrementalColumn
          ? `Rows whose ${from.incrementalColumn} is above the largest value seen so far (state kept by NiFi), every ${nifiDuration(from.everyMs)}.`
          : `The whole table every ${nifiDuration(from.everyMs)} (no incrementalColumn in the spec).`,
        schedulingPeriod: nifiDuration(from.everyMs),
        primaryNodeOnly: true,
        properties: props,
      });
    }
    // MongoDB: GetMongoRecord maps each document onto the topic's schema with every field
    // optional (validation comes after, as for tables); it keeps no state between runs.
    const writer = this.g.service(
      "source-writer",
      "AvroRecordSetWriter",
      "Avro writer (documents as the topic's record, all fields optional)",
      {
        properties: {
          "Schema Write Strategy": "avro-embedded",
          "Schema Access Strategy": "schema-text-property",
          "Schema Text": literal(
            schemaText(topicSchema, this.f.namespace, { relaxed: true }),
            true,
          ),
          "Compression Format": "NONE",
        },
      },
    );
    const database = setting(c, "database") ?? { kind: "literal", value: "" };
    const props: Record<string, string> = {
      "Client Service": this.shared.mongo(c),
      "Record Writer": writer,
      "Mongo Database Name": propertyValue(
        this.f.params.ref(database, `${c.name}.database`, `Database of connection ${c.name}`, EL),
        true,
      ),
      "Mongo Collection Name": literal(from.collection!, true),
      "Schema Name": literal(topicSchema.name, true),
    };
    if (from.query !== null) props.Query = literal(from.query, true);
    const source = this.g.processor("source", "GetMongoRecord", `read ${from.collection}`, {
      position: this.pos(),
      comments:
        `Every document of ${from.collection}${from.query ? " matching the query" : ""}, every ${nifiDuration(from.everyMs)} (GetMongoRecord keeps no state` +
        (from.incrementalColumn
          ? `: incrementalColumn ${from.incrementalColumn} cannot be applied, every run reads all of them again).`
          : ")."),
      schedulingPeriod: nifiDuration(from.everyMs),
      primaryNodeOnly: true,
      // "original" carries an incoming FlowFile; a source has none.
      autoTerminated: ["original"],
      properties: props,
    });
    // "failure" too only ever carries an incoming FlowFile; routed all the same.
    this.onFailure(source, ["failure"], "failure", "source");
    return source;
  }

  private step(step: IngestStep, i: number, prev: Endpoint, prevRel: string): Endpoint {
    if (step.kind === "validate") {
      const v = this.g.processor(`step/${i}`, "ValidateRecord", `validate ${step.schema.name}`, {
        position: this.pos(),
        comments:
          "Required fields, types and enum values of the record schema; extra columns are dropped.",
        retry: this.retry,
        properties: {
          "Record Reader": this.shared.reader,
          "Record Writer": this.shared.embeddedWriter,
          "Schema Access Strategy": "schema-text-property",
          "Schema Text": literal(schemaText(step.schema, this.f.namespace, { enums: true }), true),
          "Allow Extra Fields": "true",
          "Strict Type Checking": "false",
          "Validation Details Attribute Name": literal(VALIDATION_DETAILS_ATTRIBUTE, true),
        },
      });
      this.g.connect(prev, [prevRel], v);
      this.onFailure(v, ["invalid"], "invalid", `step/${i}/invalid`);
      this.onFailure(v, ["failure"], "failure", `step/${i}/failure`);
      return v;
    }
    if (step.kind === "setAttributes") {
      const properties: Record<string, string> = { "Store State": "Do not store state" };
      for (const [name, value] of Object.entries(step.attributes))
        properties[name] = literal(value, true);
      const u = this.g.processor(`step/${i}`, "UpdateAttribute", "set attributes", {
        position: this.pos(),
        comments: "Attributes become Kafka headers of the published messages.",
        properties,
      });
      this.g.connect(prev, [prevRel], u);
      return u;
    }
    throw new Error(`step ${step.kind} is handled by route()`);
  }

  /** The record field PublishKafka takes the key from, adding a string copy when needed. */
  private key(
    prev: Endpoint,
    prevRel: string,
  ): { next: Endpoint; rel: string; field: string | null } {
    const key = this.ing.to.key;
    if (!key) return { next: prev, rel: prevRel, field: null };
    const field: Field | undefined = this.ing.to.topic.schema?.fields.find((fl) => fl.name === key);
    if (field?.type === "string") return { next: prev, rel: prevRel, field: key };
    // PublishKafka only turns string (record, byte array) fields into a key.
    const u = this.g.processor("key", "UpdateRecord", "derive message key", {
      position: this.pos(),
      comments: `${KEY_FIELD}: ${key} as text; only the topic's fields are published.`,
      retry: this.retry,
      properties: {
        "Record Reader": this.shared.reader,
        "Record Writer": this.shared.embeddedWriter,
        "Replacement Value Strategy": "record-path-value",
        [`/${KEY_FIELD}`]: literal(`concat(/${key})`, true),
      },
    });
    this.g.connect(prev, [prevRel], u);
    this.onFailure(u, ["failure"], "failure", "key");
    return { next: u, rel: "success", field: KEY_FIELD };
  }

  private publisher(t: Topic, keyField: string | null, column: number): Endpoint {
    const pattern = this.headerPattern();
    const properties: Record<string, string> = this.publishProperties(
      t,
      this.shared.topicWriter(t, false),
    );
    if (keyField) properties["Message Key Field"] = literal(keyField, true);
    if (pattern) {
      properties["FlowFile Attribute Header Pattern"] = pattern;
      properties["Header Encoding"] = "UTF-8";
    }
    const pub = this.g.processor(`publish/${t.name}`, "PublishKafka", `publish to ${t.name}`, {
      position: { x: column * 350, y: 200 * (this.row + 1) },
      comments: `${t.format === "avro" ? "Avro, Confluent wire format" : "JSON"}; key ${this.ing.to.key ?? "none"}; every replica acknowledges (acks=all).`,
      retry: this.retry,
      autoTerminated: ["success"],
      properties,
    });
    this.onFailure(pub, ["failure"], "failure", `publish/${t.name}`);
    return pub;
  }

  emit(): void {
    let prev = this.source();
    let rel = "success";
    this.ing.steps.forEach((step, i) => {
      if (step.kind === "route") return;
      prev = this.step(step, i, prev, rel);
      rel = step.kind === "validate" ? "valid" : "success";
    });
    const key = this.key(prev, rel);
    prev = key.next;
    rel = key.rel;

    // Routes: first match wins, in spec order, across all route steps (a record-level
    // filter or attribute step commutes with routing, so routing happens last).
    const routes = this.ing.steps.flatMap((s) => (s.kind === "route" ? s.routes : []));
    const main = this.ing.to.topic;
    const publishers = new Map<string, Endpoint>();
    const publish = (t: Topic) => {
      let pub = publishers.get(t.name);
      if (!pub) {
        pub = this.publisher(t, key.field, publishers.size);
        publishers.set(t.name, pub);
      }
      return pub;
    };
    if (routes.length === 0) {
      this.g.connect(prev, [rel], publish(main));
      return;
    }
    const attr = (field: string) => `pipegen.route.${field}`;
    const relationship = (topic: string) => `to.${topic}`;
    const fields = [...new Set(routes.map((r) => r.field))];
    const partitionProps: Record<string, string> = {
      "Record Reader": this.shared.reader,
      "Record Writer": this.shared.embeddedWriter,
    };
    for (const fl of fields) partitionProps[attr(fl)] = literal(`/${fl}`, true);
    const partition = this.g.processor(
      "route/partition",
      "PartitionRecord",
      "group records by routed fields",
      {
        position: this.pos(),
        comments: `One FlowFile per distinct value of ${fields.join(", ")}, in the attribute(s) ${fields.map(attr).join(", ")} (absent when null).`,
        retry: this.retry,
        // The partitions hold every record of the original.
        autoTerminated: ["original"],
        properties: partitionProps,
      },
    );
    this.g.connect(prev, [rel], partition);
    this.onFailure(partition, ["failure"], "failure", "route/partition");

    const text = (v: string | number | boolean) => String(v);
    const condition = (r: (typeof routes)[number]): string => {
      const values = Array.isArray(r.value)
        ? r.value.map(text)
        : [text(r.value as string | number | boolean)];
      const test = elAttributeIn(attr(r.field), values);
      if (r.op === "notEquals") return `${attr(r.field)}:isNull():not():and(\${${test}:not()})`;
      return test;
    };
    const conds = routes.map(condition);
    const byTopic = new Map<string, string[]>();
    routes.forEach((r, i) => {
      const earlier = conds
        .slice(0, i)
        .map((c) => `:and(\${${c}:not()})`)
        .join("");
      const list = byTopic.get(r.to) ?? [];
      list.push(`${conds[i]}${earlier}`);
      byTopic.set(r.to, list);
    });
    const routeProps: Record<string, string> = { "Routing Strategy": "Route to Property name" };
    for (const [topic, list] of byTopic) {
      routeProps[relationship(topic)] = `\${${list[0]}${list
        .slice(1)
        .map((c) => `:or(\${${c}})`)
        .join("")}}`;
    }
    const router = this.g.processor("route/switch", "RouteOnAttribute", "route to topics", {
      position: this.pos(),
      comments:
        "Each relationship is a topic; a record matching no route goes to the ingest's topic.",
      properties: routeProps,
    });
    this.g.connect(partition, ["success"], router);
    const topics = new Map([main, ...this.routeTargets()].map((t) => [t.name, t]));
    this.g.connect(router, ["unmatched"], publish(main));
    for (const topic of byTopic.keys())
      this.g.connect(router, [relationship(topic)], publish(topics.get(topic)!));
  }

  private routeTargets(): Topic[] {
    const names = new Set(
      this.ing.steps.flatMap((s) => (s.kind === "route" ? s.routes.map((r) => r.to) : [])),
    );
    return this.f.p.topics.filter((t) => names.has(t.name));
  }
}

export function emitNifi(p: Pipeline): GeneratedFile[] {
  if (p.ingest.length === 0) return [];
  const doc = new FlowEmitter(p).emit();
  return [{ path: nifiPaths.flow(p.name), content: stableJson(doc) }];
}
