"""Produces messages exactly as given to one partition of a topic, in order.

    python produce_raw.py --bootstrap-servers HOST:PORT FILE.json

FILE.json: {"topic": str, "partition": int, "records": [{"key": base64|null, "value": base64}]}.
Prints how many were delivered."""

import argparse
import base64
import json
import sys

from confluent_kafka import Producer


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("file")
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as f:
        spec = json.load(f)
    producer = Producer(
        {"bootstrap.servers": args.bootstrap_servers, "enable.idempotence": True}
    )
    delivered = []
    for r in spec["records"]:
        producer.produce(
            spec["topic"],
            value=base64.b64decode(r["value"]),
            key=base64.b64decode(r["key"]) if r.get("key") else None,
            partition=spec["partition"],
            on_delivery=lambda err, msg: delivered.append(err),
        )
    producer.flush(30)
    errors = [e for e in delivered if e is not None]
    if errors or len(delivered) != len(spec["records"]):
        print(f"delivery failed: {errors}", file=sys.stderr)
        return 1
    print(len(delivered))
    return 0


if __name__ == "__main__":
    sys.exit(main())
