"""What a sink of a stream's micro-batches is, and the one place batches reach the sinks."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Literal

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from pipegen_runtime.spark.decoding import SEQUENCE

#: Which rows of a micro-batch a sink receives:
#: "all" of them; "latest": per key, the last record in Kafka (by timestamp, partition and
#: offset: the batch carries SEQUENCE), so an upsert writes each key once with its latest
#: values wherever batches end; "one_per_key": any one row per key (an aggregation's rows,
#: when the sink's key is coarser than the groups).
Rows = Literal["all", "latest", "one_per_key"]


def latest(batch: DataFrame, key: Sequence[str], columns: Sequence[str]) -> DataFrame:
    """The last record of each key in ``batch`` (by SEQUENCE), with ``columns``."""
    row = F.max_by(F.struct(*columns), SEQUENCE).alias("__pg_row")
    return batch.groupBy(*key).agg(row).select("__pg_row.*")


def select_rows(
    batch: DataFrame, columns: Sequence[str], key: Sequence[str], rows: Rows
) -> DataFrame:
    """The rows of ``batch`` a sink receives (see Rows), with ``columns`` in that order."""
    if rows == "latest":
        return latest(batch, key, columns)
    selected = batch.select(*columns)
    if rows == "one_per_key":
        return selected.dropDuplicates(list(key))
    return selected


class BatchSink(ABC):
    """A sink written from the stream's foreachBatch query, one micro-batch at a time.

    A sink is data: where it writes and with which statements. ``rows`` says which rows of a
    batch it receives (``select``), ``send`` writes them. write_batch is the one place that
    calls them, so a test can collect what each sink would receive by replacing ``send``.
    """

    columns: Sequence[str]
    key: Sequence[str]
    rows: Rows

    @abstractmethod
    def prepare(self, spark: SparkSession) -> None:
        """Creates what the sink needs if it is missing; called once before the queries start."""

    def select(self, batch: DataFrame) -> DataFrame:
        """The rows of a micro-batch this sink receives."""
        return select_rows(batch, self.columns, self.key, self.rows)

    @abstractmethod
    def send(self, rows: DataFrame, batch_id: int, query_id: str) -> None:
        """Writes the rows of micro-batch ``batch_id`` of the query ``query_id``."""


def write_batch(batch: DataFrame, batch_id: int, sinks: Sequence[BatchSink], query_id: str) -> None:
    """Writes one micro-batch to every sink, in order; the batch is computed once (cached when
    several sinks read it; one sink writes it with one action, which computes it once)."""
    cache = len(sinks) > 1
    if cache:
        batch.persist()
    try:
        for sink in sinks:
            sink.send(sink.select(batch), batch_id, query_id)
    finally:
        if cache:
            batch.unpersist()
