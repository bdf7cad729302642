"""A test's given records as the job's source topic, one given batch per micro-batch.

Spark's own JSON file source reads a folder the runner fills one file per given batch
(``release``): when the runner releases a batch and waits until every query has processed
all there is, each given batch is exactly one micro-batch, in order, and Spark moves its
watermark between them as it does in production. The rows have the columns of Spark's Kafka
source (``key`` and ``value`` as bytes, ``topic``, ``partition``, ``offset``, ``timestamp``,
``timestampType``). All of it runs in the JVM: no Python process per query.
"""

from __future__ import annotations

import json
import os
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

#: A given record as the runner writes it: key and value base64, timestamp epoch milliseconds.
SCHEMA = "key string, value string, partition int, offset long, timestamp long"

GIVEN = "given"
TOPIC = "topic"


def _given(folder: str, index: int) -> str:
    return os.path.join(folder, GIVEN, f"batch-{index}.jsonl")


def write_batches(folder: str, batches: list[list[dict[str, Any]]]) -> None:
    """Writes a test's batches beside the (empty) folder the source reads; none released yet."""
    os.makedirs(os.path.join(folder, GIVEN), exist_ok=True)
    os.makedirs(os.path.join(folder, TOPIC), exist_ok=True)
    for i, batch in enumerate(batches):
        with open(_given(folder, i), "w", encoding="utf-8") as f:
            f.writelines(json.dumps(record) + "\n" for record in batch)


def release(folder: str, index: int) -> None:
    """Lets batch ``index`` through: its file appears whole in the folder the source reads
    (written under a name starting with "." that Spark skips, then renamed)."""
    with open(_given(folder, index), encoding="utf-8") as f:
        text = f.read()
    hidden = os.path.join(folder, TOPIC, f".batch-{index:06d}.json")
    with open(hidden, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(hidden, os.path.join(folder, TOPIC, f"batch-{index:06d}.json"))


def read(spark: SparkSession, folder: str, topic: str) -> DataFrame:
    """The released batches as Kafka records of ``topic``, one file per micro-batch."""
    return (
        spark.readStream.schema(SCHEMA)
        .option("maxFilesPerTrigger", 1)
        .json(os.path.join(folder, TOPIC))
        .select(
            F.unbase64("key").alias("key"),
            F.unbase64("value").alias("value"),
            F.lit(topic).alias("topic"),
            F.col("partition"),
            F.col("offset"),
            F.timestamp_millis("timestamp").alias("timestamp"),
            F.lit(0).alias("timestampType"),
        )
    )
