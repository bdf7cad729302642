/**
 * The NiFi 2.x components the flow definitions use: class names, bundles, the API a service
 * provides, relationships, and the properties pipegen sets (by property *name*, the key in a
 * flow definition), with whether each supports the Expression Language and is sensitive.
 * Taken from NiFi 2.8.0's extension manifests (docs/nifi-components.md, "Component
 * reference"); test/unit/nifi.test.ts checks this table against that page.
 */

export interface PropertySpec {
  /** Supports the Expression Language (any scope): values are escaped for it. */
  el: boolean;
  /** A sensitive property: the only kind that may reference a sensitive parameter. */
  sensitive?: boolean;
  /** Allowed values, when the property has a fixed list. */
  allowed?: readonly string[];
}

export interface ComponentSpec {
  /** The simple class name, as in the docs' headings. */
  name: string;
  kind: "PROCESSOR" | "CONTROLLER_SERVICE";
  type: string;
  artifact: string;
  /** The API a controller service provides (`controllerServiceApis`). */
  api?: { type: string; artifact: string };
  /** A processor's static relationships. */
  relationships?: readonly string[];
  properties: Readonly<Record<string, PropertySpec>>;
  /** Dynamic (user-defined) properties are accepted, with this EL support. */
  dynamic?: { el: boolean };
}

const el: PropertySpec = { el: true };
const plain: PropertySpec = { el: false };
const oneOf = (...allowed: string[]): PropertySpec => ({ el: false, allowed });
const bool = oneOf("true", "false");

const STANDARD = "nifi-standard-nar";
const SERVICES_API = "nifi-standard-services-api-nar";
const RECORDS = "nifi-record-serialization-services-nar";

const writerApi = {
  type: "org.apache.nifi.serialization.RecordSetWriterFactory",
  artifact: SERVICES_API,
};
const readerApi = {
  type: "org.apache.nifi.serialization.RecordReaderFactory",
  artifact: SERVICES_API,
};

const schemaAccess = {
  "Schema Registry": plain,
  "Schema Name": el,
  "Schema Text": el,
};

export const components = {
  QueryDatabaseTableRecord: {
    name: "QueryDatabaseTableRecord",
    kind: "PROCESSOR",
    type: "org.apache.nifi.processors.standard.QueryDatabaseTableRecord",
    artifact: STANDARD,
    relationships: ["success"],
    properties: {
      "Database Connection Pooling Service": plain,
      "Database Type": oneOf(
        "Database Dialect Service",
        "Generic",
        "Oracle",
        "Oracle 12+",
        "MS SQL 2012+",
        "MS SQL 2008",
        "MySQL",
        "PostgreSQL",
        "Phoenix",
      ),
      "Table Name": el,
      "Columns to Return": el,
      "Record Writer": plain,
      "Maximum-value Columns": el,
      "Initial Load Strategy": oneOf("Start at Beginning", "Start at Current Maximum Values"),
      "Fetch Size": el,
      "Max Rows Per FlowFile": el,
      "Output Batch Size": el,
      "Normalize Table/Column Names": bool,
      "Use Avro Logical Types": bool,
    },
    // initial.maxvalue.<column> (not used: the state starts empty).
    dynamic: { el: true },
  },
  DBCPConnectionPool: {
    name: "DBCPConnectionPool",
    kind: "CONTROLLER_SERVICE",
    type: "org.apache.nifi.dbcp.DBCPConnectionPool",
    artifact: "nifi-dbcp-service-nar",
    api: { type: "org.apache.nifi.dbcp.DBCPService", artifact: SERVICES_API },
    properties: {
      "Database Connection URL": el,
      "Database Driver Class Name": el,
      "Database Driver Locations": el,
      "Database User": el,
      "Password Source": oneOf("PASSWORD", "PASSWORD_PROVIDER"),
      Password: { el: true, sensitive: true },
      "Max Wait Time": el,
      "Max Total Connections": el,
      "Validation Query": el,
    },
    dynamic: { el: true },
  },
  GetMongo: {
    name: "GetMongo",
    kind: "PROCESSOR",
    type: "org.apache.nifi.processors.mongodb.GetMongo",
    artifact: "nifi-mongodb-nar",
    relationships: ["failure", "original", "success"],
    properties: {
      "Client Service": plain,
      "Mongo Database Name": el,
      "Mongo Collection Name": el,
      "JSON Type": oneOf("Extended", "Standard"),
      "Pretty Print Results JSON": bool,
      "Character Set": el,
      Query: el,
      "Date Format": el,
      "Send Empty Result": bool,
    },
  },
  MongoDBControllerService: {
    name: "MongoDBControllerService",
    kind: "CONTROLLER_SERVICE",
    type: "org.apache.nifi.mongodb.MongoDBControllerService",
    artifact: "nifi-mongodb-services-nar",
    api: {
      type: "org.apache.nifi.mongodb.MongoDBClientService",
      artifact: "nifi-mongodb-client-service-api-nar",
    },
    properties: {
      "Mongo URI": el,
      "Database User": el,
      Password: { el: true, sensitive: true },
      "Write Concern": oneOf(
        "ACKNOWLEDGED",
        "UNACKNOWLEDGED",
        "FSYNCED",
        "JOURNALED",
        "REPLICA_ACKNOWLEDGED",
        "MAJORITY",
        "W1",
        "W2",
        "W3",
      ),
    },
  },
  ValidateRecord: {
    name: "ValidateRecord",
    kind: "PROCESSOR",
    type: "org.apache.nifi.processors.standard.ValidateRecord",
    artifact: STANDARD,
    relationships: ["failure", "invalid", "valid"],
    properties: {
      "Record Reader": plain,
      "Record Writer": plain,
      "Record Writer for Invalid Records": plain,
      "Schema Access Strategy": oneOf("reader-schema", "schema-name", "schema-text-property"),
      "Schema Text": el,
      "Allow Extra Fields": bool,
      "Strict Type Checking": bool,
      "Validation Details Attribute Name": el,
    },
  },
  UpdateAttribute: {
    name: "UpdateAttribute",
    kind: "PROCESSOR",
    type: "org.apache.nifi.processors.attributes.UpdateAttribute",
    artifact: "nifi-update-attribute-nar",
    relationships: ["success"],
    properties: {
      "Store State": oneOf("Do not store state", "Store state locally"),
    },
    dynamic: { el: true },
  },
  UpdateRecord: {
    name: "UpdateRecord",
    kind: "PROCESSOR",
    type: "org.apache.nifi.processors.standard.UpdateRecord",
    artifact: STANDARD,
    relationships: ["failure", "success"],
    properties: {
      "Record Reader": plain,
      "Record Writer": plain,
      "Replacement Value Strategy": oneOf("literal-value", "record-path-value"),
    },
    dynamic: { el: true },
  },
  PartitionRecord: {
    name: "PartitionRecord",
    kind: "PROCESSOR",
    type: "org.apache.nifi.processors.standard.PartitionRecord",
    artifact: STANDARD,
    relationships: ["failure", "original", "success"],
    properties: {
      "Record Reader": plain,
      "Record Writer": plain,
    },
    dynamic: { el: true },
  },
  SplitRecord: {
    name: "SplitRecord",
    kind: "PROCESSOR",
    type: "org.apache.nifi.processors.standard.SplitRecord",
    artifact: STANDARD,
    relationships: ["failure", "original", "splits"],
    properties: {
      "Record Reader": plain,
      "Record Writer": plain,
      "Records Per Split": el,
    },
  },
  RouteOnAttribute: {
    name: "RouteOnAttribute",
    kind: "PROCESSOR",
    type: "org.apache.nifi.processors.standard.RouteOnAttribute",
    artifact: STANDARD,
    relationships: ["unmatched"],
    properties: {
      "Routing Strategy": oneOf(
        "Route to Property name",
        "Route to 'match' if all match",
        "Route to 'match' if any matches",
      ),
    },
    dynamic: { el: true },
  },
  PublishKafka: {
    name: "PublishKafka",
    kind: "PROCESSOR",
    type: "org.apache.nifi.kafka.processors.PublishKafka",
    artifact: "nifi-kafka-nar",
    relationships: ["failure", "success"],
    properties: {
      "Kafka Connection Service": plain,
      "Topic Name": el,
      "Failure Strategy": oneOf("Route to Failure", "Rollback"),
      acks: oneOf("all", "1", "0"),
      "compression.type": oneOf("none", "gzip", "snappy", "lz4", "zstd"),
      "Transactions Enabled": bool,
      "partitioner.class": oneOf(
        "org.apache.kafka.clients.producer.RoundRobinPartitioner",
        "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
        "org.apache.nifi.processors.kafka.pubsub.Partitioners.ExpressionLanguagePartitioner",
      ),
      "Record Reader": plain,
      "Record Writer": plain,
      "Publish Strategy": oneOf("USE_VALUE", "USE_WRAPPER"),
      "Message Key Field": el,
      "FlowFile Attribute Header Pattern": plain,
      "Header Encoding": el,
    },
  },
  Kafka3ConnectionService: {
    name: "Kafka3ConnectionService",
    kind: "CONTROLLER_SERVICE",
    type: "org.apache.nifi.kafka.service.Kafka3ConnectionService",
    artifact: "nifi-kafka-3-service-nar",
    api: {
      type: "org.apache.nifi.kafka.service.api.KafkaConnectionService",
      artifact: "nifi-kafka-service-api-nar",
    },
    properties: {
      "bootstrap.servers": plain,
      "security.protocol": oneOf("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"),
      "sasl.mechanism": oneOf("GSSAPI", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"),
      "sasl.username": el,
      "sasl.password": { el: true, sensitive: true },
      "max.block.ms": el,
      "ack.wait.time": plain,
    },
    dynamic: { el: false },
  },
  AvroReader: {
    name: "AvroReader",
    kind: "CONTROLLER_SERVICE",
    type: "org.apache.nifi.avro.AvroReader",
    artifact: RECORDS,
    api: readerApi,
    properties: {
      "Schema Access Strategy": oneOf(
        "schema-name",
        "schema-text-property",
        "schema-reference-reader",
        "embedded-avro-schema",
      ),
    },
  },
  AvroRecordSetWriter: {
    name: "AvroRecordSetWriter",
    kind: "CONTROLLER_SERVICE",
    type: "org.apache.nifi.avro.AvroRecordSetWriter",
    artifact: RECORDS,
    api: writerApi,
    properties: {
      "Schema Write Strategy": oneOf(
        "avro-embedded",
        "no-schema",
        "schema-name",
        "full-schema-attribute",
        "schema-reference-writer",
      ),
      "Schema Reference Writer": plain,
      "Schema Access Strategy": oneOf(
        "inherit-record-schema",
        "schema-name",
        "schema-text-property",
      ),
      ...schemaAccess,
      "Compression Format": oneOf("BZIP2", "DEFLATE", "NONE", "SNAPPY", "LZO"),
    },
  },
  JsonTreeReader: {
    name: "JsonTreeReader",
    kind: "CONTROLLER_SERVICE",
    type: "org.apache.nifi.json.JsonTreeReader",
    artifact: RECORDS,
    api: readerApi,
    properties: {
      "Schema Access Strategy": oneOf(
        "infer-schema",
        "schema-name",
        "schema-text-property",
        "schema-reference-reader",
      ),
      ...schemaAccess,
      "Timestamp Format": plain,
    },
  },
  JsonRecordSetWriter: {
    name: "JsonRecordSetWriter",
    kind: "CONTROLLER_SERVICE",
    type: "org.apache.nifi.json.JsonRecordSetWriter",
    artifact: RECORDS,
    api: writerApi,
    properties: {
      "Schema Write Strategy": oneOf(
        "no-schema",
        "schema-name",
        "full-schema-attribute",
        "schema-reference-writer",
      ),
      "Schema Access Strategy": oneOf(
        "inherit-record-schema",
        "schema-name",
        "schema-text-property",
      ),
      ...schemaAccess,
      "Timestamp Format": plain,
      "Pretty Print JSON": bool,
      "Suppress Null Values": oneOf("never-suppress", "always-suppress", "suppress-missing"),
      "Output Grouping": oneOf("output-array", "output-oneline"),
    },
  },
  ConfluentSchemaRegistry: {
    name: "ConfluentSchemaRegistry",
    kind: "CONTROLLER_SERVICE",
    type: "org.apache.nifi.confluent.schemaregistry.ConfluentSchemaRegistry",
    artifact: "nifi-confluent-platform-nar",
    api: { type: "org.apache.nifi.schemaregistry.services.SchemaRegistry", artifact: SERVICES_API },
    properties: {
      "Schema Registry URLs": el,
      "Communications Timeout": plain,
      "Cache Size": plain,
      "Cache Expiration": plain,
      "Authentication Type": oneOf("BASIC", "NONE"),
    },
    // request.header.* (not used).
    dynamic: { el: false },
  },
  ConfluentEncodedSchemaReferenceWriter: {
    name: "ConfluentEncodedSchemaReferenceWriter",
    kind: "CONTROLLER_SERVICE",
    type: "org.apache.nifi.confluent.schemaregistry.ConfluentEncodedSchemaReferenceWriter",
    artifact: "nifi-confluent-platform-nar",
    api: {
      type: "org.apache.nifi.schemaregistry.services.SchemaReferenceWriter",
      artifact: SERVICES_API,
    },
    properties: {},
  },
} as const satisfies Record<string, ComponentSpec>;

export type ComponentName = keyof typeof components;
