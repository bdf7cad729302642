"""What the benchmarks' producers share: Avro binary encoding by hand (for speed), the Confluent
wire header, the reader schema and a producer for many records."""

import json
import struct


def zigzag(n: int) -> bytes:
    """An Avro int or long: zig-zag, then a variable-length quantity."""
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def avro_string(s: str) -> bytes:
    """An Avro string: its UTF-8 length, then the bytes."""
    b = s.encode()
    return zigzag(len(b)) + b


def reader_schema(path: str):
    """A generated .avsc, parsed by fastavro (without pipegen's "$comment")."""
    import fastavro

    with open(path) as f:
        raw = json.load(f)
    raw.pop("$comment", None)
    return fastavro.parse_schema(raw)


def wire_header(schema_id: int) -> bytes:
    """The Confluent wire format's header: magic byte 0 and the 4-byte schema id."""
    return b"\x00" + struct.pack(">I", schema_id)


def bulk_producer(bootstrap_servers: str, compression: str):
    """A producer for many records fast, with the topic's compression (the broker keeps the
    batches as they come)."""
    from confluent_kafka import Producer

    return Producer(
        {
            "bootstrap.servers": bootstrap_servers,
            "acks": "all",
            "linger.ms": 50,
            "batch.num.messages": 10000,
            "batch.size": 1_000_000,
            "compression.type": compression,
            "queue.buffering.max.messages": 2_000_000,
            "queue.buffering.max.kbytes": 1_048_576,
        }
    )


def produce(producer, topic: str, key: bytes, value: bytes) -> None:
    """Sends one record, waiting while the producer's queue is full."""
    while True:
        try:
            producer.produce(topic, value=value, key=key)
            return
        except BufferError:
            producer.poll(0.1)
