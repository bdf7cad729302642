"""Counts how often each generated Spark job's optimized plans call the decoder.

    spark-submit ... decode_plans.py JOB.py [JOB.py ...]

For every job script that has decode(): builds decode() on a Kafka batch source (planning
only: nothing connects to a broker) and, for each filter the job's queries put on the decoded
records (the dead-letter and valid split on __pg_reason; the archive split on
__pg_undecodable), counts from_avro( and from_json( in the optimized plan. Prints one JSON line
{job: {filter: count}}. A count above 1 means the optimizer pushed the filter below the
decoding and decodes each record more than once.
"""

import importlib.util
import json
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.getOrCreate()
raw = (
    spark.read.format("kafka")
    .option("kafka.bootstrap.servers", "127.0.0.1:9")
    .option("subscribe", "planning.only")
    .load()
)
counts = {}
for path in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("job", path)
    job = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(job)
    if not hasattr(job, "decode"):
        continue
    # A job that reads Avro decodes with its subject's versions (by schema id): here its own
    # schema as the one version, so that each decoding is one from_avro call.
    decoded = (
        job.decode(raw, {1: job.AVRO_SCHEMA})
        if hasattr(job, "SUBJECT")
        else job.decode(raw)
    )
    filters = {
        "__pg_undecodable is null": F.col("__pg_undecodable").isNull(),
        "__pg_undecodable is not null": F.col("__pg_undecodable").isNotNull(),
    }
    if "__pg_reason" in decoded.columns:
        filters["__pg_reason = ''"] = F.col("__pg_reason") == ""
        filters["__pg_reason <> ''"] = F.col("__pg_reason") != ""
    counts[path] = {}
    for name, condition in filters.items():
        plan = decoded.where(condition)._jdf.queryExecution().optimizedPlan().toString()
        counts[path][name] = plan.count("from_avro(") + plan.count("from_json(")
print("DECODE_PLANS " + json.dumps(counts), flush=True)
spark.stop()
