// Documentation of the schema's definitions: the forms values take (see index.mjs). A key's own
// description says what it means; these say how its value is written.
export default {
  "#identifier": {
    description:
      "A name: lowercase letters, digits and _, starting with a letter, at most 64 characters.",
    examples: ["shop_orders"],
  },
  "#column": {
    description:
      "A column name: lowercase letters, digits and _, starting with a letter, at most 64 characters.",
    examples: ["customer_id"],
  },
  "#topicName": {
    description:
      "A Kafka topic name: lowercase letters, digits, '.', '_' and '-', starting with a letter.",
    examples: ["orders.raw"],
  },
  "#tableName": {
    description: "A table name, optionally with its schema: orders, or public.orders.",
    examples: ["public.orders"],
  },
  "#duration": {
    description: "A whole number and a unit: ms, s, m, h, d (days) or w (weeks).",
    examples: ["30s", "5m", "7d"],
  },
  "#containerImage": {
    description: "A container image reference: registry/repository:tag or @digest.",
    examples: ["registry.example.com/pipegen-spark:4.0.0"],
  },
  "#kubernetesLabel": {
    description:
      "A Kubernetes name (RFC 1123 label): lowercase letters, digits and '-', at most 63 characters.",
    examples: ["spark-jobs"],
  },
  "#kubernetesName": {
    description:
      "A Kubernetes object name (RFC 1123 subdomain): lowercase letters, digits, '-' and '.'.",
    examples: ["spark"],
  },
  "#jobFilesUri": {
    description:
      "A folder URI without a trailing slash: local:///path in the image, or s3a://, hdfs://, gs://, abfs(s)://, http(s)://.",
    examples: ["local:///opt/pipegen/shop/spark"],
  },
  "#uploadUri": {
    description:
      "A folder on a shared file system: s3a://, hdfs://, gs:// or abfs(s)://, without a trailing slash.",
    examples: ["s3a://spark-uploads/pipegen"],
  },
  "#archiveUri": {
    description:
      "A file URI Spark can fetch: hdfs://, s3a://, gs://, abfs(s)://, http(s)://, file:// or local://.",
    examples: ["hdfs:///envs/pipegen-0.1.0.tar.gz"],
  },
  "#yarnQueue": {
    description: "A YARN queue name: letters, digits, '_', '.' and '-' (a.b for a child queue).",
    examples: ["streaming"],
  },
  "#executable": {
    description: "A program name or path: letters, digits, '_', '.', '/', '+' and '-'.",
    examples: ["python3", "/opt/conda/bin/python"],
  },
  "#memory": {
    description: "A memory size: a whole number and k, m, g or t.",
    examples: ["512m", "4g"],
  },
  "#port": {
    description: "A TCP port, 1 to 65535, or an ${env:NAME} reference.",
    examples: [5432, "${env:DB_PORT}"],
  },
  "#envRef": {
    description: "${env:NAME}: the environment variable NAME, read when the generated code runs.",
    examples: ["${env:DB_PORT}"],
  },
  "#schedule": {
    description:
      "Five-field cron (minute hour day-of-month month day-of-week; names such as mon-fri allowed) or a preset: @once, @continuous, @hourly, @daily, @weekly, @monthly, @quarterly, @yearly, @annually, @midnight.",
    examples: ["*/15 * * * *", "0 6 * * mon-fri", "@daily"],
  },
  "#email": { description: "An e-mail address.", examples: ["oncall@example.com"] },
  "#bucket": {
    description:
      "An S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.",
    examples: ["shop-archive"],
  },
  "#columns": {
    description: "One column or a list of columns; a single column is read as a list of one.",
    examples: ["order_id", ["customer_id", "window_start"]],
  },
  "#aggregate": {
    description: "count(*), or count, sum, avg, min, max or approx_count_distinct of one column.",
    examples: ["count(*)", "sum(amount)"],
  },
  "#isoDate": { description: "A date, YYYY-MM-DD.", examples: ["2024-01-01"] },
  "#prefix": {
    description:
      "A folder prefix: path segments each ending in '/' (letters, digits, '.', '_', '=', '-').",
    examples: ["orders/", "raw/orders/"],
  },
  "#relativePath": {
    description:
      "A relative path: segments of letters, digits, '.', '_', '=' and '-' separated by '/'.",
    examples: ["orders", "orders/clean"],
  },
  "#nifiVersion": { description: "A NiFi 2.x version, major.minor.patch.", examples: ["2.8.0"] },
  "#topicConfigName": {
    description: "A Kafka topic config name.",
    examples: ["message.timestamp.type"],
  },
  "#sparkConfName": {
    description: "A Spark configuration property name, starting with spark.",
    examples: ["spark.executor.memoryOverhead"],
  },
  "#attributeName": { description: "A NiFi FlowFile attribute name.", examples: ["source"] },
  "#tag": { description: "An Airflow DAG tag.", examples: ["tier-1"] },
  "#slackChannel": { description: "A Slack channel name.", examples: ["#data-alerts"] },
  "#onInvalid": {
    description:
      "What happens to invalid records: {deadLetter: <topic>} keeps them on that topic, drop discards them.",
    examples: [{ deadLetter: "orders.dlq" }, "drop"],
  },
  "#onInvalid.deadLetter": {
    description:
      "The dead-letter topic: each invalid record with its original key and bytes, and the headers pipegen.reason, pipegen.stream, pipegen.source.topic, pipegen.source.partition and pipegen.source.offset.",
    examples: ["orders.dlq"],
  },
  "#expression": {
    description:
      "A Spark SQL expression. It is parsed when the spec is built, with Spark's own grammar, and the columns it reads are checked.",
    examples: ["amount >= 0", "upper(status)"],
  },
  "#secretRef": {
    description:
      "${secret:NAME}: a secret resolved at run time (Airflow connection or variable, NiFi sensitive parameter, environment variable of the Spark job); it never appears in a spec or a generated file.",
    examples: ["${secret:DB_PASSWORD}"],
  },
  "#stringOrRef": {
    description:
      "Text, which may hold ${env:NAME} and ${secret:NAME} references resolved at run time.",
    examples: ["db.example.com", "${env:DB_HOST}"],
  },
  "#connection":
    "A store the pipeline reads or writes. Its type (postgres, mysql, mongodb, cassandra, s3, files) decides its other settings.",
  "#connectionOverlay":
    "Per-environment overrides of a connection's settings (its type cannot change).",
};
