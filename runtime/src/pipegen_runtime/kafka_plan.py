"""The apply program's plan: what applying a topic manifest changes on a broker (pure).

kafka_admin reads what the broker has (Existing) and applies a Plan; kafka_apply is the
program around them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Topic:
    """A topic as the manifest wants it; None means the broker's default."""

    name: str
    partitions: int | None = None
    replication_factor: int | None = None
    configs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Existing:
    """A topic as the broker has it: config name -> (value, whether it is a topic override)."""

    partitions: int
    replication_factor: int
    configs: Mapping[str, tuple[str | None, bool]] = field(default_factory=dict)


@dataclass
class Plan:
    """What an apply does, and the lines that say so."""

    create: list[Topic] = field(default_factory=list)
    # topic -> its new partition count
    grow: dict[str, int] = field(default_factory=dict)
    # topic -> configs to set, and config names to reset to the broker default
    set_configs: dict[str, dict[str, str]] = field(default_factory=dict)
    reset_configs: dict[str, list[str]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"create": 0, "alter": 0, "unchanged": 0}
    )


def _plan_existing(plan: Plan, topic: Topic, have: Existing) -> None:
    name, partitions, replicas = topic.name, topic.partitions, topic.replication_factor
    if partitions is not None and partitions < have.partitions:
        plan.refused.append(
            f"topic {name} has {have.partitions} partitions but the manifest wants "
            f"{partitions}: Kafka cannot remove partitions from a topic "
            "(recreate it, losing its data, or keep the partition count)"
        )
    if replicas is not None and replicas != have.replication_factor:
        plan.refused.append(
            f"topic {name} has replication factor {have.replication_factor} but the "
            f"manifest wants {replicas}: changing it needs a partition reassignment, "
            "which this program does not do"
        )
    changes: list[str] = []
    if partitions is not None and partitions > have.partitions:
        plan.grow[name] = partitions
        changes.append(f"partitions {have.partitions} -> {partitions}")
    configs = dict(sorted(topic.configs.items()))
    for key, value in configs.items():
        old = have.configs.get(key, (None, False))[0]
        if old != value:
            plan.set_configs.setdefault(name, {})[key] = value
            changes.append(f"set {key} {old} -> {value}")
    for key, (old, override) in sorted(have.configs.items()):
        if override and key not in configs:
            plan.reset_configs.setdefault(name, []).append(key)
            changes.append(f"reset {key} {old} -> broker default")
    plan.lines.extend([f"alter topic {name}: {c}" for c in changes] or [f"unchanged topic {name}"])
    plan.counts["alter" if changes else "unchanged"] += 1


def plan(topics: Sequence[Topic], existing: Mapping[str, Existing]) -> Plan:
    """What an apply of `topics` changes on a broker that has `existing`."""
    result = Plan()
    for topic in topics:
        have = existing.get(topic.name)
        if have is not None:
            _plan_existing(result, topic, have)
            continue
        result.create.append(topic)
        configs = " ".join(f"{k}={v}" for k, v in sorted(topic.configs.items()))
        line = f"create topic {topic.name} partitions={topic.partitions or 'default'}"
        line += f" replication={topic.replication_factor or 'default'}"
        result.lines.append(f"{line} configs: {configs}" if configs else line)
        result.counts["create"] += 1
    return result
