"""Which rows a sink receives, the Cassandra writer's values, and the runtime on executors."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import Row, SparkSession
from pyspark.sql import functions as F

from pipegen_runtime import pyfiles
from pipegen_runtime.spark.decoding import SEQUENCE
from pipegen_runtime.spark.sinks import base
from pipegen_runtime.spark.sinks.cassandra import CassandraConnection, _write_partition

# Three versions of key 1 (offsets 0, 2, 5 of partition 0; the latest is "c"), one of key 2.
ROWS = [(1, "a", 0), (2, "x", 1), (1, "b", 2), (1, "c", 5)]


def batch(spark: SparkSession) -> Any:
    frame = spark.createDataFrame(ROWS, "id long, name string, offset long")
    seq = F.struct(F.lit(0).alias("partition"), F.col("offset")).alias(SEQUENCE)
    return frame.select("id", "name", seq)


@pytest.mark.parametrize(
    ("rows", "want"),
    [
        ("all", [("a", 1), ("b", 1), ("c", 1), ("x", 2)]),
        ("latest", [("c", 1), ("x", 2)]),
    ],
)
def test_rows_a_sink_receives(
    spark: SparkSession, rows: base.Rows, want: list[tuple[Any, ...]]
) -> None:
    got = base.select_rows(batch(spark), ["name", "id"], ["id"], rows)
    assert got.columns == ["name", "id"]
    assert sorted(tuple(r) for r in got.collect()) == want


def test_one_row_per_key(spark: SparkSession) -> None:
    got = base.select_rows(batch(spark), ["id", "name"], ["id"], "one_per_key").collect()
    assert sorted(r.id for r in got) == [1, 2]


@dataclass
class FakeCluster:
    prepared: list[str] = field(default_factory=list)
    shut_down: bool = False

    def connect(self) -> FakeCluster:
        return self

    def prepare(self, cql: str) -> str:
        self.prepared.append(cql)
        return f"prepared {cql}"

    def shutdown(self) -> None:
        self.shut_down = True


def test_cassandra_rows_keep_exact_timestamps(monkeypatch: pytest.MonkeyPatch) -> None:
    concurrent = pytest.importorskip("cassandra.concurrent")
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        concurrent,
        "execute_concurrent_with_args",
        lambda *a, **kw: calls.append((*a, kw)),
    )
    cluster = FakeCluster()

    class Connection(CassandraConnection):
        def cluster(self) -> Any:
            return cluster

    micros = 1_767_323_045_123_456  # 2026-01-02T03:04:05.123456Z
    _write_partition(
        Connection(["h"], 9042, "dc1"),
        "INSERT ...",
        ["id", "at"],
        frozenset({"at"}),
        [Row(id=1, at=micros), Row(id=2, at=None)],
    )
    (_session, statement, values, options) = calls[0]
    assert statement == "prepared INSERT ..."
    assert values == [
        (1, datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)),
        (2, None),
    ]
    assert options == {"concurrency": 32, "raise_on_first_error": True}
    assert cluster.shut_down


def test_executors_import_the_runtime_from_its_py_files_zip(
    spark: SparkSession, tmp_path: Path
) -> None:
    zipped = pyfiles.write_zip(tmp_path / pyfiles.zip_name())
    spark.sparkContext.addPyFile(str(zipped))

    def where(_: int) -> str:
        module = importlib.import_module("pipegen_runtime.spark.sinks.cassandra")
        return str(module.__file__)

    (found,) = spark.sparkContext.parallelize([0], 1).map(where).collect()
    assert found.endswith(f"{pyfiles.zip_name()}/pipegen_runtime/spark/sinks/cassandra.py")
