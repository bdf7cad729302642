/**
 * Airflow 3 in the layout of Airflow's own docker-compose.yaml: api-server, scheduler,
 * dag-processor, triggerer, a PostgreSQL metadata database and an init service that migrates
 * it; LocalExecutor (tasks run in the scheduler: no Celery workers, no Redis). Every service
 * gets the same environment: the Airflow variables (AIRFLOW_VAR_<NAME>) and connections
 * (AIRFLOW_CONN_<ID>, Airflow's JSON form) the generated DAGs read.
 */
import { images, stackValues as v } from "./images.js";
import { awsEnv, build, check, local, type Service, volumeOf } from "./services.js";
import type { Wiring } from "./wiring.js";

/** Compact JSON with sorted keys: an Airflow connection in one environment variable. */
export function compactJson(value: unknown): string {
  const sort = (x: unknown): unknown =>
    x !== null && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x)
            .sort()
            .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
        )
      : x;
  return JSON.stringify(sort(value));
}

/** The environment of every Airflow service. */
export function airflowEnvironment(w: Wiring): Record<string, string> {
  const env: Record<string, string> = {
    AIRFLOW__API__BASE_URL: "http://localhost:8080",
    AIRFLOW__API_AUTH__JWT_SECRET: "pipegen-local-stack-jwt-secret",
    AIRFLOW__CORE__AUTH_MANAGER:
      "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
    AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION: "true",
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL: "http://airflow-apiserver:8080/execution/",
    AIRFLOW__CORE__EXECUTOR: "LocalExecutor",
    AIRFLOW__CORE__FERNET_KEY: "",
    AIRFLOW__CORE__LOAD_EXAMPLES: "false",
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS: "true",
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: "postgresql+psycopg2://airflow:airflow@airflow-db/airflow",
    AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK: "true",
    ...awsEnv(w),
  };
  for (const [name, value] of w.variables) env[`AIRFLOW_VAR_${name.toUpperCase()}`] = value;
  for (const [id, conn] of w.connections)
    env[`AIRFLOW_CONN_${id.toUpperCase()}`] = compactJson(conn);
  return env;
}

const jobCheck = (type: string) =>
  check(["CMD-SHELL", `airflow jobs check --job-type ${type} --hostname "\${HOSTNAME}"`]);

export function airflow(
  w: Wiring,
  pipelines: readonly string[],
  runtime: string,
): Record<string, Service> {
  const environment = airflowEnvironment(w);
  const image = `pipegen-stack/airflow:${images.airflow.split(":")[1]}-runtime-${runtime}`;
  const dags = pipelines.map((p) => `../${p}:${v.dagsFolder}/${p}:ro`);
  const shared = [...w.sharedPaths].sort().map((p) => `${volumeOf(p)}:${p}`);
  const needs = [...w.services].filter((s) => s !== "airflow" && s !== "spark").sort();
  const serviceOf = (s: string) => (s === "minio" ? ["minio"] : [s]);
  // A new object each time: only the environment is shared (and written once, with an anchor).
  const after = () => ({
    "airflow-db": { condition: "service_healthy" },
    "airflow-init": { condition: "service_completed_successfully" },
  });
  const common = (extra: Service): Service => ({
    build: build("airflow"),
    depends_on: after(),
    environment,
    image,
    volumes: [...dags, "airflow-logs:/opt/airflow/logs"],
    ...extra,
  });
  return {
    "airflow-db": {
      environment: {
        POSTGRES_DB: "airflow",
        POSTGRES_PASSWORD: "airflow",
        POSTGRES_USER: "airflow",
      },
      healthcheck: check(["CMD", "pg_isready", "-U", "airflow"], "5s"),
      image: images.airflowDb,
      volumes: ["airflow-db-data:/var/lib/postgresql/data"],
    },
    "airflow-init": {
      build: build("airflow"),
      command: ["version"],
      depends_on: { "airflow-db": { condition: "service_healthy" } },
      environment: { ...environment, _AIRFLOW_DB_MIGRATE: "true" },
      image,
      restart: "no",
    },
    "airflow-apiserver": common({
      command: ["api-server"],
      healthcheck: check(["CMD", "curl", "--fail", "http://localhost:8080/api/v2/version"]),
      ports: [local(8080, 8080)],
    }),
    "airflow-scheduler": common({
      command: ["scheduler"],
      // The scheduler runs the tasks (LocalExecutor): the Spark driver of each job runs here,
      // so it depends on every service a task reaches and shares the checkpoint folders.
      depends_on: {
        ...after(),
        ...Object.fromEntries(
          needs.flatMap(serviceOf).map((s) => [s, { condition: "service_healthy" }]),
        ),
        ...(w.services.has("spark") ? { "spark-master": { condition: "service_healthy" } } : {}),
      },
      healthcheck: check(["CMD", "curl", "--fail", "http://localhost:8974/health"]),
      hostname: "airflow-scheduler",
      volumes: [...dags, "airflow-logs:/opt/airflow/logs", ...shared],
    }),
    "airflow-dag-processor": common({
      command: ["dag-processor"],
      healthcheck: jobCheck("DagProcessorJob"),
    }),
    "airflow-triggerer": common({ command: ["triggerer"], healthcheck: jobCheck("TriggererJob") }),
  };
}
