/**
 * `platform:`: where the pipeline runs: Kafka (brokers, schema registry, SASL), NiFi, Spark
 * (master, deploy mode, checkpoints, conf) and the Airflow connection ids.
 */
import type * as S from "../../schema/spec.gen.js";
import type * as I from "../types.js";
import { valueRef } from "../values.js";
import { type Ctx, err } from "./context.js";
import { defaults } from "./defaults.js";

export function resolvePlatform(ctx: Ctx, s: S.PipegenSpec): I.Platform {
  const pf = s.platform ?? {};
  const platform: I.Platform = {
    kafka: {
      bootstrapServers: valueRef(pf.kafka?.bootstrapServers ?? defaults.kafkaBootstrap),
      schemaRegistry: valueRef(pf.kafka?.schemaRegistry ?? defaults.schemaRegistry),
      securityProtocol: pf.kafka?.securityProtocol ?? "PLAINTEXT",
      saslMechanism: pf.kafka?.saslMechanism ?? null,
      saslUser: pf.kafka?.saslUser ? valueRef(pf.kafka.saslUser) : null,
      saslPassword: pf.kafka?.saslPassword ? valueRef(pf.kafka.saslPassword) : null,
    },
    nifi: {
      url: valueRef(pf.nifi?.url ?? defaults.nifiUrl),
      version: pf.nifi?.version ?? defaults.nifiVersion,
    },
    spark: {
      master: valueRef(pf.spark?.master ?? defaults.sparkMaster),
      deployMode: pf.spark?.deployMode ?? defaults.sparkDeployMode,
      checkpointRoot: valueRef(pf.spark?.checkpointRoot ?? defaults.checkpointRoot),
      shufflePartitions: pf.spark?.shufflePartitions ?? defaults.shufflePartitions,
      conf: Object.fromEntries(
        Object.entries(pf.spark?.conf ?? {})
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [k, String(v)]),
      ),
    },
    airflow: { ...defaults.airflow, ...pf.airflow },
  };
  if (pf.kafka?.securityProtocol?.startsWith("SASL") && !pf.kafka.saslPassword)
    err(
      ctx,
      "PG305",
      "/platform/kafka/securityProtocol",
      `${pf.kafka.securityProtocol} needs saslUser and saslPassword`,
    );
  return platform;
}
