"""Produces the random specs' records to a Kafka topic, as test/e2e/spark/produce.py does, for
every field type: Avro values in the Confluent wire format (magic byte 0, a 4-byte schema id, the
body) encoded with the topic's generated .avsc, JSON text as given, or raw bytes.

Input: a JSON file {"topic": str, "schema": path to .avsc or null, "records": [{"key": str|null,
"avro": {...}|null, "text": str|null, "raw_hex": str|null}]}. In "avro" values decimals are
strings, timestamps epoch milliseconds, dates epoch days and bytes hex.
Writes the hex of every value produced, in order, as a JSON list to --values-out, and prints the
number of records produced.
"""

import argparse
import io
import json
import struct
import sys
from decimal import Decimal

import fastavro
from confluent_kafka import Producer


def converters(schema: dict) -> dict:
    """Field name -> a function from the JSON form of a value to what fastavro writes."""
    out = {}
    for f in schema["fields"]:
        t = f["type"]
        branch = [b for b in (t if isinstance(t, list) else [t]) if b != "null"][0]
        if isinstance(branch, dict) and branch.get("logicalType") == "decimal":
            out[f["name"]] = Decimal
        elif branch == "bytes" or (isinstance(branch, dict) and branch.get("type") == "bytes"):
            out[f["name"]] = bytes.fromhex
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--values-out", required=True)
    parser.add_argument("input")
    args = parser.parse_args()
    with open(args.input, encoding="utf-8") as f:
        spec = json.load(f)
    parsed = None
    convert = {}
    if spec.get("schema"):
        with open(spec["schema"], encoding="utf-8") as f:
            raw_schema = json.load(f)
        raw_schema.pop("$comment", None)
        convert = converters(raw_schema)
        parsed = fastavro.parse_schema(raw_schema)
    producer = Producer(
        {
            "bootstrap.servers": args.bootstrap_servers,
            "linger.ms": 5,
            "acks": "all",
            # records of one key stay in the order they are produced (updates, duplicates)
            "enable.idempotence": True,
        }
    )
    values = []
    for r in spec["records"]:
        if r.get("raw_hex") is not None:
            value = bytes.fromhex(r["raw_hex"])
        elif r.get("text") is not None:
            value = r["text"].encode("utf-8")
        else:
            rec = {
                k: (convert[k](v) if v is not None and k in convert else v)
                for k, v in r["avro"].items()
            }
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, parsed, rec)
            value = b"\x00" + struct.pack(">I", 1) + buf.getvalue()
        key = r.get("key")
        producer.produce(
            spec["topic"],
            value=value,
            key=key.encode("utf-8") if key is not None else None,
        )
        values.append(value.hex())
    left = producer.flush(30)
    if left:
        print(f"{left} records not delivered", file=sys.stderr)
        return 1
    with open(args.values_out, "w", encoding="utf-8") as f:
        json.dump(values, f)
    print(len(values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
