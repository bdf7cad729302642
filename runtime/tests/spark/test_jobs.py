"""A job's arguments, query identity, batch sinks query and run loop (stop and failure)."""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery

from pipegen_runtime.spark import jobs
from pipegen_runtime.spark.sinks.base import BatchSink, Rows

SCHEMA = "id long, name string"


def json_stream(spark: SparkSession, folder: Path, rows: Sequence[dict[str, Any]]) -> DataFrame:
    """A file source over one JSON-lines file holding ``rows``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "part-0.json").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return spark.readStream.schema(SCHEMA).json(str(folder))


def endless(spark: SparkSession, name: str, checkpoint: Path) -> StreamingQuery:
    """A query that runs until stopped (the rate source, a batch every 100 ms)."""
    return (
        spark.readStream.format("rate")
        .option("rowsPerSecond", 1)
        .load()
        .writeStream.queryName(name)
        .foreachBatch(lambda batch, batch_id: None)
        .option("checkpointLocation", str(checkpoint))
        .trigger(processingTime="100 milliseconds")
        .start()
    )


def failing(spark: SparkSession, folder: Path) -> StreamingQuery:
    def fail(batch: DataFrame, batch_id: int) -> None:
        raise ValueError("the sink is down")

    return (
        json_stream(spark, folder / "in", [{"id": 1, "name": "a"}])
        .writeStream.queryName("failing")
        .foreachBatch(fail)
        .option("checkpointLocation", str(folder / "checkpoint"))
        .trigger(availableNow=True)
        .start()
    )


@pytest.mark.parametrize(
    ("argv", "trigger", "max_offsets"),
    [
        ([], {"processingTime": "1 minutes"}, 500),
        (
            ["--available-now", "--max-offsets-per-trigger", "7"],
            {"availableNow": True},
            7,
        ),
    ],
)
def test_stream_arguments(argv: list[str], trigger: dict[str, object], max_offsets: int) -> None:
    args = jobs.stream_arguments(
        ["--bootstrap-servers", "k:9092", *argv],
        "d",
        bootstrap_servers=None,
        checkpoint_root="/c",
        max_offsets_per_trigger=500,
        trigger={"processingTime": "1 minutes"},
    )
    assert (args.bootstrap_servers, args.checkpoint_root) == ("k:9092", "/c")
    assert args.trigger == trigger
    assert args.max_offsets_per_trigger == max_offsets


def test_a_setting_without_a_value_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        jobs.archive_arguments(
            [], "d", bootstrap_servers="k", checkpoint_root="/c", output_path=None
        )
    assert exit_.value.code == 2
    assert (
        "--output-path is required (its environment variable is unset)" in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "default", "want"),
    [
        ([], "http://spec:8081", "http://spec:8081"),
        (["--schema-registry-url", "http://r:1"], None, "http://r:1"),
        ([], None, SystemExit),
    ],
    ids=["the spec's", "given", "neither: a usage error"],
)
def test_a_job_that_reads_avro_needs_the_registry(
    argv: list[str], default: str | None, want: object
) -> None:
    def parse(function: Callable[..., argparse.Namespace], **kw: object) -> object:
        try:
            args = function(
                ["--bootstrap-servers", "k", "--checkpoint-root", "/c", *argv],
                "d",
                bootstrap_servers=None,
                checkpoint_root=None,
                avro=True,
                schema_registry_url=default,
                **kw,
            )
        except SystemExit:
            return SystemExit
        return args.schema_registry_url

    stream = {"max_offsets_per_trigger": None, "trigger": jobs.AVAILABLE_NOW}
    assert parse(jobs.stream_arguments, **stream) == want
    assert parse(jobs.archive_arguments, output_path="/o") == want


def test_checkpoint_dir() -> None:
    assert jobs.checkpoint_dir("s3a://b/c/", "p", "s") == "s3a://b/c/p/s"


def test_query_identity_waits_for_the_id() -> None:
    identity = jobs.QueryIdentity()
    with pytest.raises(TimeoutError):
        identity.get(timeout=0.01)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(identity.get(timeout=5)))
    reader.start()
    time.sleep(0.05)
    assert got == []
    identity.set("q-1")
    reader.join()
    assert got == ["q-1"]


class Collect(BatchSink):
    """A sink that keeps what it receives."""

    def __init__(self, rows: Rows = "all") -> None:
        self.columns, self.key, self.rows = ["name", "id"], ["id"], rows
        self.prepared = False
        self.received: list[tuple[int, str, list[tuple[Any, ...]]]] = []

    def prepare(self, spark: SparkSession) -> None:
        self.prepared = True

    def send(self, rows: DataFrame, batch_id: int, query_id: str) -> None:
        self.received.append((batch_id, query_id, sorted(tuple(r) for r in rows.collect())))


def test_batch_sinks_get_each_batch_with_the_query_id(spark: SparkSession, tmp_path: Path) -> None:
    rows = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 1, "name": "c"}]
    sinks = [Collect(), Collect("one_per_key")]
    query = jobs.start_batch_sinks(
        json_stream(spark, tmp_path / "in", rows),
        sinks,
        name="sinks",
        checkpoint=str(tmp_path / "checkpoint"),
        trigger=jobs.AVAILABLE_NOW,
        output_mode="append",
    )
    assert jobs.await_queries([query], threading.Event(), poll_seconds=0.1) == 0
    assert sinks[0].received == [(0, str(query.id), [("a", 1), ("b", 2), ("c", 1)])]
    batch_id, query_id, got = sinks[1].received[0]
    assert (batch_id, query_id, sorted(r[1] for r in got)) == (0, str(query.id), [1, 2])


def test_a_stop_request_stops_every_query_and_exits_0(spark: SparkSession, tmp_path: Path) -> None:
    queries = [endless(spark, f"endless{i}", tmp_path / str(i)) for i in range(2)]
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    assert jobs.await_queries(queries, stop, poll_seconds=0.1) == 0
    assert [q.isActive for q in queries] == [False, False]


def test_a_failed_query_ends_the_job_with_1_and_says_why(
    spark: SparkSession, tmp_path: Path
) -> None:
    other = endless(spark, "still_running", tmp_path / "other")
    err = io.StringIO()
    code = jobs.await_queries(
        [other, failing(spark, tmp_path)], threading.Event(), poll_seconds=0.1, err=err
    )
    assert code == 1
    assert not other.isActive, "a failed query stops the others"
    assert "query failing failed:" in err.getvalue()
    assert "the sink is down" in err.getvalue()


class KeepAlive:
    """The test's session, lent to run(), which stops the session it made when it ends."""

    def __init__(self, spark: SparkSession) -> None:
        self.spark, self.stopped = spark, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.spark, name)

    def stop(self) -> None:
        self.stopped = True


def test_run_stops_gracefully_on_sigterm(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lent = KeepAlive(spark)
    monkeypatch.setattr(jobs, "session", lambda app, partitions: lent)
    previous = signal.getsignal(signal.SIGTERM)
    started: list[StreamingQuery] = []

    def start(session: Any) -> list[StreamingQuery]:
        started.append(endless(session, "until_sigterm", tmp_path / "q"))
        threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
        return started

    try:
        assert jobs.run("app", 2, start) == 0
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not started[0].isActive
    assert lent.stopped


@pytest.mark.parametrize(
    "trigger",
    [{"processingTime": 30}, {"availableNow": False}, {"once": True}, {}],
    ids=str,
)
def test_a_trigger_is_a_processing_time_or_available_now(
    spark: SparkSession, trigger: dict[str, Any]
) -> None:
    writer = spark.readStream.format("rate").load().writeStream
    with pytest.raises(ValueError, match="not a trigger"):
        jobs.with_trigger(writer, trigger)
    assert jobs.with_trigger(writer, {"processingTime": "1 minutes"}) is writer
