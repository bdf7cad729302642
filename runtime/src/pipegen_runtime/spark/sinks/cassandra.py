"""Cassandra sinks, written with the official Python driver from the executors.

The Spark Cassandra Connector has no Spark 4 release: each partition of a batch opens a
driver session on its executor and runs the sink's prepared INSERT (CQL inserts are upserts
by primary key). The executors need ``cassandra-driver`` and this package (installed, or
shipped with --py-files).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pipegen_runtime.spark.sinks.base import BatchSink, Rows

if TYPE_CHECKING:
    from cassandra.cluster import Cluster  # type: ignore[import-untyped]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class CassandraConnection:
    """Where a Cassandra cluster is, and how to log in (no user: no authentication)."""

    contact_points: Sequence[str]
    port: int
    local_dc: str
    user: str | None = None
    password: str | None = None

    def cluster(self) -> Cluster:
        """A driver Cluster (imported here: executors run this, and only they need the driver)."""
        from cassandra.auth import PlainTextAuthProvider  # type: ignore[import-untyped]
        from cassandra.cluster import Cluster
        from cassandra.policies import (  # type: ignore[import-untyped]
            DCAwareRoundRobinPolicy,
        )

        auth = None
        if self.user is not None:
            auth = PlainTextAuthProvider(self.user, self.password)
        return Cluster(
            list(self.contact_points),
            port=self.port,
            auth_provider=auth,
            load_balancing_policy=DCAwareRoundRobinPolicy(self.local_dc),
            protocol_version=5,
        )

    def execute_all(self, statements: Sequence[str]) -> None:
        """Runs each statement in turn."""
        cluster = self.cluster()
        try:
            session = cluster.connect()
            for statement in statements:
                session.execute(statement)
        finally:
            cluster.shutdown()


def _write_partition(
    connection: CassandraConnection,
    cql: str,
    columns: Sequence[str],
    timestamps: frozenset[str],
    partition: Iterable[Row],
) -> None:
    from cassandra.concurrent import (  # type: ignore[import-untyped]
        execute_concurrent_with_args,
    )

    def value(column: str, v: Any) -> Any:
        return _EPOCH + timedelta(microseconds=v) if column in timestamps and v is not None else v

    cluster = connection.cluster()
    try:
        session = cluster.connect()
        statement = session.prepare(cql)
        values = [
            tuple(value(c, v) for c, v in zip(columns, row, strict=True)) for row in partition
        ]
        execute_concurrent_with_args(
            session, statement, values, concurrency=32, raise_on_first_error=True
        )
    finally:
        cluster.shutdown()


@dataclass(frozen=True)
class CassandraSink(BatchSink):
    """Runs ``insert`` (an INSERT of ``columns``, in that order) for every row; ``create``
    makes the keyspace and table if missing (the DDL file's statements)."""

    connection: CassandraConnection
    insert: str
    create: Sequence[str]
    columns: Sequence[str]
    key: Sequence[str]
    rows: Rows

    def prepare(self, spark: SparkSession) -> None:
        self.connection.execute_all(self.create)

    def send(self, rows: DataFrame, batch_id: int, query_id: str) -> None:
        timestamps = frozenset(
            f.name for f in rows.schema.fields if isinstance(f.dataType, T.TimestampType)
        )
        # Timestamps travel as epoch microseconds so no Python process's time zone can shift them.
        exact = rows.select(
            *[
                (F.unix_micros(F.col(c)).alias(c) if c in timestamps else F.col(c))
                for c in self.columns
            ]
        )
        write = functools.partial(
            _write_partition,
            self.connection,
            self.insert,
            list(self.columns),
            timestamps,
        )
        exact.foreachPartition(write)
