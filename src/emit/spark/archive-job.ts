import type { Archive, Pipeline } from "../../ir/types.js";
import { render } from "../shared/templates.js";
import { filePath } from "./sinks.js";
import { jobHeader, jobRuntime, sourceData } from "./source.js";

/** The batch export of an archive (Python, rendered from its template). */
export function archiveJob(p: Pipeline, a: Archive): string {
  return render("spark/archive_job.py.hbs", {
    header: jobHeader(p),
    runtime: jobRuntime(p, a.name, ["archives", "decoding", "jobs", "sinks", "source"]),
    usesFunctions: false,
    pipeline: p.name,
    archive: a.name,
    sourceTopic: a.from.name,
    format: a.to.format,
    partitionBy: a.to.partitionBy,
    shufflePartitions: p.platform.spark.shufflePartitions,
    path: filePath(a.to.connection, a.to.path),
    ...sourceData(p, a.from),
  });
}
