"""Table sinks over JDBC (PostgreSQL, MySQL/MariaDB) with exactly-once micro-batches.

Each micro-batch goes to a staging table first; then one transaction records the batch id in
the marker table (``pipegen_batches``) and moves the staged rows into the sink table (an
insert, or an upsert). A replayed batch finds its id already recorded and changes nothing.
The id is recorded under the sink and the id of the query's checkpoint, so a new checkpoint,
whose batch ids start at 0 again, is never taken for batches already committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pyspark.sql import DataFrame, SparkSession

from pipegen_runtime.spark.sinks.base import BatchSink, Rows


class JavaStatement(Protocol):
    """The part of java.sql.Statement used here."""

    def execute(self, sql: str) -> bool: ...

    def executeUpdate(self, sql: str) -> int: ...


class JavaPreparedStatement(Protocol):
    """The part of java.sql.PreparedStatement used here."""

    def setString(self, index: int, value: str) -> None: ...

    def setLong(self, index: int, value: int) -> None: ...

    def executeUpdate(self) -> int: ...


class JavaConnection(Protocol):
    """The part of java.sql.Connection used here (a py4j proxy, or a test's stand-in)."""

    def setAutoCommit(self, auto_commit: bool) -> None: ...

    def createStatement(self) -> JavaStatement: ...

    def prepareStatement(self, sql: str) -> JavaPreparedStatement: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class JdbcConnection:
    """Where a database is: its JDBC URL, the credentials and the driver's class."""

    url: str
    user: str
    password: str
    driver: str

    def options(self) -> dict[str, str]:
        """The options of Spark's JDBC data source."""
        return {
            "url": self.url,
            "user": self.user,
            "password": self.password,
            "driver": self.driver,
        }

    def connect(self, spark: SparkSession) -> JavaConnection:
        """A java.sql.Connection in the driver's JVM (the driver from --jars/--packages)."""
        jvm: Any = spark._jvm
        # Spark's registry makes a driver from --jars/--packages visible to DriverManager.
        jvm.org.apache.spark.sql.execution.datasources.jdbc.DriverRegistry.register(self.driver)
        conn: JavaConnection = jvm.java.sql.DriverManager.getConnection(
            self.url, self.user, self.password
        )
        return conn


def execute_all(conn: JavaConnection, statements: Sequence[str]) -> None:
    """Runs each statement in turn (auto-commit: DDL)."""
    for statement in statements:
        conn.createStatement().execute(statement)


def commit_batch(
    conn: JavaConnection, *, marker: str, batch_id: int, mark_sql: str, merge_sql: str
) -> bool:
    """In one transaction: records (``marker``, ``batch_id``) with ``mark_sql`` (an insert that
    does nothing when the pair is there) and runs ``merge_sql``. Returns False, changing
    nothing, when the batch was committed before; rolls back and raises when a statement fails.
    """
    try:
        conn.setAutoCommit(False)
        mark = conn.prepareStatement(mark_sql)
        mark.setString(1, marker)
        mark.setLong(2, batch_id)
        if mark.executeUpdate() == 0:
            conn.rollback()
            return False
        conn.createStatement().executeUpdate(merge_sql)
        conn.commit()
        return True
    except Exception:
        conn.rollback()
        raise


@dataclass(frozen=True)
class JdbcTableSink(BatchSink):
    """A table sink: ``create`` makes the marker, sink and staging tables if missing (the DDL
    file's statements); each batch is staged in ``stage``, then ``mark`` and ``merge`` commit
    it (see commit_batch). Batches are recorded under ``sink_id`` + "@" + the query's id."""

    connection: JdbcConnection
    sink_id: str
    columns: Sequence[str]
    key: Sequence[str]
    rows: Rows
    stage: str
    create: Sequence[str]
    merge: str
    mark: str

    def prepare(self, spark: SparkSession) -> None:
        conn = self.connection.connect(spark)
        try:
            execute_all(conn, self.create)
        finally:
            conn.close()

    def send(self, rows: DataFrame, batch_id: int, query_id: str) -> None:
        (
            rows.write.format("jdbc")
            .options(**self.connection.options())
            .option("dbtable", self.stage)
            .option("truncate", "true")
            .mode("overwrite")
            .save()
        )
        conn = self.connection.connect(rows.sparkSession)
        try:
            commit_batch(
                conn,
                marker=f"{self.sink_id}@{query_id}",
                batch_id=batch_id,
                mark_sql=self.mark,
                merge_sql=self.merge,
            )
        finally:
            conn.close()


def read_table(
    spark: SparkSession, connection: JdbcConnection, table: str, columns: Sequence[str]
) -> DataFrame:
    """A table read once (a lookup join's static side), with ``columns``."""
    return (
        spark.read.format("jdbc")
        .options(**connection.options())
        .option("dbtable", table)
        .load()
        .select(*columns)
    )
