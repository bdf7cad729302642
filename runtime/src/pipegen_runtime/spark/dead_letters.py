"""Invalid records back to Kafka: their original key and bytes, and headers that say why."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.streaming.query import StreamingQuery

from pipegen_runtime.spark.decoding import invalid
from pipegen_runtime.spark.jobs import Trigger, with_trigger


def header(name: str, value: Column) -> Column:
    """A Kafka record header: a string name and the value's text as bytes."""
    return F.struct(F.lit(name).alias("key"), value.cast("string").cast("binary").alias("value"))


def records(checked: DataFrame, stream: str) -> DataFrame:
    """The invalid records of a checked frame as Kafka records (key, value, headers).

    Headers: ``pipegen.reason`` (the reasons, "; "-joined), ``pipegen.stream`` (``stream``:
    PIPELINE.STREAM), ``pipegen.source.topic``, ``pipegen.source.partition`` and
    ``pipegen.source.offset`` (where the record was).
    """
    return invalid(checked).select(
        F.col("__pg_key").alias("key"),
        F.col("__pg_value").alias("value"),
        F.array(
            header("pipegen.reason", F.col("__pg_reason")),
            header("pipegen.stream", F.lit(stream)),
            header("pipegen.source.topic", F.col("__pg_topic")),
            header("pipegen.source.partition", F.col("__pg_partition")),
            header("pipegen.source.offset", F.col("__pg_offset")),
        ).alias("headers"),
    )


def start(
    checked: DataFrame,
    kafka: dict[str, str],
    topic: str,
    *,
    stream: str,
    name: str,
    checkpoint: str,
    trigger: Trigger,
) -> StreamingQuery:
    """Starts the query that writes the invalid records of ``checked`` to ``topic``."""
    writer = (
        records(checked, stream)
        .writeStream.queryName(name)
        .format("kafka")
        .options(**kafka)
        .option("topic", topic)
        .option("checkpointLocation", checkpoint)
    )
    return with_trigger(writer, trigger).start()
