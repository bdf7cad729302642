"""Kafka sinks: each row as a JSON object, at least once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from pipegen_runtime.spark.sinks.base import BatchSink, Rows


@dataclass(frozen=True)
class KafkaSink(BatchSink):
    """Writes each row to ``topic`` as a JSON object (nulls left out), keyed by the text of
    column ``message_key`` when there is one. At least once, as Kafka producers are without
    transactions: a replayed batch is written again."""

    kafka: dict[str, str]
    topic: str
    message_key: str | None
    columns: Sequence[str]
    key: Sequence[str] = field(default=())
    rows: Rows = "all"

    def prepare(self, spark: SparkSession) -> None:
        """Nothing to create: the topic is created with the pipeline's other topics."""

    def send(self, rows: DataFrame, batch_id: int, query_id: str) -> None:
        value = F.to_json(F.struct(*self.columns)).alias("value")
        keyed = [F.col(self.message_key).cast("string").alias("key")] if self.message_key else []
        (
            rows.select(*keyed, value)
            .write.format("kafka")
            .options(**self.kafka)
            .option("topic", self.topic)
            .save()
        )
