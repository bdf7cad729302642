/**
 * The stack target: one Compose file (stack/compose.yaml) with the services a set of pipelines
 * uses, their images' build context (stack/images/) and the stores' init scripts. Pure: the
 * pipelines and pipegen-runtime's source in, files and findings out. Unlike the other targets
 * it spans every pipeline of the command, so `pipegen stack` writes it, not `pipegen build`.
 */
import { stringify } from "yaml";
import { RUNTIME_VERSION } from "../shared/runtime.js";
import type { Pipeline } from "../../ir/types.js";
import { airflow } from "./airflow.js";
import {
  airflowDockerfile,
  header,
  nifiDockerfile,
  type RuntimeSource,
  sparkDockerfile,
} from "./files.js";
import { kafka, minio, nifi, registry, type Service, spark } from "./services.js";
import { type StackFile, stores } from "./stores.js";
import { emptyWiring, type StackFinding, type Wiring, wirePipeline } from "./wiring.js";

export type { StackFinding } from "./wiring.js";
export type { RuntimeSource } from "./files.js";

/** The folder of the stack under the output root. */
export const STACK_DIR = "stack";

export interface Stack {
  /** Paths relative to the output root (stack/...). */
  files: StackFile[];
  findings: StackFinding[];
  wiring: Wiring;
}

export function emitStack(
  pipelines: readonly Pipeline[],
  runtime: readonly RuntimeSource[],
): Stack {
  const w = emptyWiring();
  const sorted = [...pipelines].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const p of sorted) wirePipeline(p, w);
  const services: Record<string, Service> = {};
  const has = (s: Parameters<typeof w.services.has>[0]) => w.services.has(s);
  if (has("kafka")) Object.assign(services, kafka());
  if (has("schema-registry")) Object.assign(services, registry());
  if (has("nifi")) Object.assign(services, nifi(w));
  if (has("spark")) Object.assign(services, spark(w, RUNTIME_VERSION));
  if (has("minio")) Object.assign(services, minio(w));
  const st = stores(w);
  Object.assign(services, st.services);
  Object.assign(
    services,
    airflow(
      w,
      sorted.map((p) => p.name),
      RUNTIME_VERSION,
    ),
  );
  const cassandra = sorted.some((p) =>
    p.streams.some((s) => s.sinks.some((k) => k.kind === "cassandra")),
  );
  const files: StackFile[] = [
    { path: "compose.yaml", content: composeYaml(services, sorted) },
    ...(w.nifiDrivers.size
      ? [{ path: "images/nifi.Dockerfile", content: nifiDockerfile(w.nifiDrivers) }]
      : []),
    { path: "images/airflow.Dockerfile", content: airflowDockerfile() },
    ...(has("spark")
      ? [{ path: "images/spark.Dockerfile", content: sparkDockerfile(cassandra) }]
      : []),
    ...runtime.map((r) => ({ path: `images/runtime/${r.path}`, content: r.content })),
    ...st.files,
  ];
  return {
    files: files
      .map((f) => ({ path: `${STACK_DIR}/${f.path}`, content: f.content }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    findings: w.findings,
    wiring: w,
  };
}

/**
 * Every string value with `$` doubled (Compose interpolates `$NAME`), every mapping sorted. An
 * object met twice (the Airflow services' environment) stays one object: YAML writes it once,
 * with an anchor, and aliases it.
 */
export function forCompose(x: unknown, seen = new Map<object, unknown>()): unknown {
  if (typeof x === "string") return x.replace(/\$/g, "$$$$");
  if (x === null || typeof x !== "object") return x;
  if (seen.has(x)) return seen.get(x);
  const out: unknown = Array.isArray(x)
    ? x.map((y) => forCompose(y, seen))
    : Object.fromEntries(
        Object.keys(x)
          .sort()
          .map((k) => [k, forCompose((x as Record<string, unknown>)[k], seen)]),
      );
  seen.set(x, out);
  return out;
}

/** The named volumes the services mount (a volume entry that is not a path). */
function namedVolumes(services: Record<string, Service>): string[] {
  const names = new Set<string>();
  for (const s of Object.values(services))
    for (const v of (s.volumes as string[] | undefined) ?? []) {
      const source = v.split(":")[0]!;
      if (!source.startsWith(".") && !source.startsWith("/")) names.add(source);
    }
  return [...names].sort();
}

function composeYaml(services: Record<string, Service>, pipelines: readonly Pipeline[]): string {
  const doc = {
    name: "pipegen",
    services,
    volumes: Object.fromEntries(namedVolumes(services).map((n) => [n, {}])),
  };
  const about = [
    header("#").trimEnd(),
    `# The local stack of ${pipelines.map((p) => p.name).join(", ")} (built from ${pipelines.map((p) => p.specFile).join(", ")}).`,
    "# Start it from this folder with `docker compose up -d --build` after `pipegen build`: the",
    "# pipeline folders beside this one are mounted into Airflow (the DAGs folder) and the stores.",
    "# Local credentials only; every port is published on 127.0.0.1.",
  ].join("\n");
  const body = stringify(forCompose(doc), {
    aliasDuplicateObjects: true,
    anchorPrefix: "airflow-environment",
    // YAML 1.1's booleans (no, on, yes) quoted too: Compose files are read by YAML 1.1 parsers.
    version: "1.1",
    lineWidth: 0,
  });
  return `${about}\n${body}`;
}
