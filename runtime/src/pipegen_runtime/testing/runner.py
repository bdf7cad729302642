"""Runs the tests of one `pipegen test` run in one local Spark session.

    python -m pipegen_runtime.testing.runner PLAN.json RESULTS.jsonl

PLAN.json (written by pipegen) has ``tests``, each with ``id``, ``job`` (the path of the
stream's generated job), ``topic``, ``batches`` (lists of Kafka records: base64 ``key`` and
``value``, ``partition``, ``offset``, ``timestamp`` in epoch milliseconds), ``sinks`` (``name``,
``mode``: append or upsert, ``key``, and ``match``: the class and one attribute that tell the
job's sink object), ``lookups`` (rows of each lookup join's table by the job's lookup name)
and ``env`` (values for the environment variables the job reads when it builds its sinks:
placeholders, nothing is connected to); and ``session`` (``jars``, ``packages`` with the
``ivy`` folder Spark fetches them into, ``shufflePartitions``, ``parallel``: how many tests
run at once).

Each test: its job is loaded as a module of its own, its ``start_queries`` runs with the
runtime's seams replaced (seams.py) and a fresh checkpoint folder, then its batches are
released one at a time, each processed to the end by every query (a given batch is one
micro-batch, and Spark's no-data batches move watermarks on as in production). RESULTS gets
one JSON line per test: ``id``, ``sinks`` (rows by sink name), ``deadLetters``, ``matched``
(the plan's sinks the job has), ``unmatched`` (sinks of the job no plan sink named),
``error`` (null, or why the job failed), ``seconds``.
Progress lines go to stderr, each starting with "pipegen-test: ".
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any

from pyspark.sql import DataFrame, SparkSession

from pipegen_runtime.testing import feed, seams

if TYPE_CHECKING:
    from pyspark.sql.streaming.query import StreamingQuery

#: The trigger of a test's queries: as soon as there is something to do.
TRIGGER = {"processingTime": "0 seconds"}


def progress(message: str) -> None:
    print(f"pipegen-test: {message}", file=sys.stderr, flush=True)


def timing(test: str, what: str, started: float) -> None:
    """With PIPEGEN_TEST_TIMING set, when each phase of a test ended."""
    if os.environ.get("PIPEGEN_TEST_TIMING"):
        progress(f"{test}: {what} at {time.monotonic() - started:.2f}s")


def session(options: dict[str, Any], local_dir: str) -> SparkSession:
    """One local session for every test of the run, UTC as the jobs run."""
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("pipegen-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.sql.shuffle.partitions", str(options.get("shufflePartitions", 1)))
        .config("spark.default.parallelism", "2")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.local.dir", local_dir)
        .config("spark.sql.streaming.pollingDelay", "20ms")
    )
    jars = options.get("jars") or []
    if jars:
        builder = builder.config("spark.jars", ",".join(jars))
    packages = options.get("packages") or []
    if packages:
        # Fetched by Spark (Ivy) on first use, from then on from the cache folder.
        builder = builder.config("spark.jars.packages", ",".join(packages))
        if options.get("ivy"):
            builder = builder.config("spark.jars.ivy", options["ivy"])
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def load_job(path: str, name: str) -> ModuleType:
    """A generated job file as a module of its own (two tests of one job share nothing)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _type_of(values: list[Any]) -> str:
    """A lookup column's Spark type from its values, as JSON would give it."""
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool} and kinds:
        return "boolean"
    if kinds <= {int}:
        return "long" if kinds else "string"
    if kinds <= {int, float}:
        return "double"
    return "string"


def lookup_frame(spark: SparkSession, columns: list[str], rows: list[dict[str, Any]]) -> DataFrame:
    """A lookup table from the test's rows, with the join's columns (a column no row names is
    null; types as JSON gives them). Made on the driver: no Python worker is started."""
    types = [_type_of([r.get(c) for r in rows]) for c in columns]
    schema = ", ".join(f"`{c}` {t}" for c, t in zip(columns, types, strict=True))
    cast = {"string": str, "double": float, "long": int, "boolean": bool}
    data = [
        tuple(
            None if r.get(c) is None else cast[t](r[c]) for c, t in zip(columns, types, strict=True)
        )
        for r in rows
    ]
    return spark.createDataFrame(data, schema)


def _stop(queries: list[StreamingQuery]) -> None:
    for q in queries:
        with contextlib.suppress(Exception):  # a failed query is reported from its exception
            q.stop()


def _error(queries: list[StreamingQuery], exc: BaseException | None) -> str | None:
    failed = [q.exception() for q in queries if q.exception() is not None]
    if failed:
        return str(failed[0]).split("\n=== Streaming Query ===")[0].strip()
    if exc is not None:
        return "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return None


def run_test(spark: SparkSession, test: dict[str, Any], folder: str, index: int) -> dict[str, Any]:
    """One test (see the module's docstring); never raises for a failing job."""
    started = time.monotonic()
    feed.write_batches(folder, test["batches"])
    for name, value in test.get("env", {}).items():
        os.environ.setdefault(name, value)
    run = seams.Run(folder, test["topic"], test["sinks"], f" [{os.path.basename(folder)}]")
    queries: list[StreamingQuery] = []
    exc: BaseException | None = None
    try:
        job = load_job(test["job"], f"pipegen_test_job_{index}")
        for name, lookup in test.get("lookups", {}).items():
            frame = lookup_frame(spark, lookup["columns"], lookup["rows"])
            setattr(job, f"lookup_{name}", lambda frame=frame: frame)
        # A job that reads Avro asks the registry for SUBJECT's versions: the seams answer.
        registry = ["--schema-registry-url", "pipegen-test:8081"] if hasattr(job, "SUBJECT") else []
        args = job.parse_args(
            [
                "--bootstrap-servers",
                "pipegen-test:9092",
                "--checkpoint-root",
                f"{folder}/checkpoints",
                *registry,
            ]
        )
        args.trigger = TRIGGER
        with run.starting():
            queries = list(job.start_queries(spark, args))
        timing(test["id"], "queries started", started)
        for k in range(len(test["batches"])):
            feed.release(folder, k)
            for q in queries:
                q.processAllAvailable()
            timing(test["id"], f"batch {k + 1} processed", started)
    except Exception as e:  # noqa: BLE001  (the job's failure is the test's result)
        exc = e
    error = _error(queries, exc)
    _stop(queries)
    return {
        "id": test["id"],
        "sinks": {name: table.rows() for name, table in run.tables.items()},
        "deadLetters": run.dead,
        "matched": run.matched(),
        "unmatched": run.unmatched,
        "error": error,
        "seconds": round(time.monotonic() - started, 3),
    }


def run_all(spark: SparkSession, plan: dict[str, Any], work: str, out: IO[str]) -> None:
    """Every test, ``parallel`` at a time (their queries share the session's cores)."""
    lock = threading.Lock()

    def one(index: int, test: dict[str, Any]) -> None:
        progress(f"running {test['id']}")
        result = run_test(spark, test, os.path.join(work, f"test-{index}"), index)
        with lock:
            out.write(json.dumps(result) + "\n")
            out.flush()
        progress(f"done {test['id']} in {result['seconds']}s")

    parallel = max(1, int(plan.get("session", {}).get("parallel", 1)))
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        for future in [pool.submit(one, i, t) for i, t in enumerate(plan["tests"])]:
            future.result()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(
            "usage: python -m pipegen_runtime.testing.runner PLAN.json RESULTS.jsonl",
            file=sys.stderr,
        )
        return 2
    with open(argv[0], encoding="utf-8") as f:
        plan = json.load(f)
    work = tempfile.mkdtemp(prefix="pipegen-test-")
    try:
        progress("starting Spark")
        t0 = time.monotonic()
        spark = session(plan.get("session", {}), os.path.join(work, "spark-local"))
        progress(f"Spark started in {time.monotonic() - t0:.1f}s")
        with seams.installed(), open(argv[1], "a", encoding="utf-8") as out:
            run_all(spark, plan, work, out)
        spark.stop()
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
