"""What an archive job writes: the decoded records, and the bytes it could not decode."""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

#: Partition columns an archive may use besides the record's: the Kafka timestamp (UTC) in
#: these date formats.
TIME_PARTITIONS = {"dt": "yyyy-MM-dd", "hour": "HH"}


def records(decoded: DataFrame, schema: T.StructType, partition_by: Sequence[str]) -> DataFrame:
    """The decoded records with the schema's fields, and ``dt``/``hour`` when the archive is
    partitioned by them and the record has no such field."""
    names = [f.name for f in schema.fields]
    extra = [
        F.date_format("__pg_timestamp", TIME_PARTITIONS[c]).alias(c)
        for c in partition_by
        if c not in names
    ]
    return decoded.where(F.col("__pg_undecodable").isNull()).select(*names, *extra)


def undecodable(decoded: DataFrame) -> DataFrame:
    """The records that could not be decoded: their bytes, where they were, and why."""
    return decoded.where(F.col("__pg_undecodable").isNotNull()).select(
        F.col("__pg_key").alias("key"),
        F.col("__pg_value").alias("value"),
        F.col("__pg_topic").alias("topic"),
        F.col("__pg_partition").alias("partition"),
        F.col("__pg_offset").alias("offset"),
        F.col("__pg_timestamp").alias("timestamp"),
        F.col("__pg_undecodable").alias("reason"),
    )
