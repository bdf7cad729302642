"""Produces test records to a Kafka topic, the way pipegen's producers (NiFi) write them.

Input: a JSON file {"topic": str, "format": "avro"|"json", "schema": path to .avsc or null,
"schema_id": int (default 1), "records": [{"key": str|null, "value": {...}|null,
"raw_hex": str|null, "ts_ms": int|null}]}.
Avro values use the Confluent wire format: magic byte 0, the 4-byte schema id, the Avro body.
Decimal fields are given as strings, timestamp fields as ISO-8601 strings (UTC).
"raw_hex" sends those exact bytes instead (malformed records).
Prints the number of records produced.
"""

import argparse
import io
import json
import struct
import sys
from datetime import datetime
from decimal import Decimal

import fastavro
from confluent_kafka import Producer


def logical(schema: dict) -> dict[str, str]:
    """Field name -> logical type (decimal, timestamp-millis, date) of a record schema."""
    out = {}
    for f in schema["fields"]:
        t = f["type"]
        branches = t if isinstance(t, list) else [t]
        for b in branches:
            if isinstance(b, dict) and "logicalType" in b:
                out[f["name"]] = b["logicalType"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("input")
    args = parser.parse_args()
    with open(args.input) as f:
        spec = json.load(f)
    parsed = None
    kinds = {}
    if spec["format"] == "avro":
        with open(spec["schema"]) as f:
            raw_schema = json.load(f)
        raw_schema.pop("$comment", None)
        kinds = logical(raw_schema)
        parsed = fastavro.parse_schema(raw_schema)
    producer = Producer(
        {"bootstrap.servers": args.bootstrap_servers, "linger.ms": 5, "acks": "all"}
    )
    n = 0
    for r in spec["records"]:
        if r.get("raw_hex") is not None:
            value = bytes.fromhex(r["raw_hex"])
        elif spec["format"] == "avro":
            rec = dict(r["value"])
            for name, kind in kinds.items():
                if rec.get(name) is None:
                    continue
                if kind == "decimal":
                    rec[name] = Decimal(rec[name])
                elif kind.startswith("timestamp"):
                    rec[name] = datetime.fromisoformat(rec[name])
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, parsed, rec)
            value = (
                b"\x00" + struct.pack(">I", spec.get("schema_id", 1)) + buf.getvalue()
            )
        else:
            value = json.dumps(r["value"]).encode()
        key = r.get("key")
        producer.produce(
            spec["topic"],
            value=value,
            key=key.encode() if key is not None else None,
            timestamp=r.get("ts_ms") or 0,
        )
        n += 1
        if n % 1000 == 0:
            producer.flush()
    left = producer.flush(30)
    if left:
        print(f"{left} records not delivered", file=sys.stderr)
        return 1
    print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
