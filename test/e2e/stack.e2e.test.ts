/**
 * `pipegen stack` against the Compose reference loader: for every example alone and for all of
 * them together (built with --env dev, as a local stack wants, and as written), the build and
 * the stack are written into a temp folder by the CLI and compose-check (compose-go v2.9.0:
 * the Compose specification's JSON schema, then the loader with its consistency checks) loads
 * the Compose file. What it loaded is then checked: the services the pipelines use, pinned
 * images, health checks, every bind mount's source on disk (the pipeline folders, init
 * scripts, DDL, build contexts), the DDL the init scripts run present in the build, and values
 * as the spec wrote them after Compose's interpolation. No Docker daemon is involved.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoadedProject, loadCompose } from "./harness/compose.js";
import { exec, removeTempDir } from "./harness/process.js";
import { REPO_ROOT } from "./harness/paths.js";

const BIN = path.join(REPO_ROOT, "bin", "pipegen.js");
let tmp: string;

const pipegen = (args: string[]) =>
  exec(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    timeoutMs: 180_000,
  });

/** Builds the specs and writes their stack into a folder of the temp dir; returns the compose file. */
async function stackOf(name: string, specs: string[], env: string | null): Promise<string> {
  const out = path.join(tmp, name);
  const envArgs = env ? ["--env", env] : [];
  const built = await pipegen(["build", ...specs, ...envArgs, "--out", out, "-q"]);
  expect(built.code, built.stderr).toBe(0);
  const stacked = await pipegen(["stack", ...specs, ...envArgs, "--out", out, "-q"]);
  expect(stacked.code, stacked.stderr).toBe(0);
  return path.join(out, "stack", "compose.yaml");
}

const airflow = [
  "airflow-apiserver",
  "airflow-dag-processor",
  "airflow-db",
  "airflow-init",
  "airflow-scheduler",
  "airflow-triggerer",
];
/** Every service: the examples together use them all. */
const everything = [
  ...airflow,
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
];
const cases: Array<[string, string[], string | null, string[]]> = [
  [
    "shop_orders",
    ["specs/shop_orders.yaml"],
    "dev",
    [
      ...airflow,
      "kafka",
      "minio",
      "minio-init",
      "nifi",
      "postgres",
      "schema-registry",
      "spark-master",
      "spark-worker",
    ],
  ],
  [
    "iot_sensors",
    ["specs/iot_sensors.yaml"],
    "dev",
    [
      ...airflow,
      "kafka",
      "mariadb",
      "minio",
      "minio-init",
      "nifi",
      "schema-registry",
      "spark-master",
      "spark-worker",
    ],
  ],
  [
    "user_activity",
    ["specs/user_activity.yaml"],
    "dev",
    [
      ...airflow,
      "cassandra",
      "cassandra-init",
      "kafka",
      "minio",
      "minio-init",
      "mongodb",
      "nifi",
      "schema-registry",
      "spark-master",
      "spark-worker",
    ],
  ],
  ["all-dev", ["specs"], "dev", everything],
  ["all", ["specs"], null, everything],
];

const files: Record<string, string> = {};
let loaded: Record<string, LoadedProject>;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "pipegen-stack-"));
  for (const [name, specs, env] of cases) files[name] = await stackOf(name, specs, env);
  loaded = await loadCompose(Object.values(files));
}, 600_000);

afterAll(async () => {
  if (tmp) await removeTempDir(tmp);
});

describe.each(cases)("the stack of %s (--env %s)", (name, _specs, _env, services) => {
  const project = () => loaded[files[name]!]!;

  it("loads with compose-go and has exactly the services its pipelines use", () => {
    expect(project().name).toBe("pipegen");
    expect(Object.keys(project().services).sort()).toEqual([...services].sort());
  });

  it("runs official images with pinned tags, or builds on them", () => {
    for (const [s, svc] of Object.entries(project().services)) {
      expect(svc.image, s).toMatch(/^[a-z0-9./-]+:[0-9A-Za-z][\w.-]*$/);
      expect(svc.image, s).not.toMatch(/:latest$/);
      if (svc.build) {
        const dockerfile = path.join(
          path.dirname(files[name]!),
          svc.build.context,
          svc.build.dockerfile,
        );
        expect(readFileSync(dockerfile, "utf8"), s).toMatch(
          /^FROM (apache\/(airflow|spark|nifi)):\S+$/m,
        );
      }
    }
  });

  it("has a health check on every long-running service and waits on them", () => {
    const all = project().services;
    for (const [s, svc] of Object.entries(all)) {
      if (svc.restart === "no") continue;
      expect(svc.healthcheck?.test?.length, s).toBeGreaterThan(0);
      for (const [dep, c] of Object.entries(svc.depends_on ?? {}))
        if (c.condition === "service_healthy")
          expect(all[dep]!.healthcheck, `${s} -> ${dep}`).toBeDefined();
    }
  });

  it("mounts files that exist: pipeline folders, init scripts, DDL, build contexts", () => {
    const dir = path.dirname(files[name]!);
    for (const svc of Object.values(project().services)) {
      for (const v of svc.volumes ?? [])
        if (v.type === "bind") expect(existsSync(path.resolve(dir, v.source)), v.source).toBe(true);
      if (svc.build)
        expect(existsSync(path.join(dir, svc.build.context, "runtime", "pyproject.toml"))).toBe(
          true,
        );
    }
    for (const init of ["postgres/init.sql", "mariadb/init.sql"]) {
      const f = path.join(dir, init);
      if (!existsSync(f)) continue;
      for (const m of readFileSync(f, "utf8").matchAll(/\/opt\/pipegen\/build\/(\S+?);?$/gm))
        expect(existsSync(path.join(dir, "..", m[1]!)), m[1]).toBe(true);
    }
  });

  it("gives the Airflow services the connections the DAGs use, as Airflow reads them", () => {
    const env = project().services["airflow-scheduler"]!.environment!;
    expect(JSON.parse(env.AIRFLOW_CONN_KAFKA_DEFAULT!)).toEqual({
      conn_type: "kafka",
      extra: { "bootstrap.servers": "kafka:9092" },
    });
    expect(JSON.parse(env.AIRFLOW_CONN_SPARK_DEFAULT!).host).toBe("spark://spark-master");
    // NiFi's pools load their JDBC drivers from a folder of the image the stack builds.
    if (project().services.nifi?.build)
      expect(env["AIRFLOW_VAR_JDBC.DRIVER.DIR"]).toBe("/opt/nifi/nifi-current/jdbc");
    else expect(env["AIRFLOW_VAR_JDBC.DRIVER.DIR"]).toBeUndefined();
    for (const s of ["airflow-apiserver", "airflow-dag-processor", "airflow-triggerer"])
      expect(project().services[s]!.environment).toEqual(env);
  });
});

describe("values through Compose's interpolation", () => {
  it("a $ and quotes in a spec's value reach the service as written", async () => {
    const spec = readFileSync(path.join(REPO_ROOT, "specs", "user_activity.yaml"), "utf8").replace(
      'port: "${env:CASSANDRA_PORT}"',
      // A function: a replacement string would read its $$ as one $.
      () => `port: "\${env:CASSANDRA_PORT}"\n    localDatacenter: "dc$HOME'\\"$$x{y}"`,
    );
    expect(spec).toContain(`localDatacenter: "dc$HOME'\\"$$x{y}"`);
    writeFileSync(path.join(tmp, "hostile.yaml"), spec);
    const file = await stackOf("hostile", [path.join(tmp, "hostile.yaml")], "dev");
    const project = (await loadCompose([file]))[file]!;
    expect(project.services.cassandra!.environment!.CASSANDRA_DC).toBe(`dc$HOME'"$$x{y}`);
  });

  it("compose-check refuses a file the schema does not allow, and one the loader does not", async () => {
    const bad = path.join(tmp, "bad.yaml");
    writeFileSync(
      bad,
      readFileSync(files.all!, "utf8").replace("    healthcheck:", "    helthcheck:"),
    );
    await expect(loadCompose([bad])).rejects.toThrow(/compose-spec\.json: .*helthcheck/);
    const dangling = path.join(tmp, "dangling.yaml");
    writeFileSync(
      dangling,
      readFileSync(files.all!, "utf8").replace(
        "condition: service_healthy",
        "condition: service_healthy\n      nowhere:\n        condition: service_healthy",
      ),
    );
    await expect(loadCompose([dangling])).rejects.toThrow(/undefined service "nowhere"/);
  });
});
