// Source of the spec JSON Schema, kept as JS so it can use small helpers.
// `npm run gen:types` writes schema/pipegen.v1.schema.json and src/schema/spec.gen.ts from it;
// a unit test fails when either is stale. The JSON file is the published single source of truth.
// Its $id is public and stable: editors and other tools key the schema by it (nothing fetches it).
import {
  id,
  col,
  cols,
  keyCols,
  ref,
  dur,
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
} from "./schema-parts.mjs";
import { document } from "./schema-docs/index.mjs";
import { testDefinitions, testsSection } from "./schema-tests.mjs";

const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://pipegen.dev/schema/pipegen.v1.schema.json",
  title: "PipegenSpec",
  description: "pipegen spec language v1: one pipeline, end to end.",
  type: "object",
  additionalProperties: false,
  required: ["pipegen", "pipeline"],
  properties: {
    pipegen: { const: 1 },
    pipeline: id,
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
          stateVersion: {
            type: "integer",
            minimum: 1,
            maximum: 1000,
            description:
              "The version of the stream's state (default 1). Raise it by one when a change cannot restart from the stream's checkpoints (a new window, group key, aggregate or dedupe key, another source topic): its stateful queries then start on new checkpoints from startingOffsets. `pipegen plan` says when, and what the restart means for the sinks.",
          },
          trigger,
          freshness: { $ref: "#/definitions/duration" },
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
          freshness: { $ref: "#/definitions/duration" },
          doc: { type: "string" },
        },
        ["from", "to", "schedule"],
      ),
    ),
    orchestration,
    plan: obj(
      {
        except: {
          type: "array",
          description:
            "Changes `pipegen plan` accepts although their rule is breaking: a rule id, or {rule, object, reason} for one object.",
          items: {
            anyOf: [
              { $ref: "#/definitions/planRule" },
              obj(
                {
                  rule: {
                    $ref: "#/definitions/planRule",
                    description:
                      "The rule id of the change to accept, e.g. KAFKA_PARTITIONS_INCREASED.",
                  },
                  object: {
                    type: "string",
                    minLength: 1,
                    description:
                      "The one object the change is accepted for, as pipegen plan names it (e.g. topic orders.raw); without it, every object.",
                  },
                  reason: {
                    type: "string",
                    description: "Why the change is accepted, for the reviewers of the spec.",
                  },
                },
                ["rule"],
              ),
            ],
          },
        },
      },
      [],
      { description: "Settings of `pipegen plan` (they change no generated file)." },
    ),
    environments: map(
      id,
      obj({
        topics: obj(topicSettings),
        platform,
        connections: map(id, { $ref: "#/definitions/connectionOverlay" }),
        orchestration,
      }),
    ),
    tests: testsSection,
  },
  definitions: {
    ...testDefinitions,
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
    containerImage: { type: "string", pattern: "^[a-z0-9][A-Za-z0-9._/:@-]*$", maxLength: 512 },
    kubernetesLabel: { type: "string", pattern: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", maxLength: 63 },
    kubernetesName: {
      type: "string",
      pattern: "^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$",
      maxLength: 253,
    },
    jobFilesUri: {
      type: "string",
      pattern: "^(local|s3a|hdfs|gs|abfss?|https?)://[A-Za-z0-9._~:/@%+=-]*[A-Za-z0-9._~:@%+=-]$",
    },
    uploadUri: {
      type: "string",
      pattern: "^(s3a|hdfs|gs|abfss?)://[A-Za-z0-9._~:/@%+=-]*[A-Za-z0-9._~:@%+=-]$",
    },
    archiveUri: {
      type: "string",
      pattern: "^(hdfs|s3a|gs|abfss?|https?|file|local)://[A-Za-z0-9._~:/@%+=-]+$",
    },
    yarnQueue: { type: "string", pattern: "^[A-Za-z0-9_.-]+$", maxLength: 255 },
    executable: { type: "string", pattern: "^[A-Za-z0-9_./+-]+$" },
    attributeName: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_.-]*$" },
    tag: { type: "string", pattern: "^[A-Za-z0-9_.:-]+$" },
    planRule: {
      type: "string",
      pattern: "^[A-Z][A-Z0-9_]*$",
      description:
        "A rule id of pipegen plan's catalogue (README, pipegen plan), e.g. KAFKA_TOPIC_REMOVED.",
    },
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
    ),
  },
};

// Every key's description (and examples and default) comes from scripts/schema-docs/.
export default document(schema);
