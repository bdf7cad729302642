// Documentation of the spec's top-level keys, `platform`, `orchestration` and `environments`
// (see index.mjs for the path syntax). Defaults here match src/ir/resolve/defaults.ts (a unit
// test compares them).
export default {
  pipegen: {
    description: "The version of the spec language this file is written in. Always 1.",
    examples: [1],
  },
  pipeline: {
    description:
      "The pipeline's name: lowercase letters, digits and _, starting with a letter (at most 64 characters). It names the output folder generated/<pipeline>/, the Airflow DAG ids, the NiFi process group, the Avro namespace and the Spark checkpoints, so renaming a deployed pipeline starts everything afresh.",
    examples: ["shop_orders"],
  },
  description: {
    description:
      "What the pipeline does, in a sentence or a paragraph. It becomes the documentation (doc_md) of every Airflow DAG and the comment of the NiFi process group.",
    examples: ["Shop orders from PostgreSQL, cleaned and aggregated per customer and minute."],
  },
  owner: {
    description:
      "Who owns the pipeline: a team or an e-mail address. It is the Airflow DAGs' owner unless orchestration.owner says otherwise (default: pipegen).",
    examples: ["data-platform@example.com"],
  },

  platform:
    "Where the pipeline runs: the Kafka cluster and schema registry, NiFi, Spark, and the ids of the Airflow connections the DAGs use. Every setting has a default; values may be ${env:NAME} references, read when the generated code runs.",
  "platform.kafka":
    "The Kafka cluster every generated program connects to: NiFi's publishers, the Spark jobs, the apply program and the Airflow DAGs.",
  "platform.kafka.bootstrapServers": {
    description:
      "The brokers to connect to first: host:port pairs separated by commas, or an ${env:NAME} reference read at run time. Default: ${env:KAFKA_BOOTSTRAP_SERVERS}. The apply program's and the Spark jobs' --bootstrap-servers option overrides it.",
    examples: ["${env:KAFKA_BOOTSTRAP_SERVERS}", "broker-1:9092,broker-2:9092"],
    default: "${env:KAFKA_BOOTSTRAP_SERVERS}",
  },
  "platform.kafka.schemaRegistry": {
    description:
      "The base URL of the Confluent-compatible schema registry that holds the topics' Avro schemas (subject <topic>-value). Default: ${env:SCHEMA_REGISTRY_URL}.",
    examples: ["${env:SCHEMA_REGISTRY_URL}", "http://schema-registry:8081"],
    default: "${env:SCHEMA_REGISTRY_URL}",
  },
  "platform.kafka.securityProtocol": {
    description:
      "How clients talk to the brokers: PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL. The SASL protocols need saslMechanism, saslUser and saslPassword.",
    default: "PLAINTEXT",
  },
  "platform.kafka.saslMechanism": {
    description:
      "The SASL mechanism of a SASL security protocol: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. Set it whenever securityProtocol is SASL_PLAINTEXT or SASL_SSL.",
    examples: ["SCRAM-SHA-512"],
  },
  "platform.kafka.saslUser": {
    description: "The SASL user name: text or an ${env:NAME} reference.",
    examples: ["pipegen", "${env:KAFKA_USER}"],
  },
  "platform.kafka.saslPassword": {
    description:
      "The SASL password, as a secret reference only: ${secret:NAME}, resolved at run time (Airflow variable, NiFi sensitive parameter, environment variable of the Spark job).",
    examples: ["${secret:KAFKA_PASSWORD}"],
  },
  "platform.nifi": "The NiFi 2.x instance that runs the ingest flows.",
  "platform.nifi.url": {
    description:
      "NiFi's base URL. Default: ${env:NIFI_URL}. The generated ingestion DAG reaches NiFi through the Airflow connection platform.airflow.nifiConnection (whose host is NiFi's full base URL); no generated file reads this setting today.",
    examples: ["https://nifi:8443", "${env:NIFI_URL}"],
    default: "${env:NIFI_URL}",
  },
  "platform.nifi.version": {
    description:
      "The NiFi version the flow definition names for its components' bundles, 2.x.y. Default: 2.8.0, the version whose extension manifests pipegen builds against.",
    examples: ["2.8.0"],
    default: "2.8.0",
  },
  "platform.spark":
    "How the Spark jobs are submitted (master, deploy mode, extra conf) and where streaming queries keep their checkpoints.",
  "platform.spark.master": {
    description:
      "The master URL spark-submit uses: local[*] (default: on the submitting machine), yarn, k8s://https://host:port or spark://host:port.",
    examples: ["yarn", "k8s://https://kubernetes.default.svc", "local[*]"],
    default: "local[*]",
  },
  "platform.spark.deployMode": {
    description:
      "Where the driver runs: client (default: on the machine that submits) or cluster (on the cluster; not possible with a local master).",
    default: "client",
  },
  "platform.spark.checkpointRoot": {
    description:
      "The folder under which every streaming query keeps its checkpoint, as <checkpointRoot>/<pipeline>/<stream>/<query>: HDFS, S3 (s3a://bucket/path) or a local path. Default: /tmp/pipegen/checkpoints, fine for a try and lost with the machine. A stream whose checkpoint is lost starts again from its startingOffsets. The jobs' --checkpoint-root option overrides it.",
    examples: ["hdfs:///pipegen/checkpoints", "s3a://my-bucket/checkpoints"],
    default: "/tmp/pipegen/checkpoints",
  },
  "platform.spark.shufflePartitions": {
    description:
      "spark.sql.shuffle.partitions of every job: how many partitions aggregations, deduplication and joins shuffle into. Default: 8. A stateful query keeps the number it started with in its checkpoint.",
    examples: [16],
    default: 8,
  },
  "platform.spark.conf": {
    description:
      "Extra Spark configuration for every job, by property name (spark.*): passed to spark-submit as --conf.",
    examples: [{ "spark.executor.memoryOverhead": "1g" }],
  },
  "platform.spark.conf.*":
    "The value of one Spark property; numbers and booleans are passed as text.",
  "platform.spark.kubernetes": {
    description:
      "What Spark on Kubernetes needs (required when the master is k8s://...): the image the driver and executors run, the namespace and service account, and where the driver finds the job files. Each stream also gets a SparkApplication manifest for the Kubeflow Spark operator (kubernetes/<stream>.yaml). Ignored by the submissions of another master (an environment overlay may set one).",
    examples: [
      {
        image: "registry.example.com/pipegen-spark:4.0.0",
        namespace: "spark-jobs",
        serviceAccount: "spark",
        jobFiles: "local:///opt/pipegen/iot_sensors/spark",
      },
    ],
  },
  "platform.spark.kubernetes.image": {
    description:
      "The container image of the driver and the executors (spark.kubernetes.container.image): Spark 4.0.0 with Python 3, and, unless runtime is jobFiles, pipegen-runtime and the jobs' pythonRequirements installed.",
    examples: ["registry.example.com/pipegen-spark:4.0.0", "apache/spark:4.0.0-python3"],
  },
  "platform.spark.kubernetes.namespace": {
    description: "The namespace the driver and executor pods run in (spark.kubernetes.namespace).",
    examples: ["spark-jobs"],
  },
  "platform.spark.kubernetes.serviceAccount": {
    description:
      "The service account of the driver pod (spark.kubernetes.authenticate.driver.serviceAccountName): it must be allowed to create, watch and delete pods, services and config maps in the namespace.",
    examples: ["spark"],
  },
  "platform.spark.kubernetes.jobFiles": {
    description:
      "The folder that holds this pipeline's spark/ files as the driver pod reads them: local:///... inside the image, or a URL Spark reads (s3a://, hdfs://, https://, ...). In cluster deploy mode the submission's application is <jobFiles>/<job>.py.",
    examples: ["local:///opt/pipegen/iot_sensors/spark", "s3a://jobs/pipegen/iot_sensors/spark"],
  },
  "platform.spark.kubernetes.runtime": {
    description:
      "How pipegen-runtime reaches the driver and executors: image (default: installed in the image) or jobFiles (its zip, pipegen_runtime-<version>.zip, lies in jobFiles and is passed as --py-files).",
    default: "image",
  },
  "platform.spark.kubernetes.uploadPath": {
    description:
      "A folder Spark uploads the submitting machine's local files to (spark.kubernetes.file.upload.path): needed when a local file is submitted in cluster mode, e.g. a --py-files zip from the Airflow worker.",
    examples: ["s3a://spark-uploads/pipegen"],
  },
  "platform.spark.kubernetes.imagePullPolicy":
    "When the kubelet pulls the image (spark.kubernetes.container.image.pullPolicy). Default: Kubernetes' (IfNotPresent unless the tag is latest).",
  "platform.spark.kubernetes.imagePullSecrets":
    "Secrets with the registry's credentials (spark.kubernetes.container.image.pullSecrets).",
  "platform.spark.kubernetes.secretName": {
    description:
      "The Kubernetes Secret whose keys are the pipeline's ${secret:NAME} names; the SparkApplication's driver reads each NAME from it. Default: <pipeline>-secrets (underscores as hyphens).",
    examples: ["iot-sensors-secrets"],
  },
  "platform.spark.kubernetes.configMapName": {
    description:
      "The ConfigMap whose keys are the pipeline's ${env:NAME} names; the SparkApplication's driver reads each NAME from it. Default: <pipeline>-config (underscores as hyphens).",
    examples: ["iot-sensors-config"],
  },
  "platform.spark.yarn": {
    description:
      "YARN settings of the submissions (used when the master is yarn): the queue and how the jobs' Python dependencies reach the driver and executors.",
    examples: [{ queue: "streaming", pythonEnv: "hdfs:///envs/pipegen-0.1.0.tar.gz" }],
  },
  "platform.spark.yarn.queue": {
    description: "The YARN queue the jobs run in (spark.yarn.queue). Default: YARN's, default.",
    examples: ["streaming"],
  },
  "platform.spark.yarn.pythonEnv": {
    description:
      "A packed Python environment (conda-pack or venv-pack archive) with pyspark's dependencies, pipegen-runtime and the jobs' pythonRequirements: shipped with spark.archives as <url>#environment and run as ./environment/bin/python (spark.pyspark.python) on the executors, and on the driver in cluster mode.",
    examples: ["hdfs:///envs/pipegen-0.1.0.tar.gz"],
  },
  "platform.spark.yarn.driverPython": {
    description:
      "The driver's Python in client mode with pythonEnv (spark.pyspark.driver.python): the submitting machine's, with the same packages. Default: python3.",
    default: "python3",
  },
  "platform.spark.yarn.files":
    "More files for the working directory of every container (spark.yarn.dist.files), e.g. a truststore.",
  "platform.lineage":
    "Send OpenLineage run events: every Spark job runs the OpenLineage Spark listener (io.openlineage:openlineage-spark), and the processing and archival DAGs pass their task's run as the events' parent job.",
  "platform.lineage.url": {
    description:
      "The OpenLineage HTTP endpoint the jobs' listener posts run events to (its transport.url), given to spark-submit as --conf spark.openlineage.transport.url; the DAGs render an ${env:NAME} reference from the Airflow variable NAME.",
    examples: ["http://marquez:5000", "${env:OPENLINEAGE_URL}"],
  },
  "platform.lineage.namespace": {
    description: "The OpenLineage namespace of the pipeline's jobs. Default: pipegen.",
    examples: ["shop"],
    default: "pipegen",
  },
  "platform.airflow":
    "The ids of the Airflow connections the generated DAGs use; create connections with these ids in Airflow.",
  "platform.airflow.sparkConnection": {
    description:
      "The Airflow connection SparkSubmitOperator submits the jobs with. Default: spark_default.",
    default: "spark_default",
  },
  "platform.airflow.kafkaConnection": {
    description:
      "The Airflow connection of the Kafka cluster (its extra is a librdkafka configuration), used to apply the topics. Default: kafka_default.",
    default: "kafka_default",
  },
  "platform.airflow.nifiConnection": {
    description:
      "The Airflow connection of NiFi (its host is NiFi's full base URL), used to upload and start the flow. Default: nifi_default.",
    default: "nifi_default",
  },
  "platform.airflow.schemaRegistryConnection": {
    description:
      "The Airflow connection of the schema registry (its host is the registry's full base URL), used to register the Avro schemas. Default: schema_registry_default.",
    default: "schema_registry_default",
  },

  orchestration:
    "Airflow settings shared by every DAG of this pipeline: schedule, start date, retries, deadline, concurrent runs, owner, tags and alerts.",
  "orchestration.schedule": {
    description:
      "The schedule of the ingestion DAG (default @once: apply the topics and deploy the flow once) and of every availableNow stream without a trigger.schedule of its own: five-field cron or a preset such as @hourly.",
    examples: ["@daily", "*/15 * * * *"],
  },
  "orchestration.startDate": {
    description: "The date the DAGs' schedules start from, YYYY-MM-DD. Default: 2024-01-01.",
    examples: ["2024-01-01"],
    default: "2024-01-01",
  },
  "orchestration.retries": {
    description: "How many times Airflow retries a failed task, 0 to 100. Default: 2.",
    default: 2,
  },
  "orchestration.retryDelay": {
    description: "How long Airflow waits before retrying a failed task, a duration. Default: 5m.",
    examples: ["5m"],
    default: "5m",
  },
  "orchestration.deadline": {
    description:
      "Alert when a DAG run has not finished this long after it was queued (an Airflow 3 DeadlineAlert, the successor of SLAs), a duration. It needs someone to alert: alerts.email or alerts.slack. No default: no deadline.",
    examples: ["30m"],
  },
  "orchestration.maxActiveRuns": {
    description:
      "How many runs of one DAG may run at the same time. Default: 1. Continuous DAGs (long-running streams) always run one at a time.",
    default: 1,
  },
  "orchestration.owner": {
    description: "The DAGs' owner shown in Airflow. Default: the spec's owner, else pipegen.",
    examples: ["data-platform"],
  },
  "orchestration.tags": {
    description: "The DAGs' tags in Airflow's UI. Default: [pipegen, <pipeline>].",
    examples: [["pipegen", "shop", "tier-1"]],
  },
  "orchestration.alerts":
    "Who is told when a task fails, or a deadline passes: e-mail addresses and a Slack webhook.",
  "orchestration.alerts.email": {
    description:
      "E-mail addresses to alert, sent through Airflow's SMTP connection smtp_default (SmtpNotifier).",
    examples: [["oncall@example.com"]],
  },
  "orchestration.alerts.slack":
    "A Slack incoming webhook to alert (SlackWebhookNotifier), by its Airflow connection.",
  "orchestration.alerts.slack.connection": {
    description: "The id of the Airflow connection that holds the Slack webhook.",
    examples: ["slack_alerts"],
  },
  "orchestration.alerts.slack.channel": {
    description: "The channel to post to; without it the webhook's own channel.",
    examples: ["#data-alerts"],
  },

  environments: {
    description:
      "Overlays by environment name, applied with 'pipegen build --env NAME': their platform, connections and orchestration settings are merged over the spec's, their topics settings apply to every topic. A spec without that environment is built as written.",
    examples: [
      {
        dev: { topics: { replicationFactor: 1 }, platform: { spark: { master: "local[*]" } } },
        prod: { topics: { replicationFactor: 3, minInsyncReplicas: 2 } },
      },
    ],
  },
  "environments.*": "The settings of one environment (e.g. dev, prod) that differ from the spec.",
  "environments.*.topics":
    "Settings every topic gets in this environment: replicationFactor and minInsyncReplicas.",
  "environments.*.platform": "Platform settings of this environment, merged over 'platform'.",
  "environments.*.connections":
    "Connection settings of this environment, by connection name, merged over the connection's own.",
  "environments.*.connections.*":
    "This environment's settings of one connection: only settings its type has (the type itself cannot change).",
  "environments.*.orchestration":
    "Airflow settings of this environment, merged over 'orchestration'.",
};
