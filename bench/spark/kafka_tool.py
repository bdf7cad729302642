"""Kafka helpers for the Spark benchmark.

python kafka_tool.py --bootstrap-servers B offsets TOPIC...
    {"TOPIC": {"PARTITION": high watermark, ...}, ...}
python kafka_tool.py --bootstrap-servers B digest --since JSON TOPIC...
    {"TOPIC": {"count": n, "sha256": ...}, ...} of the records after the --since offsets
    (the output of `offsets`): a digest of the sorted multiset of key, value and headers,
    so two runs that wrote the same records in another order compare equal.
"""

import argparse
import hashlib
import json
import sys

from confluent_kafka import Consumer, TopicPartition


def consumer(bootstrap: str) -> Consumer:
    return Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "pipegen-bench-digest",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "auto.offset.reset": "earliest",
        }
    )


def offsets(c: Consumer, topics: list[str]) -> dict:
    meta = c.list_topics(timeout=15).topics
    out = {}
    for t in topics:
        out[t] = {
            str(p): c.get_watermark_offsets(TopicPartition(t, p), timeout=15)[1]
            for p in sorted(meta[t].partitions)
        }
    return out


def digest(c: Consumer, topic: str, since: dict, until: dict) -> dict:
    parts = [
        TopicPartition(topic, int(p), int(since.get(p, 0)))
        for p, high in until.items()
        if int(high) > int(since.get(p, 0))
    ]
    lines = []
    if parts:
        c.assign(parts)
        remaining = {
            int(p): int(h) for p, h in until.items() if int(h) > int(since.get(p, 0))
        }
        while remaining:
            msg = c.poll(10)
            if msg is None:
                raise SystemExit(f"timed out reading {topic}: {remaining} left")
            if msg.error():
                if msg.error().code() == -191:  # _PARTITION_EOF
                    remaining.pop(msg.partition(), None)
                    continue
                raise SystemExit(str(msg.error()))
            if msg.offset() >= remaining.get(msg.partition(), -1):
                continue
            headers = sorted((k, (v or b"").hex()) for k, v in (msg.headers() or []))
            lines.append(
                f"{(msg.key() or b'').hex()}|{(msg.value() or b'').hex()}|{headers}"
            )
            if msg.offset() + 1 >= remaining[msg.partition()]:
                remaining.pop(msg.partition())
        c.unassign()
    lines.sort()
    return {
        "count": len(lines),
        "sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest(),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    sub = parser.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("offsets")
    o.add_argument("topics", nargs="+")
    d = sub.add_parser("digest")
    d.add_argument("--since", required=True)
    d.add_argument("topics", nargs="+")
    args = parser.parse_args()
    c = consumer(args.bootstrap_servers)
    try:
        if args.cmd == "offsets":
            print(json.dumps(offsets(c, args.topics)))
        else:
            since = json.loads(args.since)
            until = offsets(c, args.topics)
            print(
                json.dumps(
                    {t: digest(c, t, since.get(t, {}), until[t]) for t in args.topics}
                )
            )
    finally:
        c.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
