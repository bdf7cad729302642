/**
 * The local stack's images (official ones, pinned) and the values its services answer on: the
 * one place that knows where Kafka, the registry, NiFi, Spark and the stores are inside the
 * Compose network, and the local credentials the stack gives them.
 */
import { sparkVersion } from "../spark/versions.js";

/** The services (groups of Compose services) a pipeline can need. */
export type ServiceName =
  | "kafka"
  | "schema-registry"
  | "nifi"
  | "spark"
  | "airflow"
  | "postgres"
  | "mariadb"
  | "cassandra"
  | "mongodb"
  | "minio";

/** Images by role, with pinned tags. Kafka, NiFi, Spark and Airflow are the e2e suite's versions. */
export const images = {
  kafka: "apache/kafka:4.1.2",
  /** Apicurio Registry 3.3.3 (Apache-2.0): the e2e suite proves the generated files against its Confluent-compatible API. */
  registry: "apicurio/apicurio-registry:3.3.3",
  nifi: "apache/nifi:2.8.0",
  spark: `apache/spark:${sparkVersion}`,
  airflow: "apache/airflow:3.2.2",
  airflowDb: "postgres:16.11",
  postgres: "postgres:15.15",
  mariadb: "mariadb:10.11.14",
  cassandra: "cassandra:5.0.8",
  mongodb: "mongo:8.0.12",
  minio: "minio/minio:RELEASE.2025-09-07T16-13-09Z",
  mc: "minio/mc:RELEASE.2025-08-13T08-35-41Z",
} as const;

/** Python packages the stack's Airflow image adds (versions of the e2e suite's Airflow lock). */
export const airflowPackages = [
  "apache-airflow==3.2.2",
  "apache-airflow-providers-apache-kafka==1.14.0",
  "apache-airflow-providers-apache-spark==6.0.2",
  "apache-airflow-providers-http==6.0.2",
  "apache-airflow-providers-openlineage==2.17.0",
  "apache-airflow-providers-slack==9.10.0",
  "apache-airflow-providers-smtp==3.0.1",
  "apache-airflow-providers-standard==1.13.1",
  "confluent-kafka==2.16.1",
  `pyspark==${sparkVersion}`,
] as const;

/** Where each service answers inside the Compose network, and the stack's local credentials. */
export const stackValues = {
  kafkaBootstrap: "kafka:9092",
  registryUrl: "http://schema-registry:8080/apis/ccompat/v7",
  nifiUrl: "http://nifi:8080",
  sparkMaster: "spark://spark-master:7077",
  sparkMasterHost: "spark://spark-master",
  sparkMasterPort: 7077,
  checkpoints: "/opt/pipegen/checkpoints",
  mongoUri: "mongodb://mongodb:27017",
  s3Endpoint: "http://minio:9000",
  s3Region: "us-east-1",
  s3AccessKey: "pipegen",
  s3SecretKey: "pipegen-local-secret",
  cassandraDc: "datacenter1",
  /** The password of every database user the stack creates (a local stack, not a deployment). */
  password: "pipegen-local",
  /** Where the NiFi image keeps the JDBC drivers its connection pools load. */
  nifiJdbcDir: "/opt/nifi/nifi-current/jdbc",
  /** Where the build's pipeline folders are mounted in the Airflow containers (the DAGs folder). */
  dagsFolder: "/opt/airflow/dags",
} as const;
