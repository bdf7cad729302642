"""A job's progress, published where monitoring tools read it.

Every generated job registers a ProgressListener (a StreamingQueryListener) with its
session. After each micro-batch of any of its queries it

- commits the offsets the job has processed to the Kafka consumer group
  ``pipegen.<pipeline>.<job>`` (consumer_group()): per partition the smallest end offset
  of the job's queries that read it, so a record counts as processed once every query of
  the job has processed it. The group has no members (nothing subscribes); standard lag
  tools (kafka-consumer-groups.sh --describe, an admin client's
  list_consumer_group_offsets) show its lag behind the topic's end;
- writes the last progress as JSON to ``<checkpoint root>/<pipeline>/<job>/_progress.json``
  (progress_path()), beside the queries' checkpoints: per query the batch, its time, its
  duration, the input and processing rates, the end offsets and, per partition, how far
  they are behind the topic's latest offset. The file is replaced atomically on local disk
  (write a temporary file, then rename) and on S3 (one PUT, through Hadoop's s3a file
  system); other Hadoop file systems (hdfs://) get a temporary file renamed over it.

Neither step ever fails the job: an error is printed to stderr and the next batch tries
again. The commit needs confluent-kafka on the driver; without it only the file is written.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql.streaming import StreamingQueryListener

#: The file beside a job's checkpoints that holds its last progress.
PROGRESS_FILE = "_progress.json"

#: topic -> partition -> offset, as Spark's Kafka source writes its offsets.
Offsets = dict[str, dict[int, int]]


def consumer_group(pipeline: str, job: str) -> str:
    """The Kafka consumer group a job commits its processed offsets to."""
    return f"pipegen.{pipeline}.{job}"


def progress_path(checkpoint_root: str, pipeline: str, job: str) -> str:
    """Where a job writes its last progress: beside its queries' checkpoints."""
    return f"{checkpoint_root.rstrip('/')}/{pipeline}/{job}/{PROGRESS_FILE}"


def parse_offsets(text: str | Mapping[str, Any] | None) -> Offsets:
    """A Kafka source's offsets ('{"topic": {"0": 12}}', or that JSON already parsed, as the
    progress's JSON has it); {} for anything else (no batch yet)."""
    if isinstance(text, Mapping):
        value: Any = text
    else:
        try:
            value = json.loads(text or "")
        except ValueError:
            return {}
    if not isinstance(value, dict):
        return {}
    offsets: Offsets = {}
    for topic, partitions in value.items():
        if isinstance(partitions, dict):
            offsets[str(topic)] = {
                int(p): int(o) for p, o in partitions.items() if isinstance(o, int) and o >= 0
            }
    return offsets


def behind_latest(end: Offsets, latest: Offsets) -> Offsets:
    """Per partition, how many offsets the end is behind the latest (when both are known)."""
    return {
        topic: {
            p: max(0, latest[topic][p] - o) for p, o in parts.items() if p in latest.get(topic, {})
        }
        for topic, parts in end.items()
    }


def slowest(offsets: Iterable[Offsets]) -> Offsets:
    """Per partition the smallest offset: what every query has processed."""
    result: Offsets = {}
    for one in offsets:
        for topic, parts in one.items():
            mine = result.setdefault(topic, {})
            for p, o in parts.items():
                mine[p] = min(o, mine.get(p, o))
    return result


def query_progress(progress: Mapping[str, Any]) -> dict[str, Any]:
    """What the JSON file keeps of a query's progress event."""
    sources = []
    for s in progress.get("sources") or []:
        end = parse_offsets(s.get("endOffset"))
        sources.append(
            {
                "description": s.get("description"),
                "endOffset": {t: {str(p): o for p, o in ps.items()} for t, ps in end.items()},
                "offsetsBehindLatest": {
                    t: {str(p): o for p, o in ps.items()}
                    for t, ps in behind_latest(end, parse_offsets(s.get("latestOffset"))).items()
                },
                "numInputRows": s.get("numInputRows"),
                "inputRowsPerSecond": s.get("inputRowsPerSecond"),
                "processedRowsPerSecond": s.get("processedRowsPerSecond"),
            }
        )
    return {
        "id": str(progress.get("id")),
        "runId": str(progress.get("runId")),
        "batchId": progress.get("batchId"),
        "batchTime": progress.get("timestamp"),
        "batchDurationMs": progress.get("batchDuration"),
        "numInputRows": progress.get("numInputRows"),
        "inputRowsPerSecond": progress.get("inputRowsPerSecond"),
        "processedRowsPerSecond": progress.get("processedRowsPerSecond"),
        "sources": sources,
    }


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def local_path(path: str) -> str | None:
    """The local path of a file: URI or a path without a scheme; None for another scheme."""
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", path)
    if scheme is None or len(scheme.group(1)) == 1:  # (C:\ on Windows)
        return path
    if scheme.group(1).lower() != "file":
        return None
    rest = path[len(scheme.group(0)) :]
    return "/" + rest.lstrip("/") if rest.startswith("/") else rest


def write_local(path: str, text: str) -> None:
    """Replaces the file atomically: a temporary file in its folder, renamed over it."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def hadoop_writer(spark: SparkSession) -> Callable[[str, str], None]:
    """Writes through Hadoop's file system of the path (s3a://, hdfs://) from the driver's JVM."""

    def write(path: str, text: str) -> None:
        jvm = spark.sparkContext._jvm
        if jvm is None:
            raise RuntimeError(f"cannot write {path}: the Spark driver's JVM is not running")
        conf = spark.sparkContext._jsc.hadoopConfiguration()
        target = jvm.org.apache.hadoop.fs.Path(path)
        fs = target.getFileSystem(conf)
        data = bytearray(text.encode("utf-8"))
        if path.startswith("s3"):
            # An S3 object appears whole when its upload completes: one overwrite is atomic.
            out = fs.create(target, True)
            out.write(data)
            out.close()
            return
        temp = jvm.org.apache.hadoop.fs.Path(f"{path}.tmp")
        out = fs.create(temp, True)
        out.write(data)
        out.close()
        fs.delete(target, False)
        fs.rename(temp, target)

    return write


def kafka_client_config(options: Mapping[str, str]) -> dict[str, str]:
    """librdkafka settings from Spark's Kafka options (kafka.bootstrap.servers, SASL/JAAS)."""
    config = {"bootstrap.servers": options["kafka.bootstrap.servers"]}
    if "kafka.security.protocol" in options:
        config["security.protocol"] = options["kafka.security.protocol"]
    if "kafka.sasl.mechanism" in options:
        config["sasl.mechanism"] = options["kafka.sasl.mechanism"]
        jaas = options.get("kafka.sasl.jaas.config", "")
        for key in ("username", "password"):
            m = re.search(key + r'="((?:[^"\\]|\\.)*)"', jaas)
            if m:
                config[f"sasl.{key}"] = re.sub(r"\\(.)", r"\1", m.group(1))
    return config


class OffsetCommitter:
    """Commits offsets to a consumer group without joining it (a consumer that never subscribes)."""

    def __init__(self, config: Mapping[str, str], group: str) -> None:
        from confluent_kafka import Consumer

        self.group = group
        self._consumer = Consumer(
            {**config, "group.id": group, "enable.auto.commit": "false"}, logger=None
        )

    def commit(self, offsets: Offsets) -> None:
        from confluent_kafka import TopicPartition

        partitions = [
            TopicPartition(topic, p, o)
            for topic, parts in sorted(offsets.items())
            for p, o in sorted(parts.items())
        ]
        if partitions:
            self._consumer.commit(offsets=partitions, asynchronous=False)

    def close(self) -> None:
        self._consumer.close()


class JvmCallbacks:
    """What the driver's JVM calls back (py4j) for a ProgressListener.

    pyspark's own callbacks turn every event into Python objects field by field, a py4j round
    trip per field, map entry and state operator (a few hundred per progress event), and do so
    for started and idle events too. These read a progress event as one JSON string (what
    StreamingQueryProgress.json gives) and ignore the other events.
    """

    def __init__(self, listener: ProgressListener) -> None:
        self._listener = listener

    def onQueryStarted(self, jevent: Any) -> None:
        pass

    def onQueryProgress(self, jevent: Any) -> None:
        try:
            progress = json.loads(jevent.progress().json())
        except Exception as e:  # noqa: BLE001 - never fail the job
            self._listener._warn("reading a query's progress", e)
            return
        self._listener.record(progress)

    def onQueryIdle(self, jevent: Any) -> None:
        pass

    def onQueryTerminated(self, jevent: Any) -> None:
        pass

    class Java:
        implements = ["org.apache.spark.sql.streaming.PythonStreamingQueryListener"]


def last_progress(query: Any) -> Mapping[str, Any] | None:
    """A query's last progress as JSON (one py4j call), or its lastProgress for another object."""
    jsq = getattr(query, "_jsq", None)
    if jsq is None:
        last: Mapping[str, Any] | None = query.lastProgress
        return last
    jprogress = jsq.lastProgress()
    return None if jprogress is None else json.loads(jprogress.json())


class ProgressListener(StreamingQueryListener):
    """Publishes a job's progress after every micro-batch (see the module's doc).

    Registered with spark.streams.addListener, the JVM calls it through JvmCallbacks (see
    _jlistener); onQueryProgress is what another caller (Spark Connect) would call.
    """

    def __init__(
        self,
        *,
        group: str,
        path: str,
        commit: Callable[[Offsets], None] | None,
        write: Callable[[str, str], None],
        err: Any = None,
    ) -> None:
        self.group = group
        self.path = path
        self._commit = commit
        self._write = write
        self._err = err
        self._lock = threading.Lock()
        self._queries: dict[str, dict[str, Any]] = {}
        self._ends: dict[str, Offsets] = {}
        self._committed: Offsets = {}
        self._jvm_listener: Any = None

    @property
    def _jlistener(self) -> Any:
        """The JVM side pyspark's addListener/removeListener register: JvmCallbacks, wrapped."""
        if self._jvm_listener is None:
            from pyspark import SparkContext

            jvm: Any = SparkContext._jvm
            self._jvm_listener = jvm.PythonStreamingQueryListenerWrapper(JvmCallbacks(self))
        return self._jvm_listener

    def _warn(self, what: str, e: BaseException) -> None:
        print(f"pipegen progress: {what} failed: {e}", file=self._err or sys.stderr)

    def onQueryStarted(self, event: Any) -> None:
        pass

    def onQueryProgress(self, event: Any) -> None:
        self.record(event.progress)

    def onQueryIdle(self, event: Any) -> None:
        pass

    def onQueryTerminated(self, event: Any) -> None:
        pass

    def flush(self, queries: Iterable[Any]) -> None:
        """Records each query's last progress (when it has one): the end of a job."""
        for query in queries:
            try:
                last = last_progress(query)
            except Exception as e:  # noqa: BLE001 - never fail the job
                self._warn("reading a query's last progress", e)
                continue
            if last:
                self.record(last)

    def record(self, progress: Mapping[str, Any]) -> None:
        """Takes one query's progress: commits what the job has processed, writes the file."""
        name = str(progress.get("name") or progress.get("id"))
        ends = slowest(parse_offsets(s.get("endOffset")) for s in progress.get("sources") or [])
        with self._lock:
            self._queries[name] = query_progress(progress)
            if ends:
                self._ends[name] = ends
            processed = slowest(self._ends.values())
            changed = processed != self._committed
            document = {
                "consumerGroup": self.group,
                "updatedAt": now_iso(),
                "processedOffsets": {
                    t: {str(p): o for p, o in sorted(ps.items())}
                    for t, ps in sorted(processed.items())
                },
                "queries": dict(sorted(self._queries.items())),
            }
            if changed and self._commit is not None:
                try:
                    self._commit(processed)
                    self._committed = processed
                except Exception as e:  # noqa: BLE001 - never fail the job
                    self._warn(f"committing offsets to consumer group {self.group}", e)
            try:
                self._write(self.path, json.dumps(document, indent=2, sort_keys=True) + "\n")
            except Exception as e:  # noqa: BLE001
                self._warn(f"writing {self.path}", e)


def listener(
    spark: SparkSession,
    *,
    pipeline: str,
    job: str,
    checkpoint_root: str,
    kafka: Mapping[str, str],
) -> ProgressListener:
    """A job's listener: its consumer group, its progress file, its Kafka client."""
    group = consumer_group(pipeline, job)
    path = progress_path(checkpoint_root, pipeline, job)
    local = local_path(path)
    write: Callable[[str, str], None] = (
        (lambda _p, text: write_local(local, text)) if local is not None else hadoop_writer(spark)
    )
    commit: Callable[[Offsets], None] | None
    try:
        commit = OffsetCommitter(kafka_client_config(kafka), group).commit
    except ImportError as e:
        print(
            f"pipegen progress: no offsets committed to {group} ({e}): install confluent-kafka",
            file=sys.stderr,
        )
        commit = None
    return ProgressListener(group=group, path=path, commit=commit, write=write)
