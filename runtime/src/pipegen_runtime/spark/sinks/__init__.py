"""The sinks of a stream, each configured with data.

Batch sinks (JDBC tables, MongoDB, Cassandra, Kafka) are written from one foreachBatch query
(pipegen_runtime.spark.jobs.start_batch_sinks, base.write_batch); file sinks are queries of
their own.
"""

from pipegen_runtime.spark.sinks.base import (
    BatchSink,
    Rows,
    latest,
    select_rows,
    write_batch,
)
from pipegen_runtime.spark.sinks.cassandra import CassandraConnection, CassandraSink
from pipegen_runtime.spark.sinks.files import FileSink, file_sink_guard
from pipegen_runtime.spark.sinks.jdbc import JdbcConnection, JdbcTableSink, read_table
from pipegen_runtime.spark.sinks.kafka import KafkaSink
from pipegen_runtime.spark.sinks.mongo import MongoSink

__all__ = [
    "BatchSink",
    "CassandraConnection",
    "CassandraSink",
    "FileSink",
    "JdbcConnection",
    "JdbcTableSink",
    "KafkaSink",
    "MongoSink",
    "Rows",
    "file_sink_guard",
    "latest",
    "read_table",
    "select_rows",
    "write_batch",
]
