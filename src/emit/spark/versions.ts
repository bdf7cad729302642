/**
 * The Spark stack pipegen targets. Jobs are submitted with these exact Maven coordinates
 * (spark-submit --packages), and the e2e harness installs the same versions.
 */
export const sparkVersion = "4.1.1";
export const scalaBinary = "2.13";

export const sparkPackages = {
  kafka: `org.apache.spark:spark-sql-kafka-0-10_${scalaBinary}:${sparkVersion}`,
  avro: `org.apache.spark:spark-avro_${scalaBinary}:${sparkVersion}`,
  postgres: "org.postgresql:postgresql:42.7.8",
  mysql: "org.mariadb.jdbc:mariadb-java-client:3.5.6",
} as const;
