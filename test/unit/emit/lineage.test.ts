import { describe, expect, it } from "vitest";
import { emitAirflow } from "../../../src/emit/airflow/index.js";
import { sparkJobPlans } from "../../../src/emit/spark/submit.js";
import type * as I from "../../../src/ir/types.js";
import { env, lit, pipeline, stream } from "../ir-builder.js";

function withLineage(lineage: I.Platform["lineage"], conf: Record<string, string> = {}) {
  const p = pipeline({ streams: [stream({ name: "s" })] });
  return {
    ...p,
    platform: { ...p.platform, lineage, spark: { ...p.platform.spark, conf } },
  } as I.Pipeline;
}

const listener = "io.openlineage.spark.agent.OpenLineageSparkListener";

describe("platform.lineage in the Spark job plans and the processing DAGs", () => {
  it.each([
    ["no lineage: nothing added", null, {}, undefined, false],
    ["a literal endpoint", { url: lit("http://ol:5000"), namespace: "shop" }, {}, listener, true],
    [
      "other listeners of the platform are kept",
      { url: env("OL_URL"), namespace: "pipegen" },
      { "spark.extraListeners": "com.example.Listener" },
      `com.example.Listener,${listener}`,
      true,
    ],
  ])("%s", (_, lineage, conf, listeners, on) => {
    const p = withLineage(lineage, conf);
    const plan = sparkJobPlans(p).get("s")!;
    expect(plan.conf["spark.extraListeners"]).toBe(listeners);
    expect(plan.packages.includes("io.openlineage:openlineage-spark_2.13:1.53.0")).toBe(on);
    expect(plan.lineage).toEqual(lineage);
    if (lineage) {
      expect(plan.conf["spark.openlineage.transport.type"]).toBe("http");
      expect(plan.conf["spark.openlineage.namespace"]).toBe(lineage.namespace);
    }
    const dag = emitAirflow(p).find((f) => f.path.endsWith("_processing.py"))!.content;
    expect(dag.includes("openlineage_inject_parent_job_info=True")).toBe(on);
    if (lineage?.url.kind === "env")
      expect(dag).toContain(`"spark.openlineage.transport.url": "{{ var.value.OL_URL }}"`);
    if (lineage?.url.kind === "literal")
      expect(dag).toContain(`"spark.openlineage.transport.url": "http://ol:5000"`);
  });
});
