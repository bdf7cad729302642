"""Reads a whole topic and decodes its values, for the NiFi ingest e2e tests (Spark venv:
confluent-kafka and fastavro).

    python read_topic.py BOOTSTRAP TOPIC [--avsc FILE] [--min N] [--timeout S] [--idle S]

Consumes every partition from the beginning (read_committed, no group commits) until at least
N messages arrived and nothing came for --idle seconds (default 3), or --timeout (default 90;
then exit 3 with what it has). Prints one JSON document:
{"messages": [{"partition", "offset", "key", "headers": [[k, v]], "magic", "schema_id",
"value", "error"}]}.
With --avsc every value must be Confluent-framed Avro (magic byte 0, 4-byte big-endian schema
id, Avro binary body) of that schema: `value` is the decoded record (decimals as strings,
timestamps as ISO 8601 UTC with milliseconds, bytes as hex), `error` says why a value did not
decode. Without it `value` is the UTF-8 text (or null, `error` set).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import decimal
import io
import json
import struct
import sys
import time
import uuid

import fastavro
from confluent_kafka import Consumer, KafkaError, TopicPartition


def plain(v):
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        v = v.astimezone(dt.timezone.utc)
        return v.strftime("%Y-%m-%dT%H:%M:%S.") + f"{v.microsecond // 1000:03d}Z"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def text(b):
    if b is None:
        return None
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(b).decode()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("topic")
    ap.add_argument("--avsc")
    ap.add_argument("--min", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=90)
    ap.add_argument("--idle", type=float, default=3)
    args = ap.parse_args()

    schema = None
    if args.avsc:
        with open(args.avsc, encoding="utf-8") as f:
            raw = json.load(f)
        raw.pop("$comment", None)
        schema = fastavro.parse_schema(raw)

    consumer = Consumer(
        {
            "bootstrap.servers": args.bootstrap,
            "group.id": f"pipegen-nifi-e2e-{uuid.uuid4()}",
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
        }
    )
    meta = consumer.list_topics(args.topic, timeout=10)
    parts = meta.topics[args.topic].partitions
    consumer.assign([TopicPartition(args.topic, p, 0) for p in parts])

    out = []
    start = time.monotonic()
    last = start
    code = 0
    while True:
        now = time.monotonic()
        if len(out) >= args.min and now - last >= args.idle:
            break
        if now - start > args.timeout:
            code = 3
            break
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                continue
            print(msg.error(), file=sys.stderr)
            return 1
        last = time.monotonic()
        value = msg.value() or b""
        entry = {
            "partition": msg.partition(),
            "offset": msg.offset(),
            "key": text(msg.key()),
            "headers": [[k, text(v)] for k, v in (msg.headers() or [])],
            "magic": None,
            "schema_id": None,
            "value": None,
            "error": None,
        }
        if schema is not None:
            if len(value) < 5 or value[0] != 0:
                entry["error"] = f"not Confluent-framed: {value[:8].hex()}"
            else:
                entry["magic"] = value[0]
                entry["schema_id"] = struct.unpack(">i", value[1:5])[0]
                buf = io.BytesIO(value[5:])
                try:
                    record = fastavro.schemaless_reader(buf, schema)
                    if buf.tell() != len(value) - 5:
                        entry["error"] = f"{len(value) - 5 - buf.tell()} bytes after the record"
                    entry["value"] = plain(record)
                except Exception as e:  # noqa: BLE001 - reported, not raised
                    entry["error"] = f"{type(e).__name__}: {e}"
        else:
            entry["value"] = text(value)
        out.append(entry)
    consumer.close()
    print(json.dumps({"messages": out}))
    return code


if __name__ == "__main__":
    sys.exit(main())
