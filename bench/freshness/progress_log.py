"""Runs a generated PySpark job script unchanged and logs every StreamingQueryProgress it makes.

    BENCH_PROGRESS_FILE=out.jsonl spark-submit ... progress_log.py JOB.py [job arguments...]

The job runs as __main__ (runpy), as spark-submit would run it. When it starts its first query
(DataStreamWriter.start) a StreamingQueryListener is added that appends each progress event's
JSON (batch id, trigger time, durationMs by phase, input rows, offsets) as one line to
BENCH_PROGRESS_FILE, and a line {"event": "started" | "idle", "id": ...} for a query's start
(with its name) and for a trigger that found no new data. The job's own listener (pipegen-runtime's progress module, which commits
the consumer group and writes _progress.json) is untouched; this one only keeps every event,
where _progress.json keeps the last.
"""

import json
import os
import runpy
import sys
import threading

from pyspark.sql.streaming.listener import StreamingQueryListener
from pyspark.sql.streaming.readwriter import DataStreamWriter

lock = threading.Lock()


class Listener(StreamingQueryListener):
    def __init__(self, path: str) -> None:
        self.path = path

    def write(self, line: str) -> None:
        with lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(line + "\n")

    def onQueryStarted(self, event):
        self.write(
            json.dumps({"event": "started", "id": str(event.id), "name": event.name})
        )

    def onQueryProgress(self, event):
        self.write(event.progress.json.replace("\n", " "))

    def onQueryIdle(self, event):
        self.write(json.dumps({"event": "idle", "id": str(event.id)}))

    def onQueryTerminated(self, event):
        pass


_start = DataStreamWriter.start
added = []


def start(self, *args, **kwargs):
    if not added:
        added.append(Listener(os.environ["BENCH_PROGRESS_FILE"]))
        self._spark.streams.addListener(added[0])
    return _start(self, *args, **kwargs)


DataStreamWriter.start = start

if __name__ == "__main__":
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(script, run_name="__main__")
