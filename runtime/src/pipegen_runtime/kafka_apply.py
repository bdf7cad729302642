"""Create or update a pipeline's Kafka topics from its topics.json.

    python -m pipegen_runtime.kafka_apply generated/shop_orders/kafka/topics.json --dry-run

Bootstrap servers: --bootstrap-servers, else the environment variable topics.json names
(bootstrapServers.env), else bootstrap.servers from -X/--command-config, else the literal
topics.json names (bootstrapServers.default). Every topic is checked before anything
changes: when a topic would need fewer partitions or another replication factor, the
whole run is refused and nothing is applied. Config overrides that the manifest does not
name are reset to the broker default. --dry-run prints the plan only.

Exit codes: 0 ok, 1 refused or failed, 2 usage.

The plan is kafka_plan's (pure); kafka_admin talks to the broker.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import kafka_admin
from .kafka_plan import Topic, plan

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad command line, manifest or client configuration (exit code 2)."""


@dataclass(frozen=True)
class Manifest:
    """What the apply needs from topics.json."""

    pipeline: str
    topics: Sequence[Topic]
    bootstrap_env: str | None = None
    bootstrap_default: str | None = None


# --- the manifest and the client configuration ---------------------------------------------


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


# --- the program -------------------------------------------------------------------------------


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
        admin = kafka_admin.connect(config)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as e:  # librdkafka rejects an unknown property here
        print(f"error: bad client configuration: {e}", file=sys.stderr)
        return EXIT_USAGE
    try:
        existing = kafka_admin.describe(admin, [t.name for t in manifest.topics], timeout)
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
    failures = kafka_admin.execute(admin, todo, timeout)
    wanted = {t.name: t.partitions or 1 for t in todo.create} | todo.grow
    kafka_admin.wait_visible(admin, wanted, timeout)
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
