/**
 * The stack wires what the generated files read: every Airflow variable and connection the
 * DAGs use, every parameter the NiFi flow leaves to the deploy, every variable a Spark job's
 * submission names, read from the generated files' text (not from the IR the stack was made
 * from), is set on every Airflow service (the scheduler runs the tasks and the Spark drivers),
 * or a PG501 finding names it. The values point at services of the same file.
 */
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { compilePaths } from "../../../../src/api/index.js";
import { runtimeSources } from "../../../../src/api/stack.js";
import { emitStack, forCompose } from "../../../../src/emit/stack/index.js";

interface Reads {
  variables: Set<string>;
  /** Variables read with a default (`var.value.get("X", "")`): need not be set. */
  optional: Set<string>;
  connections: Set<string>;
}

const all = (text: string, re: RegExp) => [...text.matchAll(re)].map((m) => m[1]!);

/** What a generated file reads from Airflow and its environment, from its text alone. */
function readsOf(files: ReadonlyArray<{ path: string; content: string }>): Reads {
  const r: Reads = { variables: new Set(), optional: new Set(), connections: new Set() };
  const dags = files.filter((f) => /\/airflow\/[^/]+\.py$/.test(f.path));
  for (const { content: t } of dags) {
    all(t, /var\.value\.([A-Za-z_][A-Za-z0-9_]*)\b(?!\()/g).forEach((x) => r.variables.add(x));
    all(t, /var\.value\.get\(\s*"([^"]+)"/g).forEach((x) => r.optional.add(x));
    all(t, /conn_id\s*=\s*"([^"]+)"/g).forEach((x) => r.connections.add(x));
    all(t, /_CONN_ID\s*=\s*"([^"]+)"/g).forEach((x) => r.connections.add(x));
    all(t, /"(?:smtp|slack_webhook)_conn_id":\s*"([^"]+)"/g).forEach((x) => r.connections.add(x));
    all(t, /\{\{\s*conn\.([A-Za-z_][A-Za-z0-9_]*)\./g).forEach((x) => r.connections.add(x));
  }
  // The flow's parameters without a value take the Airflow variable of their name when the
  // ingestion DAG deploys it, but those its from_connections names (Kafka, the registry).
  const fromConnections = new Set(
    dags.flatMap((f) => {
      const block = /from_connections=\{([^}]*)\}/.exec(f.content)?.[1] ?? "";
      return all(block, /"([^"]+)":/g);
    }),
  );
  for (const f of files.filter((x) => x.path.endsWith(".flow.json"))) {
    const flow = JSON.parse(f.content) as {
      parameterContexts: Record<string, { parameters: Array<{ name: string; value?: unknown }> }>;
    };
    for (const c of Object.values(flow.parameterContexts))
      for (const p of c.parameters)
        if ((p.value === undefined || p.value === null) && !fromConnections.has(p.name))
          r.variables.add(p.name);
  }
  // A job's environment: passed by its DAG from the Airflow variables of the same names, but
  // the bootstrap servers, which the DAG passes as --bootstrap-servers from the Kafka connection.
  for (const f of files.filter((x) => x.path.endsWith(".submit.json"))) {
    const submit = JSON.parse(f.content) as { environment: string[] };
    for (const e of submit.environment) if (e !== "KAFKA_BOOTSTRAP_SERVERS") r.variables.add(e);
  }
  return r;
}

type Compose = {
  services: Record<string, { environment?: Record<string, string>; [k: string]: unknown }>;
};

const airflowServices = [
  "airflow-apiserver",
  "airflow-dag-processor",
  "airflow-scheduler",
  "airflow-triggerer",
];

describe.each([["dev"], [null]])("the examples' stack (environment %s)", (env) => {
  const r = compilePaths(["specs"], { env });
  const stack = emitStack(r.pipelines, runtimeSources());
  const compose = parse(
    stack.files.find((f) => f.path === "stack/compose.yaml")!.content,
  ) as Compose;
  const files = r.outputs.flatMap((o) => o.files);
  const reads = readsOf(files);
  const findings = stack.findings.map((f) => f.message).join("\n");

  it("the examples compile and the reads are found", () => {
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(reads.variables.size).toBeGreaterThan(10);
    expect([...reads.connections].sort()).toEqual(
      expect.arrayContaining([
        "kafka_default",
        "nifi_default",
        "schema_registry_default",
        "spark_default",
      ]),
    );
    expect(reads.optional).toEqual(new Set(["PIPEGEN_RUNTIME_PY_FILES"]));
  });

  it.each(airflowServices)("%s has every variable the generated files read", (service) => {
    const environment = compose.services[service]!.environment!;
    const unset = [...reads.variables].filter(
      (v) => !(`AIRFLOW_VAR_${v.toUpperCase()}` in environment),
    );
    expect(unset.filter((v) => !findings.includes(v))).toEqual([]);
  });

  it.each(airflowServices)(
    "%s has every connection the DAGs use, or a finding names it",
    (service) => {
      const environment = compose.services[service]!.environment!;
      const unset = [...reads.connections].filter(
        (c) => !(`AIRFLOW_CONN_${c.toUpperCase()}` in environment),
      );
      for (const c of unset) expect(findings).toContain(`connection ${c}`);
      // Only the alert channels are outside the stack.
      expect(unset.sort()).toEqual(["slack_alerts", "slack_growth", "smtp_default"]);
    },
  );

  it("points variables and connections at the stack's services", () => {
    const environment = compose.services["airflow-scheduler"]!.environment!;
    const names = new Set(Object.keys(compose.services));
    for (const [k, value] of Object.entries(environment)) {
      if (/^AIRFLOW_VAR_.*_HOST$/.test(k)) expect(names, `${k}=${value}`).toContain(value);
      if (/^AIRFLOW_VAR_.*_(URL|URI|ENDPOINT)$/.test(k))
        expect(names, `${k}=${value}`).toContain(new URL(value).hostname);
    }
    const conn = (id: string) =>
      JSON.parse(environment[`AIRFLOW_CONN_${id}`]!) as Record<string, any>;
    expect(conn("KAFKA_DEFAULT").extra["bootstrap.servers"]).toBe("kafka:9092");
    expect(String(compose.services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS)).toContain(
      "PLAINTEXT://kafka:9092",
    );
    expect(`${conn("SPARK_DEFAULT").host}:${conn("SPARK_DEFAULT").port}`).toBe(
      "spark://spark-master:7077",
    );
    expect(compose.services["spark-worker"]!.command).toContain("spark://spark-master:7077");
    expect(new URL(conn("NIFI_DEFAULT").host).hostname).toBe("nifi");
    expect(new URL(conn("SCHEMA_REGISTRY_DEFAULT").host).hostname).toBe("schema-registry");
  });

  it("mounts each pipeline's build where its DAGs find their files", () => {
    for (const o of r.outputs) {
      const p = o.pipeline;
      for (const s of airflowServices)
        expect(compose.services[s]!.volumes).toContain(`../${p}:/opt/airflow/dags/${p}:ro`);
      // The DAGs find ../spark, ../kafka, ../nifi beside their airflow folder.
      expect(o.files.some((f) => f.path.startsWith(`${p}/airflow/`))).toBe(true);
    }
  });

  it("has exactly the services the examples use", () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      ...airflowServices.slice(0, 2),
      "airflow-db",
      "airflow-init",
      ...airflowServices.slice(2),
      "cassandra",
      "cassandra-init",
      "kafka",
      "mariadb",
      "minio",
      "minio-init",
      "mongodb",
      "nifi",
      "postgres",
      "schema-registry",
      "spark-master",
      "spark-worker",
    ]);
  });

  it("is the same text when emitted again", () => {
    expect(emitStack(r.pipelines, runtimeSources()).files).toEqual(stack.files);
  });
});

describe("values in the Compose file", () => {
  it.each([
    ["plain", "plain"],
    ["$HOME", "$$HOME"],
    ["a$${b}", "a$$$${b}"],
  ])("%j is written %j (Compose interpolates $)", (given, want) => {
    expect(forCompose({ x: [given] })).toEqual({ x: [want] });
  });

  it("sorts mappings and keeps lists in order", () => {
    expect(JSON.stringify(forCompose({ b: 1, a: ["z", "y"] }))).toBe('{"a":["z","y"],"b":1}');
  });
});
