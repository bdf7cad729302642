"""Produces the benchmark's sensor readings to Kafka and computes, independently of Spark, what
iot_sensors' site_climate table must hold afterwards.

    python produce_readings.py --bootstrap-servers HOST:PORT --readings N --schema-id ID \
        --schema iot.readings.avsc --expected OUT.json

Values are Avro in the Confluent wire format (magic byte 0, 4-byte schema id, body), encoded
here by hand for speed and checked against fastavro on a sample; keys are the sensor ids (the
topic's 12 partitions each get a share of the sensors). --sites sites with --sensors-per-site
sensors each read every --every-s seconds, in event-time order (up to 5 s of jitter). Mixed in:
~2 % exact duplicates (the same bytes again a few records later: dropped by the dedupe), ~0.5 %
dead letters (temperature out of range, JSON instead of Avro, too short, truncated Avro) and,
in the second half only, ~0.2 % late readings (2.5 hours behind the stream: far behind the
15-minute watermark whatever the micro-batch boundaries, as long as the batches hold less than
about 2 hours of event time; dropped). ~2 % have no temperature (counted, not averaged).
Temperatures are multiples of 0.25: their sums are exact in doubles, so the averages do not
depend on the order Spark adds them in. Deterministic: the same arguments give the same bytes.

The expected table: per site and 10-minute window sliding by 5 minutes, over the valid,
deduplicated, on-time readings: avg and max temperature, the count, and the distinct sensors
(exact here; Spark's approx_count_distinct is compared within its error).
"""

import argparse
import hashlib
import io
import json
import random
import struct
import sys
from datetime import UTC, datetime

import fastavro
from avro_wire import (
    avro_string,
    bulk_producer,
    produce,
    reader_schema,
    wire_header,
    zigzag,
)

T0_MS = int(datetime(2025, 3, 1, 0, 0, tzinfo=UTC).timestamp() * 1000)
MIN_MS = 60_000
LATE_MS = 150 * MIN_MS


def encode(sensor, site, ts_ms, temp, humidity, battery) -> bytes:
    """The Avro body of one reading (generated/iot_sensors/kafka/schemas/iot.readings.avsc)."""
    parts = [avro_string(sensor), avro_string(site), zigzag(ts_ms)]
    parts.append(b"\x00" if temp is None else b"\x02" + struct.pack("<d", temp))
    parts.append(b"\x00" if humidity is None else b"\x02" + struct.pack("<f", humidity))
    parts.append(b"\x00" if battery is None else b"\x02" + zigzag(battery))
    return b"".join(parts)


def fmt_ts(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


class Expected:
    """The site_climate rows, accumulated from the readings the stream must count."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, int], list] = {}

    def add(self, site: str, sensor: str, ts: int, temp: float | None) -> None:
        first = (ts // (5 * MIN_MS)) * 5 * MIN_MS
        for start in (first - 5 * MIN_MS, first):
            g = self.groups.setdefault((site, start), [0.0, 0, None, 0, set()])
            if temp is not None:
                g[0] += temp
                g[1] += 1
                g[2] = temp if g[2] is None else max(g[2], temp)
            g[3] += 1
            g[4].add(sensor)

    def rows(self) -> list[list]:
        out = []
        for (site, start), (total, n, top, count, sensors) in sorted(
            self.groups.items()
        ):
            avg = total / n if n else None
            out.append(
                [
                    site,
                    fmt_ts(start),
                    fmt_ts(start + 10 * MIN_MS),
                    avg,
                    top,
                    count,
                    len(sensors),
                ]
            )
        return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", default="iot.readings")
    parser.add_argument("--readings", type=int, default=150_000)
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--sensors-per-site", type=int, default=4)
    parser.add_argument("--every-s", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--schema-id", type=int, default=1)
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
    sensors = [
        (f"s{s:03d}-{i}", f"site-{s:03d}")
        for s in range(args.sites)
        for i in range(args.sensors_per_site)
    ]
    producer = bulk_producer(args.bootstrap_servers, "lz4")

    def send(key: bytes, value: bytes) -> None:
        produce(producer, args.topic, key, value)

    expected = Expected()
    counts = {
        "valid": 0,
        "duplicates": 0,
        "dead_letters": 0,
        "late": 0,
        "no_temperature": 0,
        "checked": 0,
    }
    # duplicates to send: (at record, key, value)
    repeat: list[tuple[int, bytes, bytes]] = []
    i = 0
    while i < args.readings:
        tick, (sensor, site) = i // len(sensors), sensors[i % len(sensors)]
        ts = T0_MS + tick * args.every_s * 1000 + rnd.randrange(5000)
        temp = None if i % 53 == 17 else rnd.randrange(-40, 160) / 4  # -10 .. 39.75 °C
        humidity = rnd.randrange(1000) / 10
        battery = 3000 + rnd.randrange(600)
        key = sensor.encode()
        value = None
        late = i > args.readings // 2 and i % 499 == 3 and ts - LATE_MS > T0_MS
        if late:  # a reading 2.5 hours late: the watermark has passed it; dropped
            ts -= LATE_MS
            counts["late"] += 1
        elif i % 200 == 9:  # a dead letter
            counts["dead_letters"] += 1
            kind = (i // 200) % 4
            if kind == 0:
                temp = 120 + rnd.randrange(400) / 4
            elif kind == 1:
                value = json.dumps({"sensor_id": sensor, "site": site}).encode()
            elif kind == 2:
                value = b"\x00\x00"
            else:
                value = header + b"\x02" * (i % 3) + b"\xf0"
            if value is not None:
                key = f"bad-{i}".encode()
        if value is None:
            body = encode(sensor, site, ts, temp, humidity, battery)
            if i < 2000 or i % 997 == 0:
                back = fastavro.schemaless_reader(io.BytesIO(body), parsed)
                got = (
                    back["sensor_id"],
                    back["site"],
                    int(back["read_at"].timestamp() * 1000),
                    back["temperature_c"],
                    battery == back["battery_mv"],
                    abs(back["humidity_pct"] - humidity) < 1e-3,
                )
                if got != (sensor, site, ts, temp, True, True):
                    print(f"encoding mismatch: {got}", file=sys.stderr)
                    return 1
                counts["checked"] += 1
            value = header + body
            if not late and i % 200 != 9:
                counts["valid"] += 1
                counts["no_temperature"] += temp is None
                expected.add(site, sensor, ts, temp)
                if i % 50 == 21:  # sent again a few records later
                    repeat.append((i + 1 + rnd.randrange(40), key, value))
        send(key, value)
        while repeat and repeat[0][0] <= i:
            _, k, v = repeat.pop(0)
            send(k, v)
            counts["duplicates"] += 1
        if i % 10_000 == 0:
            producer.poll(0)
        i += 1
    for _, k, v in repeat:
        send(k, v)
        counts["duplicates"] += 1
    left = producer.flush(120)
    if left:
        print(f"{left} records not delivered", file=sys.stderr)
        return 1

    rows = expected.rows()
    lines = "\n".join(json.dumps(r) for r in rows)
    result = {
        "records": args.readings + counts["duplicates"],
        "readings": args.readings,
        "validReadings": counts["valid"],
        "duplicates": counts["duplicates"],
        "deadLetters": counts["dead_letters"],
        "late": counts["late"],
        "noTemperature": counts["no_temperature"],
        "windows": len(rows),
        "rowsSha256": hashlib.sha256(lines.encode()).hexdigest(),
        "encodingChecked": counts["checked"],
        "rows": rows,
    }
    with open(args.expected, "w") as f:
        json.dump(result, f)
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
