/**
 * The Spark stack pipegen targets. Jobs are submitted with these exact Maven coordinates
 * (spark-submit --packages), and the e2e harness installs the same versions.
 */
export const sparkVersion = "4.0.0";
export const scalaBinary = "2.13";

export const sparkPackages = {
  kafka: `org.apache.spark:spark-sql-kafka-0-10_${scalaBinary}:${sparkVersion}`,
  avro: `org.apache.spark:spark-avro_${scalaBinary}:${sparkVersion}`,
  postgres: "org.postgresql:postgresql:42.7.14",
  mysql: "org.mariadb.jdbc:mariadb-java-client:3.5.11",
  hadoopAws: "org.apache.hadoop:hadoop-aws:3.4.1",
  mongodb: "org.mongodb.spark:mongo-spark-connector_2.13:10.5.0",
  /** The OpenLineage Spark listener (supports Spark 4.0; proven in test/e2e/lineage.e2e.test.ts). */
  openlineage: `io.openlineage:openlineage-spark_${scalaBinary}:1.53.0`,
} as const;

/** Python package the Cassandra writer imports on the executors (the Spark Cassandra Connector has no Spark 4 release). */
export const cassandraDriver = "cassandra-driver==3.30.1";
