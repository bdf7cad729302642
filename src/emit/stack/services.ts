/**
 * The Compose services of the local stack, one builder per engine, as plain objects (the
 * index serialises them sorted). Health checks use what each image has: the engines' own
 * tools, curl where the image ships it, else bash's /dev/tcp with a small HTTP request.
 */
import { images, stackValues as v } from "./images.js";
import type { Wiring } from "./wiring.js";

export type Service = Record<string, unknown>;

/** A health check that GETs a path over HTTP with bash alone (images without curl). */
export function httpCheck(port: number, path: string): Service {
  const req = `GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n`;
  const cmd = `exec 3<>/dev/tcp/127.0.0.1/${port} && printf '${req}' >&3 && head -n 1 <&3 | grep -q ' 200 '`;
  return check(["CMD", "bash", "-c", cmd]);
}

export function check(test: string[], start = "30s"): Service {
  return { interval: "10s", retries: 30, start_period: start, test, timeout: "10s" };
}

export const local = (host: number, container: number) => `127.0.0.1:${host}:${container}`;
const healthy = (...names: string[]) =>
  Object.fromEntries(names.map((n) => [n, { condition: "service_healthy" }]));

export function kafka(): Record<string, Service> {
  return {
    kafka: {
      environment: {
        CLUSTER_ID: "pipegen-local-stack-0001",
        KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        KAFKA_CONTROLLER_QUORUM_VOTERS: "1@kafka:9093",
        KAFKA_INTER_BROKER_LISTENER_NAME: "PLAINTEXT",
        KAFKA_LISTENERS: "PLAINTEXT://:9092,CONTROLLER://:9093,HOST://:19092",
        KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://kafka:9092,HOST://localhost:19092",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
          "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,HOST:PLAINTEXT",
        KAFKA_LOG_DIRS: "/var/lib/kafka/data",
        KAFKA_NODE_ID: "1",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
      },
      healthcheck: check([
        "CMD-SHELL",
        "/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 > /dev/null 2>&1",
      ]),
      image: images.kafka,
      ports: [local(19092, 19092)],
      volumes: ["kafka-data:/var/lib/kafka/data"],
    },
  };
}

export function registry(): Record<string, Service> {
  return {
    "schema-registry": {
      // In-memory storage (Apicurio's default): schemas are registered again by the
      // ingestion DAG's register_schemas task after a restart.
      environment: { APICURIO_CCOMPAT_LEGACY_ID_MODE_ENABLED: "true" },
      healthcheck: check([
        "CMD-SHELL",
        "curl -fsS http://localhost:8080/apis/ccompat/v7/subjects > /dev/null",
      ]),
      image: images.registry,
      ports: [local(8081, 8080)],
    },
  };
}

export function nifi(w: Wiring): Record<string, Service> {
  const repo = (x: string) => `nifi-${x}:/opt/nifi/nifi-current/${x}`;
  return {
    nifi: {
      depends_on: healthy("kafka", "schema-registry"),
      // NIFI_WEB_HTTP_PORT makes the image serve plain HTTP without a login: a local stack only.
      environment: { NIFI_WEB_HTTP_HOST: "0.0.0.0", NIFI_WEB_HTTP_PORT: "8080" },
      healthcheck: { ...httpCheck(8080, "/nifi-api/flow/about"), start_period: "120s" },
      ...(w.nifiDrivers.size
        ? { build: build("nifi"), image: `pipegen-stack/nifi:${images.nifi.split(":")[1]}-jdbc` }
        : { image: images.nifi }),
      ports: [local(8091, 8080)],
      volumes: [
        "conf",
        "content_repository",
        "database_repository",
        "flowfile_repository",
        "provenance_repository",
        "state",
      ].map(repo),
    },
  };
}

/** The build context of the Spark and Airflow images (pipegen-runtime installed into both). */
export const build = (engine: "airflow" | "spark" | "nifi") => ({
  context: "./images",
  dockerfile: `${engine}.Dockerfile`,
});

export function spark(w: Wiring, runtime: string): Record<string, Service> {
  const image = `pipegen-stack/spark:${images.spark.split(":")[1]}-runtime-${runtime}`;
  const shared = [...w.sharedPaths].sort().map((p) => `${volumeOf(p)}:${p}`);
  return {
    "spark-master": {
      build: build("spark"),
      command: [
        "/opt/spark/bin/spark-class",
        "org.apache.spark.deploy.master.Master",
        "--host",
        "spark-master",
        "--port",
        "7077",
        "--webui-port",
        "8080",
      ],
      environment: { SPARK_NO_DAEMONIZE: "true" },
      healthcheck: httpCheck(8080, "/"),
      image,
      ports: [local(8082, 8080)],
    },
    "spark-worker": {
      build: build("spark"),
      command: [
        "/opt/spark/bin/spark-class",
        "org.apache.spark.deploy.worker.Worker",
        v.sparkMaster,
        "--cores",
        "2",
        "--memory",
        "2g",
        "--webui-port",
        "8081",
      ],
      depends_on: healthy("spark-master"),
      environment: { SPARK_NO_DAEMONIZE: "true", ...awsEnv(w) },
      healthcheck: httpCheck(8081, "/"),
      image,
      ...(shared.length ? { volumes: shared } : {}),
    },
  };
}

/** The named volume of a folder the Spark driver (in Airflow) and the workers share. */
export function volumeOf(path: string): string {
  const slug = path
    .replace(/^\/+/, "")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/-+$/, "")
    .toLowerCase();
  return `shared-${slug || "root"}`;
}

/** The AWS SDK's variables, for S3 connections without keys in the spec (the default chain). */
export function awsEnv(w: Wiring): Record<string, string> {
  if (!w.awsEnv) return {};
  return {
    AWS_ACCESS_KEY_ID: v.s3AccessKey,
    AWS_REGION: v.s3Region,
    AWS_SECRET_ACCESS_KEY: v.s3SecretKey,
  };
}

export function minio(w: Wiring): Record<string, Service> {
  const buckets = [...w.buckets].sort();
  const script = [
    `mc alias set stack ${v.s3Endpoint} ${v.s3AccessKey} ${v.s3SecretKey}`,
    ...buckets.map((b) => `mc mb --ignore-existing stack/${b}`),
  ].join(" && ");
  return {
    minio: {
      command: ["server", "/data", "--console-address", ":9001"],
      environment: { MINIO_ROOT_PASSWORD: v.s3SecretKey, MINIO_ROOT_USER: v.s3AccessKey },
      healthcheck: check(["CMD", "mc", "ready", "local"]),
      image: images.minio,
      ports: [local(9000, 9000), local(9001, 9001)],
      volumes: ["minio-data:/data"],
    },
    "minio-init": {
      depends_on: healthy("minio"),
      entrypoint: ["/bin/sh", "-c"],
      command: [script],
      image: images.mc,
      restart: "no",
    },
  };
}
