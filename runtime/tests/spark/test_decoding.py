"""Decoding (JSON, and Avro in the Confluent wire format), reasons, and dead letters."""

from __future__ import annotations

import io
import json
import struct
from datetime import datetime, timezone
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pipegen_runtime.spark import dead_letters, decoding

KAFKA = "key binary, value binary, topic string, partition int, offset long, timestamp timestamp"
SCHEMA = T.StructType(
    [
        T.StructField("id", T.LongType(), False),
        T.StructField("name", T.StringType(), True),
    ]
)
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def kafka_batch(spark: SparkSession, values: list[bytes]) -> DataFrame:
    """Kafka records as the Kafka source gives them, one per value, at offsets 0, 1, ..."""
    rows = [(b"k%d" % i, v, "t", 0, i, WHEN) for i, v in enumerate(values)]
    return spark.createDataFrame(rows, KAFKA)


def by_offset(frame: DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in frame.orderBy("__pg_offset").select(*columns).collect()]


def test_json_records_are_decoded_once_and_broken_ones_named(
    spark: SparkSession,
) -> None:
    values = [b'{"id": 1, "name": "a"}', b'{"id": 2}', b"{not json", b'{"id": "x"}']
    decoded = decoding.decode_json(kafka_batch(spark, values), SCHEMA)
    assert by_offset(decoded, "id", "name", "__pg_undecodable") == [
        (1, "a", None),
        (2, None, None),
        (None, None, "undecodable JSON record"),
        (None, None, "undecodable JSON record"),
    ]
    assert by_offset(decoded, "__pg_key", "__pg_topic", "__pg_partition")[0] == (
        b"k0",
        "t",
        0,
    )


def test_reasons_join_every_failed_rule_and_undecodable_bytes_win(
    spark: SparkSession,
) -> None:
    values = [b'{"id": 1, "name": "a"}', b'{"id": -1}', b'{"id": 5}', b"[]"]
    checked = decoding.check(
        decoding.decode_json(kafka_batch(spark, values), SCHEMA),
        [
            F.when(F.col("name").isNull(), F.lit("named: name is null")),
            F.when(F.expr("NOT (id >= 0)"), F.lit("positive: check failed: id >= 0")),
        ],
    )
    assert by_offset(checked, "__pg_reason") == [
        ("",),
        ("named: name is null; positive: check failed: id >= 0",),
        ("named: name is null",),
        ("undecodable JSON record",),
    ]
    assert [r.id for r in decoding.valid(checked, SCHEMA).collect()] == [1]
    assert decoding.invalid(checked).count() == 3


def test_valid_records_keep_their_place_in_kafka_when_asked(
    spark: SparkSession,
) -> None:
    checked = decoding.check(decoding.decode_json(kafka_batch(spark, [b'{"id": 7}']), SCHEMA), [])
    assert decoding.valid(checked, SCHEMA).columns == ["id", "name"]
    ordered = decoding.valid(checked, SCHEMA, keep_order=True)
    assert ordered.columns == ["id", "name", decoding.SEQUENCE]
    first = ordered.first()
    assert first is not None
    assert tuple(first[decoding.SEQUENCE]) == (WHEN.replace(tzinfo=None), 0, 0)


def test_dead_letters_carry_the_original_bytes_and_why(spark: SparkSession) -> None:
    values = [b'{"id": 1, "name": "a"}', b"{broken"]
    checked = decoding.check(decoding.decode_json(kafka_batch(spark, values), SCHEMA), [])
    letters = dead_letters.records(checked, "p.s").collect()
    assert len(letters) == 1
    assert (letters[0].key, letters[0].value) == (b"k1", b"{broken")
    assert {h.key: bytes(h.value).decode() for h in letters[0].headers} == {
        "pipegen.reason": "undecodable JSON record",
        "pipegen.stream": "p.s",
        "pipegen.source.topic": "t",
        "pipegen.source.partition": "0",
        "pipegen.source.offset": "1",
    }


# --- Avro ------------------------------------------------------------------------------------


def avro(schema: dict[str, Any], record: dict[str, Any], schema_id: int = 1) -> bytes:
    """The record in the Confluent wire format: magic byte 0, the schema id, the Avro body."""
    import fastavro

    body = io.BytesIO()
    fastavro.schemaless_writer(body, fastavro.parse_schema(schema), record)
    return b"\x00" + struct.pack(">I", schema_id) + body.getvalue()


def decode_avro(
    spark: SparkSession,
    values: list[bytes],
    schema: T.StructType,
    reader: dict[str, Any],
    writers: dict[int, dict[str, Any]] | None = None,
) -> DataFrame:
    """decode_avro of the values; by default written with the reader's schema as id 1."""
    return decoding.decode_avro(
        kafka_batch(spark, values),
        schema,
        json.dumps(reader),
        writers={
            k: json.dumps(w) for k, w in ({1: reader} if writers is None else writers).items()
        },
        subject="t-value",
    )


RECORD = {
    "type": "record",
    "name": "r",
    "fields": [
        {"name": "id", "type": "long"},
        {"name": "name", "type": ["null", "string"]},
    ],
}


@pytest.mark.usefixtures("has_avro")
def test_avro_in_the_wire_format(spark: SparkSession) -> None:
    good = avro(RECORD, {"id": 3, "name": "x"})
    values = [good, b"\x01" + good[1:], good[:4], good[:5] + b"\x02"]
    decoded = decode_avro(spark, values, SCHEMA, RECORD)
    assert by_offset(decoded, "id", "name", "__pg_undecodable") == [
        (3, "x", None),
        (None, None, "not in the Confluent Avro wire format"),
        (None, None, "not in the Confluent Avro wire format"),
        (None, None, "undecodable Avro record"),
    ]


@pytest.mark.usefixtures("has_avro")
def test_avro_without_required_fields_tells_nulls_from_garbage(
    spark: SparkSession,
) -> None:
    optional = {
        "type": "record",
        "name": "o",
        "fields": [
            {"name": "a", "type": ["null", "string"], "default": None},
            {"name": "b", "type": ["null", "long"], "default": None},
        ],
    }
    schema = T.StructType([T.StructField("a", T.StringType()), T.StructField("b", T.LongType())])
    nulls = avro(optional, {"a": None, "b": None})
    assert nulls[5:] == b"\x00\x00"
    values = [
        nulls,
        avro(optional, {"a": "z", "b": None}),
        nulls + b"\x00",
        nulls[:5] + b"\x02",
    ]
    decoded = decode_avro(spark, values, schema, optional)
    assert by_offset(decoded, "a", "b", "__pg_undecodable") == [
        (None, None, None),
        ("z", None, None),
        (None, None, "undecodable Avro record"),
        (None, None, "undecodable Avro record"),
    ]


# A compatible change: version 2 adds an optional field (with its default) and a required
# one with a default; its records and version 1's are read into version 2.
V1 = RECORD
V2 = {
    "type": "record",
    "name": "r",
    "fields": [
        *RECORD["fields"],
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "rank", "type": "int", "default": 7},
    ],
}
SCHEMA_V2 = T.StructType(
    [
        *SCHEMA.fields,
        T.StructField("note", T.StringType(), True),
        T.StructField("rank", T.IntegerType(), False),
    ]
)


@pytest.mark.usefixtures("has_avro")
@pytest.mark.parametrize(
    ("values", "want"),
    [
        pytest.param(
            [avro(V1, {"id": 1, "name": "a"}, 11)],
            [(1, "a", None, 7, None)],
            id="the earlier version's record gets the new fields' defaults",
        ),
        pytest.param(
            [avro(V2, {"id": 2, "name": None, "note": "n", "rank": 3}, 12)],
            [(2, None, "n", 3, None)],
            id="the new version's record as written",
        ),
        pytest.param(
            [avro(V1, {"id": 3, "name": "c"}, 12)],
            [(None, None, None, None, "undecodable Avro record")],
            id="bytes that are not what their id's schema reads are undecodable",
        ),
    ],
)
def test_each_record_is_read_with_its_writers_schema(
    spark: SparkSession, values: list[bytes], want: list[tuple[Any, ...]]
) -> None:
    decoded = decode_avro(spark, values, SCHEMA_V2, V2, {11: V1, 12: V2})
    assert by_offset(decoded, "id", "name", "note", "rank", "__pg_undecodable") == want


@pytest.mark.usefixtures("has_avro")
@pytest.mark.parametrize(
    ("writers", "first"),
    [({11: V1}, "t/0@1 carries schema id 13"), ({}, "t/0@0 carries schema id 11")],
    ids=["another id known", "none known"],
)
def test_a_record_of_an_unknown_schema_id_fails_the_query(
    spark: SparkSession, writers: dict[int, dict[str, Any]], first: str
) -> None:
    values = [avro(V1, {"id": 1, "name": "a"}, 11), avro(V1, {"id": 2, "name": "b"}, 13)]
    decoded = decode_avro(spark, values, SCHEMA, V1, writers).coalesce(1)
    with pytest.raises(Exception, match=f"{first}, which was not a version of subject t-value"):
        decoded.collect()


@pytest.mark.usefixtures("has_avro")
def test_records_not_in_the_wire_format_stay_dead_letters_whatever_their_id(
    spark: SparkSession,
) -> None:
    good = avro(V1, {"id": 1, "name": "a"}, 11)
    values = [b"\x01" + good[1:], good[:5]]
    decoded = decode_avro(spark, values, SCHEMA, V1, {11: V1})
    assert by_offset(decoded, "id", "__pg_undecodable") == [
        (None, "not in the Confluent Avro wire format"),
        (None, "not in the Confluent Avro wire format"),
    ]
