"""A job's progress: the offsets it commits to its consumer group and the file it writes."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from pipegen_runtime.spark import progress as pr


def event(name: str, end: dict[str, Any], latest: dict[str, Any] | None = None) -> dict[str, Any]:
    """A query's progress as pyspark 4 gives it (a dict subclass)."""
    return {
        "id": "0b0e",
        "runId": "1c1f",
        "name": name,
        "timestamp": "2026-12-05T14:00:00.000Z",
        "batchId": 3,
        "batchDuration": 120,
        "numInputRows": 10,
        "inputRowsPerSecond": 5.0,
        "processedRowsPerSecond": 80.0,
        "sources": [
            {
                "description": "KafkaV2[Subscribe[orders]]",
                "endOffset": json.dumps(end),
                "latestOffset": json.dumps(latest) if latest is not None else "null",
                "numInputRows": 10,
                "inputRowsPerSecond": 5.0,
                "processedRowsPerSecond": 80.0,
            }
        ],
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"orders": {"0": 5, "1": 7}}', {"orders": {0: 5, 1: 7}}),
        ('{"orders": {"0": -2}}', {"orders": {}}),
        ("null", {}),
        (None, {}),
        ("not json", {}),
        ('"a string"', {}),
    ],
)
def test_parse_offsets(text: str | None, expected: pr.Offsets) -> None:
    assert pr.parse_offsets(text) == expected


def test_behind_latest_and_slowest() -> None:
    end = {"t": {0: 5, 1: 7}}
    assert pr.behind_latest(end, {"t": {0: 9, 1: 7}}) == {"t": {0: 4, 1: 0}}
    assert pr.behind_latest(end, {}) == {"t": {}}
    assert pr.slowest([{"t": {0: 5, 1: 9}}, {"t": {0: 8, 1: 2}}, {"u": {0: 1}}]) == {
        "t": {0: 5, 1: 2},
        "u": {0: 1},
    }


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/tmp/ck/p/j/_progress.json", "/tmp/ck/p/j/_progress.json"),
        ("file:///tmp/ck/x", "/tmp/ck/x"),
        ("file:/tmp/ck/x", "/tmp/ck/x"),
        ("relative/x", "relative/x"),
        ("s3a://bucket/ck/x", None),
        ("hdfs://nn:8020/ck/x", None),
    ],
)
def test_local_path(path: str, expected: str | None) -> None:
    assert pr.local_path(path) == expected


def test_names() -> None:
    assert pr.consumer_group("shop", "orders") == "pipegen.shop.orders"
    assert (
        pr.progress_path("s3a://b/ck/", "shop", "orders") == "s3a://b/ck/shop/orders/_progress.json"
    )


def test_write_local_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "_progress.json"
    pr.write_local(str(target), "one")
    pr.write_local(str(target), "two")
    assert target.read_text() == "two"
    assert os.listdir(target.parent) == ["_progress.json"]


def test_kafka_client_config_from_spark_options() -> None:
    from pipegen_runtime.spark.source import kafka_options

    options = kafka_options(
        "k:9092",
        security_protocol="SASL_SSL",
        sasl_mechanism="PLAIN",
        sasl_user='us"er',
        sasl_password="p\\w",
    )
    assert pr.kafka_client_config(options) == {
        "bootstrap.servers": "k:9092",
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "PLAIN",
        "sasl.username": 'us"er',
        "sasl.password": "p\\w",
    }
    assert pr.kafka_client_config(kafka_options("k:9092")) == {"bootstrap.servers": "k:9092"}


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.commits: list[pr.Offsets] = []
        self.files: dict[str, str] = {}
        self.fail = fail

    def commit(self, offsets: pr.Offsets) -> None:
        if self.fail:
            raise RuntimeError("broker down")
        self.commits.append(offsets)

    def write(self, path: str, text: str) -> None:
        self.files[path] = text


def listener(r: Recorder, err: io.StringIO | None = None) -> pr.ProgressListener:
    return pr.ProgressListener(
        group="pipegen.p.s", path="/ck/p/s/_progress.json", commit=r.commit, write=r.write, err=err
    )


def test_the_listener_commits_what_every_query_has_processed() -> None:
    r = Recorder()
    lst = listener(r)
    lst.record(event("p.s.sinks", {"orders": {"0": 10, "1": 4}}, {"orders": {"0": 12, "1": 4}}))
    lst.record(event("p.s.dead_letter", {"orders": {"0": 8, "1": 6}}))
    lst.record(event("p.s.dead_letter", {"orders": {"0": 8, "1": 6}}))  # nothing new
    assert r.commits == [{"orders": {0: 10, 1: 4}}, {"orders": {0: 8, 1: 4}}]
    doc = json.loads(r.files["/ck/p/s/_progress.json"])
    assert doc["consumerGroup"] == "pipegen.p.s"
    assert doc["processedOffsets"] == {"orders": {"0": 8, "1": 4}}
    sinks = doc["queries"]["p.s.sinks"]
    assert sinks["batchId"] == 3 and sinks["batchDurationMs"] == 120
    assert sinks["batchTime"] == "2026-12-05T14:00:00.000Z"
    assert sinks["inputRowsPerSecond"] == 5.0 and sinks["processedRowsPerSecond"] == 80.0
    assert sinks["sources"][0]["offsetsBehindLatest"] == {"orders": {"0": 2, "1": 0}}


def test_a_failed_commit_is_reported_retried_and_never_raised() -> None:
    r = Recorder(fail=True)
    err = io.StringIO()
    lst = listener(r, err)
    lst.record(event("q", {"orders": {"0": 1}}))
    assert "committing offsets to consumer group pipegen.p.s failed: broker down" in err.getvalue()
    assert "/ck/p/s/_progress.json" in r.files
    r.fail = False
    lst.record(event("q", {"orders": {"0": 1}}))  # the same offsets: tried again
    assert r.commits == [{"orders": {0: 1}}]


def test_a_batch_before_any_offsets_commits_nothing() -> None:
    r = Recorder()
    lst = listener(r)
    lst.record({**event("q", {}), "sources": [{"endOffset": None}]})
    assert r.commits == []
    assert json.loads(r.files["/ck/p/s/_progress.json"])["processedOffsets"] == {}


def test_flush_records_each_querys_last_progress() -> None:
    class Query:
        def __init__(self, last: dict[str, Any] | None) -> None:
            self.lastProgress = last

    r = Recorder()
    lst = listener(r)
    lst.flush([Query(event("a", {"orders": {"0": 7}})), Query(None)])
    assert r.commits == [{"orders": {0: 7}}]


def test_offsets_parsed_already_as_the_progress_json_has_them() -> None:
    r = Recorder()
    lst = listener(r)
    progress = event("q", {})
    progress["sources"] = [
        {"endOffset": {"orders": {"0": 4}}, "latestOffset": {"orders": {"0": 9}}, "numInputRows": 4}
    ]
    lst.record(progress)
    assert r.commits == [{"orders": {0: 4}}]
    doc = json.loads(r.files["/ck/p/s/_progress.json"])
    assert doc["queries"]["q"]["sources"][0]["offsetsBehindLatest"] == {"orders": {"0": 5}}


def test_the_jvm_calls_the_listener_with_each_batchs_progress(spark: Any, tmp_path: Path) -> None:
    """Registered with a real session: JvmCallbacks reads each progress event as JSON."""
    import time

    source = tmp_path / "in"
    source.mkdir()
    (source / "a.json").write_text('{"n": 1}\n{"n": 2}\n')
    r = Recorder()
    lst = listener(r)
    spark.streams.addListener(lst)
    try:
        query = (
            spark.readStream.schema("n INT")
            .json(str(source))
            .writeStream.format("noop")
            .queryName("p.s.sinks")
            .option("checkpointLocation", str(tmp_path / "ck"))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination(60)
        deadline = time.monotonic() + 30
        while "/ck/p/s/_progress.json" not in r.files and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        spark.streams.removeListener(lst)
    doc = json.loads(r.files["/ck/p/s/_progress.json"])
    sinks = doc["queries"]["p.s.sinks"]
    assert sinks["batchId"] == 0 and sinks["numInputRows"] == 2
    assert sinks["id"] == str(query.id)
    assert r.commits == []  # a file source: no Kafka offsets
    assert pr.last_progress(query)["batchId"] == 0  # type: ignore[index]


def test_jvm_callbacks_read_the_progress_json_and_never_raise() -> None:
    class Progress:
        def __init__(self, text: str) -> None:
            self.text = text

        def json(self) -> str:
            if self.text == "boom":
                raise RuntimeError("the gateway is gone")
            return self.text

    class Event:
        def __init__(self, text: str) -> None:
            self._progress = Progress(text)

        def progress(self) -> Progress:
            return self._progress

    r = Recorder()
    err = io.StringIO()
    callbacks = pr.JvmCallbacks(listener(r, err))
    progress = event("q", {})
    progress["sources"] = [{"endOffset": {"orders": {"0": 3}}, "latestOffset": None}]
    callbacks.onQueryProgress(Event(json.dumps(progress)))
    callbacks.onQueryProgress(Event("boom"))
    callbacks.onQueryStarted(object())
    callbacks.onQueryIdle(object())
    callbacks.onQueryTerminated(object())
    assert r.commits == [{"orders": {0: 3}}]
    assert "reading a query's progress failed: the gateway is gone" in err.getvalue()
