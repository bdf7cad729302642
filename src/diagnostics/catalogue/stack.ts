import type { Entries } from "./types.js";

const spec = (archive: string) =>
  `pipegen: 1
pipeline: shop
platform:
  kafka: {bootstrapServers: "\${env:KAFKA_BOOTSTRAP_SERVERS}"}
  spark: {master: "local[*]", deployMode: client, checkpointRoot: /tmp/pipegen/checkpoints}
connections:
  archive: ${archive}
schemas:
  order: {fields: {id: {type: long}}}
topics:
  orders: {schema: order, partitions: 3}
archive:
  orders_daily:
    from: {topic: orders}
    to: {connection: archive, format: parquet}
    schedule: "@daily"
`;

export const stackEntries: Entries<"PG501"> = {
  PG501: {
    means:
      "`pipegen stack` cannot point a setting of the spec at a service of the local stack: a literal host that is not the service's name, an S3 connection without an endpoint (its jobs would reach Amazon S3), cluster deploy mode (the stack's Spark is standalone), an alert channel outside the stack. The stack is written all the same; what the warning names does not work in it until the spec (or an environment overlay) changes.",
    example: {
      command: "stack",
      specs: { "shop.yaml": spec("{type: s3, bucket: shop-archive}") },
    },
    says: {
      at: "shop.yaml:7:12",
      severity: "warning",
      message:
        "connection archive names no endpoint: its jobs would reach Amazon S3, not the stack's MinIO",
      hint: 'give it endpoint: "${env:S3_ENDPOINT}" and pathStyle: true (the stack sets S3_ENDPOINT to http://minio:9000)',
    },
    fix: "Give the setting as a reference (${env:NAME}) the stack can set, or build the pipeline and its stack with an environment overlay whose settings fit a local stack (e.g. --env dev).",
    fixed: {
      "shop.yaml": spec(
        '{type: s3, bucket: shop-archive, endpoint: "${env:S3_ENDPOINT}", pathStyle: true}',
      ),
    },
  },
};
