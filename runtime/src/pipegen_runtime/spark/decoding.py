"""Kafka records decoded once with the spec's schema, and the reasons a record is invalid.

A decoded frame has the record's Kafka metadata (``__pg_key``, ``__pg_value``, ``__pg_topic``,
``__pg_partition``, ``__pg_offset``, ``__pg_timestamp``), ``__pg_undecodable`` (null, or why
the bytes could not be decoded) and one column per schema field. A checked frame adds
``__pg_reason``: "" for a valid record, else every reason it is invalid, "; "-joined.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
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
) -> DataFrame:
    decoded = raw.select(
        *[F.col(c).alias(alias) for c, alias in _METADATA.items()],
        wire_ok.alias("__pg_wire_ok"),
        record.alias("__pg_record"),
    )
    decoded = decoded.withColumn("__pg_undecodable", undecodable)
    fields = [F.col(f"__pg_record.{f.name}").alias(f.name) for f in schema.fields]
    return decoded.select("*", *fields).drop("__pg_record", "__pg_wire_ok")


def decode_avro(raw: DataFrame, schema: T.StructType, avro_schema: str) -> DataFrame:
    """Kafka records whose values are Avro in the Confluent wire format (magic byte 0, a
    4-byte schema id, the body), decoded with ``avro_schema`` (``schema`` is its Spark type)."""
    from pyspark.sql.avro.functions import from_avro

    wire_ok = F.expr("length(value) > 5 AND substring(value, 1, 1) = X'00'")
    body = F.expr("substring(value, 6)")
    record = F.when(wire_ok & _decode_once(), from_avro(body, avro_schema, {"mode": "PERMISSIVE"}))
    required = [f.name for f in schema.fields if not f.nullable]
    if required:
        # PERMISSIVE from_avro gives all-null fields for bytes it cannot decode; a decoded
        # record always has its required fields, so one of them tells.
        broken = F.col(f"__pg_record.{required[0]}").isNull()
    else:
        # PERMISSIVE from_avro gives a record of nulls for bytes it cannot decode. A record
        # whose fields are all null is valid only when its body is exactly that: one byte per
        # field, the index of the union's null branch.
        present = [F.col(f"__pg_record.{f.name}").isNotNull() for f in schema.fields]
        all_null_body = F.lit(bytearray(len(schema.fields)))
        broken = F.col("__pg_record").isNull() | (
            ~reduce(operator.or_, present) & (F.expr("substring(__pg_value, 6)") != all_null_body)
        )
    undecodable = F.when(
        ~F.col("__pg_wire_ok"), F.lit("not in the Confluent Avro wire format")
    ).when(broken, F.lit("undecodable Avro record"))
    return _flatten(raw, record, wire_ok, undecodable, schema)


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
