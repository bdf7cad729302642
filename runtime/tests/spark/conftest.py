"""One local SparkSession for the whole test run (starting one costs seconds)."""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

# The stubs the tests one folder up share (http_stub).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def avro_jar() -> str | None:
    """spark-avro from the e2e cache (test/e2e/engines/spark/install.sh), if it is there."""
    cache = os.environ.get("PIPEGEN_CACHE", str(Path.home() / ".cache" / "pipegen"))
    jars = sorted(glob.glob(f"{cache}/spark-jars-*/spark-avro_*.jar"))
    return jars[-1] if jars else None


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("pipegen-runtime-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.local.dir", str(tmp_path_factory.mktemp("spark-local")))
        .config("spark.sql.streaming.forceDeleteTempCheckpointLocation", "true")
    )
    jar = avro_jar()
    if jar is not None:
        builder = builder.config("spark.jars", jar)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def has_avro() -> None:
    if avro_jar() is None:
        pytest.skip("spark-avro is not in the e2e cache: run test/e2e/engines/spark/install.sh")
