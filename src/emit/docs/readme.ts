/**
 * generated/<pipeline>/README.md: the pipeline as a picture (a Mermaid flowchart GitHub renders)
 * and a table of what each generated file is. Written last, from the other targets' file list.
 */
import { buildGraph } from "../../graph/build.js";
import { plainLine } from "../../graph/mermaid.js";
import { toMermaid } from "../../graph/mermaid.js";
import type { Pipeline } from "../../ir/types.js";
import { docsPaths } from "../../ir/names.js";
import { headerText } from "../shared/header.js";
import type { GeneratedFile } from "../shared/types.js";

/** Text for a Markdown paragraph or table cell: no markup, no HTML. */
export function markdownText(s: string): string {
  return plainLine(s)
    .replace(/[\\`*_[\]<>|#~]/g, (c) => `\\${c}`)
    .replace(/&/g, "&amp;")
    .trim();
}

function base(path: string, suffix: string): string {
  return path.slice(path.lastIndexOf("/") + 1, path.length - suffix.length);
}

/** What one generated file is, from its place in the pipeline's folder. */
export function describeFile(p: Pipeline, rel: string): string {
  const archives = new Set(p.archive.map((a) => a.name));
  const rules: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
    [
      /^pipegen-state\.json$/,
      () => "what the running systems hold once this build is deployed (pipegen plan compares it)",
    ],
    [
      /^kafka\/topics\.json$/,
      () =>
        "Kafka topics (partitions, replication, configs), applied by the ingestion DAG or " +
        "python -m pipegen_runtime.kafka_apply",
    ],
    [
      /^kafka\/schemas\/(.+)\.avsc$/,
      (m) => `Avro schema of topic ${m[1]}, registered by the ingestion DAG`,
    ],
    [
      /^nifi\/(.+)\.flow\.json$/,
      () => "NiFi flow definition, deployed and started by the ingestion DAG",
    ],
    [
      /^spark\/ddl\/(.+)\.(sql|cql)$/,
      (m) => `tables the Spark jobs write in connection ${m[1]} (the jobs also create them)`,
    ],
    [/^spark\/(.+)\.submit\.json$/, (m) => `spark-submit settings of ${m[1]}`],
    [
      /^spark\/(.+)\.py$/,
      (m) =>
        archives.has(m[1]!)
          ? `Spark batch job of archive ${m[1]}`
          : `Spark Structured Streaming job of stream ${m[1]}`,
    ],
    [
      /^kubernetes\/(.+)\.yaml$/,
      (m) =>
        `SparkApplication of stream ${m[1]} for the Kubeflow Spark operator (kubectl apply -f)`,
    ],
    [
      /^airflow\/.+_ingestion\.py$/,
      () => "Airflow DAG: apply topics, register schemas, deploy and start the NiFi flow",
    ],
    [
      /^airflow\/.+_processing\.py$/,
      () => "Airflow DAGs that submit and watch the Spark stream jobs",
    ],
    [
      /^airflow\/.+_archival\.py$/,
      () => "Airflow DAGs that run the archive jobs on their schedules",
    ],
    [
      /^airflow\/.+_monitoring\.py$/,
      () => "Airflow DAG that checks the jobs' freshness and lag and alerts when it is breached",
    ],
  ];
  for (const [re, say] of rules) {
    const m = rel.match(re);
    if (m) return say(m);
  }
  return base(rel, "");
}

export function emitReadme(p: Pipeline, files: readonly GeneratedFile[]): GeneratedFile {
  const prefix = `${p.name}/`;
  const rows = files
    .filter((f) => f.path.startsWith(prefix))
    .map((f) => f.path.slice(prefix.length))
    .sort()
    .map(
      (rel) =>
        `| [${markdownText(rel)}](${encodeURI(rel)}) | ${markdownText(describeFile(p, rel))} |`,
    );
  const lines = [
    // An HTML comment ends at "--": none may be left in the spec's file name.
    `<!-- ${headerText(p).replace(/-(?=-)/g, "- ")} -->`,
    `# ${markdownText(p.name)}`,
    "",
    markdownText(p.description),
    "",
    "```mermaid",
    toMermaid([buildGraph(p)]).trimEnd(),
    "```",
    "",
    "Solid arrows carry records; dotted ones carry dead letters or lookups.",
    "`pipegen graph --format html` draws the same picture as a page where each column can be followed from source to sink.",
    "",
    "| File | What it is |",
    "| --- | --- |",
    ...rows,
    "",
  ];
  return { path: docsPaths.readme(p.name), content: lines.join("\n") };
}
