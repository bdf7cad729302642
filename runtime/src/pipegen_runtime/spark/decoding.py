"""Kafka records decoded once into the spec's schema, and the reasons a record is invalid.

Avro records are read with the schema they were written with (the writer's, named by the
schema id each record carries) resolved to the spec's (the reader's), as Avro's schema
resolution does: a field the writer did not have gets its default.

A decoded frame has the record's Kafka metadata (``__pg_key``, ``__pg_value``, ``__pg_topic``,
``__pg_partition``, ``__pg_offset``, ``__pg_timestamp``), ``__pg_undecodable`` (null, or why
the bytes could not be decoded) and one column per schema field. A checked frame adds
``__pg_reason``: "" for a valid record, else every reason it is invalid, "; "-joined.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Mapping, Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

#: Where each record was in Kafka, kept through the steps of a stream whose sinks keep the
#: latest record of a key (see pipegen_runtime.spark.sinks.base.latest).
SEQUENCE = "__pg_seq"

_METADATA = {
    "key": "__pg_key",
    "value": "__pg_value",
    "topic": "__pg_topic",
    "partition": "__pg_partition",
    "offset": "__pg_offset",
    "timestamp": "__pg_timestamp",
}


def _decode_once() -> Column:
    # Always true (spark_partition_id() is never negative) but nondeterministic: it keeps the
    # optimizer from pushing the queries' filters below the decoding, where it would inline
    # the decoder into every condition and decode each record once per field they read.
    return F.spark_partition_id() >= 0


def _flatten(
    raw: DataFrame,
    record: Column,
    wire_ok: Column,
    undecodable: Column,
    schema: T.StructType,
    helpers: Mapping[str, Column] | None = None,
) -> DataFrame:
    """The decoded frame; ``helpers`` are columns ``undecodable`` reads, dropped after it."""
    helpers = dict(helpers or {})
    decoded = raw.select(
        *[F.col(c).alias(alias) for c, alias in _METADATA.items()],
        *[column.alias(name) for name, column in helpers.items()],
        wire_ok.alias("__pg_wire_ok"),
        record.alias("__pg_record"),
    )
    decoded = decoded.withColumn("__pg_undecodable", undecodable)
    fields = [F.col(f"__pg_record.{f.name}").alias(f.name) for f in schema.fields]
    return decoded.select("*", *fields).drop("__pg_record", "__pg_wire_ok", *helpers)


def schema_id() -> Column:
    """The schema id of a record in the Confluent wire format (bytes 2 to 5, big-endian)."""
    return F.conv(F.hex(F.substring(F.col("value"), 2, 4)), 16, 10).cast("long")


def _schema_id_bytes() -> Column:
    """The schema id's 4 bytes as they are (compared with _id_bytes: cheaper than schema_id())."""
    return F.substring(F.col("value"), 2, 4)


def _id_bytes(schema_id: int) -> Column:
    """A schema id as the Confluent wire format writes it: 4 bytes, big-endian."""
    return F.lit(bytearray(schema_id.to_bytes(4, "big")))


def _unknown_writer(subject: str, writers: Mapping[int, str]) -> Column:
    known = ", ".join(str(k) for k in sorted(writers)) or "none"
    return F.raise_error(
        F.concat(
            F.lit("pipegen: the record at "),
            F.col("topic"),
            F.lit("/"),
            F.col("partition").cast("string"),
            F.lit("@"),
            F.col("offset").cast("string"),
            F.lit(" carries schema id "),
            schema_id().cast("string"),
            F.lit(
                f", which was not a version of subject {subject} when the job started"
                f" (ids known: {known}). A version registered since is read once the job"
                " restarts (it reads the registry's versions at start); if the registry has no"
                f" such id under {subject}, the record is not one of this topic's schema:"
                " move it out of the way (or the query's offsets past it) and restart."
            ),
        )
    )


def _broken(schema: T.StructType, writer: str) -> Column:
    """Whether the record PERMISSIVE from_avro gave for a body written with ``writer`` is the
    all-null record it gives for bytes it cannot decode."""
    required = [f.name for f in schema.fields if not f.nullable]
    if required:
        # A decoded record always has its required fields (from the writer or their default).
        return F.col(f"__pg_record.{required[0]}").isNull()
    # A record whose fields are all null is valid only when its body is exactly that: one
    # byte per field of the writer's schema, the index of the union's null branch.
    present = [F.col(f"__pg_record.{f.name}").isNotNull() for f in schema.fields]
    all_null_body = F.lit(bytearray(len(json.loads(writer).get("fields", []))))
    return F.col("__pg_record").isNull() | (
        ~reduce(operator.or_, present) & (F.expr("substring(__pg_value, 6)") != all_null_body)
    )


def decode_avro(
    raw: DataFrame,
    schema: T.StructType,
    avro_schema: str,
    *,
    writers: Mapping[int, str],
    subject: str,
) -> DataFrame:
    """Kafka records whose values are Avro in the Confluent wire format (magic byte 0, a
    4-byte schema id, the body), read into ``avro_schema`` (``schema`` is its Spark type).

    ``writers`` are the schemas records are written with, by schema id (every version of
    ``subject`` in the registry: see source.writer_schemas); each record is read with the one
    its id names, resolved to ``avro_schema``. A record whose id is not among them fails the
    query, with a message naming it: it is most likely written with a version registered
    after the job started, which a restart reads; dead-lettering it would take good records
    out of the stream, and decoding it with another schema would misread them.
    """
    from pyspark.sql.avro.functions import from_avro

    wire_ok = F.expr("length(value) > 5 AND substring(value, 1, 1) = X'00'")
    body = F.expr("substring(value, 6)")
    options = {"mode": "PERMISSIVE", "avroSchema": avro_schema}
    ids = sorted(writers)
    by_id: Column | None = None
    broken: Column | None = None
    for k in ids:
        record_k = from_avro(body, writers[k], options)
        # The id's bytes, not schema_id() (hex and base conversion), compared per record.
        id_k = _id_bytes(k)
        by_id = (F if by_id is None else by_id).when(_schema_id_bytes() == id_k, record_k)
        broken_k = (F.col("__pg_schema_id") == id_k) & _broken(schema, writers[k])
        broken = broken_k if broken is None else broken | broken_k
    unknown = _unknown_writer(subject, writers)
    # With no writers known, the record is the error alone: typed, for the fields' columns.
    record = F.when(
        wire_ok & _decode_once(),
        unknown.cast(schema) if by_id is None else by_id.otherwise(unknown),
    )
    undecodable = F.when(
        ~F.col("__pg_wire_ok"), F.lit("not in the Confluent Avro wire format")
    ).when(F.lit(False) if broken is None else broken, F.lit("undecodable Avro record"))
    return _flatten(
        raw, record, wire_ok, undecodable, schema, {"__pg_schema_id": _schema_id_bytes()}
    )


def decode_json(raw: DataFrame, schema: T.StructType) -> DataFrame:
    """Kafka records whose values are JSON objects (UTF-8 text), parsed with ``schema``."""
    parse_schema = T.StructType(
        [*schema.fields, T.StructField("__pg_corrupt", T.StringType(), True)]
    )
    record = F.when(
        _decode_once(),
        F.from_json(
            F.col("value").cast("string"),
            parse_schema,
            {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": "__pg_corrupt"},
        ),
    )
    undecodable = F.when(
        F.col("__pg_record").isNull() | F.col("__pg_record.__pg_corrupt").isNotNull(),
        F.lit("undecodable JSON record"),
    )
    return _flatten(raw, record, F.lit(True), undecodable, schema)


def check(decoded: DataFrame, failures: Sequence[Column]) -> DataFrame:
    """Adds ``__pg_reason``: why the bytes are undecodable, else the failures that hold, "; "-joined
    ("" when none does). Each failure is a column that is a reason (a string) or null."""
    # concat_ws skips nulls and, unlike array_compact (a higher-order function without code
    # generation), compiles into the stage.
    reason = F.coalesce(F.col("__pg_undecodable"), F.concat_ws("; ", *failures))
    return decoded.withColumn("__pg_reason", reason)


def invalid(checked: DataFrame) -> DataFrame:
    """The records that could not be decoded or break a rule."""
    return checked.where(F.col("__pg_reason") != "")


def valid(checked: DataFrame, schema: T.StructType, *, keep_order: bool = False) -> DataFrame:
    """The valid records with the schema's fields; with ``keep_order``, and SEQUENCE too."""
    columns: list[str | Column] = [f.name for f in schema.fields]
    if keep_order:
        columns.append(F.struct("__pg_timestamp", "__pg_partition", "__pg_offset").alias(SEQUENCE))
    return checked.where(F.col("__pg_reason") == "").select(*columns)
