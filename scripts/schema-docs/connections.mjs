// Documentation of `connections` and the connection types' settings (see index.mjs).
// Environment overlays of a connection take their descriptions from here.

const doc = "Free text about this connection, for readers of the spec.";
const password = {
  description:
    "The password, as a secret reference only: ${secret:NAME}, resolved at run time (never a literal in the spec or a generated file).",
  examples: ["${secret:DB_PASSWORD}"],
};

/** PostgreSQL and MySQL take the same settings. */
const jdbc = (type, name, port, option) => ({
  [`#connection_${type}`]: `A ${name} database: a source of NiFi ingest, a table sink of streams, the table of lookup joins.`,
  [`#connection_${type}.type`]: `${type}: a ${name} database.`,
  [`#connection_${type}.host`]: {
    description: "The database server's host name or address: text or ${env:NAME}.",
    examples: ["db.example.com", "${env:SHOP_DB_HOST}"],
  },
  [`#connection_${type}.port`]: {
    description: `The database server's port: a number or \${env:NAME}. Default: ${port}.`,
    examples: [port, "${env:SHOP_DB_PORT}"],
    default: port,
  },
  [`#connection_${type}.database`]: {
    description: "The database to connect to.",
    examples: ["shop"],
  },
  [`#connection_${type}.user`]: {
    description: "The database user to connect as.",
    examples: ["ingest"],
  },
  [`#connection_${type}.password`]: password,
  [`#connection_${type}.options`]: {
    description:
      "JDBC driver properties by name: NiFi's connection pool gets them as properties, the Spark jobs as parameters of the JDBC URL (literal values percent-encoded).",
    examples: [option],
  },
  [`#connection_${type}.options.*`]: "The value of one driver property.",
  [`#connection_${type}.doc`]: doc,
});

export default {
  connections: {
    description:
      "The databases, object stores and folders the pipeline reads and writes, by name. Each has a type (postgres, mysql, mongodb, cassandra, s3, files) and that type's settings; secrets only as ${secret:NAME}.",
    examples: [
      {
        shop_db: {
          type: "postgres",
          host: "${env:SHOP_DB_HOST}",
          database: "shop",
          user: "ingest",
          password: "${secret:SHOP_DB_PASSWORD}",
        },
      },
    ],
  },
  "connections.*":
    "One connection, named by its key: ingest sources, stream sinks, lookup joins and archives refer to it by that name.",
  "#connection.type":
    "The kind of store: postgres, mysql, mongodb, cassandra, s3 or files. It decides which other settings the connection takes.",

  ...jdbc("postgres", "PostgreSQL", 5432, { sslmode: "require" }),
  ...jdbc("mysql", "MySQL or MariaDB", 3306, { useSSL: true }),

  "#connection_mongodb":
    "A MongoDB database: a source of NiFi ingest (GetMongo), a collection sink of streams.",
  "#connection_mongodb.type": "mongodb: a MongoDB database.",
  "#connection_mongodb.uri": {
    description:
      "The MongoDB connection string. One that holds a password must be a whole ${secret:NAME} reference.",
    examples: ["${secret:CRM_MONGO_URI}", "mongodb://mongo-1:27017,mongo-2:27017/?replicaSet=rs0"],
  },
  "#connection_mongodb.database": {
    description: "The database whose collections are read and written.",
    examples: ["crm"],
  },
  "#connection_mongodb.doc": doc,

  "#connection_cassandra":
    "An Apache Cassandra cluster: a table sink of streams (always upserts by primary key).",
  "#connection_cassandra.type": "cassandra: an Apache Cassandra cluster.",
  "#connection_cassandra.contactPoints": {
    description:
      "The hosts the driver contacts first: names or addresses, each text or ${env:NAME}.",
    examples: [["cass-1", "cass-2"]],
  },
  "#connection_cassandra.port": {
    description: "The native protocol port: a number or ${env:NAME}. Default: 9042.",
    examples: [9042],
    default: 9042,
  },
  "#connection_cassandra.localDatacenter": {
    description:
      "The datacenter the writer treats as local. Default: the only datacenter 'replication' names, else datacenter1.",
    examples: ["dc1"],
  },
  "#connection_cassandra.keyspace": {
    description:
      "The keyspace of the sink tables; the job creates it (with 'replication') when it is missing.",
    examples: ["shop"],
  },
  "#connection_cassandra.replication": {
    description:
      "How many copies of each row the keyspace keeps, and where (required: pipegen does not guess): {class: SimpleStrategy, factor: 3} or {class: NetworkTopologyStrategy, datacenters: {dc1: 3}}.",
    examples: [{ class: "NetworkTopologyStrategy", datacenters: { dc1: 3 } }],
  },
  "#connection_cassandra.replication.class":
    "SimpleStrategy (one factor for the whole cluster) or NetworkTopologyStrategy (copies per datacenter; implied by 'datacenters').",
  "#connection_cassandra.replication.factor": {
    description: "SimpleStrategy's number of copies of each row.",
    examples: [3],
  },
  "#connection_cassandra.replication.datacenters": {
    description: "NetworkTopologyStrategy's copies of each row, by datacenter name.",
    examples: [{ dc1: 3, dc2: 2 }],
  },
  "#connection_cassandra.replication.datacenters.*":
    "How many copies of each row this datacenter keeps.",
  "#connection_cassandra.user": {
    description: "The user to authenticate as (optional): text or ${env:NAME}.",
    examples: ["writer"],
  },
  "#connection_cassandra.password": password,
  "#connection_cassandra.doc": doc,

  "#connection_s3":
    "An S3 bucket, or a bucket of an S3-compatible store (MinIO, Ceph): stream file sinks and archives write to it.",
  "#connection_s3.type": "s3: an S3 bucket.",
  "#connection_s3.bucket": {
    description:
      "The bucket's name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.",
    examples: ["shop-archive"],
  },
  "#connection_s3.prefix": {
    description:
      "A folder inside the bucket, ending in '/': files go to s3a://<bucket>/<prefix><path>. Default: none (the bucket's root).",
    examples: ["orders/"],
  },
  "#connection_s3.endpoint": {
    description: "The endpoint URL of an S3-compatible store; AWS's endpoint when not given.",
    examples: ["http://minio:9000", "${env:S3_ENDPOINT}"],
  },
  "#connection_s3.region": {
    description: "The bucket's region.",
    examples: ["eu-central-1"],
  },
  "#connection_s3.pathStyle": {
    description:
      "Path-style access (endpoint/bucket/key) instead of virtual-host style (bucket.endpoint/key); most S3-compatible stores need it. Default: false.",
    default: false,
  },
  "#connection_s3.accessKey": {
    description:
      "The access key id, as ${secret:NAME} only. Without accessKey and secretKey the jobs use S3A's default credential providers (environment, instance profile).",
    examples: ["${secret:S3_ACCESS_KEY}"],
  },
  "#connection_s3.secretKey": {
    description: "The secret access key, as ${secret:NAME} only.",
    examples: ["${secret:S3_SECRET_KEY}"],
  },
  "#connection_s3.doc": doc,

  "#connection_files":
    "A folder (local, a mounted share, or HDFS) that stream file sinks and archives write to.",
  "#connection_files.type": "files: a folder.",
  "#connection_files.path": {
    description:
      "The base folder: each sink or archive writes under <path>/<its own path>. Text or ${env:NAME}.",
    examples: ["/data/lake", "hdfs:///data/lake", "${env:LAKE_DIR}"],
  },
  "#connection_files.doc": doc,
};
