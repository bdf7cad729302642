"""Print JSON describing Kafka topics, for the end-to-end tests.

    python describe_topics.py --bootstrap-servers HOST:PORT [--timeout S] [TOPIC ...]

Without topic names: every topic except the internal ones (names starting "__").
Output: {"<topic>": {"partitions": N, "replicationFactor": N, "configs": {"<name>":
            {"value": "...", "source": "DYNAMIC_TOPIC_CONFIG", "isDefault": false}}}}
A named topic that does not exist is null. Exit 1 when the broker cannot be read.
"""

import argparse
import json
import sys

from confluent_kafka.admin import (
    AdminClient,
    ConfigResource,
    ConfigSource,
    ResourceType,
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--timeout", type=float, default=15.0)
    parser.add_argument("topics", nargs="*")
    args = parser.parse_args()

    admin = AdminClient({"bootstrap.servers": args.bootstrap_servers})
    try:
        metadata = admin.list_topics(timeout=args.timeout).topics
    except Exception as e:
        print(f"describe_topics: cannot read metadata: {e}", file=sys.stderr)
        return 1
    names = args.topics or sorted(n for n in metadata if not n.startswith("__"))
    out = {name: None for name in names}
    existing = [n for n in names if n in metadata]
    resources = [ConfigResource(ResourceType.TOPIC, n) for n in existing]
    futures = (
        admin.describe_configs(resources, request_timeout=args.timeout)
        if resources
        else {}
    )
    for resource, future in futures.items():
        partitions = metadata[resource.name].partitions.values()
        configs = {
            key: {
                "value": entry.value,
                "source": ConfigSource(entry.source).name,
                "isDefault": entry.is_default,
            }
            for key, entry in sorted(future.result().items())
        }
        out[resource.name] = {
            "partitions": len(partitions),
            "replicationFactor": max((len(p.replicas) for p in partitions), default=0),
            "configs": configs,
        }
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
