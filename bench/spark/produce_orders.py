"""Produces the benchmark's orders to Kafka and computes, independently of Spark, what
orders_per_minute must hold afterwards.

    python produce_orders.py --bootstrap-servers HOST:PORT --orders N --expected OUT.json

Values are Avro in the Confluent wire format (magic byte 0, 4-byte schema id, body), encoded
here by hand for speed and checked against fastavro on a sample. Orders arrive in event-time
order (1,000 a minute, up to 20 s of jitter), so with the stream's 10-minute watermark none is
late whatever the micro-batch boundaries are. About 0.4 % are dead letters (negative amount,
unknown currency, missing amount, JSON instead of Avro, too short, truncated Avro); ~10 % are
CANCELLED, a few have no status (dropped by the filter) or no currency (kept).
Deterministic: the same --orders and --seed give the same bytes.
"""

import argparse
import hashlib
import io
import json
import random
import sys
from datetime import UTC, datetime
from decimal import Decimal

import fastavro
from avro_wire import (
    avro_string,
    bulk_producer,
    produce,
    reader_schema,
    wire_header,
    zigzag,
)

T0_MS = int(datetime(2025, 1, 1, 10, 0, tzinfo=UTC).timestamp() * 1000)
CURRENCIES = ["EUR", "USD", "GBP"]
STATUSES = ["NEW", "PAID", "SHIPPED"] * 3 + ["CANCELLED"]


def encode(order_id, customer, cents, currency, status, ts_ms) -> bytes:
    """The Avro body of one order (schema of generated/shop_orders/kafka/schemas/orders.raw.avsc)."""
    parts = [zigzag(order_id), avro_string(customer)]
    if cents is None:
        parts.append(b"\x00")
    else:
        unscaled = cents.to_bytes((cents.bit_length() + 8) // 8, "big", signed=True)
        parts.append(b"\x02" + zigzag(len(unscaled)) + unscaled)
    parts.append(b"\x00" if currency is None else b"\x02" + avro_string(currency))
    parts.append(b"\x00" if status is None else b"\x02" + avro_string(status))
    parts.append(zigzag(ts_ms))
    return b"".join(parts)


def fmt_cents(c: int) -> str:
    return f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", default="orders.raw")
    parser.add_argument("--orders", type=int, default=300_000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--per-minute", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--schema-id",
        type=int,
        default=1,
        help="the id the registry gave the schema (in every record's header)",
    )
    parser.add_argument(
        "--schema", required=True, help="the .avsc, to check the encoding"
    )
    parser.add_argument(
        "--expected", required=True, help="where to write the expected result"
    )
    args = parser.parse_args()

    parsed = reader_schema(args.schema)

    rnd = random.Random(args.seed)
    header = wire_header(args.schema_id)
    customers = [f"c{i:03d}" for i in range(1, args.customers + 1)]
    producer = bulk_producer(args.bootstrap_servers, "zstd")
    step_ms = 60_000 / args.per_minute
    groups: dict[tuple[str, int], list[int]] = {}
    invalid = cancelled = no_status = no_currency = checked = 0
    for i in range(args.orders):
        order_id = i + 1
        ts = T0_MS + int(i * step_ms) + rnd.randrange(20_000)
        customer = customers[rnd.randrange(len(customers))]
        cents = 100 + rnd.randrange(49_900)
        currency = CURRENCIES[rnd.randrange(3)]
        status = STATUSES[rnd.randrange(len(STATUSES))]
        key = str(order_id).encode()
        value = None
        if i % 250 == 7:  # a dead letter
            invalid += 1
            kind = (i // 250) % 6
            if kind == 0:
                cents = -(100 + rnd.randrange(5000))
            elif kind == 1:
                currency = "XXX"
            elif kind == 2:
                cents = None
            elif kind == 3:
                value = json.dumps({"order_id": order_id}).encode()
            elif kind == 4:
                value = b"\x00\x00"
            else:
                value = header + b"\x02" * (i % 3) + b"\xf0"
            if value is not None:
                key = f"bad-{order_id}".encode()
        else:
            if i % 500 == 11:
                status = None
            if i % 400 == 13:
                currency = None
        if value is None:
            body = encode(order_id, customer, cents, currency, status, ts)
            if i < 2000 or i % 997 == 0:
                back = fastavro.schemaless_reader(io.BytesIO(body), parsed)
                want = (
                    order_id,
                    customer,
                    None if cents is None else Decimal(cents).scaleb(-2),
                    currency,
                    status,
                    ts,
                )
                got = (
                    back["order_id"],
                    back["customer_id"],
                    back["amount"],
                    back["currency"],
                    back["status"],
                    int(back["updated_at"].timestamp() * 1000),
                )
                if got != want:
                    print(f"encoding mismatch: {got} != {want}", file=sys.stderr)
                    return 1
                checked += 1
            value = header + body
            if i % 250 != 7:
                if status is None:
                    no_status += 1
                elif status == "CANCELLED":
                    cancelled += 1
                else:
                    no_currency += currency is None
                    # decimal(12,2) of amount * 0.92, rounded HALF_UP
                    eur = (cents * 92 + 50) // 100
                    minute = (ts // 60_000) * 60_000
                    groups.setdefault((customer, minute), []).append(eur)
        produce(producer, args.topic, key, value)
        if i % 10_000 == 0:
            producer.poll(0)
    left = producer.flush(120)
    if left:
        print(f"{left} records not delivered", file=sys.stderr)
        return 1

    lines = []
    for (customer, minute), eurs in sorted(groups.items()):
        start = datetime.fromtimestamp(minute / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(
            f"{customer},{start},{len(eurs)},{fmt_cents(sum(eurs))},{fmt_cents(max(eurs))}"
        )
    expected = {
        "records": args.orders,
        "deadLetters": invalid,
        "cancelled": cancelled,
        "noStatus": no_status,
        "noCurrency": no_currency,
        "counted": sum(len(v) for v in groups.values()),
        "windows": len(lines),
        "tableMd5": hashlib.md5("\n".join(lines).encode()).hexdigest(),
        "encodingChecked": checked,
    }
    with open(args.expected, "w") as f:
        json.dump(expected, f, indent=2)
    print(json.dumps(expected))
    return 0


if __name__ == "__main__":
    sys.exit(main())
