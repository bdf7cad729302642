"""Create or update a pipeline's Kafka topics from its topics.json.

    python -m pipegen_runtime.kafka_apply generated/shop_orders/kafka/topics.json --dry-run

Bootstrap servers: --bootstrap-servers, else the environment variable topics.json names
(bootstrapServers.env), else bootstrap.servers from -X/--command-config, else the literal
topics.json names (bootstrapServers.default). Every topic is checked before anything
changes: when a topic would need fewer partitions or another replication factor, the
whole run is refused and nothing is applied. Config overrides that the manifest does not
name are reset to the broker default. --dry-run prints the plan only.

Exit codes: 0 ok, 1 refused or failed, 2 usage.

The plan (plan()) is pure; only connect(), describe(), execute() and wait_visible() talk
to the broker, through confluent-kafka's AdminClient (imported there, so that the rest
of this module works without it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad command line, manifest or client configuration (exit code 2)."""


@dataclass(frozen=True)
class Topic:
    """A topic as the manifest wants it; None means the broker's default."""

    name: str
    partitions: int | None = None
    replication_factor: int | None = None
    configs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    """What the apply needs from topics.json."""

    pipeline: str
    topics: Sequence[Topic]
    bootstrap_env: str | None = None
    bootstrap_default: str | None = None


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


# --- the manifest and the client configuration ------------------------------------------


def _optional_int(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"{what} must be a whole number or null, not {value!r}")
    return value


def _optional_str(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise UsageError(f"{what} must be a string or null, not {value!r}")


def parse_manifest(data: Any, origin: str = "the manifest") -> Manifest:
    """The Manifest of topics.json's content (UsageError when it is not one)."""
    try:
        topics = [
            Topic(
                name=str(t["name"]),
                partitions=_optional_int(t.get("partitions"), f"{t['name']}.partitions"),
                replication_factor=_optional_int(
                    t.get("replicationFactor"), f"{t['name']}.replicationFactor"
                ),
                configs={k: str(v) for k, v in (t.get("configs") or {}).items()},
            )
            for t in data["topics"]
        ]
        bootstrap = data.get("bootstrapServers") or {}
        return Manifest(
            pipeline=str(data.get("pipeline") or ""),
            topics=topics,
            bootstrap_env=_optional_str(bootstrap.get("env"), "bootstrapServers.env"),
            bootstrap_default=_optional_str(bootstrap.get("default"), "bootstrapServers.default"),
        )
    except (KeyError, TypeError, AttributeError) as e:
        raise UsageError(f"{origin} is not a pipegen topic manifest: {e!r}") from e


def load_manifest(path: Path) -> Manifest:
    """Read and parse topics.json (UsageError when it cannot)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot read the manifest {path}: {e!r}") from e
    return parse_manifest(data, str(path))


def split_property(text: str, origin: str) -> tuple[str, str]:
    """key=value -> (key, value), both stripped."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"{origin}: expected key=value, got {text!r}")
    return key.strip(), value.strip()


def read_properties(path: Path) -> dict[str, str]:
    """A Java-style properties file: key=value lines, # and ! comments."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e}") from e
    return dict(
        split_property(line, str(path))
        for line in (line.strip() for line in lines)
        if line and not line.startswith(("#", "!"))
    )


def client_config(
    manifest: Manifest,
    properties: Mapping[str, str],
    bootstrap_servers: str | None = None,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """The AdminClient's configuration, bootstrap servers resolved as the docstring says."""
    config = {"client.id": f"pipegen-apply-topics-{manifest.pipeline}", **properties}
    servers = bootstrap_servers
    if not servers and manifest.bootstrap_env:
        servers = environ.get(manifest.bootstrap_env)
    servers = servers or config.get("bootstrap.servers") or manifest.bootstrap_default
    if not servers:
        env = manifest.bootstrap_env
        where = f" or set ${env}" if env else ""
        raise UsageError(f"no Kafka bootstrap servers: pass --bootstrap-servers{where}")
    config["bootstrap.servers"] = servers
    return config


# --- the plan (pure) ---------------------------------------------------------------------


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


# --- the broker ----------------------------------------------------------------------------


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


# --- the program -----------------------------------------------------------------------------


def run(
    manifest: Manifest,
    properties: Mapping[str, str] | None = None,
    *,
    bootstrap_servers: str | None = None,
    dry_run: bool = False,
    timeout: float = 30.0,
    environ: Mapping[str, str] = os.environ,
) -> int:
    """Plan and (unless dry_run) apply the manifest; prints the plan; returns the exit code."""
    try:
        config = client_config(manifest, properties or {}, bootstrap_servers, environ)
        admin = connect(config)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as e:  # librdkafka rejects an unknown property here
        print(f"error: bad client configuration: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        existing = describe(admin, [t.name for t in manifest.topics], timeout)
    except Exception as e:
        servers = config["bootstrap.servers"]
        print(f"error: cannot read topics from {servers}: {e}", file=sys.stderr)
        return EXIT_FAILED
    todo = plan(manifest.topics, existing)
    if todo.refused:
        for reason in todo.refused:
            print(f"error: {reason}", file=sys.stderr)
        print("refused: nothing was changed", file=sys.stderr)
        return EXIT_FAILED
    print("\n".join(todo.lines))
    print("plan: {create} to create, {alter} to alter, {unchanged} unchanged".format(**todo.counts))
    if dry_run:
        print("dry run: nothing was changed")
        return EXIT_OK
    failures = execute(admin, todo, timeout)
    wanted = {t.name: t.partitions or 1 for t in todo.create} | todo.grow
    wait_visible(admin, wanted, timeout)
    if failures:
        print(f"failed: {failures} change(s) failed, see above", file=sys.stderr)
        return EXIT_FAILED
    done = "{create} created, {alter} altered, {unchanged} unchanged"
    print("applied: " + done.format(**todo.counts))
    return EXIT_OK


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pipegen_runtime.kafka_apply",
        description="Create or update the Kafka topics of a pipegen topic manifest.",
    )
    parser.add_argument("manifest", type=Path, help="the pipeline's kafka/topics.json")
    parser.add_argument(
        "--bootstrap-servers",
        help="host:port,... (default: the environment variable topics.json names, "
        "else bootstrap.servers from -X/--command-config, else its literal default)",
    )
    parser.add_argument(
        "-X",
        dest="properties",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra librdkafka client property (repeatable), e.g. client.id=x",
    )
    parser.add_argument(
        "--command-config",
        type=Path,
        metavar="FILE",
        help="properties file (key=value lines) with extra client properties",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan only")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        properties = read_properties(args.command_config) if args.command_config else {}
        properties.update(split_property(p, "-X") for p in args.properties)
        manifest = load_manifest(args.manifest)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    return run(
        manifest,
        properties,
        bootstrap_servers=args.bootstrap_servers,
        dry_run=args.dry_run,
        timeout=args.timeout,
    )


if __name__ == "__main__":
    sys.exit(main())
