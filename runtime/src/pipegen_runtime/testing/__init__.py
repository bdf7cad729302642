"""What `pipegen test` runs on local Spark: a stream's generated job with its own code.

The job's source topic is replaced by the test's records (Kafka-shaped rows, one given batch
per micro-batch, see feed.py), its sinks' and dead letters' writes are
collected instead of sent (seams.py, collect.py), and runner.py drives every test of a run
in one Spark session: ``python -m pipegen_runtime.testing.runner PLAN.json RESULTS.json``.
"""
