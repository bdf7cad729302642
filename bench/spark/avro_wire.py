"""Avro binary encoding of the values the benchmarks' producers write by hand (for speed)."""


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
