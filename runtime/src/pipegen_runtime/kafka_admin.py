"""The apply program's calls to the broker, through confluent-kafka's AdminClient.

confluent_kafka is imported inside the functions, so that the plan and the program's
command line work (and are tested) without it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

from .kafka_plan import Existing, Plan


def connect(config: Mapping[str, str]) -> Any:
    """An AdminClient (librdkafka refuses an unknown property here)."""
    from confluent_kafka.admin import AdminClient

    return AdminClient(dict(config))


def describe(admin: Any, names: Sequence[str], timeout: float) -> dict[str, Existing]:
    """Those of the named topics that exist, as the broker has them."""
    from confluent_kafka.admin import ConfigResource, ConfigSource, ResourceType

    override = ConfigSource.DYNAMIC_TOPIC_CONFIG.value
    topics = admin.list_topics(timeout=timeout).topics
    resources = [ConfigResource(ResourceType.TOPIC, n) for n in names if n in topics]
    if not resources:
        return {}
    futures = admin.describe_configs(resources, request_timeout=timeout)
    existing = {}
    for resource, future in futures.items():
        partitions = topics[resource.name].partitions.values()
        configs = {k: (e.value, e.source == override) for k, e in future.result().items()}
        existing[resource.name] = Existing(
            partitions=len(partitions),
            replication_factor=max(len(p.replicas) for p in partitions),
            configs=configs,
        )
    return existing


def _wait_all(futures: Mapping[Any, Any], action: str) -> int:
    failures = 0
    for key, future in futures.items():
        try:
            future.result()
        except Exception as e:
            error = e.args[0] if e.args else e
            reason = error.str() if hasattr(error, "str") else str(error)
            name = getattr(key, "name", key)
            print(f"error: {action} {name}: {reason}", file=sys.stderr)
            failures += 1
    return failures


def execute(admin: Any, todo: Plan, timeout: float) -> int:
    """Apply a plan; returns how many changes failed (each reported on stderr)."""
    from confluent_kafka.admin import (
        AlterConfigOpType,
        ConfigEntry,
        ConfigResource,
        NewPartitions,
        NewTopic,
        ResourceType,
    )

    failures = 0
    if todo.create:
        new = [
            NewTopic(
                t.name,
                t.partitions or -1,
                t.replication_factor or -1,
                config=dict(sorted(t.configs.items())),
            )
            for t in todo.create
        ]
        futures = admin.create_topics(new, operation_timeout=timeout, request_timeout=timeout)
        failures += _wait_all(futures, "create topic")
    if todo.grow:
        grown = [NewPartitions(name, count) for name, count in todo.grow.items()]
        futures = admin.create_partitions(grown, request_timeout=timeout)
        failures += _wait_all(futures, "add partitions to")
    altered = []
    for name in sorted(todo.set_configs.keys() | todo.reset_configs.keys()):
        ops = [
            ConfigEntry(k, v, incremental_operation=AlterConfigOpType.SET)
            for k, v in todo.set_configs.get(name, {}).items()
        ] + [
            ConfigEntry(k, None, incremental_operation=AlterConfigOpType.DELETE)
            for k in todo.reset_configs.get(name, [])
        ]
        altered.append(ConfigResource(ResourceType.TOPIC, name, incremental_configs=ops))
    if altered:
        futures = admin.incremental_alter_configs(altered, request_timeout=timeout)
        failures += _wait_all(futures, "alter configs of")
    return failures


def wait_visible(admin: Any, wanted: Mapping[str, int], timeout: float) -> None:
    """Wait until the broker's metadata shows every created or grown topic."""
    deadline = time.monotonic() + timeout
    pending = dict(wanted)
    while pending and time.monotonic() < deadline:
        topics = admin.list_topics(timeout=timeout).topics
        pending = {
            name: count
            for name, count in pending.items()
            if name not in topics or len(topics[name].partitions) < count
        }
        if pending:
            time.sleep(0.2)
    for name in pending:
        print(f"warning: topic {name} is not visible in metadata yet", file=sys.stderr)
