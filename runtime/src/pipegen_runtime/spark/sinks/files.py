"""File sinks: Spark's own exactly-once file sink, one query each, and its guard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from pipegen_runtime.spark.jobs import Trigger, with_trigger


class OutputOfAnotherCheckpoint(SystemExit):
    """A file sink would start on a new checkpoint over output another checkpoint wrote."""


def file_sink_guard(spark: SparkSession, checkpoint: str, path: str) -> None:
    """Refuses to start a file sink on a new checkpoint over output another checkpoint wrote.

    Spark's file sink records its batches by id in <path>/_spark_metadata; a new checkpoint
    starts at batch 0 again, and Spark would skip every batch id recorded there: the records
    would never be written, without an error. Raises OutputOfAnotherCheckpoint (exit 1).
    """
    jvm: Any = spark._jvm
    conf = spark._jsc.hadoopConfiguration()

    def exists(p: str) -> bool:
        jp = jvm.org.apache.hadoop.fs.Path(p)
        return bool(jp.getFileSystem(conf).exists(jp))

    if exists(f"{path}/_spark_metadata") and not exists(f"{checkpoint}/offsets"):
        raise OutputOfAnotherCheckpoint(
            f"pipegen: {path} holds files a file sink wrote under another checkpoint, and "
            f"{checkpoint} is new: Spark would skip the batches recorded there. Restore the "
            "checkpoint, or move the output away (or write to another path), and run again."
        )


@dataclass(frozen=True)
class FileSink:
    """Files under ``path`` in ``format`` (parquet, json, ...), partitioned by
    ``partition_by``, written by a query of their own named ``name`` with its checkpoint."""

    name: str
    checkpoint: str
    path: str
    format: str
    partition_by: Sequence[str] = ()
    columns: Sequence[str] | None = None

    def prepare(self, spark: SparkSession) -> None:
        """Refuses to start over another checkpoint's output (file_sink_guard)."""
        file_sink_guard(spark, self.checkpoint, self.path)

    def start(self, frame: DataFrame, trigger: Trigger) -> StreamingQuery:
        """Starts the query that appends ``frame``'s rows (its ``columns``, when given)."""
        rows = frame.select(*self.columns) if self.columns is not None else frame
        writer = rows.writeStream.queryName(self.name).outputMode("append").format(self.format)
        if self.partition_by:
            writer = writer.partitionBy(*self.partition_by)
        writer = writer.option("path", self.path).option("checkpointLocation", self.checkpoint)
        return with_trigger(writer, trigger).start()
