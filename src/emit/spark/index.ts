import { sparkPaths } from "../../ir/names.js";
import type { Pipeline } from "../../ir/types.js";
import type { GeneratedFile } from "../shared/types.js";
import { archiveJob } from "./archive-job.js";
import { ddlFiles } from "./ddl.js";
import { streamJob } from "./stream-job.js";
import { sparkJobPlans, submitJson } from "./submit.js";

/**
 * Spark target: per stream a Structured Streaming job, per archive a batch export job, each
 * with its submission (.submit.json, the job's plan), and the DDL of the tables they write.
 */
export function emitSpark(p: Pipeline): GeneratedFile[] {
  const plans = sparkJobPlans(p);
  const files: GeneratedFile[] = [];
  const job = (name: string, content: string) => {
    files.push({ path: sparkPaths.job(p.name, name), content, format: "python" });
    files.push({ path: sparkPaths.submit(p.name, name), content: submitJson(p, plans.get(name)!) });
  };
  for (const s of p.streams) job(s.name, streamJob(p, s));
  for (const a of p.archive) job(a.name, archiveJob(p, a));
  files.push(...ddlFiles(p));
  return files;
}
