"""Where a test replaces what a generated job reads and writes, in one place.

While ``installed()`` is active, the runtime's seams do a test's bidding instead of touching
Kafka, databases or files:

- ``source.read_topic`` reads the test's batches (feed.py: one given batch per micro-batch);
- ``source.writer_schemas`` asks no registry: the given records are written with the job's
  own schema, under schema id WRITER_ID;
- ``dead_letters.start`` collects the job's own dead-letter records (key, value, headers);
- every batch sink's ``prepare`` creates nothing and its ``send`` collects the rows the sink
  received (after the sink's own ``select``: per key, the latest record of a batch, ...);
- a file sink's ``prepare`` checks nothing and ``start`` collects what it would append;
- every query's name gets the run's tag (tests running at once share one session).

The job's ``start_queries`` runs unchanged: it is called inside ``Run.starting()``, so every
sink it prepares and every query it starts is the run's.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pipegen_runtime.testing import feed
from pipegen_runtime.testing.collect import SinkTable, dead_letter_rows, plain_rows

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.streaming import StreamingQuery


class Run:
    """One test's run of a job: its batches' folder, its sinks and what they received."""

    def __init__(self, folder: str, topic: str, sinks: list[dict[str, Any]], tag: str = "") -> None:
        #: Added to the job's query names: tests run at once share the session, and a
        #: session's active queries need names of their own.
        self.tag = tag
        self.folder = folder
        self.topic = topic
        self.plan_sinks = sinks
        self.tables = {s["name"]: SinkTable(s["name"], s["mode"], s.get("key", [])) for s in sinks}
        self.unmatched: list[str] = []
        self.dead: list[dict[str, Any]] = []
        self.dead_lock = threading.Lock()
        self.queries: list[StreamingQuery] = []

    def table_of(self, sink: object) -> SinkTable | None:
        """The table of the plan's sink this job sink is (by class and one attribute)."""
        for s in self.plan_sinks:
            match = s["match"]
            if (
                type(sink).__name__ == match["class"]
                and getattr(sink, match["attr"], None) == match["value"]
            ):
                return self.tables[s["name"]]
        return None

    def matched(self) -> list[str]:
        """The plan's sinks the job has (a sink of the job registered for each)."""
        mine = {id(t) for r, t in _sinks.values() if r is self and t is not None}
        return [name for name, t in self.tables.items() if id(t) in mine]

    @contextlib.contextmanager
    def starting(self) -> Iterator[None]:
        """While the job starts its queries, what it prepares and starts is this run's."""
        with _lock:
            _state.current = self
            try:
                yield
            finally:
                _state.current = None


class _State(threading.local):
    current: Run | None = None


_state = _State()
_lock = threading.Lock()
#: Sink objects (by id) of every run started, and where their rows go.
_sinks: dict[int, tuple[Run, SinkTable | None]] = {}


def _current(what: str) -> Run:
    run = _state.current
    if run is None:
        raise RuntimeError(f"pipegen test: {what} outside a test run")
    return run


def _register(sink: object) -> None:
    run = _current(f"a sink ({type(sink).__name__})")
    table = run.table_of(sink)
    if table is None:
        run.unmatched.append(type(sink).__name__)
    _sinks[id(sink)] = (run, table)


def _read_topic(spark: SparkSession, kafka: dict[str, str], topic: str, **_: Any) -> DataFrame:
    run = _current("reading the source topic")
    return feed.read(spark, run.folder, topic)


#: The schema id of the given records' wire format (src/testing/encode.ts writes it).
WRITER_ID = 1


def _writer_schemas(registry_url: str, subject: str, reader: str, **_: Any) -> dict[int, str]:
    return {WRITER_ID: reader}


def _collect_dead(run: Run, frame: DataFrame, batch_id: int) -> None:
    rows = dead_letter_rows(frame)
    with run.dead_lock:
        run.dead.extend(rows)


def _dead_letters_start(
    checked: DataFrame,
    kafka: dict[str, str],
    topic: str,
    *,
    stream: str,
    name: str,
    checkpoint: str,
    trigger: Any,
) -> StreamingQuery:
    from pipegen_runtime.spark import dead_letters

    run = _current("starting the dead-letter query")
    query = (
        dead_letters.records(checked, stream)
        .writeStream.queryName(name + run.tag)
        .foreachBatch(lambda frame, batch_id: _collect_dead(run, frame, batch_id))
        .option("checkpointLocation", checkpoint)
        .trigger(**trigger)
        .start()
    )
    run.queries.append(query)
    return query


def _prepare(self: object, spark: SparkSession) -> None:
    _register(self)


def _send(self: object, rows: DataFrame, batch_id: int, query_id: str) -> None:
    _run, table = _sinks[id(self)]
    if table is not None:
        table.write(plain_rows(rows))


def _file_start(self: Any, frame: DataFrame, trigger: Any) -> StreamingQuery:
    run, table = _sinks[id(self)]
    rows = frame.select(*self.columns) if self.columns is not None else frame
    query = (
        rows.writeStream.queryName(self.name + run.tag)
        .outputMode("append")
        .foreachBatch(lambda batch, _id: table.write(plain_rows(batch)) if table else None)
        .option("checkpointLocation", self.checkpoint)
        .trigger(**trigger)
        .start()
    )
    run.queries.append(query)
    return query


def _batch_sinks_starter(original: Any) -> Any:
    def start(output: DataFrame, sinks: Any, *, name: str, **kwargs: Any) -> StreamingQuery:
        run = _current("starting the sinks query")
        query: StreamingQuery = original(output, sinks, name=name + run.tag, **kwargs)
        return query

    return start


def _subclasses(cls: type) -> list[type]:
    out: list[type] = []
    subs: list[type] = cls.__subclasses__()
    for sub in subs:
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


@contextlib.contextmanager
def installed() -> Iterator[None]:
    """The runtime's seams replaced (see the module's docstring); restored on exit."""
    from pipegen_runtime.spark import dead_letters, jobs, sinks, source
    from pipegen_runtime.spark.sinks.base import BatchSink

    patches: list[tuple[object, str, object]] = [
        (source, "read_topic", _read_topic),
        (source, "writer_schemas", _writer_schemas),
        (jobs, "start_batch_sinks", _batch_sinks_starter(jobs.start_batch_sinks)),
        (dead_letters, "start", _dead_letters_start),
        (sinks.FileSink, "prepare", _prepare),
        (sinks.FileSink, "start", _file_start),
    ]
    for cls in _subclasses(BatchSink):
        patches += [(cls, "prepare", _prepare), (cls, "send", _send)]
    # What each object had itself (a subclass may inherit the method it gets patched over).
    saved = [(obj, attr, vars(obj).get(attr)) for obj, attr, _ in patches]
    try:
        for obj, attr, new in patches:
            setattr(obj, attr, new)
        yield
    finally:
        for obj, attr, old in reversed(saved):
            if old is None:
                delattr(obj, attr)
            else:
                setattr(obj, attr, old)
        _sinks.clear()
