"""What every PySpark job that pipegen generates shares.

A generated job holds its pipeline's data and logic: the record schema, the quality rules,
the steps, which sinks it writes with which statements, and the wiring of its queries. What
it does with them lives here:

- ``jobs``: arguments, the Spark session, the run loop (SIGTERM, failures), checkpoints, and
  the foreachBatch query that hands every micro-batch to the batch sinks;
- ``source``: Kafka client options and the Kafka source;
- ``decoding``: Avro (Confluent wire format) and JSON decoding, decoded once, and the
  reasons a record is invalid;
- ``dead_letters``: invalid records back to Kafka with headers that say why;
- ``archives``: what an archive job writes;
- ``sinks``: the sinks, each configured with data (JDBC tables with exactly-once commits,
  MongoDB, Cassandra, Kafka, files).
"""
