"""The exactly-once commit of table sinks: a stand-in connection for the transaction's steps,
and Derby (in pyspark's own jars, in memory) for the whole path through Spark's JDBC writer."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from pyspark.sql import SparkSession

from pipegen_runtime.spark.sinks.jdbc import (
    JdbcConnection,
    JdbcTableSink,
    commit_batch,
    read_table,
)

MARK = "MARK"
MERGE = "MERGE"


@dataclass
class FakeDatabase:
    """Committed state: the batch markers and the rows the merges moved."""

    markers: set[tuple[str, int]] = field(default_factory=set)
    merged: list[int] = field(default_factory=list)
    fail_merge: bool = False


class FakeConnection:
    """java.sql.Connection's transaction semantics, enough for commit_batch."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.log: list[str] = []
        self.pending_markers: set[tuple[str, int]] = set()
        self.pending_merges = 0
        self.auto_commit = True
        self.params: dict[int, object] = {}

    def setAutoCommit(self, auto_commit: bool) -> None:
        self.auto_commit = auto_commit

    def prepareStatement(self, sql: str) -> FakeConnection:
        assert sql == MARK
        self.params = {}
        return self

    def setString(self, index: int, value: str) -> None:
        self.params[index] = value

    def setLong(self, index: int, value: int) -> None:
        self.params[index] = value

    def createStatement(self) -> FakeConnection:
        return self

    def execute(self, sql: str) -> bool:
        raise AssertionError(f"commit_batch runs no DDL: {sql}")

    def executeUpdate(self, sql: str = MARK) -> int:
        assert not self.auto_commit, "statements run in one transaction"
        self.log.append(sql)
        if sql == MARK:
            marker = (str(self.params[1]), int(str(self.params[2])))
            if marker in self.db.markers or marker in self.pending_markers:
                return 0
            self.pending_markers.add(marker)
            return 1
        assert sql == MERGE
        if self.db.fail_merge:
            raise RuntimeError("duplicate key")
        self.pending_merges += 1
        return 3

    def commit(self) -> None:
        self.log.append("commit")
        self.db.markers |= self.pending_markers
        self.db.merged.extend([1] * self.pending_merges)
        self.pending_markers, self.pending_merges = set(), 0

    def rollback(self) -> None:
        self.log.append("rollback")
        self.pending_markers, self.pending_merges = set(), 0

    def close(self) -> None:
        self.log.append("close")


def commit(db: FakeDatabase, marker: str, batch_id: int) -> tuple[bool, list[str]]:
    conn = FakeConnection(db)
    done = commit_batch(conn, marker=marker, batch_id=batch_id, mark_sql=MARK, merge_sql=MERGE)
    return done, conn.log


def test_a_new_batch_is_marked_and_merged_in_one_transaction() -> None:
    db = FakeDatabase()
    assert commit(db, "s@q1", 0) == (True, [MARK, MERGE, "commit"])
    assert db.markers == {("s@q1", 0)}
    assert db.merged == [1]


def test_a_replayed_batch_changes_nothing() -> None:
    db = FakeDatabase()
    commit(db, "s@q1", 0)
    assert commit(db, "s@q1", 0) == (False, [MARK, "rollback"])
    assert db.merged == [1]


@pytest.mark.parametrize(
    ("marker", "batch_id"),
    [("s@q2", 0), ("s@q1", 1), ("other@q1", 0)],
    ids=["a new checkpoint's batch 0", "the next batch", "another sink"],
)
def test_batches_count_per_sink_and_checkpoint(marker: str, batch_id: int) -> None:
    db = FakeDatabase()
    commit(db, "s@q1", 0)
    assert commit(db, marker, batch_id)[0] is True
    assert db.merged == [1, 1]


def test_a_failed_merge_rolls_back_its_marker_so_a_retry_commits() -> None:
    db = FakeDatabase(fail_merge=True)
    conn = FakeConnection(db)
    with pytest.raises(RuntimeError, match="duplicate key"):
        commit_batch(conn, marker="s@q1", batch_id=0, mark_sql=MARK, merge_sql=MERGE)
    assert conn.log == [MARK, MERGE, "rollback"]
    assert db.markers == set()
    db.fail_merge = False
    assert commit(db, "s@q1", 0)[0] is True
    assert db.merged == [1]


# --- the whole sink on Derby ---------------------------------------------------------------

_databases = itertools.count()

# Derby has no INSERT ... ON CONFLICT: the marker insert adds the row unless it is there.
DERBY_MARK = (
    "INSERT INTO pipegen_batches (sink, batch_id) "
    "SELECT v.s, v.b FROM (VALUES (CAST(? AS VARCHAR(200)), CAST(? AS BIGINT))) AS v(s, b) "
    "WHERE NOT EXISTS "
    "(SELECT 1 FROM pipegen_batches p WHERE p.sink = v.s AND p.batch_id = v.b)"
)


MARKERS = (
    "CREATE TABLE pipegen_batches"
    " (sink VARCHAR(200) NOT NULL, batch_id BIGINT NOT NULL, PRIMARY KEY (sink, batch_id))"
)


def derby_sink(rows: str = "all") -> JdbcTableSink:
    db = f"memory:pipegen{next(_databases)}"
    columns = '("id" BIGINT NOT NULL, "name" VARCHAR(20))'
    return JdbcTableSink(
        connection=JdbcConnection(
            url=f"jdbc:derby:{db};create=true",
            user="app",
            password="",
            driver="org.apache.derby.iapi.jdbc.AutoloadedDriver",
        ),
        sink_id="p.s.0.items",
        columns=["id", "name"],
        key=["id"],
        rows=rows,  # type: ignore[arg-type]
        stage="stage",
        create=[
            MARKERS,
            f"CREATE TABLE items {columns}",
            f"CREATE TABLE stage {columns}",
        ],
        merge='INSERT INTO items ("id", "name") SELECT "id", "name" FROM stage',
        mark=DERBY_MARK,
    )


def table(spark: SparkSession, sink: JdbcTableSink, name: str) -> list[tuple[object, ...]]:
    columns = ["id", "name"] if name != "pipegen_batches" else ["SINK", "BATCH_ID"]
    rows = read_table(spark, sink.connection, name, columns).collect()
    return sorted(tuple(r) for r in rows)


def test_a_table_sink_stages_commits_and_skips_replays_on_a_real_database(
    spark: SparkSession,
) -> None:
    sink = derby_sink()
    sink.prepare(spark)
    batch = spark.createDataFrame([(1, "a"), (2, "b")], "id long, name string")
    sink.send(sink.select(batch), 0, "query-1")
    assert table(spark, sink, "items") == [(1, "a"), (2, "b")]
    # Replayed (the same checkpoint's batch 0): skipped, though the stage is rewritten.
    sink.send(sink.select(batch), 0, "query-1")
    assert table(spark, sink, "items") == [(1, "a"), (2, "b")]
    # Batch 1, then batch 0 of a new checkpoint: both written.
    sink.send(
        sink.select(spark.createDataFrame([(3, "c")], "id long, name string")),
        1,
        "query-1",
    )
    sink.send(sink.select(batch), 0, "query-2")
    assert table(spark, sink, "items") == [
        (1, "a"),
        (1, "a"),
        (2, "b"),
        (2, "b"),
        (3, "c"),
    ]
    assert table(spark, sink, "pipegen_batches") == [
        ("p.s.0.items@query-1", 0),
        ("p.s.0.items@query-1", 1),
        ("p.s.0.items@query-2", 0),
    ]
