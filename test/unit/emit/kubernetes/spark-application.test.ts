// src/emit/kubernetes: every SparkApplication pipegen emits validates against the Kubeflow Spark
// operator's own CRD (v2.5.2, test/fixtures/spark-operator), its openAPIV3Schema with unknown
// fields refused (kubectl apply's strict field validation); and what the manifest says.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { compile, compilePaths } from "../../../../src/api/index.js";
import { kubernetesPaths } from "../../../../src/ir/names.js";

const dir = "test/fixtures/spark-operator";
const crdText = readFileSync(`${dir}/sparkoperator.k8s.io_sparkapplications.yaml`, "utf8");

type Schema = Record<string, unknown>;

/** Unknown fields refused where the CRD does not keep them (x-kubernetes-preserve-unknown-fields). */
function strict(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(strict);
  if (s === null || typeof s !== "object") return s;
  const out: Schema = {};
  for (const [k, v] of Object.entries(s as Schema)) {
    if (k.startsWith("x-kubernetes-")) continue;
    // "properties" maps names to schemas: recurse into each.
    out[k] =
      k === "properties"
        ? Object.fromEntries(Object.entries(v as Schema).map(([n, x]) => [n, strict(x)]))
        : strict(v);
  }
  const o = s as Schema;
  if (
    o.properties &&
    o.additionalProperties === undefined &&
    !o["x-kubernetes-preserve-unknown-fields"]
  )
    out.additionalProperties = false;
  return out;
}

function validator() {
  const require = createRequire(import.meta.url);
  const Ajv = require("ajv").default as typeof import("ajv").default;
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The OpenAPI integer formats the CRD uses.
  ajv.addFormat("int32", {
    type: "number",
    validate: (n: number) => n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  const crd = parse(crdText) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  const v1beta2 = crd.spec.versions.find((v) => v.name === "v1beta2")!;
  return ajv.compile(strict(v1beta2.schema.openAPIV3Schema) as Schema);
}

const validate = validator();
const problems = (manifest: unknown) =>
  validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

/** RFC 1123 subdomain, and the 63 characters a label value (the app name) may have. */
const dns = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

const built = compilePaths(["specs", "test/fixtures/valid"]);
const manifests = built.outputs.flatMap((o) =>
  o.files.filter((f) => /\/kubernetes\/[^/]+\.yaml$/.test(f.path)),
);

describe("the SparkApplication CRD kept as test data", () => {
  it("is the operator's v2.5.2 file, unchanged (its README names the hash)", () => {
    const sha = createHash("sha256").update(crdText).digest("hex");
    expect(readFileSync(`${dir}/README.md`, "utf8")).toContain(sha);
  });

  it.each([
    ["a wrong type", (m: Schema) => ((m.spec as Schema).type = "Pyhton"), /\/spec\/type/],
    ["no executor", (m: Schema) => delete (m.spec as Schema).executor, /executor/],
    ["an unknown field", (m: Schema) => ((m.spec as Schema).pythonVersio = "3"), /additional/],
    [
      "zero driver cores",
      (m: Schema) => (((m.spec as Schema).driver as Schema).cores = 0),
      /\/spec\/driver\/cores/,
    ],
  ])("refuses a manifest with %s", (_what, spoil, want) => {
    const m = parse(manifests[0]!.content) as Schema;
    spoil(m);
    expect(problems(m).join("\n")).toMatch(want);
  });
});

describe("the examples' SparkApplications", () => {
  it("are emitted for every stream of a pipeline with kubernetes settings", () => {
    expect(built.diagnostics).toEqual([]);
    const want = built.pipelines.flatMap((p) =>
      p.platform.spark.kubernetes
        ? p.streams.map((s) => kubernetesPaths.sparkApplication(p.name, s.name))
        : [],
    );
    expect(want.length).toBeGreaterThan(0);
    expect(manifests.map((f) => f.path).sort()).toEqual(want.sort());
  });

  it.each(manifests.map((f) => [f.path, f.content] as const))("%s validates", (_path, text) => {
    const m = parse(text) as Schema;
    expect(problems(m)).toEqual([]);
    const meta = m.metadata as { name: string; namespace: string };
    expect(meta.name).toMatch(dns);
    expect(meta.name.length).toBeLessThanOrEqual(63);
    expect(meta.namespace).toMatch(dns);
  });
});

const specText = (kubernetes: string, stream: string) => `pipegen: 1
pipeline: a_rather_long_pipeline_name_that_goes_on
platform:
  spark: {master: "k8s://https://k:6443", deployMode: cluster, kubernetes: ${kubernetes}}
  lineage: {url: "http://marquez:5000"}
connections:
  pg: {type: postgres, host: "\${env:PG_HOST}", database: d, user: u, password: "\${secret:PG_PASSWORD}"}
schemas:
  r: {key: [id], fields: {id: {type: long, required: true}}}
topics:
  t: {schema: r, partitions: 1}
streams:
  a_stream_whose_name_is_long_too:
    from: {topic: t}
    onInvalid: drop
    to: [{connection: pg, table: s, mode: upsert, key: [id]}]
${stream}
orchestration: {retries: 4, retryDelay: 2m}
`;

describe("what a SparkApplication says", () => {
  const k8s = "{image: 'r/i:1', namespace: jobs, serviceAccount: sa, jobFiles: 'local:///opt/j'";
  it.each([
    [
      "long-running: always restarted; the runtime from the image",
      `${k8s}}`,
      "    trigger: {every: 30s}\n    resources: {executors: 3, executorCores: 2, executorMemory: 2g}",
      {
        restartPolicy: {
          type: "Always",
          onFailureRetryInterval: 120,
          onSubmissionFailureRetryInterval: 120,
        },
        executor: { instances: 3, cores: 2, memory: "2g" },
        pyFiles: undefined,
      },
    ],
    [
      "available-now: restarted on failure, retries from orchestration; the runtime from jobFiles",
      `${k8s}, runtime: jobFiles, imagePullPolicy: Always, imagePullSecrets: [regcred], secretName: s1, configMapName: c1}`,
      '    trigger: {availableNow: true, schedule: "@hourly"}',
      {
        restartPolicy: {
          type: "OnFailure",
          onFailureRetries: 4,
          onFailureRetryInterval: 120,
          onSubmissionFailureRetries: 4,
          onSubmissionFailureRetryInterval: 120,
        },
        executor: {},
        pyFiles: ["local:///opt/j/pipegen_runtime-0.2.1.zip"],
      },
    ],
  ])("%s", (_what, kubernetes, stream, want) => {
    const r = compile([{ file: "a.yaml", text: specText(kubernetes, stream) }]);
    expect(r.diagnostics).toEqual([]);
    const file = r.outputs[0]!.files.find((f) => f.path.includes("/kubernetes/"))!;
    expect(file.content).toMatch(/^# Generated by pipegen from a\.yaml\.\n/);
    const m = parse(file.content) as Schema;
    expect(problems(m)).toEqual([]);
    const spec = m.spec as Schema;
    const meta = m.metadata as { name: string };
    expect(meta.name.length).toBeLessThanOrEqual(56);
    expect(meta.name).toMatch(
      /^a-rather-long-pipeline-name-that-goes-on-a-[a-z0-9-]*-[0-9a-f]{8}$/,
    );
    expect(spec.mainApplicationFile).toBe("local:///opt/j/a_stream_whose_name_is_long_too.py");
    expect(spec.restartPolicy).toEqual(want.restartPolicy);
    const { labels: _l, ...executor } = spec.executor as Schema;
    expect(executor).toEqual(want.executor);
    expect((spec.deps as Schema).pyFiles).toEqual(want.pyFiles);
    // The literal lineage endpoint is in sparkConf; spark.kubernetes.* are the manifest's fields.
    const conf = spec.sparkConf as Record<string, string>;
    expect(conf["spark.openlineage.transport.url"]).toBe("http://marquez:5000");
    expect(Object.keys(conf).filter((k) => k.startsWith("spark.kubernetes."))).toEqual([]);
    // Variables from the pipeline's ConfigMap, secrets from its Secret.
    const env = (spec.driver as Schema).env as { name: string; valueFrom: Schema }[];
    const byName = Object.fromEntries(env.map((e) => [e.name, e.valueFrom]));
    const secret = kubernetes.includes("secretName")
      ? "s1"
      : "a-rather-long-pipeline-name-that-goes-on-secrets";
    const config = kubernetes.includes("configMapName")
      ? "c1"
      : "a-rather-long-pipeline-name-that-goes-on-config";
    expect(byName.PG_PASSWORD).toEqual({ secretKeyRef: { name: secret, key: "PG_PASSWORD" } });
    expect(byName.PG_HOST).toEqual({ configMapKeyRef: { name: config, key: "PG_HOST" } });
    expect((spec.driver as Schema).serviceAccount).toBe("sa");
  });
});
