"""Freshness and lag of a pipeline's jobs, as the generated monitoring DAG checks them.

Every generated Spark job commits the offsets it has processed to its consumer group
``pipegen.<pipeline>.<job>`` (pipegen_runtime.spark.progress). A job with ``freshness`` in
the spec is checked here, from Kafka alone:

- the lag: per partition, the topic's end (high watermark) minus the group's committed
  offset (the partition's start when the group has committed nothing there), read with
  Kafka's admin client (list_consumer_group_offsets) and a consumer's watermarks;
- the wait: the age of the oldest record not yet processed (the record at the committed
  offset, read by a consumer that never joins the group), by its Kafka timestamp.

The job is fresh when no record has waited longer than its freshness: a stopped or slow
job breaches it, a job that is merely idle (lag 0) never does. check() raises
FreshnessBreached; the monitoring task (check_from_airflow) then sends the pipeline's
alerts (its e-mail and Slack webhook notifiers, with the breach as ``exception``) and fails.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal


@dataclass(frozen=True)
class Watch:
    """One job whose freshness the monitoring DAG checks."""

    kind: Literal["stream", "archive"]
    job: str
    topic: str
    group: str
    #: How long a record may wait unprocessed.
    freshness: timedelta


@dataclass(frozen=True)
class PartitionLag:
    partition: int
    #: The group's committed offset; None when it has committed nothing for the partition.
    committed: int | None
    #: The topic's end (the offset the next record gets).
    end: int
    lag: int
    #: The Kafka timestamp (ms) of the oldest record not yet processed, when there is one.
    oldest_waiting_ms: int | None = None


@dataclass(frozen=True)
class Verdict:
    watch: Watch
    partitions: Sequence[PartitionLag]
    #: When the check ran (epoch ms).
    now_ms: int
    lag: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lag", sum(p.lag for p in self.partitions))

    @property
    def oldest_wait(self) -> float | None:
        """Seconds the oldest record not yet processed has waited (None: nothing waits)."""
        stamps = [p.oldest_waiting_ms for p in self.partitions if p.oldest_waiting_ms is not None]
        return max(0.0, (self.now_ms - min(stamps)) / 1000) if stamps else None

    @property
    def breached(self) -> bool:
        wait = self.oldest_wait
        return wait is not None and wait > self.watch.freshness.total_seconds()

    def describe(self) -> str:
        w = self.watch
        lags = ", ".join(f"{p.partition}: {p.lag}" for p in self.partitions) or "no partitions"
        wait = self.oldest_wait
        waited = "no record waits" if wait is None else f"the oldest waits for {seconds(wait)}"
        state = "NOT FRESH" if self.breached else "fresh"
        limit = seconds(w.freshness.total_seconds())
        return (
            f"{w.kind} {w.job} is {state}: freshness {limit}, {waited};"
            f" lag {self.lag} records on topic {w.topic} (per partition {lags})"
            f" behind consumer group {w.group}"
        )


class FreshnessBreached(Exception):
    """At least one job is not fresh: the message says which, by how much."""


def seconds(s: float) -> str:
    """A duration for people: 90 -> 1m30s, 7200 -> 2h0m0s, 4.2 -> 4.2s."""
    if s < 60:
        return f"{s:.1f}s" if s != int(s) else f"{int(s)}s"
    whole = int(s)
    h, rest = divmod(whole, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}h{m}m{sec}s" if h else f"{m}m{sec}s"


class KafkaReader:
    """What a check reads of Kafka, through confluent-kafka (an admin client and a consumer)."""

    def __init__(self, config: Mapping[str, str], timeout: float = 30.0) -> None:
        from confluent_kafka import Consumer
        from confluent_kafka.admin import AdminClient

        self._config: dict[str, str | int | float | bool] = dict(config)
        self._timeout = timeout
        self._admin = AdminClient(self._config)
        # Never subscribes and never commits: it joins no group; the id is only required.
        self._consumer = Consumer(
            {**self._config, "group.id": "pipegen.monitoring", "enable.auto.commit": "false"},
            logger=None,
        )

    def partitions(self, topic: str) -> list[int]:
        meta = self._consumer.list_topics(topic, timeout=self._timeout).topics[topic]
        if meta.error is not None:
            raise RuntimeError(f"topic {topic}: {meta.error}")
        return sorted(meta.partitions)

    def committed(self, group: str, topic: str, partitions: Sequence[int]) -> dict[int, int]:
        from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition

        request = ConsumerGroupTopicPartitions(
            group, [TopicPartition(topic, p) for p in partitions]
        )
        future = self._admin.list_consumer_group_offsets([request])[group]
        result = future.result(timeout=self._timeout)
        return {tp.partition: tp.offset for tp in result.topic_partitions if tp.offset >= 0}

    def watermarks(self, topic: str, partition: int) -> tuple[int, int]:
        from confluent_kafka import TopicPartition

        low, high = self._consumer.get_watermark_offsets(
            TopicPartition(topic, partition), timeout=self._timeout
        )
        return int(low), int(high)

    def timestamps(self, topic: str, offsets: Mapping[int, int]) -> dict[int, int]:
        """The Kafka timestamp (ms) of the record at each partition's offset."""
        from confluent_kafka import TopicPartition

        if not offsets:
            return {}
        self._consumer.assign([TopicPartition(topic, p, o) for p, o in offsets.items()])
        found: dict[int, int] = {}
        deadline = time.monotonic() + self._timeout
        try:
            while len(found) < len(offsets) and time.monotonic() < deadline:
                msg = self._consumer.poll(1.0)
                if msg is None or msg.error() is not None:
                    continue
                p = msg.partition()
                if p is None or p not in offsets or p in found:
                    continue
                offset = msg.offset()
                if offset is None:
                    raise RuntimeError(f"topic {topic}: a record of partition {p} has no offset")
                if offset >= offsets[p]:
                    found[p] = int(msg.timestamp()[1])
        finally:
            self._consumer.unassign()
        return found

    def close(self) -> None:
        self._consumer.close()


def measure(watch: Watch, kafka: Any, now_ms: Callable[[], int] | None = None) -> Verdict:
    """The lag of the watch's group and the age of the oldest record it has not processed."""
    partitions = kafka.partitions(watch.topic)
    committed = kafka.committed(watch.group, watch.topic, partitions)
    rows: list[tuple[int, int | None, int, int]] = []
    waiting: dict[int, int] = {}
    for p in partitions:
        low, high = kafka.watermarks(watch.topic, p)
        # Nothing committed, or committed before what retention kept: the partition's start.
        position = max(committed.get(p, low), low)
        rows.append((p, committed.get(p), high, max(0, high - position)))
        if high > position:
            waiting[p] = position
    stamps = kafka.timestamps(watch.topic, waiting)
    clock = now_ms or (lambda: int(time.time() * 1000))
    return Verdict(
        watch,
        [PartitionLag(p, c, end, lag, stamps.get(p)) for p, c, end, lag in rows],
        clock(),
    )


def check(
    watches: Sequence[Watch],
    kafka_config: Mapping[str, str],
    *,
    reader: Callable[[Mapping[str, str]], Any] = KafkaReader,
    now_ms: Callable[[], int] | None = None,
) -> list[Verdict]:
    """Measures every watch, prints each verdict; raises FreshnessBreached naming the stale ones."""
    kafka = reader(kafka_config)
    try:
        verdicts = [measure(w, kafka, now_ms) for w in watches]
    finally:
        kafka.close()
    for v in verdicts:
        print(v.describe())
    stale = [v for v in verdicts if v.breached]
    if stale:
        raise FreshnessBreached("; ".join(v.describe() for v in stale))
    return verdicts


def notify(alerts: Sequence[Callable[[dict[str, Any]], None]], error: BaseException) -> None:
    """Sends every alert (an Airflow notifier) with the task's context and ``exception``.

    One alert that fails (an SMTP server down) is reported and does not keep the others back.
    """
    from airflow.sdk import get_current_context

    context = {**get_current_context(), "exception": error}
    for alert in alerts:
        try:
            alert(context)
        except Exception as e:  # noqa: BLE001 - the next alert still goes out
            print(f"alert {type(alert).__name__} failed: {e}", file=sys.stderr)


def check_from_airflow(
    kafka_conn_id: str,
    watches: Sequence[Watch],
    *,
    alerts: Sequence[Callable[[dict[str, Any]], None]] = (),
) -> list[dict[str, Any]]:
    """The monitoring task: check() with the Kafka connection's client settings.

    When a job is not fresh or the check fails, sends ``alerts`` (the pipeline's notifiers)
    and raises. Returns the verdicts as plain data (the task's XCom) when every job is fresh.
    """
    from .airflow import connection, kafka_config

    try:
        verdicts = check(watches, kafka_config(connection(kafka_conn_id)))
    except Exception as e:
        notify(alerts, e)
        raise
    return [
        {
            "job": v.watch.job,
            "group": v.watch.group,
            "lag": v.lag,
            "oldest_wait_seconds": v.oldest_wait,
            "partitions": {str(p.partition): p.lag for p in v.partitions},
        }
        for v in verdicts
    ]
