"""The ``pipegen-test`` streaming data source: a test's given records, one batch per trigger.

The records wait in a folder as ``batch-<n>.json`` files (JSON lists of Kafka records with
base64 key and value, partition, offset and timestamp in epoch milliseconds). The file
``released`` holds how many batches the runner has let through: each micro-batch the query
plans sees exactly the batches released since the previous one, so when the runner releases
one batch and waits until the query has processed everything, every given batch is exactly
one micro-batch, in order, and Spark moves its watermark between them as it does in
production. The rows have the columns of Spark's Kafka source.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
from collections.abc import Iterator

from pyspark.sql.datasource import (
    DataSource,
    DataSourceStreamReader,
    InputPartition,
)

NAME = "pipegen-test"

#: The columns of Spark's Kafka source (headers left out: the jobs read none).
SCHEMA = (
    "key binary, value binary, topic string, partition int, offset long, "
    "timestamp timestamp, timestampType int"
)

RELEASED = "released"


def batch_file(folder: str, index: int) -> str:
    return os.path.join(folder, f"batch-{index}.json")


def release(folder: str, batches: int) -> None:
    """Lets the first ``batches`` batches through (written whole, then renamed)."""
    tmp = os.path.join(folder, f".{RELEASED}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(str(batches))
    os.replace(tmp, os.path.join(folder, RELEASED))


def write_batches(folder: str, batches: list[list[dict]]) -> None:
    """Writes a test's batches (nothing released yet)."""
    os.makedirs(folder, exist_ok=True)
    for i, batch in enumerate(batches):
        with open(batch_file(folder, i), "w", encoding="utf-8") as f:
            json.dump(batch, f)
    release(folder, 0)


class _Batch(InputPartition):
    def __init__(self, index: int) -> None:
        self.index = index


def _row(record: dict, topic: str) -> tuple:
    key = record.get("key")
    millis = int(record.get("timestamp", 0))
    return (
        base64.b64decode(key) if key is not None else None,
        base64.b64decode(record["value"]),
        topic,
        int(record.get("partition", 0)),
        int(record["offset"]),
        datetime.datetime.fromtimestamp(millis / 1000, tz=datetime.timezone.utc),
        0,
    )


class _Reader(DataSourceStreamReader):
    def __init__(self, folder: str, topic: str) -> None:
        self.folder = folder
        self.topic = topic

    def initialOffset(self) -> dict:
        return {"batch": 0}

    def latestOffset(self) -> dict:
        with open(os.path.join(self.folder, RELEASED), encoding="utf-8") as f:
            return {"batch": int(f.read().strip() or 0)}

    def partitions(self, start: dict, end: dict) -> list[InputPartition]:
        return [_Batch(i) for i in range(start["batch"], end["batch"])]

    def read(self, partition: InputPartition) -> Iterator[tuple]:
        assert isinstance(partition, _Batch)
        with open(batch_file(self.folder, partition.index), encoding="utf-8") as f:
            records = json.load(f)
        for record in records:
            yield _row(record, self.topic)

    def commit(self, end: dict) -> None:
        """Nothing to clean up: the runner removes the folder when the test is done."""


class TestSource(DataSource):
    """Options: ``folder`` (the batches), ``topic`` (the name the rows carry)."""

    @classmethod
    def name(cls) -> str:
        return NAME

    def schema(self) -> str:
        return SCHEMA

    def streamReader(self, schema: object) -> DataSourceStreamReader:
        return _Reader(self.options["folder"], self.options.get("topic", ""))
