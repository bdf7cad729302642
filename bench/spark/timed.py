"""Runs a PySpark streaming job script unchanged and reports how long its streaming queries ran.

    spark-submit ... bench/spark/timed.py JOB.py [job arguments...]

The job runs as __main__ (runpy), exactly as spark-submit would run it. Two pyspark methods are
wrapped, for every job alike:
  - DataStreamWriter.start: the first call starts the clock (the JVM, the SparkSession and the
    Kafka/JDBC classes are loaded by then) and registers a StreamingQueryListener that sums each
    query's progress (input rows, micro-batches, durationMs by phase, state rows);
  - SparkSession.stop: the first call after the queries started stops the clock (the job calls it
    when its queries have terminated), then waits for the listener's last events.
Both moments also sample the CPU time (user + system, including reaped children) of the job's
process tree (the driver JVM, this Python driver, the Python workers) and of the whole machine
(/proc/stat), so that a run slowed down by other processes on the machine can be recognised
and compared by CPU time. At exit it prints one line `PIPEGEN_BENCH {json}` on stdout. With BENCH_EXPLAIN_FILE set it also
writes the last executed plan of every query (StreamingQuery.explain(extended=True)) there.
"""

import json
import os
import runpy
import sys
import threading
import time

from pyspark.sql import SparkSession
from pyspark.sql.streaming.listener import StreamingQueryListener
from pyspark.sql.streaming.readwriter import DataStreamWriter

T_LAUNCH = time.monotonic()
TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu_s() -> float:
    """CPU seconds of the driver JVM (this process's parent) and all its descendants."""
    root = os.getppid()
    stats = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # after "(comm)": state ppid ... utime(14) stime cutime cstime (1-based in proc(5))
            stats[int(name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    children = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += stats.get(pid, (0, 0))[1]
        todo.extend(children.get(pid, []))
    return total / TICK


def machine_cpu_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine since boot, over all CPUs."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]  # idle + iowait
    return (sum(v[:8]) - idle) / TICK, sum(v[:8]) / TICK


def sample() -> dict:
    busy, total = machine_cpu_s()
    return {"t": time.monotonic(), "tree": tree_cpu_s(), "busy": busy, "total": total}


state = {
    "s0": None,
    "s_end": None,
    "t0": None,
    "t_end": None,
    "queries": [],
    "progress": {},
    "terminated": {},
}
lock = threading.Lock()
all_terminated = threading.Event()


class Listener(StreamingQueryListener):
    def onQueryStarted(self, event):
        pass

    def onQueryProgress(self, event):
        p = event.progress
        with lock:
            q = state["progress"].setdefault(
                str(p.id),
                {
                    "name": p.name,
                    "batches": 0,
                    "emptyBatches": 0,
                    "inputRows": 0,
                    "durationMs": {},
                    "stateRowsTotal": 0,
                    "stateMemoryBytes": 0,
                    "sinkRows": 0,
                },
            )
            q["batches"] += 1
            q["emptyBatches"] += 1 if p.numInputRows == 0 else 0
            q["inputRows"] += p.numInputRows
            for k, v in p.durationMs.items():
                q["durationMs"][k] = q["durationMs"].get(k, 0) + int(v)
            if p.stateOperators:
                q["stateRowsTotal"] = sum(s.numRowsTotal for s in p.stateOperators)
                q["stateMemoryBytes"] = sum(s.memoryUsedBytes for s in p.stateOperators)
            q["sinkRows"] += max(0, int(p.sink.numOutputRows))  # -1: not reported

    def onQueryIdle(self, event):
        pass

    def onQueryTerminated(self, event):
        with lock:
            state["terminated"][str(event.id)] = event.exception
            if len(state["terminated"]) >= len(state["queries"]):
                all_terminated.set()


_start = DataStreamWriter.start


def start(self, *args, **kwargs):
    if state["t0"] is None:
        self._spark.streams.addListener(Listener())
        state["s0"] = sample()
        state["t0"] = state["s0"]["t"]
    query = _start(self, *args, **kwargs)
    state["queries"].append(query)
    return query


_stop = SparkSession.stop


def stop(self):
    if state["t0"] is not None and state["t_end"] is None:
        state["s_end"] = sample()
        state["t_end"] = state["s_end"]["t"]
        all_terminated.wait(30)
        explain_file = os.environ.get("BENCH_EXPLAIN_FILE")
        if explain_file:
            with open(explain_file, "w") as f:
                for q in state["queries"]:
                    f.write(f"===== query {q.name} =====\n")
                    f.write(q._jsq.explainInternal(True))
                    f.write("\n\n")
    return _stop(self)


DataStreamWriter.start = start
SparkSession.stop = stop


def report(exit_code) -> None:
    t0, t_end = state["t0"], state["t_end"]
    out = {
        "exitCode": exit_code,
        # from the first query's start to the job's spark.stop() after all queries ended
        "queryWallS": None if t0 is None or t_end is None else t_end - t0,
        # from this wrapper's start (the driver's Python, after the JVM is up) to the first start()
        "setupS": None if t0 is None else t0 - T_LAUNCH,
        "cpus": os.cpu_count(),
        "queries": list(state["progress"].values()),
        "terminatedWithError": [str(e) for e in state["terminated"].values() if e],
    }
    s0, s1 = state["s0"], state["s_end"]
    if s0 and s1:
        wall = s1["t"] - s0["t"]
        job_cpu = s1["tree"] - s0["tree"]
        machine_busy = s1["busy"] - s0["busy"]
        # CPU seconds of the job's process tree between the first start() and stop()
        out["queryCpuS"] = job_cpu
        # the share of the machine's CPU capacity that other processes used meanwhile
        out["othersCpuShare"] = max(0.0, machine_busy - job_cpu) / max(
            1e-9, s1["total"] - s0["total"]
        )
        with open("/proc/loadavg") as f:
            out["loadavg"] = f.read().split()[:3]
        out["jobCpuShare"] = job_cpu / max(1e-9, wall * (os.cpu_count() or 1))
    print("PIPEGEN_BENCH " + json.dumps(out), flush=True)


def main() -> None:
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    code = 0
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        if code:
            report(code)
            raise
    report(code)
    sys.exit(code)


if __name__ == "__main__":
    main()
