"""Create a topic, or read one whole, for the NiFi e2e tests (confluent-kafka, in the e2e venv).

    python kafka_topic.py create BOOTSTRAP TOPIC [PARTITIONS]
    python kafka_topic.py read BOOTSTRAP TOPIC [--min N] [--timeout SECONDS] [--idle SECONDS]

`read` consumes every partition from the beginning (no consumer group commits) and prints one
JSON document: {"messages": [{"partition", "offset", "key", "value", "value_hex", "headers"}]},
key and value decoded as UTF-8 when they are (else null, with value_hex always set), headers as
[[name, value], ...]. It stops when at least N messages arrived and nothing came for --idle
seconds (default 2), or at --timeout (default 60; then exit 3 with what it has on stdout).
"""

from __future__ import annotations

import json
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def text(b: bytes | None) -> str | None:
    if b is None:
        return None
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return None


def create(bootstrap: str, topic: str, partitions: int) -> int:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics(
        [NewTopic(topic, num_partitions=partitions, replication_factor=1)]
    )
    futures[topic].result(30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        md = admin.list_topics(topic, timeout=10).topics.get(topic)
        if md is not None and md.error is None and len(md.partitions) == partitions:
            return 0
        time.sleep(0.1)
    print(f"topic {topic} not visible after creation", file=sys.stderr)
    return 1


def read(bootstrap: str, topic: str, minimum: int, timeout: float, idle: float) -> int:
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"pipegen-e2e-{uuid.uuid4()}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
        }
    )
    md = consumer.list_topics(topic, timeout=15).topics.get(topic)
    if md is None or md.error is not None:
        print(f"no topic {topic}: {md.error if md else 'missing'}", file=sys.stderr)
        return 2
    consumer.assign([TopicPartition(topic, p, 0) for p in sorted(md.partitions)])
    messages = []
    deadline = time.monotonic() + timeout
    last = time.monotonic()
    code = 0
    while True:
        now = time.monotonic()
        if len(messages) >= minimum and now - last >= idle:
            break
        if now > deadline:
            code = 3
            break
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                continue
            print(f"consumer error: {msg.error()}", file=sys.stderr)
            code = 4
            break
        last = time.monotonic()
        value = msg.value()
        messages.append(
            {
                "partition": msg.partition(),
                "offset": msg.offset(),
                "key": text(msg.key()),
                "value": text(value),
                "value_hex": value.hex() if value is not None else None,
                "headers": [[k, text(v)] for k, v in (msg.headers() or [])],
            }
        )
    consumer.close()
    print(json.dumps({"messages": messages}))
    return code


def main(argv: list[str]) -> int:
    if len(argv) >= 4 and argv[1] == "create":
        return create(argv[2], argv[3], int(argv[4]) if len(argv) > 4 else 1)
    if len(argv) >= 4 and argv[1] == "read":
        opts = {"--min": "0", "--timeout": "60", "--idle": "2"}
        rest = argv[4:]
        for i in range(0, len(rest) - 1, 2):
            if rest[i] not in opts:
                break
            opts[rest[i]] = rest[i + 1]
        return read(
            argv[2],
            argv[3],
            int(opts["--min"]),
            float(opts["--timeout"]),
            float(opts["--idle"]),
        )
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
