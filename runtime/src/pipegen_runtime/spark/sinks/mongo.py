"""MongoDB sinks (the MongoDB Spark connector): upserts by key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from pipegen_runtime.spark.sinks.base import BatchSink, Rows


@dataclass(frozen=True)
class MongoSink(BatchSink):
    """Replaces each document by its ``_id``, made of the key columns (inserted when new): a
    replayed batch rewrites the same documents."""

    uri: str
    database: str
    collection: str
    columns: Sequence[str]
    key: Sequence[str]
    rows: Rows

    def prepare(self, spark: SparkSession) -> None:
        """Nothing to create: MongoDB creates the collection with its first document."""

    def send(self, rows: DataFrame, batch_id: int, query_id: str) -> None:
        (
            rows.withColumn("_id", F.struct(*self.key))
            .write.format("mongodb")
            .mode("append")
            .option("connection.uri", self.uri)
            .option("database", self.database)
            .option("collection", self.collection)
            .option("operationType", "replace")
            .option("idFieldList", "_id")
            .option("upsertDocument", "true")
            .save()
        )
