"""What a test's sinks and dead letters received, as plain JSON values.

Rows are converted in Spark, with the session's time zone (UTC), so that no value depends on
the machine running the test: timestamps as ISO-8601 text with microseconds and ``Z``, dates
as ``YYYY-MM-DD``, decimals and longs as text (exact), bytes as base64, nested values as JSON.
A sink keeps rows as its store would: an ``upsert`` sink the last row per key (a table's
``ON CONFLICT`` update, a MongoDB or Cassandra replace), an ``append`` sink (a table's inserts,
a Kafka topic, files) every row, in the order written.
"""

from __future__ import annotations

import base64
import math
import threading
from collections.abc import Sequence
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T


def _plain(field: T.StructField) -> Column:
    c = F.col(f"`{field.name}`")
    t = field.dataType
    if isinstance(t, (T.TimestampType, T.TimestampNTZType)):
        return F.date_format(c, "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").alias(field.name)
    if isinstance(t, (T.DateType, T.DecimalType, T.LongType)):
        return c.cast("string").alias(field.name)
    if isinstance(t, T.BinaryType):
        return F.base64(c).alias(field.name)
    if isinstance(t, (T.StructType, T.ArrayType, T.MapType)):
        return F.to_json(c).alias(field.name)
    return c.alias(field.name)


def _finite(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v) if not math.isnan(v) else "NaN"
    return v


def plain_rows(frame: DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts of JSON values (see the module's docstring)."""
    converted = frame.select(*[_plain(f) for f in frame.schema.fields])
    return [{k: _finite(v) for k, v in row.asDict().items()} for row in converted.collect()]


class SinkTable:
    """The rows one sink holds, kept as its store keeps them."""

    def __init__(self, name: str, mode: str, key: Sequence[str]) -> None:
        self.name = name
        self.mode = mode
        self.key = list(key)
        self._rows: list[dict[str, Any]] = []
        self._by_key: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._lock = threading.Lock()

    def write(self, rows: list[dict[str, Any]]) -> None:
        with self._lock:
            if self.mode == "upsert" and self.key:
                for row in rows:
                    self._by_key[tuple(repr(row.get(k)) for k in self.key)] = row
            else:
                self._rows.extend(rows)

    def rows(self) -> list[dict[str, Any]]:
        """The rows held: appended ones in the order written, upserted ones in the order
        their keys were first written."""
        with self._lock:
            if self.mode == "upsert" and self.key:
                return list(self._by_key.values())
            return list(self._rows)


def dead_letter_rows(frame: DataFrame) -> list[dict[str, Any]]:
    """Dead letters (key, value, headers) as {reason, stream, topic, partition, offset, key,
    value}: the pipegen.* headers by their last name part, key and value as base64."""
    out = []
    for row in frame.collect():
        record: dict[str, Any] = {
            "key": base64.b64encode(row["key"]).decode() if row["key"] is not None else None,
            "value": base64.b64encode(row["value"]).decode() if row["value"] is not None else None,
        }
        for header in row["headers"] or []:
            name = str(header["key"])
            text = bytes(header["value"]).decode("utf-8") if header["value"] is not None else None
            record[name.removeprefix("pipegen.").removeprefix("source.")] = text
        for number in ("partition", "offset"):
            if record.get(number) is not None:
                record[number] = int(record[number])
        out.append(record)
    return out
