import { avroNamespace } from "../../ir/names.js";
import type { Field, Pipeline, Topic } from "../../ir/types.js";
import { avroText } from "../shared/avro.js";
import { sparkTypes } from "./types.js";

const loginModules = {
  plain: "org.apache.kafka.common.security.plain.PlainLoginModule",
  scram: "org.apache.kafka.common.security.scram.ScramLoginModule",
};

/** The Kafka client's security settings (null for PLAINTEXT); the SASL credentials are references. */
function kafkaSecurity(p: Pipeline) {
  const k = p.platform.kafka;
  const sasl = k.saslMechanism
    ? {
        mechanism: k.saslMechanism,
        loginModule: k.saslMechanism === "PLAIN" ? loginModules.plain : loginModules.scram,
        user: k.saslUser,
        password: k.saslPassword,
      }
    : null;
  return {
    sasl: sasl !== null,
    kafkaSecurity:
      k.securityProtocol === "PLAINTEXT"
        ? null
        : {
            protocol: k.securityProtocol,
            mechanism: sasl?.mechanism ?? null,
            loginModule: sasl?.loginModule ?? null,
            user: sasl?.user ?? null,
            password: sasl?.password ?? null,
          },
  };
}

/** What every job reading a topic needs: the record schema, its encoding and the Kafka client settings. */
export function sourceData(p: Pipeline, topic: Topic) {
  const schema = topic.schema!;
  const avro = topic.format === "avro";
  const firstRequired = avro ? (schema.fields.find((f) => f.required)?.name ?? null) : null;
  return {
    avro,
    firstRequired: firstRequired === null ? null : `__pg_record.${firstRequired}`,
    avroReduce: avro && firstRequired === null,
    avroSchema: avro ? avroText(schema, avroNamespace(p.name)) : null,
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
    ...kafkaSecurity(p),
  };
}
