// src/emit/spark/cluster.ts and the platform.spark checks of src/ir/resolve/platform.ts: what a
// submission gets from its cluster manager's settings (Kubernetes, YARN, standalone), and the
// settings a master cannot run without.
import { describe, expect, it } from "vitest";
import { compile } from "../../../../src/api/index.js";
import type { Diagnostic } from "../../../../src/diagnostics/diagnostic.js";
import { sparkJobPlans } from "../../../../src/emit/spark/submit.js";

const said = (d: Diagnostic) =>
  `${d.file}:${d.line}:${d.col} ${d.code} ${d.message} | ${d.hint ?? ""}`;

/** A pipeline with one stream (resources 2 x 1 core) under the given platform.spark (YAML flow). */
const specText = (spark: string, extra = "") => `pipegen: 1
pipeline: p
platform:
  spark: ${spark}
connections:
  pg: {type: postgres, host: h, database: d, user: u, password: "\${secret:PG_PASSWORD}"}
schemas:
  r: {key: [id], fields: {id: {type: long, required: true}}}
topics:
  t: {schema: r, partitions: 1}
streams:
  s:
    from: {topic: t}
    onInvalid: drop
    to: [{connection: pg, table: s, mode: upsert, key: [id]}]
    resources: {executors: 2, executorCores: 1}
${extra}`;

const k8s =
  "kubernetes: {image: reg.example.com/spark:4.0.0, namespace: jobs, serviceAccount: spark, jobFiles: 'local:///opt/p/spark'}";
const k8sConf = {
  "spark.kubernetes.authenticate.driver.serviceAccountName": "spark",
  "spark.kubernetes.container.image": "reg.example.com/spark:4.0.0",
  "spark.kubernetes.namespace": "jobs",
};

function plan(spark: string, env?: string, extra = "") {
  const r = compile([{ file: "p.yaml", text: specText(spark, extra) }], { env: env ?? null });
  expect(r.diagnostics.map(said)).toEqual([]);
  return sparkJobPlans(r.pipelines[0]!).get("s")!;
}

/** The conf a plan gets beyond what every job gets. */
function clusterConf(conf: Readonly<Record<string, string>>): Record<string, string> {
  const common = new Set([
    "spark.driver.extraJavaOptions",
    "spark.executor.extraJavaOptions",
    "spark.sql.session.timeZone",
    "spark.sql.shuffle.partitions",
  ]);
  return Object.fromEntries(Object.entries(conf).filter(([k]) => !common.has(k)));
}

describe("a submission's cluster settings", () => {
  it.each([
    ["local: nothing", "{master: 'local[*]'}", {}, null, null],
    [
      "standalone: the application's cores capped at executors x cores",
      "{master: 'spark://m:7077'}",
      { "spark.cores.max": "2" },
      null,
      null,
    ],
    [
      "kubernetes, client mode: image, namespace, account; the local program",
      `{master: 'k8s://https://k:6443', ${k8s}}`,
      k8sConf,
      null,
      null,
    ],
    [
      "kubernetes, cluster mode: the program in jobFiles",
      `{master: 'k8s://https://k:6443', deployMode: cluster, ${k8s}}`,
      k8sConf,
      "local:///opt/p/spark/s.py",
      null,
    ],
    [
      "kubernetes, runtime from jobFiles, pull settings and an upload path",
      "{master: 'k8s://https://k:6443', deployMode: cluster, kubernetes: {image: 'r/i:1', namespace: n, serviceAccount: sa, jobFiles: 's3a://b/jobs', runtime: jobFiles, uploadPath: 's3a://b/up', imagePullPolicy: Always, imagePullSecrets: [regcred, other]}}",
      {
        "spark.kubernetes.authenticate.driver.serviceAccountName": "sa",
        "spark.kubernetes.container.image": "r/i:1",
        "spark.kubernetes.container.image.pullPolicy": "Always",
        "spark.kubernetes.container.image.pullSecrets": "regcred,other",
        "spark.kubernetes.file.upload.path": "s3a://b/up",
        "spark.kubernetes.namespace": "n",
      },
      "s3a://b/jobs/s.py",
      "s3a://b/jobs/pipegen_runtime-0.2.1.zip",
    ],
    [
      "yarn, cluster mode: queue, the packed environment on driver and executors, files",
      "{master: yarn, deployMode: cluster, yarn: {queue: q1, pythonEnv: 'hdfs:///envs/e.tar.gz', files: ['hdfs:///x/ts.jks']}}",
      {
        "spark.archives": "hdfs:///envs/e.tar.gz#environment",
        "spark.pyspark.python": "./environment/bin/python",
        "spark.yarn.dist.files": "hdfs:///x/ts.jks",
        "spark.yarn.queue": "q1",
      },
      null,
      null,
    ],
    [
      "yarn, client mode: the driver runs the submitting machine's Python",
      "{master: yarn, yarn: {pythonEnv: 'hdfs:///envs/e.tar.gz', driverPython: /opt/py/bin/python}}",
      {
        "spark.archives": "hdfs:///envs/e.tar.gz#environment",
        "spark.pyspark.driver.python": "/opt/py/bin/python",
        "spark.pyspark.python": "./environment/bin/python",
      },
      null,
      null,
    ],
    [
      "another manager's settings are not applied (an overlay may switch masters)",
      `{master: yarn, ${k8s}}`,
      {},
      null,
      null,
    ],
    [
      "a master by reference: the one manager's settings given",
      `{master: '\${env:SPARK_MASTER}', deployMode: cluster, ${k8s}}`,
      k8sConf,
      "local:///opt/p/spark/s.py",
      null,
    ],
    [
      "the spec's own conf wins over the derived settings",
      `{master: 'k8s://https://k:6443', conf: {spark.kubernetes.namespace: other}, ${k8s}}`,
      { ...k8sConf, "spark.kubernetes.namespace": "other" },
      null,
      null,
    ],
  ])("%s", (_what, spark, conf, applicationUri, pyFiles) => {
    const p = plan(spark);
    expect(clusterConf(p.conf)).toEqual(conf);
    expect(p.applicationUri).toBe(applicationUri);
    expect(p.runtimePyFilesUri).toBe(pyFiles);
  });

  it("an environment overlay that sets a local master drops the Kubernetes settings", () => {
    const extra =
      "environments:\n  dev: {platform: {spark: {master: 'local[2]', deployMode: client}}}\n";
    const p = plan(`{master: 'k8s://https://k:6443', deployMode: cluster, ${k8s}}`, "dev", extra);
    expect(clusterConf(p.conf)).toEqual({});
    expect(p.applicationUri).toBeNull();
  });
});

describe("settings a master cannot run without", () => {
  const errors = (spark: string, env?: string, extra = "") =>
    compile([{ file: "p.yaml", text: specText(spark, extra) }], {
      env: env ?? null,
    }).diagnostics.map(said);
  it.each([
    [
      "a k8s master without kubernetes settings",
      "{master: 'k8s://https://k:6443', deployMode: cluster}",
      undefined,
      "",
      /^p\.yaml:4:\d+ PG204 master 'k8s:\/\/https:\/\/k:6443' is Kubernetes, .* \| add 'kubernetes: \{image: /,
    ],
    [
      "the k8s master set by an environment overlay: the error is in the overlay",
      "{master: yarn}",
      "prod",
      "environments:\n  prod: {platform: {spark: {master: 'k8s://https://k:6443'}}}\n",
      /^p\.yaml:18:\d+ PG204 master 'k8s:\/\/https:\/\/k:6443' is Kubernetes/,
    ],
    [
      "kubernetes settings without jobFiles",
      "{master: 'k8s://https://k:6443', kubernetes: {image: 'r/i:1', namespace: n, serviceAccount: sa}}",
      undefined,
      "",
      /^p\.yaml:4:\d+ PG204 .*jobFiles/,
    ],
    [
      "a namespace Kubernetes refuses",
      "{master: 'k8s://https://k:6443', kubernetes: {image: 'r/i:1', namespace: Jobs_1, serviceAccount: sa, jobFiles: 'local:///x'}}",
      undefined,
      "",
      /^p\.yaml:4:\d+ PG203 .*namespace/,
    ],
    [
      "jobFiles ending in a slash",
      "{master: 'k8s://https://k:6443', kubernetes: {image: 'r/i:1', namespace: n, serviceAccount: sa, jobFiles: 'local:///x/'}}",
      undefined,
      "",
      /^p\.yaml:4:\d+ PG203 .*jobFiles/,
    ],
    [
      "both managers' settings with a master by reference",
      `{master: '\${env:M}', ${k8s}, yarn: {queue: q}}`,
      undefined,
      "",
      /^p\.yaml:4:\d+ PG305 kubernetes and yarn settings .* \| give the master as text/,
    ],
  ])("%s", (_what, spark, env, extra, want) => {
    const got = errors(spark, env, extra);
    expect(got.length, got.join("\n")).toBe(1);
    expect(got[0]).toMatch(want);
  });
});
