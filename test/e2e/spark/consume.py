"""Reads every record of a topic from the beginning and prints them as JSON lines:
{"key": str|null, "value_hex": str, "headers": {name: str}, "partition": int, "offset": int}."""

import argparse
import json
import sys
import uuid

from confluent_kafka import Consumer, TopicPartition


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("topic")
    args = parser.parse_args()
    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap_servers,
            "group.id": f"pipegen-e2e-{uuid.uuid4()}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    metadata = consumer.list_topics(args.topic, timeout=10)
    partitions = metadata.topics[args.topic].partitions
    ends = {}
    for p in partitions:
        low, high = consumer.get_watermark_offsets(
            TopicPartition(args.topic, p), timeout=10
        )
        if high > low:
            ends[p] = high
    consumer.assign([TopicPartition(args.topic, p, 0) for p in ends])
    remaining = dict(ends)
    while remaining:
        msg = consumer.poll(10)
        if msg is None:
            print(f"timed out with {remaining} left", file=sys.stderr)
            return 1
        if msg.error():
            print(msg.error(), file=sys.stderr)
            return 1
        key = msg.key()
        print(
            json.dumps(
                {
                    "key": key.decode("utf-8", "replace") if key is not None else None,
                    "value_hex": (msg.value() or b"").hex(),
                    "headers": {
                        k: (v or b"").decode("utf-8", "replace")
                        for k, v in (msg.headers() or [])
                    },
                    "partition": msg.partition(),
                    "offset": msg.offset(),
                }
            )
        )
        if msg.offset() + 1 >= remaining.get(msg.partition(), 0):
            remaining.pop(msg.partition(), None)
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
