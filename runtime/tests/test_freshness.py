"""Freshness checks on a stand-in of Kafka (the real broker: test/e2e/freshness.e2e.test.ts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

import pytest

from pipegen_runtime import freshness as fr

NOW = 1_800_000_000_000
WATCH = fr.Watch(
    "stream", "orders_per_minute", "orders", "pipegen.shop.orders_per_minute", timedelta(minutes=5)
)


class FakeKafka:
    """Partitions with (low, high) watermarks, committed offsets, a record timestamp per offset."""

    def __init__(
        self,
        marks: dict[int, tuple[int, int]],
        committed: dict[int, int],
        stamps: dict[tuple[int, int], int],
    ) -> None:
        self.marks, self._committed, self.stamps = marks, committed, stamps
        self.asked: dict[int, int] = {}
        self.closed = False

    def partitions(self, topic: str) -> list[int]:
        return sorted(self.marks)

    def committed(self, group: str, topic: str, partitions: Sequence[int]) -> dict[int, int]:
        return dict(self._committed)

    def watermarks(self, topic: str, partition: int) -> tuple[int, int]:
        return self.marks[partition]

    def timestamps(self, topic: str, offsets: Mapping[int, int]) -> dict[int, int]:
        self.asked = dict(offsets)
        return {p: self.stamps[(p, o)] for p, o in offsets.items() if (p, o) in self.stamps}

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    ("marks", "committed", "stamps", "lag", "asked", "wait", "breached"),
    [
        # caught up: nothing waits, never breached
        ({0: (0, 10), 1: (0, 4)}, {0: 10, 1: 4}, {}, 0, {}, None, False),
        # behind by 3 on partition 0; its oldest record has waited 10 minutes
        ({0: (0, 10), 1: (0, 4)}, {0: 7, 1: 4}, {(0, 7): NOW - 600_000}, 3, {0: 7}, 600.0, True),
        # behind, but the oldest record is 1 minute old: fresh
        ({0: (0, 10)}, {0: 9}, {(0, 9): NOW - 60_000}, 1, {0: 9}, 60.0, False),
        # nothing committed: everything from the partition's start waits
        ({0: (2, 5)}, {}, {(0, 2): NOW - 400_000}, 3, {0: 2}, 400.0, True),
        # committed before what retention kept: from the start that is left
        ({0: (50, 60)}, {0: 10}, {(0, 50): NOW - 1000}, 10, {0: 50}, 1.0, False),
        # the oldest of two waiting partitions counts
        (
            {0: (0, 5), 1: (0, 5)},
            {0: 4, 1: 3},
            {(0, 4): NOW - 100_000, (1, 3): NOW - 500_000},
            3,
            {0: 4, 1: 3},
            500.0,
            True,
        ),
    ],
)
def test_measure(
    marks: dict[int, tuple[int, int]],
    committed: dict[int, int],
    stamps: dict[tuple[int, int], int],
    lag: int,
    asked: dict[int, int],
    wait: float | None,
    breached: bool,
) -> None:
    kafka = FakeKafka(marks, committed, stamps)
    v = fr.measure(WATCH, kafka, lambda: NOW)
    assert (v.lag, kafka.asked, v.oldest_wait, v.breached) == (lag, asked, wait, breached)


def test_check_raises_naming_the_stale_jobs_and_closes_the_client(
    capsys: pytest.CaptureFixture[str],
) -> None:
    fresh = fr.Watch(
        "archive", "orders_daily", "orders", "pipegen.shop.orders_daily", timedelta(days=1)
    )
    kafka = FakeKafka({0: (0, 10)}, {0: 7}, {(0, 7): NOW - 600_000})
    with pytest.raises(fr.FreshnessBreached) as e:
        fr.check(
            [WATCH, fresh], {"bootstrap.servers": "k"}, reader=lambda c: kafka, now_ms=lambda: NOW
        )
    assert str(e.value) == (
        "stream orders_per_minute is NOT FRESH: freshness 5m0s, the oldest waits for 10m0s;"
        " lag 3 records on topic orders (per partition 0: 3)"
        " behind consumer group pipegen.shop.orders_per_minute"
    )
    assert "archive orders_daily is fresh" in capsys.readouterr().out
    assert kafka.closed


def test_check_returns_the_verdicts_when_every_job_is_fresh() -> None:
    kafka = FakeKafka({0: (0, 10)}, {0: 10}, {})
    (v,) = fr.check([WATCH], {}, reader=lambda c: kafka, now_ms=lambda: NOW)
    assert v.lag == 0 and not v.breached
    assert "no record waits" in v.describe()


@pytest.mark.parametrize(
    ("s", "text"), [(4.2, "4.2s"), (30, "30s"), (90, "1m30s"), (7200, "2h0m0s"), (300.0, "5m0s")]
)
def test_seconds(s: float, text: str) -> None:
    assert fr.seconds(s) == text


def test_check_from_airflow_reads_the_kafka_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipegen_runtime import airflow

    class Conn:
        conn_id = "kafka_default"
        extra_dejson: dict[str, Any] = {"bootstrap.servers": "k:9092"}

    seen: dict[str, Any] = {}
    monkeypatch.setattr(airflow, "connection", lambda conn_id: Conn())

    def fake_check(watches: Any, config: Any) -> list[fr.Verdict]:
        seen["config"] = config
        return [fr.Verdict(WATCH, [fr.PartitionLag(0, 4, 4, 0)], NOW)]

    monkeypatch.setattr(fr, "check", fake_check)
    assert fr.check_from_airflow("kafka_default", [WATCH]) == [
        {
            "job": "orders_per_minute",
            "group": "pipegen.shop.orders_per_minute",
            "lag": 0,
            "oldest_wait_seconds": None,
            "partitions": {"0": 0},
        }
    ]
    assert seen["config"] == {"bootstrap.servers": "k:9092"}


def test_a_breach_sends_every_alert_with_the_reason_then_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys
    import types

    from pipegen_runtime import airflow

    sdk = types.ModuleType("airflow.sdk")
    sdk.get_current_context = lambda: {"run_id": "manual__1"}
    monkeypatch.setitem(sys.modules, "airflow.sdk", sdk)
    monkeypatch.setattr(airflow, "connection", lambda conn_id: None)
    monkeypatch.setattr(airflow, "kafka_config", lambda conn: {})
    breach = fr.FreshnessBreached("stream s is NOT FRESH")

    def fake_check(watches: Any, config: Any) -> list[fr.Verdict]:
        raise breach

    monkeypatch.setattr(fr, "check", fake_check)
    sent: list[dict[str, Any]] = []

    def broken(context: dict[str, Any]) -> None:
        raise OSError("smtp down")

    with pytest.raises(fr.FreshnessBreached):
        fr.check_from_airflow("k", [WATCH], alerts=[broken, sent.append])
    assert sent == [{"run_id": "manual__1", "exception": breach}]
    assert "alert function failed: smtp down" in capsys.readouterr().err


class FakeMessage:
    def __init__(self, partition: int | None, offset: int | None, stamp: int) -> None:
        self._partition, self._offset, self._stamp = partition, offset, stamp

    def error(self) -> None:
        return None

    def partition(self) -> int | None:
        return self._partition

    def offset(self) -> int | None:
        return self._offset

    def timestamp(self) -> tuple[int, int]:
        return (1, self._stamp)


class FakeConsumer:
    """Polls the given messages in order, then nothing."""

    def __init__(self, messages: list[FakeMessage]) -> None:
        self.messages = messages
        self.assigned = False

    def assign(self, partitions: list[Any]) -> None:
        self.assigned = True

    def unassign(self) -> None:
        self.assigned = False

    def poll(self, timeout: float) -> FakeMessage | None:
        return self.messages.pop(0) if self.messages else None


def reader(messages: list[FakeMessage]) -> fr.KafkaReader:
    """A KafkaReader over a stand-in consumer (its constructor would connect to a broker)."""
    pytest.importorskip("confluent_kafka")
    kafka = object.__new__(fr.KafkaReader)
    kafka._consumer = FakeConsumer(messages)
    kafka._timeout = 0.5
    return kafka


def test_timestamps_takes_each_partitions_first_record_at_or_after_its_offset() -> None:
    kafka = reader(
        [
            FakeMessage(None, 7, 1),  # no partition: passed over
            FakeMessage(2, 7, 2),  # a partition not asked for
            FakeMessage(0, 4, 3),  # before the offset asked for
            FakeMessage(0, 5, 4),
            FakeMessage(0, 6, 5),  # partition 0 already found
            FakeMessage(1, 9, 6),
        ]
    )
    assert kafka.timestamps("t", {0: 5, 1: 9}) == {0: 4, 1: 6}


def test_timestamps_refuses_a_record_without_an_offset() -> None:
    kafka = reader([FakeMessage(0, None, 1)])
    with pytest.raises(RuntimeError, match="topic t: a record of partition 0 has no offset"):
        kafka.timestamps("t", {0: 5})
    assert not kafka._consumer.assigned
