import { avroNamespace, sparkPaths } from "../../ir/names.js";
import type { Field, Pipeline, Topic } from "../../ir/types.js";
import { avroText } from "../shared/avro.js";
import { headerComment } from "../shared/header.js";
import { RUNTIME_PACKAGE, RUNTIME_VERSION } from "../shared/runtime.js";
import { sparkTypes } from "./types.js";

/** The Kafka client's security settings (null for PLAINTEXT); the SASL credentials are references. */
function kafkaSecurity(p: Pipeline) {
  const k = p.platform.kafka;
  if (k.securityProtocol === "PLAINTEXT") return null;
  return {
    protocol: k.securityProtocol,
    mechanism: k.saslMechanism ?? null,
    user: k.saslUser ?? null,
    password: k.saslPassword ?? null,
  };
}

/** What every job reading a topic needs: the record schema, its encoding and the Kafka client settings. */
export function sourceData(p: Pipeline, topic: Topic) {
  const schema = topic.schema!;
  const avro = topic.format === "avro";
  return {
    avro,
    avroSchema: avro ? avroText(schema, avroNamespace(p.name)) : null,
    // The subject whose versions the job reads writers' schemas from (registered by the
    // ingestion DAG); with the registry's URL, a setting of the job's command line.
    subject: avro ? topic.subject : null,
    schemaRegistry: avro ? p.platform.kafka.schemaRegistry : null,
    fields: schema.fields.map((f) => ({
      name: f.name,
      sparkType: sparkTypes[f.type as Exclude<Field["type"], "unknown">],
      decimal: f.type === "decimal",
      precision: f.precision ?? 38,
      scale: f.scale ?? 0,
      nullable: !f.required,
    })),
    bootstrapServers: p.platform.kafka.bootstrapServers,
    checkpointRoot: p.platform.spark.checkpointRoot,
    kafkaSecurity: kafkaSecurity(p),
  };
}

/** The header of a job: the spec it comes from, and the runtime it needs. */
export function jobHeader(p: Pipeline): string {
  return `${headerComment(p)}
Needs ${RUNTIME_PACKAGE}==${RUNTIME_VERSION} on the driver and the executors: installed, or
shipped with spark-submit --py-files (see the .submit.json beside this file).`;
}

/**
 * The pipegen-runtime version a job pins (its require() names the job's file) and the modules
 * of pipegen_runtime.spark it imports, in the order ruff's isort writes them.
 */
export function jobRuntime(p: Pipeline, job: string, modules: string[]) {
  return { version: RUNTIME_VERSION, file: sparkPaths.job(p.name, job), modules: modules.sort() };
}
