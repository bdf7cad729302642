"""Produces orders at steady rates, phase by phase, and samples the stream's lag meanwhile.

    python produce_steady.py --bootstrap-servers HOST:PORT --schema-id ID --group GROUP \
        --phases '[{"name": "steady", "rate": 500, "seconds": 60}, ...]' --out OUT.json

Each record is an order of bench/freshness/fresh.yaml in the Confluent wire format (magic byte,
the registry's schema id, the Avro body), its `produced_ms` set to the wall-clock time
(epoch ms) when it is handed to the Kafka client, `order_id` counting up from 1. About 1 % are
CANCELLED (the stream filters them out) and 0.2 % have a negative amount (dead letters); the
rest must become rows of the sink table.

Within a phase the records are spread evenly: every 5 ms the producer sends what the rate owes
by then. Once a second a thread reads the offsets the job has committed to its consumer group
(GROUP, which every generated job commits what it has processed to) with the admin client and
records the lag: records handed to the client minus the committed offsets, summed over the
partitions (the topic is new: its offsets start at 0). A phase with "ramp": true ends early
when the lag exceeds --give-up-s seconds of its input (the job has clearly fallen behind), and
then no later phase runs. After the last phase the producer flushes and waits up to --drain-s
for the lag to reach 0. OUT.json gets the phases (rate, start and end in epoch ms, records,
first and last order id), the lag samples and the counts.
"""

import argparse
import json
import sys
import threading
import time
from pathlib import Path

from confluent_kafka import ConsumerGroupTopicPartitions, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

# The Avro and wire-format helpers the Spark benchmark's producers use (bench/spark/avro_wire.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "spark"))
from avro_wire import avro_string, wire_header, zigzag

CURRENCIES = ["EUR", "USD", "GBP"]
STATUSES = ["NEW", "PAID", "SHIPPED"]


def encode(order_id: int, cents: int, status: str, now_ms: int) -> bytes:
    """The Avro body of one order (bench/freshness/fresh.yaml's `order`, in field order)."""
    unscaled = cents.to_bytes((cents.bit_length() + 8) // 8, "big", signed=True)
    return b"".join(
        [
            zigzag(order_id),
            avro_string(f"c{order_id % 200:03d}"),
            b"\x02" + zigzag(len(unscaled)) + unscaled,
            b"\x02" + avro_string(CURRENCIES[order_id % 3]),
            b"\x02" + avro_string(status),
            zigzag(now_ms),  # updated_at
            zigzag(now_ms),  # produced_ms
        ]
    )


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Lag:
    """Samples the group's lag once a second on its own thread."""

    def __init__(self, bootstrap: str, topic: str, group: str) -> None:
        self.admin = AdminClient({"bootstrap.servers": bootstrap})
        parts = self.admin.list_topics(topic, timeout=10).topics[topic].partitions
        self.request = ConsumerGroupTopicPartitions(
            group, [TopicPartition(topic, p) for p in sorted(parts)]
        )
        self.group = group
        self.produced = 0  # records handed to the client (set by the producing thread)
        self.samples: list[dict] = []
        self.last = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def sample(self) -> None:
        produced = self.produced
        try:
            found = self.admin.list_consumer_group_offsets([self.request])
            result = found[self.group].result(timeout=5)
        except Exception as e:  # noqa: BLE001 - a sample is lost, not the run
            self.samples.append({"t": now_ms(), "error": str(e)})
            return
        committed = sum(max(tp.offset, 0) for tp in result.topic_partitions)
        self.last = produced - committed
        self.samples.append(
            {
                "t": now_ms(),
                "produced": produced,
                "committed": committed,
                "lag": self.last,
            }
        )

    def run(self) -> None:
        while not self.stop.wait(1.0 - (time.time() % 1.0)):
            self.sample()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap-servers", required=True)
    parser.add_argument("--topic", default="orders.raw")
    parser.add_argument("--schema-id", type=int, required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument(
        "--phases", required=True, help="JSON: [{name, rate, seconds, ramp?}]"
    )
    parser.add_argument("--give-up-s", type=float, default=10.0)
    parser.add_argument("--drain-s", type=float, default=60.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    header = wire_header(args.schema_id)
    producer = Producer(
        {
            "bootstrap.servers": args.bootstrap_servers,
            "linger.ms": 2,
            "acks": "all",
            "compression.type": "none",
            "queue.buffering.max.messages": 1_000_000,
        }
    )
    lag = Lag(args.bootstrap_servers, args.topic, args.group)
    lag.thread.start()
    phases, counts, order_id, stopped = [], {"cancelled": 0, "dead": 0}, 0, False
    for phase in json.loads(args.phases):
        if stopped:
            break
        rate, seconds = float(phase["rate"]), float(phase["seconds"])
        first, start, t0, sent = order_id + 1, now_ms(), time.monotonic(), 0
        while (elapsed := time.monotonic() - t0) < seconds:
            for _ in range(int(rate * elapsed) - sent):
                order_id += 1
                status, cents = (
                    STATUSES[order_id % 3],
                    500 + (order_id * 7919) % 100_000,
                )
                if order_id % 100 == 50:
                    status, counts["cancelled"] = "CANCELLED", counts["cancelled"] + 1
                elif order_id % 500 == 123:
                    cents, counts["dead"] = -cents, counts["dead"] + 1
                value = header + encode(order_id, cents, status, now_ms())
                producer.produce(args.topic, value, key=str(order_id).encode())
                sent += 1
            lag.produced = order_id
            producer.poll(0)
            if phase.get("ramp") and elapsed > 3 and lag.last > rate * args.give_up_s:
                stopped = True
                break
            time.sleep(0.005)
        phases.append(
            {
                **phase,
                "startMs": start,
                "endMs": now_ms(),
                "records": sent,
                "firstId": first,
                "lastId": order_id,
                "gaveUp": stopped,
            }
        )
    producer.flush(30)
    drain_start = time.monotonic()
    while time.monotonic() - drain_start < args.drain_s:
        time.sleep(0.5)
        if lag.samples and lag.samples[-1].get("lag") == 0:
            break
    lag.stop.set()
    lag.thread.join(5)
    out = {
        "phases": phases,
        "lag": lag.samples,
        "produced": order_id,
        "drainedS": time.monotonic() - drain_start,
        "drained": bool(lag.samples) and lag.samples[-1].get("lag") == 0,
        **counts,
    }
    with open(args.out, "w") as f:
        json.dump(out, f)
    print(json.dumps({k: v for k, v in out.items() if k != "lag"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
