"""File sinks and their guard against output another checkpoint wrote."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from pipegen_runtime.spark import jobs
from pipegen_runtime.spark.sinks.files import (
    FileSink,
    OutputOfAnotherCheckpoint,
    file_sink_guard,
)


def test_a_new_checkpoint_over_nothing_or_over_its_own_output_may_start(
    spark: SparkSession, tmp_path: Path
) -> None:
    out, checkpoint = tmp_path / "out", tmp_path / "checkpoint"
    file_sink_guard(spark, str(checkpoint), str(out))  # nothing there yet
    (out / "_spark_metadata").mkdir(parents=True)
    (checkpoint / "offsets").mkdir(parents=True)
    file_sink_guard(spark, str(checkpoint), str(out))  # the checkpoint that wrote it


def test_a_new_checkpoint_over_another_checkpoints_output_is_refused(
    spark: SparkSession, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    (out / "_spark_metadata").mkdir(parents=True)
    with pytest.raises(OutputOfAnotherCheckpoint) as refused:
        file_sink_guard(spark, str(tmp_path / "new"), str(out))
    assert isinstance(refused.value, SystemExit)  # uncaught: exit status 1 and the message
    assert f"pipegen: {out} holds files a file sink wrote under another checkpoint" in str(
        refused.value.code
    )


def test_a_file_sink_writes_its_columns_and_guards_its_output(
    spark: SparkSession, tmp_path: Path
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    rows = [{"id": 1, "name": "a", "day": "x"}, {"id": 2, "name": "b", "day": "y"}]
    (source / "part-0.json").write_text("".join(json.dumps(r) + "\n" for r in rows))
    frame = spark.readStream.schema("id long, name string, day string").json(str(source))

    def sink(checkpoint: str) -> FileSink:
        return FileSink(
            name="files_0",
            checkpoint=str(tmp_path / checkpoint),
            path=str(tmp_path / "out"),
            format="parquet",
            partition_by=["day"],
            columns=["id", "day"],
        )

    first = sink("c1")
    first.prepare(spark)
    query = first.start(frame, jobs.AVAILABLE_NOW)
    assert jobs.await_queries([query], threading.Event(), poll_seconds=0.1) == 0
    written = spark.read.parquet(str(tmp_path / "out"))
    assert sorted(written.columns) == ["day", "id"]
    assert sorted(tuple(r) for r in written.select("id", "day").collect()) == [
        (1, "x"),
        (2, "y"),
    ]
    sink("c1").prepare(spark)  # the same checkpoint again
    with pytest.raises(OutputOfAnotherCheckpoint):
        sink("c2").prepare(spark)
