"""Kafka: the client options every query of a job uses, the topic a job reads, and the
schemas its records are written with (from the schema registry)."""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

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
        # NiFi publishes in transactions: an aborted one's records stay in the log, and Kafka's
        # default isolation (read_uncommitted) would hand them to the job.
        .option("kafka.isolation.level", "read_committed")
    )
    if max_offsets_per_trigger is not None:
        reader = reader.option("maxOffsetsPerTrigger", str(max_offsets_per_trigger))
    return reader.load()


def _registry_get(url: str, timeout: float) -> Any:
    """GET a Confluent schema registry resource as JSON (user:password@ in the URL: basic auth)."""
    parts = urllib.parse.urlsplit(url)
    headers = {"Accept": "application/vnd.schemaregistry.v1+json, application/json"}
    if parts.username is not None:
        login = (
            f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        )
        headers["Authorization"] = "Basic " + base64.b64encode(login.encode()).decode()
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        url = urllib.parse.urlunsplit(
            parts._replace(netloc=netloc + (f":{parts.port}" if parts.port else ""))
        )
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (the spec's URL)
        return json.load(response)


def writer_schemas(
    registry_url: str, subject: str, reader: str, *, timeout: float = 30.0
) -> dict[int, str]:
    """Every version of ``subject`` in the schema registry (Confluent's REST API), as schema id
    -> Avro schema: the schemas the topic's records can be written with. Read once, when the
    job starts (decoding.decode_avro fails the query on an id not among them, so that the
    restart reads the registry again). A subject the registry does not have yet gives none.

    On the driver, with the standard library only (the runtime reaches Spark as a zip of pure
    Python: no registry client there). ``reader`` is the job's own schema: a warning on
    stderr says so when it is not a version of the subject (not registered yet).
    """
    base = registry_url.rstrip("/") + "/subjects/" + urllib.parse.quote(subject, safe="")
    try:
        versions = _registry_get(base + "/versions", timeout)
    except urllib.error.HTTPError as e:
        if e.code != 404:
            raise RuntimeError(f"schema registry {registry_url}: subject {subject}: {e}") from e
        versions = []
    out: dict[int, str] = {}
    for version in versions:
        found = _registry_get(f"{base}/versions/{int(version)}", timeout)
        if found.get("schemaType", "AVRO") == "AVRO":
            out[int(found["id"])] = str(found["schema"])
    if json.loads(reader) not in [json.loads(w) for w in out.values()]:
        print(
            f"pipegen: the job's schema is not a version of {subject} in {registry_url} yet"
            f" ({len(out)} found): records written with it fail the query until a restart"
            " after it is registered",
            file=sys.stderr,
        )
    return out
