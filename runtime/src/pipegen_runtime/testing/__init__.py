"""What `pipegen test` runs on local Spark: a stream's generated job with its own code.

The job's source is replaced by the ``pipegen-test`` data source (Kafka-shaped records fed
one given micro-batch per trigger, see source.py), its sinks' and dead letters' writes are
collected instead of sent (seams.py, collect.py), and runner.py drives every test of a run
in one Spark session: ``python -m pipegen_runtime.testing.runner PLAN.json RESULTS.json``.
"""
