import type { Pipeline } from "../../ir/types.js";
import type { GeneratedFile } from "../shared/types.js";
import { ingestionDag } from "./ingestion.js";
import { monitoringDag } from "./monitoring.js";
import { archivalDags, processingDags } from "./spark-dags.js";

/**
 * Airflow target: per pipeline an ingestion DAG (topics, schemas, NiFi flow), one processing
 * DAG per stream and one archival DAG per archive (in one file each), and a monitoring DAG when
 * a stream or archive sets a freshness, as plain DAG files.
 */
export function emitAirflow(p: Pipeline): GeneratedFile[] {
  const files = [ingestionDag(p), processingDags(p), archivalDags(p), monitoringDag(p)];
  return files.filter((f): f is GeneratedFile => f !== null);
}
