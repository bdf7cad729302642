"""Kafka: the client options every query of a job uses, and the topic a job reads."""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

#: The JAAS login module of each SASL mechanism Kafka's Java client offers here.
LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}


def jaas_quote(value: str) -> str:
    """A JAAS option value: in double quotes, with backslashes and quotes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def kafka_options(
    bootstrap_servers: str,
    *,
    security_protocol: str | None = None,
    sasl_mechanism: str | None = None,
    sasl_user: str | None = None,
    sasl_password: str | None = None,
) -> dict[str, str]:
    """Options of Spark's Kafka source and sink ("kafka."-prefixed client settings).

    Without a security protocol the client speaks PLAINTEXT. A SASL mechanism needs the user
    and password (from the environment: they are secrets).
    """
    options = {"kafka.bootstrap.servers": bootstrap_servers}
    if security_protocol is not None:
        options["kafka.security.protocol"] = security_protocol
    if sasl_mechanism is not None:
        if sasl_mechanism not in LOGIN_MODULES:
            raise ValueError(f"unknown SASL mechanism {sasl_mechanism!r}")
        if sasl_user is None or sasl_password is None:
            raise ValueError(f"SASL {sasl_mechanism} needs a user and a password")
        options["kafka.sasl.mechanism"] = sasl_mechanism
        options["kafka.sasl.jaas.config"] = (
            f"{LOGIN_MODULES[sasl_mechanism]} required"
            f" username={jaas_quote(sasl_user)} password={jaas_quote(sasl_password)};"
        )
    return options


def read_topic(
    spark: SparkSession,
    kafka: dict[str, str],
    topic: str,
    *,
    starting_offsets: str = "earliest",
    fail_on_data_loss: bool = True,
    max_offsets_per_trigger: int | None = None,
) -> DataFrame:
    """The topic as a stream of Kafka records (key, value, topic, partition, offset, ...)."""
    reader = (
        spark.readStream.format("kafka")
        .options(**kafka)
        .option("subscribe", topic)
        .option("startingOffsets", starting_offsets)
        .option("failOnDataLoss", str(fail_on_data_loss).lower())
    )
    if max_offsets_per_trigger is not None:
        reader = reader.option("maxOffsetsPerTrigger", str(max_offsets_per_trigger))
    return reader.load()
