// Source of the spec JSON Schema, kept as JS so it can use small helpers.
// `npm run gen:types` writes schema/pipegen.v1.schema.json and src/schema/spec.gen.ts from it;
// a unit test fails when either is stale. The JSON file is the published single source of truth.
const id = { $ref: "#/definitions/identifier" };
const col = { $ref: "#/definitions/column" };
const cols = { type: "array", items: col, minItems: 1 };
// Keys take a single column or a list of them, everywhere (a single one is read as a list of one).
const keyCols = { $ref: "#/definitions/columns" };
const ref = (name) => ({ $ref: `#/definitions/${name}` });
const dur = { $ref: "#/definitions/duration" };
const str = { type: "string", minLength: 1 };
const strOrRef = { $ref: "#/definitions/stringOrRef" };
const secret = { $ref: "#/definitions/secretRef" };
const expr = { $ref: "#/definitions/expression" };
const obj = (properties, required = [], extra = {}) => ({
  type: "object",
  additionalProperties: false,
  properties,
  ...(required.length ? { required } : {}),
  ...extra,
});
const map = (keyDef, value, extra = {}) => ({
  type: "object",
  propertyNames: keyDef,
  additionalProperties: value,
  ...extra,
});

const connectionTypes = {
  postgres: obj(
    {
      type: { const: "postgres" },
      host: strOrRef,
      port: { $ref: "#/definitions/port" },
      database: strOrRef,
      user: strOrRef,
      password: secret,
      options: map(str, { type: ["string", "number", "boolean"] }),
      doc: { type: "string" },
    },
    ["type", "host", "database", "user"],
  ),
  mysql: obj(
    {
      type: { const: "mysql" },
      host: strOrRef,
      port: { $ref: "#/definitions/port" },
      database: strOrRef,
      user: strOrRef,
      password: secret,
      options: map(str, { type: ["string", "number", "boolean"] }),
      doc: { type: "string" },
    },
    ["type", "host", "database", "user"],
  ),
  mongodb: obj(
    {
      type: { const: "mongodb" },
      uri: strOrRef,
      database: strOrRef,
      doc: { type: "string" },
    },
    ["type", "uri", "database"],
  ),
  cassandra: obj(
    {
      type: { const: "cassandra" },
      contactPoints: { type: "array", items: strOrRef, minItems: 1 },
      port: { $ref: "#/definitions/port" },
      localDatacenter: { type: "string", minLength: 1, default: "datacenter1" },
      keyspace: id,
      replication: obj({
        class: { enum: ["SimpleStrategy", "NetworkTopologyStrategy"] },
        factor: { type: "integer", minimum: 1 },
        datacenters: map(str, { type: "integer", minimum: 1 }),
      }),
      user: strOrRef,
      password: secret,
      doc: { type: "string" },
    },
    ["type", "contactPoints", "keyspace"],
  ),
  s3: obj(
    {
      type: { const: "s3" },
      bucket: { $ref: "#/definitions/bucket" },
      prefix: ref("prefix"),
      endpoint: strOrRef,
      region: strOrRef,
      pathStyle: { type: "boolean" },
      accessKey: secret,
      secretKey: secret,
      doc: { type: "string" },
    },
    ["type", "bucket"],
  ),
  files: obj(
    {
      type: { const: "files" },
      path: strOrRef,
      doc: { type: "string" },
    },
    ["type", "path"],
  ),
};

const field = obj(
  {
    type: {
      enum: [
        "string",
        "int",
        "long",
        "float",
        "double",
        "boolean",
        "decimal",
        "timestamp",
        "date",
        "bytes",
      ],
    },
    required: { type: "boolean", default: false },
    precision: { type: "integer", minimum: 1, maximum: 38 },
    scale: { type: "integer", minimum: 0, maximum: 38 },
    enum: { type: "array", items: { type: "string" }, minItems: 1, uniqueItems: true },
    doc: { type: "string" },
  },
  ["type"],
);

const topicSettings = {
  replicationFactor: { type: "integer", minimum: 1, maximum: 32767 },
  minInsyncReplicas: { type: "integer", minimum: 1, maximum: 32767 },
};

const topic = obj(
  {
    schema: id,
    format: { enum: ["avro", "json"] },
    partitions: { type: "integer", minimum: 1, maximum: 100000 },
    ...topicSettings,
    retention: { anyOf: [dur, { const: "forever" }] },
    retentionBytes: { anyOf: [{ type: "integer", minimum: 1 }, { const: "unlimited" }] },
    cleanupPolicy: { enum: ["delete", "compact", "compact,delete"] },
    compression: { enum: ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"] },
    maxMessageBytes: { type: "integer", minimum: 1 },
    segment: dur,
    compatibility: {
      enum: [
        "BACKWARD",
        "BACKWARD_TRANSITIVE",
        "FORWARD",
        "FORWARD_TRANSITIVE",
        "FULL",
        "FULL_TRANSITIVE",
        "NONE",
      ],
    },
    config: map(ref("topicConfigName"), { type: ["string", "number", "boolean"] }),
    doc: { type: "string" },
  },
  ["partitions"],
);

const ingestStep = obj(
  {
    validate: id,
    setAttributes: map(ref("attributeName"), { type: "string" }),
    route: {
      type: "array",
      minItems: 1,
      items: obj(
        {
          when: obj(
            {
              field: col,
              equals: { type: ["string", "number", "boolean"] },
              notEquals: { type: ["string", "number", "boolean"] },
              in: { type: "array", items: { type: ["string", "number"] }, minItems: 1 },
            },
            ["field"],
            { minProperties: 2, maxProperties: 2 },
          ),
          to: { $ref: "#/definitions/topicName" },
        },
        ["when", "to"],
      ),
    },
  },
  [],
  { minProperties: 1, maxProperties: 1 },
);

const streamStep = obj(
  {
    filter: expr,
    select: cols,
    derive: map(
      col,
      {
        anyOf: [
          expr,
          obj(
            {
              expr,
              type: {
                enum: [
                  "string",
                  "int",
                  "long",
                  "float",
                  "double",
                  "boolean",
                  "decimal",
                  "timestamp",
                  "date",
                  "bytes",
                ],
              },
              precision: { type: "integer", minimum: 1, maximum: 38 },
              scale: { type: "integer", minimum: 0, maximum: 38 },
            },
            ["expr", "type"],
          ),
        ],
      },
      { minProperties: 1 },
    ),
    rename: map(col, col, { minProperties: 1 }),
    drop: cols,
    dedupe: obj({ key: keyCols, on: col, watermark: dur }, ["key"]),
    window: obj({ on: col, size: dur, slide: dur, watermark: dur }, ["on", "size", "watermark"]),
    groupBy: { type: "array", items: col },
    aggregate: map(col, ref("aggregate"), { minProperties: 1 }),
    join: obj(
      {
        connection: id,
        table: { $ref: "#/definitions/tableName" },
        on: cols,
        select: cols,
        how: { enum: ["inner", "left"] },
      },
      ["connection", "table", "on", "select"],
    ),
  },
  [],
  { minProperties: 1 },
);

const sink = obj(
  {
    connection: id,
    table: { $ref: "#/definitions/tableName" },
    collection: id,
    topic: { $ref: "#/definitions/topicName" },
    path: ref("relativePath"),
    mode: { enum: ["append", "upsert"] },
    key: keyCols,
    format: { enum: ["parquet", "json", "avro"] },
    partitionBy: { type: "array", items: col, minItems: 1 },
  },
  [],
  { minProperties: 1 },
);

const platform = obj({
  kafka: obj({
    bootstrapServers: strOrRef,
    schemaRegistry: strOrRef,
    securityProtocol: { enum: ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] },
    saslMechanism: { enum: ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] },
    saslUser: strOrRef,
    saslPassword: secret,
  }),
  nifi: obj({ url: strOrRef, version: ref("nifiVersion") }),
  spark: obj({
    master: strOrRef,
    deployMode: { enum: ["client", "cluster"] },
    checkpointRoot: strOrRef,
    shufflePartitions: { type: "integer", minimum: 1 },
    conf: map(ref("sparkConfName"), { type: ["string", "number", "boolean"] }),
  }),
  airflow: obj({
    sparkConnection: id,
    kafkaConnection: id,
    nifiConnection: id,
    schemaRegistryConnection: id,
  }),
});

const orchestration = obj({
  schedule: { $ref: "#/definitions/schedule" },
  startDate: ref("isoDate"),
  retries: { type: "integer", minimum: 0, maximum: 100 },
  retryDelay: dur,
  deadline: dur,
  maxActiveRuns: { type: "integer", minimum: 1 },
  owner: str,
  tags: {
    type: "array",
    items: ref("tag"),
    uniqueItems: true,
  },
  alerts: obj({
    email: {
      type: "array",
      items: { $ref: "#/definitions/email" },
      minItems: 1,
    },
    slack: obj({ connection: id, channel: ref("slackChannel") }, ["connection"]),
  }),
});

const trigger = obj(
  {
    every: dur,
    availableNow: { const: true },
    schedule: { $ref: "#/definitions/schedule" },
  },
  [],
  { minProperties: 1 },
);

const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://pipegen.dev/schema/pipegen.v1.schema.json",
  title: "PipegenSpec",
  description: "pipegen spec language v1: one pipeline, end to end.",
  type: "object",
  additionalProperties: false,
  required: ["pipegen", "pipeline"],
  properties: {
    pipegen: { const: 1, description: "Spec language version." },
    pipeline: {
      ...id,
      description: "Pipeline name: an identifier, used for output folders and DAG ids.",
    },
    description: { type: "string" },
    owner: { type: "string" },
    platform,
    connections: map(id, { $ref: "#/definitions/connection" }),
    schemas: map(
      id,
      obj(
        {
          key: keyCols,
          fields: map(col, field, { minProperties: 1 }),
          doc: { type: "string" },
        },
        ["fields"],
      ),
    ),
    topics: map({ $ref: "#/definitions/topicName" }, topic),
    ingest: map(
      id,
      obj(
        {
          from: obj(
            {
              connection: id,
              table: { $ref: "#/definitions/tableName" },
              collection: id,
              query: { type: "string" },
              incrementalColumn: col,
              every: dur,
              fetchSize: { type: "integer", minimum: 1 },
            },
            ["connection", "every"],
          ),
          steps: { type: "array", items: ingestStep },
          to: obj(
            {
              topic: { $ref: "#/definitions/topicName" },
              key: keyCols,
              format: { enum: ["avro", "json"] },
            },
            ["topic"],
          ),
          onError: obj({
            retries: { type: "integer", minimum: 0, maximum: 100 },
            backoff: dur,
            deadLetter: { $ref: "#/definitions/topicName" },
          }),
          doc: { type: "string" },
        },
        ["from", "to"],
      ),
    ),
    streams: map(
      id,
      obj(
        {
          from: obj(
            {
              topic: { $ref: "#/definitions/topicName" },
              startingOffsets: { enum: ["earliest", "latest"] },
              maxOffsetsPerTrigger: { type: "integer", minimum: 1 },
              failOnDataLoss: { type: "boolean" },
            },
            ["topic"],
          ),
          quality: {
            type: "array",
            items: obj(
              {
                notNull: cols,
                check: expr,
                name: id,
                enum: obj(
                  {
                    column: col,
                    values: { type: "array", items: { type: ["string", "number"] }, minItems: 1 },
                  },
                  ["column", "values"],
                ),
              },
              [],
              { minProperties: 1 },
            ),
          },
          onInvalid: ref("onInvalid"),
          steps: { type: "array", items: streamStep },
          to: { type: "array", items: sink, minItems: 1 },
          trigger,
          resources: obj({
            executors: { type: "integer", minimum: 1 },
            executorCores: { type: "integer", minimum: 1 },
            executorMemory: { $ref: "#/definitions/memory" },
            driverMemory: { $ref: "#/definitions/memory" },
          }),
          doc: { type: "string" },
        },
        ["from", "to"],
      ),
    ),
    archive: map(
      id,
      obj(
        {
          from: obj({ topic: { $ref: "#/definitions/topicName" } }, ["topic"]),
          to: obj(
            {
              connection: id,
              path: ref("relativePath"),
              format: { enum: ["parquet", "json"] },
              partitionBy: { type: "array", items: col, minItems: 1 },
            },
            ["connection"],
          ),
          schedule: { $ref: "#/definitions/schedule" },
          doc: { type: "string" },
        },
        ["from", "to", "schedule"],
      ),
    ),
    orchestration,
    environments: map(
      id,
      obj({
        topics: obj(topicSettings),
        platform,
        connections: map(id, { $ref: "#/definitions/connectionOverlay" }),
        orchestration,
      }),
    ),
  },
  definitions: {
    identifier: { type: "string", pattern: "^[a-z][a-z0-9_]*$", maxLength: 64 },
    column: { type: "string", pattern: "^[a-z][a-z0-9_]*$", maxLength: 64 },
    topicName: { type: "string", pattern: "^[a-z][a-z0-9_.-]*$", maxLength: 200 },
    tableName: {
      type: "string",
      pattern: "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)?$",
      maxLength: 128,
    },
    duration: { type: "string", pattern: "^[1-9][0-9]{0,8}(ms|s|m|h|d|w)$" },
    memory: { type: "string", pattern: "^[1-9][0-9]{0,6}[kmgt]$" },
    port: {
      anyOf: [{ type: "integer", minimum: 1, maximum: 65535 }, { $ref: "#/definitions/envRef" }],
    },
    envRef: { type: "string", pattern: "^\\$\\{env:[A-Z][A-Z0-9_]*\\}$" },
    schedule: { type: "string", format: "schedule" },
    email: { type: "string", pattern: "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$" },
    bucket: { type: "string", pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$" },
    columns: {
      anyOf: [col, cols],
      tsType: "Column[]",
      description: "One column or a list of columns; a single column is read as a list of one.",
    },
    aggregate: {
      type: "string",
      pattern:
        "^\\s*(count\\(\\s*\\*\\s*\\)|(count|sum|avg|min|max|approx_count_distinct)\\(\\s*[a-z][a-z0-9_]*\\s*\\))\\s*$",
    },
    isoDate: { type: "string", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
    prefix: { type: "string", pattern: "^([A-Za-z0-9_.=-]+/)*$" },
    relativePath: { type: "string", pattern: "^([A-Za-z0-9_.=-]+/)*[A-Za-z0-9_.=-]+$" },
    nifiVersion: { type: "string", pattern: "^2\\.[0-9]+\\.[0-9]+$" },
    topicConfigName: { type: "string", pattern: "^[a-z][a-z0-9.]*$" },
    sparkConfName: { type: "string", pattern: "^spark\\.[A-Za-z0-9_.-]+$" },
    attributeName: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_.-]*$" },
    tag: { type: "string", pattern: "^[A-Za-z0-9_.:-]+$" },
    slackChannel: { type: "string", pattern: "^#?[a-z0-9_-]+$" },
    onInvalid: {
      anyOf: [
        { const: "drop" },
        obj({ deadLetter: { $ref: "#/definitions/topicName" } }, ["deadLetter"]),
      ],
    },
    expression: { type: "string", minLength: 1, maxLength: 4000 },
    secretRef: { type: "string", pattern: "^\\$\\{secret:[A-Z][A-Z0-9_]*\\}$" },
    stringOrRef: {
      type: "string",
      minLength: 1,
      pattern: "^([^$]|\\$(?!\\{)|\\$\\{(env|secret):[A-Z][A-Z0-9_]*\\})*$",
    },
    connection: {
      type: "object",
      tsType: Object.keys(connectionTypes)
        .map((t) => `Connection${t[0].toUpperCase()}${t.slice(1)}`)
        .join(" | "),
      required: ["type"],
      properties: { type: { enum: Object.keys(connectionTypes) } },
      allOf: Object.entries(connectionTypes).map(([t, s]) => ({
        if: { properties: { type: { const: t } }, required: ["type"] },
        then: { $ref: `#/definitions/connection_${t}` },
      })),
    },
    ...Object.fromEntries(
      Object.entries(connectionTypes).map(([t, s]) => [
        `connection_${t}`,
        { title: `Connection${t[0].toUpperCase()}${t.slice(1)}`, ...s },
      ]),
    ),
    connectionOverlay: obj(
      Object.fromEntries(
        Object.values(connectionTypes)
          .flatMap((s) => Object.entries(s.properties))
          .filter(([k]) => k !== "type" && k !== "doc"),
      ),
      [],
      {
        description:
          "Per-environment overrides of a connection's settings (its type cannot change).",
      },
    ),
  },
};

export default schema;
