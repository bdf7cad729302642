// Building blocks of the spec JSON Schema (scripts/schema-src.mjs puts them together).
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

/** A SQL database reached over JDBC: postgres and mysql take the same settings. */
const jdbcConnection = (type) =>
  obj(
    {
      type: { const: type },
      host: strOrRef,
      port: { $ref: "#/definitions/port" },
      database: strOrRef,
      user: strOrRef,
      password: secret,
      options: map(str, { type: ["string", "number", "boolean"] }),
      doc: { type: "string" },
    },
    ["type", "host", "database", "user"],
  );

const connectionTypes = {
  postgres: jdbcConnection("postgres"),
  mysql: jdbcConnection("mysql"),
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
      localDatacenter: { type: "string", minLength: 1 },
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

/** The types a record field (or a typed derived column) may have. */
const fieldTypes = [
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
];

const field = obj(
  {
    type: { enum: fieldTypes },
    required: { type: "boolean" },
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
              type: { enum: fieldTypes },
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
    kubernetes: obj(
      {
        image: ref("containerImage"),
        namespace: ref("kubernetesLabel"),
        serviceAccount: ref("kubernetesName"),
        jobFiles: ref("jobFilesUri"),
        runtime: { enum: ["image", "jobFiles"] },
        uploadPath: ref("uploadUri"),
        imagePullPolicy: { enum: ["Always", "IfNotPresent", "Never"] },
        imagePullSecrets: { type: "array", items: ref("kubernetesName"), minItems: 1 },
        secretName: ref("kubernetesName"),
        configMapName: ref("kubernetesName"),
      },
      ["image", "namespace", "serviceAccount", "jobFiles"],
    ),
    yarn: obj({
      queue: ref("yarnQueue"),
      pythonEnv: ref("archiveUri"),
      driverPython: ref("executable"),
      files: { type: "array", items: ref("archiveUri"), minItems: 1, uniqueItems: true },
    }),
  }),
  lineage: obj({ url: strOrRef, namespace: str }, ["url"]),
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

export {
  id,
  col,
  cols,
  keyCols,
  ref,
  dur,
  str,
  strOrRef,
  secret,
  expr,
  obj,
  map,
  connectionTypes,
  field,
  topicSettings,
  topic,
  ingestStep,
  streamStep,
  sink,
  platform,
  orchestration,
  trigger,
};
