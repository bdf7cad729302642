"""pipegen test's runner: the feed gives one given batch per micro-batch, the seams collect
what a job's sinks and dead letters receive, a whole test runs through a job's own
start_queries (a small job written as the generated ones are)."""

from __future__ import annotations

import base64
import json
import textwrap
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from pipegen_runtime.spark import dead_letters, source
from pipegen_runtime.spark.sinks import JdbcTableSink, KafkaSink
from pipegen_runtime.testing import collect, feed, runner, seams

JOB = """
import argparse
import sys

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pipegen_runtime.spark import dead_letters, decoding, jobs, sinks, source

PIPELINE = "p"
STREAM = "s"
JOB_NAME = f"{PIPELINE}.{STREAM}"
SINK_COLUMNS = ["window_start", "customer", "n"]
SCHEMA = T.StructType(
    [
        T.StructField("id", T.LongType(), False),
        T.StructField("customer", T.StringType(), False),
        T.StructField("at", T.TimestampType(), False),
    ]
)


def parse_args(argv):
    return jobs.stream_arguments(
        argv, "test job", bootstrap_servers=None, checkpoint_root=None,
        max_offsets_per_trigger=None, trigger={"processingTime": "1 minutes"},
    )


def read_source(spark, args):
    return source.read_topic(spark, {}, "orders")


def decode(raw):
    decoded = decoding.decode_json(raw, SCHEMA)
    return decoding.check(
        decoded, [F.when(F.col("customer") == "bad", F.lit("no_bad: customer is bad"))]
    )


def lookup_step_2():
    raise RuntimeError("a test replaces the lookup")


def transform(df):
    df = df.join(lookup_step_2(), on=["customer"], how="inner")
    df = df.withWatermark("at", "10 minutes")
    df = df.groupBy(F.window("at", "1 minute"), F.col("customer")).agg(
        F.count(F.lit(1)).alias("n")
    )
    return df.select(F.col("window.start").alias("window_start"), "customer", "n")


def batch_sinks(args):
    return [
        sinks.JdbcTableSink(
            connection=sinks.JdbcConnection(url="jdbc:none", user="u", password="p", driver="x"),
            sink_id="p.s.0.t", columns=SINK_COLUMNS, key=["customer", "window_start"],
            rows="all", stage="stage", create=[], merge="", mark="",
        ),
        sinks.KafkaSink(kafka={}, topic="out", message_key=None, columns=SINK_COLUMNS),
    ]


def start_queries(spark, args):
    checkpoints = jobs.checkpoint_dir(args.checkpoint_root, PIPELINE, STREAM)
    targets = batch_sinks(args)
    for target in targets:
        target.prepare(spark)
    checked = decode(read_source(spark, args))
    queries = [
        dead_letters.start(
            checked, {}, "dlq", stream=JOB_NAME, name=f"{JOB_NAME}.dead_letter",
            checkpoint=f"{checkpoints}/dead_letter", trigger=args.trigger,
        )
    ]
    output = transform(decoding.valid(checked, SCHEMA))
    queries.append(
        jobs.start_batch_sinks(
            output, targets, name=f"{JOB_NAME}.sinks", checkpoint=f"{checkpoints}/sinks",
            trigger=args.trigger, output_mode="update",
        )
    )
    return queries
"""


def record(offset: int, value: str) -> dict[str, Any]:
    return {
        "key": None,
        "value": base64.b64encode(value.encode()).decode(),
        "partition": 0,
        "offset": offset,
        "timestamp": 1704067200000 + offset,
    }


def order(offset: int, customer: str, at: str) -> dict[str, Any]:
    return record(offset, json.dumps({"id": offset, "customer": customer, "at": at}))


def test_each_released_batch_is_one_micro_batch(spark: SparkSession, tmp_path: Path) -> None:
    folder = str(tmp_path / "in")
    feed.write_batches(folder, [[record(0, "a"), record(1, "b")], [record(2, "c")], []])
    seen: list[list[tuple[str, str, int, int, str]]] = []
    query = (
        feed.read(spark, folder, "t")
        .writeStream.foreachBatch(
            lambda batch, batch_id: seen.append(
                [
                    (
                        bytes(r["value"]).decode(),
                        r["topic"],
                        r["partition"],
                        r["offset"],
                        str(r["timestamp"]),
                    )
                    for r in batch.collect()
                ]
            )
        )
        .option("checkpointLocation", str(tmp_path / "checkpoint"))
        .start()
    )
    try:
        for k in range(3):
            feed.release(folder, k)
            query.processAllAvailable()
    finally:
        query.stop()
    assert seen == [
        [
            ("a", "t", 0, 0, "2024-01-01 00:00:00"),
            ("b", "t", 0, 1, "2024-01-01 00:00:00.001000"),
        ],
        [("c", "t", 0, 2, "2024-01-01 00:00:00.002000")],
        [],
    ]


def test_plain_rows_do_not_depend_on_the_machine(
    spark: SparkSession,
) -> None:
    frame = spark.createDataFrame(
        [(2**62, "1.50", b"\x00\x01", float("nan"))],
        "big long, amount string, raw binary, x double",
    ).selectExpr(
        "big",
        "cast(amount as decimal(10,2)) as amount",
        "raw",
        "x",
        "timestamp'2024-01-01 00:00:10.5' as at",
        "date'2024-03-01' as day",
    )
    assert collect.plain_rows(frame) == [
        {
            "big": str(2**62),
            "amount": "1.50",
            "raw": "AAE=",
            "x": "NaN",
            "at": "2024-01-01T00:00:10.500000Z",
            "day": "2024-03-01",
        }
    ]


def test_sink_tables_keep_rows_as_their_stores() -> None:
    upsert = collect.SinkTable("t", "upsert", ["k"])
    append = collect.SinkTable("a", "append", [])
    for table in (upsert, append):
        table.write([{"k": 1, "v": "a"}, {"k": 2, "v": "b"}])
        table.write([{"k": 1, "v": "c"}])
    assert upsert.rows() == [{"k": 1, "v": "c"}, {"k": 2, "v": "b"}]
    assert append.rows() == [{"k": 1, "v": "a"}, {"k": 2, "v": "b"}, {"k": 1, "v": "c"}]


def test_a_job_runs_with_its_writes_collected_and_the_seams_restored(
    spark: SparkSession, tmp_path: Path
) -> None:
    job = tmp_path / "job.py"
    job.write_text(textwrap.dedent(JOB))
    test = {
        "id": "p.t",
        "job": str(job),
        "topic": "orders",
        "batches": [
            [
                order(0, "c1", "2024-01-01T00:00:10Z"),
                order(1, "bad", "2024-01-01T00:00:11Z"),
                record(2, "{not json"),
                order(3, "c1", "2024-01-01T00:20:00Z"),
            ],
            # behind the watermark (00:20 - 10 minutes): dropped
            [
                order(4, "c1", "2024-01-01T00:00:30Z"),
                order(5, "c1", "2024-01-01T00:20:30Z"),
            ],
        ],
        "sinks": [
            {
                "name": "db.t",
                "mode": "upsert",
                "key": ["customer", "window_start"],
                "match": {
                    "class": "JdbcTableSink",
                    "attr": "sink_id",
                    "value": "p.s.0.t",
                },
            },
            {
                "name": "out",
                "mode": "append",
                "key": [],
                "match": {"class": "KafkaSink", "attr": "topic", "value": "out"},
            },
        ],
        "lookups": {
            "step_2": {
                "columns": ["customer", "segment"],
                "rows": [{"customer": "c1", "segment": "gold"}],
            }
        },
        "env": {},
    }
    before = (
        source.read_topic,
        dead_letters.start,
        KafkaSink.send,
        JdbcTableSink.prepare,
    )
    with seams.installed():
        result = runner.run_test(spark, test, str(tmp_path / "run"), 0)
    assert (
        source.read_topic,
        dead_letters.start,
        KafkaSink.send,
        JdbcTableSink.prepare,
    ) == before
    assert "send" not in vars(KafkaSink) or KafkaSink.send is before[2]
    assert result["error"] is None, result["error"]
    assert result["matched"] == ["db.t", "out"]
    table = sorted((r["window_start"], r["n"]) for r in result["sinks"]["db.t"])
    assert table == [
        ("2024-01-01T00:00:00.000000Z", "1"),
        ("2024-01-01T00:20:00.000000Z", "2"),
    ]
    # Kafka keeps every update: the 00:20 window twice
    assert sorted(r["n"] for r in result["sinks"]["out"]) == ["1", "1", "2"]
    dead = sorted((d["offset"], d["reason"]) for d in result["deadLetters"])
    assert dead == [(1, "no_bad: customer is bad"), (2, "undecodable JSON record")]
    assert {d["stream"] for d in result["deadLetters"]} == {"p.s"}


def test_a_failing_job_is_the_test_s_error(spark: SparkSession, tmp_path: Path) -> None:
    job = tmp_path / "job.py"
    job.write_text(textwrap.dedent(JOB).replace("F.count(F.lit(1))", 'F.sum(F.col("missing"))'))
    test = {
        "id": "p.t",
        "job": str(job),
        "topic": "orders",
        "batches": [[order(0, "c1", "2024-01-01T00:00:10Z")]],
        "sinks": [],
        "lookups": {"step_2": {"columns": ["customer"], "rows": [{"customer": "c1"}]}},
        "env": {},
    }
    with seams.installed():
        result = runner.run_test(spark, test, str(tmp_path / "run"), 1)
    assert result["error"] is not None and "missing" in result["error"]


def test_the_feed_has_the_kafka_source_s_columns(spark: SparkSession, tmp_path: Path) -> None:
    folder = str(tmp_path / "in")
    feed.write_batches(folder, [])
    kafka = [
        "key",
        "value",
        "topic",
        "partition",
        "offset",
        "timestamp",
        "timestampType",
    ]
    assert feed.read(spark, folder, "t").schema.fieldNames() == kafka
