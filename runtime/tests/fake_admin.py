"""A stand-in of confluent-kafka's AdminClient for the apply program's tests: the calls the
program makes, on topics held in a dict (confluent-kafka's own request objects in, futures
out)."""

from __future__ import annotations

from concurrent.futures import Future
from types import SimpleNamespace
from typing import Any

from pipegen_runtime.kafka_plan import Existing


def done(value: Any = None, error: Exception | None = None) -> Future[Any]:
    future: Future[Any] = Future()
    if error:
        future.set_exception(error)
    else:
        future.set_result(value)
    return future


class FakeAdmin:
    """The AdminClient calls the program makes, on topics held in a dict."""

    def __init__(self, topics: dict[str, Existing], fail: set[str] | None = None) -> None:
        self.topics = dict(topics)
        self.fail = fail or set()
        self.calls: list[str] = []

    def list_topics(self, timeout: float) -> Any:
        return SimpleNamespace(
            topics={
                name: SimpleNamespace(
                    partitions={
                        i: SimpleNamespace(replicas=list(range(t.replication_factor)))
                        for i in range(t.partitions)
                    }
                )
                for name, t in self.topics.items()
            }
        )

    def describe_configs(self, resources: list[Any], request_timeout: float) -> dict[Any, Any]:
        from confluent_kafka.admin import ConfigSource

        def entry(value: str | None, override: bool) -> Any:
            source = ConfigSource.DYNAMIC_TOPIC_CONFIG if override else ConfigSource.DEFAULT_CONFIG
            return SimpleNamespace(value=value, source=source.value)

        return {
            r: done({k: entry(*v) for k, v in self.topics[r.name].configs.items()})
            for r in resources
        }

    def _result(self, name: str) -> Future[Any]:
        return (
            done(error=RuntimeError(f"broker says no to {name}")) if name in self.fail else done()
        )

    def create_topics(self, new: list[Any], **kwargs: Any) -> dict[str, Future[Any]]:
        self.calls.append("create " + ",".join(t.topic for t in new))
        for t in new:
            if t.topic not in self.fail:
                partitions = t.num_partitions if t.num_partitions > 0 else 1
                replicas = t.replication_factor if t.replication_factor > 0 else 1
                self.topics[t.topic] = Existing(
                    partitions, replicas, {k: (v, True) for k, v in t.config.items()}
                )
        return {t.topic: self._result(t.topic) for t in new}

    def create_partitions(self, new: list[Any], **kwargs: Any) -> dict[str, Future[Any]]:
        self.calls.append("partitions " + ",".join(f"{p.topic}={p.new_total_count}" for p in new))
        for p in new:
            t = self.topics[p.topic]
            self.topics[p.topic] = Existing(p.new_total_count, t.replication_factor, t.configs)
        return {p.topic: self._result(p.topic) for p in new}

    def incremental_alter_configs(self, resources: list[Any], **kwargs: Any) -> dict[Any, Any]:
        from confluent_kafka.admin import AlterConfigOpType

        for r in resources:
            ops = [
                f"{'set' if e.incremental_operation == AlterConfigOpType.SET else 'reset'} {e.name}"
                for e in r.incremental_configs
            ]
            self.calls.append(f"configs {r.name}: " + ", ".join(ops))
        return {r: self._result(r.name) for r in resources}
