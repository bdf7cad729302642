/**
 * The controller services of a flow's root process group, which every ingest shares: the
 * Avro reader and writer of the FlowFiles between processors, the Kafka connection, the
 * schema registry, one record writer per topic, one pool per database connection.
 */
import type { JdbcConnection, MongoConnection, Pipeline, Topic } from "../../ir/types.js";
import { avroText } from "../shared/avro.js";
import { databaseService, mongoService } from "./databases.js";
import { literal, propertyValue } from "./escape.js";
import type { GroupBuilder } from "./flow.js";
import { EL, NO_EL, SENSITIVE, type Parameters } from "./params.js";

/** Timestamps in JSON messages: ISO 8601 with milliseconds and the offset ("Z" in UTC). */
export const JSON_TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSX";

export class Services {
  /** Reads the FlowFiles between processors: Avro with the schema embedded. */
  readonly reader: string;
  /** Writes the FlowFiles between processors: Avro with the schema embedded. */
  readonly embeddedWriter: string;
  readonly kafka: string;
  private readonly ids = new Map<string, string>();

  constructor(
    readonly p: Pipeline,
    readonly root: GroupBuilder,
    readonly params: Parameters,
    readonly namespace: string,
  ) {
    this.reader = this.once("avro-reader", () =>
      this.root.service("avro-reader", "AvroReader", "Avro reader (embedded schema)", {
        properties: { "Schema Access Strategy": "embedded-avro-schema" },
      }),
    );
    this.embeddedWriter = this.once("avro-writer", () =>
      this.root.service("avro-writer", "AvroRecordSetWriter", "Avro writer (embedded schema)", {
        properties: {
          "Schema Write Strategy": "avro-embedded",
          "Schema Access Strategy": "inherit-record-schema",
          "Compression Format": "NONE",
        },
      }),
    );
    this.kafka = this.kafkaService();
  }

  /** The service under `key`, made on first use. */
  once(key: string, make: () => string): string {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = make();
      this.ids.set(key, id);
    }
    return id;
  }

  /** The pool of a postgres or mysql connection. */
  database(c: JdbcConnection): string {
    return this.once(`db/${c.name}`, () => databaseService(this, c));
  }

  /** The client of a mongodb connection. */
  mongo(c: MongoConnection): string {
    return this.once(`mongo/${c.name}`, () => mongoService(this, c));
  }

  private kafkaService(): string {
    const k = this.p.platform.kafka;
    const props: Record<string, string> = {
      "bootstrap.servers": propertyValue(
        this.params.ref(
          k.bootstrapServers,
          "kafka.bootstrap.servers",
          "Kafka bootstrap servers",
          NO_EL,
        ),
        NO_EL.el,
      ),
      "security.protocol": propertyValue(
        [
          this.params.literal(
            "kafka.security.protocol",
            k.securityProtocol,
            "Kafka security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)",
            NO_EL,
          ),
        ],
        NO_EL.el,
      ),
      "max.block.ms": "10 sec",
      "ack.wait.time": "10 sec",
    };
    if (k.securityProtocol.startsWith("SASL_")) {
      props["sasl.mechanism"] = k.saslMechanism ?? "PLAIN";
      if (k.saslUser)
        props["sasl.username"] = propertyValue(
          this.params.ref(k.saslUser, "kafka.sasl.username", "Kafka SASL user", EL),
          EL.el,
        );
      if (k.saslPassword)
        props["sasl.password"] = propertyValue(
          this.params.ref(k.saslPassword, "kafka.sasl.password", "Kafka SASL password", SENSITIVE),
          SENSITIVE.el,
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
            "Schema Registry URLs": propertyValue(
              this.params.ref(
                url,
                "schema.registry.url",
                "Schema registry URL (Confluent REST API)",
                EL,
              ),
              EL.el,
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

  /**
   * Records as they are, as JSON, one object per line (dead letters, MongoDB documents that
   * failed validation, schemaless JSON topics); the service is named after its first use.
   */
  jsonWriter(dead: boolean): string {
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

  /** The writer of a topic's messages: Confluent-framed Avro from the registry, or JSON. */
  topicWriter(t: Topic): string {
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
    if (!t.schema) return this.jsonWriter(false);
    return this.once(`writer/${t.name}`, () =>
      this.root.service(`writer/${t.name}`, "JsonRecordSetWriter", `JSON writer for ${t.name}`, {
        properties: {
          ...this.jsonWriterProps(),
          "Schema Access Strategy": "schema-text-property",
          "Schema Text": literal(avroText(t.schema!, this.namespace, { docs: false }), true),
        },
      }),
    );
  }
}
