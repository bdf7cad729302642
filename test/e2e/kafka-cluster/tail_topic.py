"""Follow a topic from its start and print one JSON line per record as it arrives:
{"t": arrival in epoch ms, "p": partition, "o": offset, "k": key (text)}. Runs until killed.

usage: tail_topic.py BOOTSTRAP TOPIC read_committed|read_uncommitted
"""

import json
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError

bootstrap, topic, isolation = sys.argv[1:4]
consumer = Consumer(
    {
        "bootstrap.servers": bootstrap,
        "group.id": f"tail-{uuid.uuid4()}",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "isolation.level": isolation,
    }
)
consumer.subscribe([topic])
print(json.dumps({"ready": True}), flush=True)
while True:
    msg = consumer.poll(0.2)
    if msg is None:
        continue
    if msg.error():
        if msg.error().code() != KafkaError._PARTITION_EOF:
            print(json.dumps({"error": str(msg.error())}), flush=True)
        continue
    key = msg.key().decode("utf-8", "replace") if msg.key() is not None else None
    line = {
        "t": int(time.time() * 1000),
        "p": msg.partition(),
        "o": msg.offset(),
        "k": key,
    }
    print(json.dumps(line), flush=True)
