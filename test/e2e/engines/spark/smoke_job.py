"""Toolchain smoke job for test/e2e/spark-smoke.e2e.test.ts (hand-written, not generated).

Reads a Kafka topic of JSON messages with Structured Streaming (trigger availableNow), parses
them with an explicit schema and, in foreachBatch, appends each micro-batch to a PostgreSQL
and a MariaDB table over JDBC. Started by spark-submit with the connector jars on --jars.
Prints one JSON line {"batches": ..., "rows": ...} on stdout at the end.
"""

import argparse
import json
import os

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

SCHEMA = StructType(
    [
        StructField("id", LongType(), nullable=False),
        StructField("name", StringType()),
        StructField("amount", DoubleType()),
        StructField("ts", TimestampType()),
    ]
)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--bootstrap-servers", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--max-offsets-per-trigger", type=int, default=0)
    p.add_argument("--pg-url", required=True)
    p.add_argument("--pg-user", required=True)
    p.add_argument("--pg-table", required=True)
    p.add_argument("--mysql-url", required=True)
    p.add_argument("--mysql-user", required=True)
    p.add_argument("--mysql-table", required=True)
    a = p.parse_args()
    # Passwords come from the environment, never the command line.
    pg_password = os.environ["PG_PASSWORD"]
    mysql_password = os.environ["MYSQL_PASSWORD"]

    spark = SparkSession.builder.appName("pipegen-spark-smoke").getOrCreate()

    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", a.bootstrap_servers)
        .option("subscribe", a.topic)
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "true")
    )
    if a.max_offsets_per_trigger > 0:
        reader = reader.option("maxOffsetsPerTrigger", a.max_offsets_per_trigger)
    parsed = (
        reader.load()
        .select(
            F.from_json(F.col("value").cast("string"), SCHEMA).alias("r"),
            F.col("partition").alias("kafka_partition"),
            F.col("offset").alias("kafka_offset"),
        )
        .select("r.*", "kafka_partition", "kafka_offset")
    )

    def jdbc_append(
        df: DataFrame, url: str, driver: str, table: str, user: str, password: str
    ) -> None:
        (
            df.write.format("jdbc")
            .option("url", url)
            .option("driver", driver)
            .option("dbtable", table)
            .option("user", user)
            .option("password", password)
            .option("batchsize", 500)
            .mode("append")
            .save()
        )

    def write_batch(batch: DataFrame, batch_id: int) -> None:
        batch.persist()
        try:
            jdbc_append(
                batch,
                a.pg_url,
                "org.postgresql.Driver",
                a.pg_table,
                a.pg_user,
                pg_password,
            )
            jdbc_append(
                batch,
                a.mysql_url,
                "org.mariadb.jdbc.Driver",
                a.mysql_table,
                a.mysql_user,
                mysql_password,
            )
        finally:
            batch.unpersist()

    query = (
        parsed.writeStream.foreachBatch(write_batch)
        .option("checkpointLocation", a.checkpoint)
        .trigger(availableNow=True)
        .start()
    )
    query.awaitTermination()
    progress = [pr for pr in query.recentProgress if pr["numInputRows"] > 0]
    print(
        json.dumps(
            {
                "batches": len(progress),
                "rows": sum(pr["numInputRows"] for pr in progress),
            }
        )
    )
    spark.stop()


if __name__ == "__main__":
    main()
