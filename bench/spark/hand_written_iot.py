"""iot_sensors.site_climate written by hand: the benchmark's baseline for the generated job.

Same input, rules and outputs as generated/iot_sensors/spark/site_climate.py: Confluent-wire Avro
from iot.readings via from_avro (startingOffsets latest, as the spec says); records that cannot
be decoded or whose temperature is out of range go to iot.readings.dlq with their key, bytes and
the same headers; the rest are deduplicated on (sensor_id, read_at) within the 15-minute
watermark on read_at, then averaged per site over 10-minute windows sliding by 5 minutes (update
mode); each micro-batch is upserted into metrics.site_climate exactly once (staging table, then
INSERT ... ON DUPLICATE KEY UPDATE and the batch id in one transaction). Built-in functions only.
Same command line: --bootstrap-servers, --schema-registry-url (unused: one known schema),
--checkpoint-root, --available-now, --max-offsets-per-trigger.
"""

import argparse
import os

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.avro.functions import from_avro

# BENCH_DECODE_ONCE=1: with the generated job's guard against the optimizer inlining from_avro
# into every condition (see hand_written.py); without it, the job most people would write.
DECODE_ONCE = os.environ.get("BENCH_DECODE_ONCE") == "1"
AVRO_SCHEMA = """{"type": "record", "name": "reading", "namespace": "pipegen.iot_sensors", "fields": [
  {"name": "sensor_id", "type": "string"},
  {"name": "site", "type": "string"},
  {"name": "read_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "temperature_c", "type": ["null", "double"], "default": null},
  {"name": "humidity_pct", "type": ["null", "float"], "default": null},
  {"name": "battery_mv", "type": ["null", "int"], "default": null}]}"""
TABLE, STAGE, SINK = "site_climate", "site_climate_stage", "site_climate.hand"
COLUMNS = [
    "window_start",
    "window_end",
    "site",
    "avg_temperature_c",
    "max_temperature_c",
    "readings",
    "sensors",
]
UPSERT = (
    f"INSERT INTO {TABLE} SELECT * FROM {STAGE} ON DUPLICATE KEY UPDATE "
    + ", ".join(
        f"{c} = VALUES({c})" for c in COLUMNS if c not in ("site", "window_start")
    )
)

p = argparse.ArgumentParser()
p.add_argument("--bootstrap-servers", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"))
p.add_argument("--schema-registry-url")
p.add_argument("--checkpoint-root", required=True)
p.add_argument("--available-now", action="store_true")
p.add_argument("--max-offsets-per-trigger", type=int)
args = p.parse_args()
checkpoints = f"{args.checkpoint_root}/iot_sensors/site_climate"
trigger = (
    {"availableNow": True} if args.available_now else {"processingTime": "1 minute"}
)
kafka = {"kafka.bootstrap.servers": args.bootstrap_servers}
db = os.environ
jdbc_url = f"jdbc:mysql://{db['METRICS_DB_HOST']}:{db['METRICS_DB_PORT']}/metrics?permitMysqlScheme"
jdbc = {
    "user": "writer",
    "password": db["METRICS_DB_PASSWORD"],
    "driver": "org.mariadb.jdbc.Driver",
}

spark = (
    SparkSession.builder.appName("site_climate")
    .config("spark.sql.shuffle.partitions", "8")
    .config("spark.sql.session.timeZone", "UTC")
    .getOrCreate()
)
jvm = spark._jvm
jvm.org.apache.spark.sql.execution.datasources.jdbc.DriverRegistry.register(
    jdbc["driver"]
)


def connect():
    return jvm.java.sql.DriverManager.getConnection(
        jdbc_url, jdbc["user"], jdbc["password"]
    )


conn = connect()
conn.createStatement().execute(f"CREATE TABLE IF NOT EXISTS {STAGE} LIKE {TABLE}")
conn.close()

# --- decode and check ---------------------------------------------------------------------
wire_ok = F.expr("length(value) > 5 AND substring(value, 1, 1) = X'00'")
source = (
    spark.readStream.format("kafka")
    .options(**kafka)
    .option("subscribe", "iot.readings")
    .option("startingOffsets", "latest")
    .option("kafka.isolation.level", "read_committed")
)
if args.max_offsets_per_trigger:
    source = source.option("maxOffsetsPerTrigger", args.max_offsets_per_trigger)
readings = (
    source.load()
    .select(
        "key",
        "value",
        "topic",
        "partition",
        "offset",
        wire_ok.alias("wire_ok"),
        F.when(
            wire_ok & (F.spark_partition_id() >= 0) if DECODE_ONCE else wire_ok,
            from_avro(
                F.expr("substring(value, 6)"), AVRO_SCHEMA, {"mode": "PERMISSIVE"}
            ),
        ).alias("r"),
    )
    .select("*", "r.*")
)
# sensor_id is a required string: PERMISSIVE from_avro gives all-null fields for bad bytes.
reason = (
    F.when(~F.col("wire_ok"), "not in the Confluent Avro wire format")
    .when(F.col("sensor_id").isNull(), "undecodable Avro record")
    .otherwise(
        F.concat_ws(
            "; ",
            F.when(
                ~F.col("temperature_c").between(-60, 90),
                "plausible_temperature: check failed: temperature_c between -60 and 90",
            ),
        )
    )
)
readings = readings.withColumn("reason", reason)


def header(name, value):
    return F.struct(
        F.lit(name).alias("key"), value.cast("string").cast("binary").alias("value")
    )


dead_letters = readings.where("reason <> ''").select(
    "key",
    "value",
    F.array(
        header("pipegen.reason", F.col("reason")),
        header("pipegen.stream", F.lit("iot_sensors.site_climate")),
        header("pipegen.source.topic", F.col("topic")),
        header("pipegen.source.partition", F.col("partition")),
        header("pipegen.source.offset", F.col("offset")),
    ).alias("headers"),
)

# --- transform ----------------------------------------------------------------------------
climate = (
    readings.where("reason = ''")
    .withWatermark("read_at", "15 minutes")
    .dropDuplicatesWithinWatermark(["sensor_id", "read_at"])
    .groupBy(F.window("read_at", "10 minutes", "5 minutes"), "site")
    .agg(
        F.avg("temperature_c").alias("avg_temperature_c"),
        F.max("temperature_c").alias("max_temperature_c"),
        F.count("*").alias("readings"),
        F.approx_count_distinct("sensor_id").alias("sensors"),
    )
    .select(
        F.col("window.start").alias("window_start"),
        F.col("window.end").alias("window_end"),
        *COLUMNS[2:],
    )
)


# --- sink ---------------------------------------------------------------------------------
def write_batch(batch, batch_id):
    batch.write.jdbc(
        jdbc_url, STAGE, mode="overwrite", properties={**jdbc, "truncate": "true"}
    )
    conn = connect()
    try:
        conn.setAutoCommit(False)
        mark = conn.prepareStatement(
            "INSERT IGNORE INTO pipegen_batches (sink, batch_id) VALUES (?, ?)"
        )
        mark.setString(1, SINK)
        mark.setLong(2, batch_id)
        # 0 rows: a replayed batch, committed before
        if mark.executeUpdate() == 1:
            conn.createStatement().executeUpdate(UPSERT)
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    finally:
        conn.close()


queries = [
    dead_letters.writeStream.queryName("site_climate.dead_letter")
    .format("kafka")
    .options(**kafka)
    .option("topic", "iot.readings.dlq")
    .option("checkpointLocation", f"{checkpoints}/dead_letter")
    .trigger(**trigger)
    .start(),
    climate.writeStream.queryName("site_climate.sinks")
    .outputMode("update")
    .foreachBatch(write_batch)
    .option("checkpointLocation", f"{checkpoints}/sinks")
    .trigger(**trigger)
    .start(),
]
for q in queries:
    q.awaitTermination()
spark.stop()
