"""The life of a generated Spark job: its arguments, its session, its queries, its end."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from pyspark.errors import StreamingQueryException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming.query import StreamingQuery
from pyspark.sql.streaming.readwriter import DataStreamWriter

if TYPE_CHECKING:
    from pipegen_runtime.spark.sinks.base import BatchSink

#: A trigger as DataStreamWriter.trigger() takes it: {"processingTime": "1 minutes"} or
#: {"availableNow": True}.
Trigger = Mapping[str, "str | bool"]

#: Process what the source holds now, then stop.
AVAILABLE_NOW: Trigger = {"availableNow": True}


def with_trigger(writer: DataStreamWriter, trigger: Trigger) -> DataStreamWriter:
    """The writer with ``trigger``: {"processingTime": "<interval>"} or {"availableNow": True}."""
    if trigger.get("availableNow") is True:
        return writer.trigger(availableNow=True)
    interval = trigger.get("processingTime")
    if not isinstance(interval, str) or len(trigger) != 1:
        raise ValueError(f"not a trigger: {dict(trigger)!r}")
    return writer.trigger(processingTime=interval)


def _require(
    parser: argparse.ArgumentParser, args: argparse.Namespace, names: Sequence[str]
) -> None:
    for name in names:
        if not getattr(args, name):
            parser.error(
                f"--{name.replace('_', '-')} is required (its environment variable is unset)"
            )


def _bootstrap_argument(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument(
        "--bootstrap-servers",
        default=default,
        help="Kafka bootstrap servers (default: from the spec's platform.kafka)",
    )


def _registry_argument(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument(
        "--schema-registry-url",
        default=default,
        help="the schema registry (Confluent API) with the versions of the topic's schema"
        " (default: from the spec's platform.kafka)",
    )


def _required(avro: bool, *names: str) -> tuple[str, ...]:
    return (*names, "schema_registry_url") if avro else names


def stream_arguments(
    argv: Sequence[str],
    description: str,
    *,
    bootstrap_servers: str | None,
    checkpoint_root: str | None,
    max_offsets_per_trigger: int | None,
    trigger: Trigger,
    avro: bool = False,
    schema_registry_url: str | None = None,
) -> argparse.Namespace:
    """A stream job's command line; the keyword arguments are the spec's defaults.

    The result has ``bootstrap_servers``, ``checkpoint_root``, ``max_offsets_per_trigger``
    and ``trigger`` (AVAILABLE_NOW with ``--available-now``, else the given one); with
    ``avro`` (the topic's records are Avro), ``schema_registry_url`` too.
    """
    parser = argparse.ArgumentParser(description=description)
    _bootstrap_argument(parser, bootstrap_servers)
    if avro:
        _registry_argument(parser, schema_registry_url)
    parser.add_argument(
        "--checkpoint-root",
        default=checkpoint_root,
        help="checkpoints go to CHECKPOINT_ROOT/PIPELINE/STREAM/<query>",
    )
    parser.add_argument(
        "--available-now",
        action="store_true",
        help="process what the topic holds now, then stop (catch-up and backfill runs)",
    )
    parser.add_argument(
        "--max-offsets-per-trigger",
        type=int,
        default=max_offsets_per_trigger,
        help="records per micro-batch (default: from the spec)",
    )
    args = parser.parse_args(list(argv))
    _require(parser, args, _required(avro, "bootstrap_servers", "checkpoint_root"))
    args.trigger = AVAILABLE_NOW if args.available_now else dict(trigger)
    return args


def archive_arguments(
    argv: Sequence[str],
    description: str,
    *,
    bootstrap_servers: str | None,
    checkpoint_root: str | None,
    output_path: str | None,
    avro: bool = False,
    schema_registry_url: str | None = None,
) -> argparse.Namespace:
    """An archive job's command line; the keyword arguments are the spec's defaults (with
    ``avro``, ``schema_registry_url`` as in stream_arguments)."""
    parser = argparse.ArgumentParser(description=description)
    _bootstrap_argument(parser, bootstrap_servers)
    if avro:
        _registry_argument(parser, schema_registry_url)
    parser.add_argument(
        "--checkpoint-root",
        default=checkpoint_root,
        help="checkpoints go to CHECKPOINT_ROOT/PIPELINE/ARCHIVE",
    )
    parser.add_argument(
        "--output-path",
        default=output_path,
        help="where the files go (default: from the spec's archive connection)",
    )
    args = parser.parse_args(list(argv))
    _require(parser, args, _required(avro, "bootstrap_servers", "checkpoint_root", "output_path"))
    return args


def checkpoint_dir(root: str, pipeline: str, job: str) -> str:
    """Where a job's queries keep their checkpoints: ROOT/PIPELINE/JOB (one folder per query)."""
    return f"{root.rstrip('/')}/{pipeline}/{job}"


def session(app_name: str, shuffle_partitions: int) -> SparkSession:
    """The job's Spark session: its shuffle partitions, and UTC whatever the machine's zone."""
    return (
        SparkSession.builder.appName(app_name)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


class QueryIdentity:
    """The id of the query that writes the batch sinks.

    Spark keeps it in the query's checkpoint: a restart from the same checkpoint has the same
    id, a new checkpoint (lost, deleted, another --checkpoint-root) a new one. Table sinks
    record each batch under it, so the batch ids of a new checkpoint, which start at 0 again,
    are never mistaken for batches already committed.
    """

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._id = ""

    def set(self, query_id: str) -> None:
        self._id = query_id
        self._ready.set()

    def get(self, timeout: float | None = None) -> str:
        """The id; waits for set(): the first batch may start before start() has returned."""
        if not self._ready.wait(timeout):
            raise TimeoutError("the sinks query's id was never set")
        return self._id


def start_batch_sinks(
    output: DataFrame,
    sinks: Sequence[BatchSink],
    *,
    name: str,
    checkpoint: str,
    trigger: Trigger,
    output_mode: str,
) -> StreamingQuery:
    """Starts the query that writes every micro-batch of ``output`` to ``sinks`` (foreachBatch)."""
    from pipegen_runtime.spark.sinks.base import write_batch

    query = QueryIdentity()
    writer = (
        output.writeStream.queryName(name)
        .outputMode(output_mode)
        .foreachBatch(lambda batch, batch_id: write_batch(batch, batch_id, sinks, query.get()))
        .option("checkpointLocation", checkpoint)
    )
    started = with_trigger(writer, trigger).start()
    query.set(str(started.id))
    return started


def await_queries(
    queries: Sequence[StreamingQuery],
    stop: threading.Event,
    *,
    poll_seconds: float = 1.0,
    err: TextIO | None = None,
) -> int:
    """Waits until every query has ended, one has failed or ``stop`` is set; then stops the
    queries still running (each after its current batch).

    Returns the job's exit code: 1 when a query failed (each failure is printed to ``err``),
    else 0. One failed query ends the job: a long-running job does not go on without it.
    """
    while not stop.is_set() and any(q.isActive for q in queries):
        if any(q.exception() is not None for q in queries):
            break
        for q in queries:
            if q.isActive:
                try:
                    # Seconds, a float too (pyspark's annotation says int).
                    q.awaitTermination(poll_seconds)  # type: ignore[arg-type]
                except StreamingQueryException:
                    break  # reported below
    for q in queries:
        if q.isActive:
            q.stop()
    failed = [q for q in queries if q.exception() is not None]
    for q in failed:
        print(f"query {q.name} failed: {q.exception()}", file=err or sys.stderr)
    return 1 if failed else 0


@dataclass(frozen=True)
class Progress:
    """Where a job publishes its progress (see pipegen_runtime.spark.progress)."""

    pipeline: str
    job: str
    checkpoint_root: str
    #: The job's Kafka options (Spark's, "kafka."-prefixed): the client that commits offsets.
    kafka: Mapping[str, str]


def run(
    app_name: str,
    shuffle_partitions: int,
    start: Callable[[SparkSession], Sequence[StreamingQuery]],
    progress: Progress | None = None,
) -> int:
    """Runs a job: the session, its queries from ``start``, until they end or SIGTERM.

    With ``progress``, a listener commits the processed offsets to the job's consumer group
    and writes its last progress beside its checkpoints after every micro-batch. SIGTERM
    stops the queries gracefully after their current batch. Returns the exit code (see
    await_queries); the session is stopped however the job ends.
    """
    spark = session(app_name, shuffle_partitions)
    publisher = None
    if progress is not None:
        from pipegen_runtime.spark.progress import listener

        publisher = listener(
            spark,
            pipeline=progress.pipeline,
            job=progress.job,
            checkpoint_root=progress.checkpoint_root,
            kafka=progress.kafka,
        )
        spark.streams.addListener(publisher)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        queries = start(spark)
        code = await_queries(queries, stop)
        if publisher is not None:
            # The listener bus is asynchronous: the last batch's event may come after the end
            # (an available-now job's last batch is the one that matters).
            publisher.flush(queries)
        return code
    finally:
        spark.stop()
