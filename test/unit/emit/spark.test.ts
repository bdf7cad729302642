import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";
import {
  createTable,
  markStatement,
  mergeStatement,
  stageStatement,
} from "../../../src/emit/spark/sql.js";
import { cassandraKey, createCassandraTable } from "../../../src/emit/spark/cql.js";
import { jdbcUrl } from "../../../src/emit/spark/jdbc.js";
import { interval } from "../../../src/emit/spark/types.js";
import { RUNTIME_VERSION } from "../../../src/emit/shared/runtime.js";
import { formatWhole, lintPython } from "../../../src/format/python.js";
import type { Field, QualityRule } from "../../../src/ir/types.js";
import { streamJob } from "../../../src/emit/spark/stream-job.js";
import { sparkJobPlans } from "../../../src/emit/spark/submit.js";
import {
  cassandra,
  env,
  field,
  files as filesConnection,
  lit,
  mongodb,
  mysql,
  pipeline,
  postgres,
  schema,
  stream,
  topic,
} from "../ir-builder.js";

const files = (spec: string) => {
  const r = compilePaths([spec]);
  expect(r.diagnostics).toEqual([]);
  return Object.fromEntries(r.outputs[0]!.files.map((f) => [f.path, f.content]));
};

function pyParses(code: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pipegen-py-"));
  const file = path.join(dir, "job.py");
  writeFileSync(file, code);
  const r = spawnSync(
    "python3",
    ["-c", "import ast,sys; ast.parse(open(sys.argv[1], encoding='utf-8').read())", file],
    { encoding: "utf8" },
  );
  return r.status === 0 ? "" : r.stderr;
}

describe("Spark emitter", () => {
  const out = files("test/fixtures/valid/spark-variants.yaml");
  const shaped = out["variants/spark/shaped.py"]!;
  const counted = out["variants/spark/counted.py"]!;

  it("writes a job, a submission file and DDL for every stream and table connection", () => {
    expect(
      Object.keys(out)
        .filter((p) => p.includes("/spark/"))
        .sort(),
    ).toEqual([
      "variants/spark/counted.py",
      "variants/spark/counted.submit.json",
      "variants/spark/ddl/cass.cql",
      "variants/spark/ddl/my.sql",
      "variants/spark/shaped.py",
      "variants/spark/shaped.submit.json",
    ]);
  });

  it("every job is valid Python, clean under ruff, and uses no Python UDF", () => {
    for (const code of [shaped, counted]) {
      expect(pyParses(code)).toBe("");
      expect(lintPython(code)).toEqual([]);
      expect(code).not.toMatch(/\budf\b|pandas_udf|@F\.udf/);
    }
  });

  it("values reach the job exactly: quotes and backslashes in expressions, SASL, JSON decoding", () => {
    expect(shaped).toContain(`F.expr("name <> 'it''s \\"quoted\\" \\\\ back'")`);
    expect(shaped).toContain('security_protocol="SASL_SSL"');
    expect(shaped).toContain('sasl_mechanism="SCRAM-SHA-512"');
    expect(shaped).toContain('sasl_password=os.environ["KAFKA_PASSWORD"]');
    expect(shaped).toContain("decoding.decode_json(raw, SCHEMA)");
    expect(shaped).not.toMatch(/avro/i);
    expect(shaped).toContain('TRIGGER = {"processingTime": "1 minutes"}');
    expect(counted).toContain('TRIGGER = {"availableNow": True}');
  });

  it("steps appear in spec order with the derived types cast", () => {
    const order = [
      "df.select(",
      "withColumnRenamed(",
      '"bonus", F.expr("score * 2").cast("double")',
      '"flag", F.expr("label like \'A%\'").cast("boolean")',
      "df.drop(",
      "df.join(",
      "dropDuplicates(",
    ];
    let at = 0;
    for (const s of order) {
      const i = shaped.indexOf(s, at);
      expect(i, s).toBeGreaterThan(-1);
      at = i;
    }
  });

  it("a files sink is its own exactly-once file query; table sinks go through one foreachBatch", () => {
    expect(shaped).toContain('format="json"');
    expect(shaped).toContain('partition_by=["label"]');
    expect(shaped).toContain('path="/data/lake/shaped"');
    expect(shaped).toContain("file_sink.start(output, args.trigger)");
    // The table sink first (exactly once), then the upserts, each given its settings as data.
    const order = ["sinks.JdbcTableSink(", "sinks.MongoSink(", "sinks.CassandraSink("];
    expect(order.map((x) => counted.indexOf(x))).toEqual(
      order.map((x) => counted.indexOf(x)).sort((a, b) => a - b),
    );
    expect(counted).toContain("jobs.start_batch_sinks(");
    expect(counted).toContain('sink_id="variants.counted.0.counted"');
    expect(counted).toContain('contact_points=["c1", "c2"]');
    expect(counted).toContain("port=9042,");
    expect(counted).toContain('OUTPUT_MODE = "update"');
  });

  it("the submission file has exact packages and UTC settings and lists the environment the job reads", () => {
    const submit = JSON.parse(out["variants/spark/counted.submit.json"]!);
    expect(submit.packages).toEqual([
      "org.apache.spark:spark-sql-kafka-0-10_2.13:4.0.0",
      "org.mariadb.jdbc:mariadb-java-client:3.5.11",
      "org.mongodb.spark:mongo-spark-connector_2.13:10.5.0",
    ]);
    expect(submit.conf["spark.sql.session.timeZone"]).toBe("UTC");
    expect(submit.conf["spark.executor.instances"]).toBe("2");
    expect(submit.environment).toEqual([
      "CHECKPOINTS",
      "KAFKA_PASSWORD",
      "KAFKA_USER",
      "MONGO_URI",
      "MY_PASSWORD",
    ]);
    expect(submit.pythonRequirements).toEqual(["cassandra-driver==3.30.1"]);
    // The zip is the name `python -m pipegen_runtime.pyfiles` gives it (pyfiles.zip_name()).
    expect(submit.runtime).toEqual({
      requirement: `pipegen-runtime==${RUNTIME_VERSION}`,
      pyFiles: `pipegen_runtime-${RUNTIME_VERSION}.zip`,
    });
    expect(submit.schedule).toBe("@hourly");
  });
});

describe("SQL and CQL", () => {
  const fields: Field[] = [
    { name: "site", type: "string", required: true },
    { name: "window_start", type: "timestamp", required: true },
    { name: "avg", type: "double", required: false },
    { name: "total", type: "decimal", required: false, precision: 20, scale: 2 },
  ];
  it("CREATE TABLE with the upsert key, per dialect", () => {
    expect(createTable("public.t", fields, ["site", "window_start"], "postgres")).toBe(
      'CREATE TABLE IF NOT EXISTS "public"."t" (\n  "site" TEXT NOT NULL,\n  "window_start" TIMESTAMP NOT NULL,\n  "avg" DOUBLE PRECISION,\n  "total" NUMERIC(20, 2),\n  PRIMARY KEY ("site", "window_start")\n);',
    );
    expect(createTable("t", fields, ["site", "window_start"], "mysql")).toBe(
      "CREATE TABLE IF NOT EXISTS `t` (\n  `site` VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,\n  `window_start` DATETIME(6) NOT NULL,\n  `avg` DOUBLE,\n  `total` DECIMAL(20, 2),\n  PRIMARY KEY (`site`, `window_start`)\n);",
    );
  });
  it("merge statements: ON CONFLICT and ON DUPLICATE KEY UPDATE, append as plain insert", () => {
    const sink = {
      kind: "jdbc" as const,
      connection: postgres(),
      table: "t",
      mode: "upsert" as const,
      key: ["site"],
    };
    expect(mergeStatement(sink, "s", ["site", "avg"], "postgres")).toBe(
      'INSERT INTO "t" ("site", "avg") SELECT "site", "avg" FROM "s" ON CONFLICT ("site") DO UPDATE SET "avg" = EXCLUDED."avg"',
    );
    expect(mergeStatement(sink, "s", ["site", "avg"], "mysql")).toBe(
      "INSERT INTO `t` (`site`, `avg`) SELECT `site`, `avg` FROM `s` ON DUPLICATE KEY UPDATE `avg` = VALUES(`avg`)",
    );
    expect(mergeStatement({ ...sink, mode: "append", key: [] }, "s", ["site"], "postgres")).toBe(
      'INSERT INTO "t" ("site") SELECT "site" FROM "s"',
    );
    expect(mergeStatement(sink, "s", ["site"], "postgres")).toMatch(/DO NOTHING$/);
    expect(markStatement("postgres")).toBe(
      'INSERT INTO "pipegen_batches" ("sink", "batch_id") VALUES (?, ?) ON CONFLICT DO NOTHING',
    );
    expect(markStatement("mysql")).toBe(
      "INSERT IGNORE INTO `pipegen_batches` (`sink`, `batch_id`) VALUES (?, ?)",
    );
    expect(stageStatement("a.b", "s", "postgres")).toBe(
      'CREATE UNLOGGED TABLE IF NOT EXISTS "s" (LIKE "a"."b")',
    );
    expect(stageStatement("b", "s", "mysql")).toBe("CREATE TABLE IF NOT EXISTS `s` LIKE `b`");
  });
  it("hostile identifiers are quoted, never interpolated", () => {
    expect(
      createTable('we"ird', [{ name: 'a"b', type: "int", required: true }], ['a"b'], "postgres"),
    ).toContain('"we""ird"');
    expect(
      createTable("we`ird", [{ name: "a`b", type: "int", required: true }], [], "mysql"),
    ).toContain("`we``ird`");
  });
  it("Cassandra keys: time columns cluster, the rest partition", () => {
    expect(
      cassandraKey(
        ["user_id", "window_start", "action"],
        fields.concat([
          { name: "user_id", type: "string", required: true },
          { name: "action", type: "string", required: true },
        ]),
      ),
    ).toEqual({
      partition: ["user_id", "action"],
      clustering: ["window_start"],
    });
    const c = cassandra();
    expect(
      createCassandraTable(
        c,
        {
          kind: "cassandra",
          connection: c,
          table: "t",
          mode: "upsert",
          key: ["site", "window_start"],
        },
        fields,
      ),
    ).toBe(
      'CREATE TABLE IF NOT EXISTS "ks"."t" (\n  "site" text,\n  "window_start" timestamp,\n  "avg" double,\n  "total" decimal,\n  PRIMARY KEY (("site"), "window_start")\n);',
    );
  });
  it.each([
    [
      "an env host and a given port",
      postgres({ host: env("H"), port: lit("5433"), database: lit("d") }),
      { kind: "template", parts: ["jdbc:postgresql://", env("H"), ":5433/d"] },
    ],
    [
      "MySQL: the MariaDB driver with the MySQL scheme, default port",
      mysql({ host: lit("h"), database: lit("d") }),
      lit("jdbc:mysql://h:3306/d?permitMysqlScheme"),
    ],
    [
      "JDBC options are URL parameters, literal values percent-encoded",
      postgres({
        host: lit("h"),
        database: lit("d"),
        options: { ApplicationName: lit("pipe gen&co"), sslmode: lit("require") },
      }),
      lit("jdbc:postgresql://h:5432/d?ApplicationName=pipe%20gen%26co&sslmode=require"),
    ],
    [
      "MySQL options follow permitMysqlScheme; references stay references",
      mysql({ host: lit("h"), database: lit("d"), options: { sslMode: env("SSL_MODE") } }),
      {
        kind: "template",
        parts: ["jdbc:mysql://h:3306/d?permitMysqlScheme&sslMode=", env("SSL_MODE")],
      },
    ],
  ])("JDBC URL: %s", (_name, given, want) => {
    expect(jdbcUrl(given)).toEqual(want);
  });
  it("intervals", () => {
    expect([1000, 60_000, 600_000, 3_600_000, 86_400_000, 1500].map(interval)).toEqual([
      "1 seconds",
      "1 minutes",
      "10 minutes",
      "1 hours",
      "1 days",
      "1500 milliseconds",
    ]);
  });
});

describe("a schema's enum is checked on every record", () => {
  const withEnum = schema({
    fields: [
      field("id", "long", { required: true }),
      field("status", "string", { enum: ["NEW", "DONE"] }),
    ],
  });
  const rule = (values: string[]): QualityRule => ({
    kind: "enum",
    name: "status_ok",
    columns: ["status"],
    values,
  });
  it.each([
    [
      "no quality rule: the schema's enum is the check",
      [],
      1,
      "schema: status not in the enum of event",
    ],
    ["a quality rule with the same values covers it", [rule(["NEW", "DONE"])], 0, null],
    ["a narrower quality rule covers it", [rule(["NEW"])], 0, null],
    ["a quality rule allowing more does not", [rule(["NEW", "DONE", "OLD"])], 1, "schema: status"],
  ] as const)("%s", (_name, quality, schemaChecks, reason) => {
    const s = stream({ from: { ...stream().from, topic: topic({ schema: withEnum }) }, quality });
    const job = streamJob(pipeline({ streams: [s] }), s);
    expect(job.split("schema: status not in the enum of event").length - 1).toBe(schemaChecks);
    if (reason) expect(job).toContain(`F.col("status").isin(["NEW", "DONE"])`);
  });
});

describe("a stream that writes nothing to Kafka", () => {
  it("opens no Kafka producer options: its job is ruff-clean (F841 before)", () => {
    const s = stream({
      onInvalid: { kind: "drop" },
      sinks: [
        {
          kind: "files",
          connection: filesConnection(),
          path: "out",
          format: "parquet",
          partitionBy: [],
        },
      ],
    });
    const job = formatWhole("j.py", streamJob(pipeline({ streams: [s] }), s));
    expect(job).not.toContain("kafka = kafka_options(args)");
    expect(lintPython(job)).toEqual([]);
  });
});

describe("an upsert without aggregation keeps the latest record of a key within a micro-batch", () => {
  const key = ["id"];
  const upsert = (mode: "upsert" | "append") => ({
    kind: "jdbc" as const,
    connection: postgres(),
    table: "t",
    mode,
    key: mode === "upsert" ? key : [],
  });
  const filesSink = {
    kind: "files" as const,
    connection: filesConnection(),
    path: "out",
    format: "parquet" as const,
    partitionBy: [],
  };
  it.each([
    ["a table upsert", [upsert("upsert"), filesSink], true],
    [
      "a MongoDB sink",
      [{ kind: "mongodb" as const, connection: mongodb(), collection: "c", key }],
      true,
    ],
    ["an append only", [upsert("append")], false],
  ] as const)("%s", (_name, sinks, latest) => {
    const s = stream({
      onInvalid: { kind: "drop" },
      steps: [{ kind: "select", columns: ["id", "name"] }],
      output: [field("id", "long", { required: true }), field("name", "string")],
      sinks,
    });
    const job = formatWhole("j.py", streamJob(pipeline({ streams: [s] }), s));
    expect(lintPython(job)).toEqual([]);
    // The valid records keep their place in Kafka through the steps, and the sink keeps the
    // latest record of each key (pipegen_runtime.spark.sinks.base.latest).
    expect(job.includes("decoding.valid(checked, SCHEMA, keep_order=True)")).toBe(latest);
    expect(job.includes('df.select("id", "name", "__pg_seq")')).toBe(latest);
    expect(job.includes('rows="latest"')).toBe(latest);
    expect(job.includes('rows="all"')).toBe(!latest);
    // Files get the sink columns only (never __pg_seq).
    if (sinks.length > 1) expect(job).toContain("columns=SINK_COLUMNS,\n        ),\n    ]");
    expect(job).not.toContain('rows="one_per_key"');
  });
});

describe("a topic whose fields are all optional", () => {
  it("has a schema of nullable fields: the runtime tells a record of nulls by its bytes", () => {
    const allOptional = schema({ key: [], fields: [field("a", "string"), field("b", "long")] });
    const s = stream({
      from: { ...stream().from, topic: topic({ schema: allOptional }) },
      onInvalid: { kind: "drop" },
      output: allOptional.fields,
      sinks: [{ kind: "kafka", topic: topic({ name: "out", schema: null }), key: null }],
    });
    const job = formatWhole("j.py", streamJob(pipeline({ streams: [s] }), s));
    expect(job).toContain('T.StructField("a", T.StringType(), True)');
    expect(job).toContain('T.StructField("b", T.LongType(), True)');
    expect(job).toMatch(
      /decoding\.decode_avro\(\s*raw, SCHEMA, AVRO_SCHEMA, writers=writers, subject=SUBJECT\s*\)/,
    );
    expect(job).toContain("message_key=None");
    expect(lintPython(job)).toEqual([]);
  });
});

describe("every job pins pipegen-runtime", () => {
  const jobs = Object.entries({
    ...files("test/fixtures/valid/spark-variants.yaml"),
    ...files("specs/shop_orders.yaml"),
  }).filter(([p]) => /\/spark\/[^/]+\.py$/.test(p));

  it.each(jobs)(
    "%s: says so in its header and checks it before importing the runtime",
    (p, job) => {
      const lines = job.split("\n");
      expect(lines.slice(0, 4).join("\n")).toContain(
        `# Needs pipegen-runtime==${RUNTIME_VERSION} on the driver and the executors`,
      );
      const require = lines.indexOf(`pipegen_runtime.require("${RUNTIME_VERSION}", "${p}")`);
      const runtimeImport = lines.findIndex((l) => l.startsWith("from pipegen_runtime."));
      expect(require).toBeGreaterThan(lines.indexOf("import pipegen_runtime"));
      expect(runtimeImport).toBeGreaterThan(require);
      expect(lines.filter((l) => /^(from|import) pipegen_runtime/.test(l))).toHaveLength(2);
      expect(lintPython(job)).toEqual([]);
    },
  );
});

describe("a job imports what it uses, no more", () => {
  const plain = (over: Partial<Parameters<typeof stream>[0]>) => {
    const s = stream({
      onInvalid: { kind: "drop" },
      quality: [],
      steps: [],
      sinks: [{ kind: "kafka", topic: topic({ name: "out", schema: null }), key: null }],
      ...over,
    });
    return formatWhole("j.py", streamJob(pipeline({ streams: [s] }), s));
  };
  it.each([
    ["no rules, no expression steps", plain({}), false, false],
    ["a filter step", plain({ steps: [{ kind: "filter", expr: "id > 0" }] }), true, false],
    [
      "a dead-letter topic",
      plain({ onInvalid: { kind: "deadLetter", topic: topic({ name: "dlq", schema: null }) } }),
      false,
      true,
    ],
  ])("%s", (_name, job, functions, deadLetters) => {
    expect(job.includes("from pyspark.sql import functions as F")).toBe(functions);
    expect(job.includes("dead_letters")).toBe(deadLetters);
    expect(lintPython(job)).toEqual([]);
  });
});

describe("a job that reads Avro reads each record with its writer's schema", () => {
  const job = (format: "avro" | "json") => {
    const t = { ...topic({ name: "in" }), format, subject: format === "avro" ? "in-value" : null };
    const s = stream({
      from: { ...stream().from, topic: t },
      onInvalid: { kind: "drop" },
      sinks: [{ kind: "kafka", topic: topic({ name: "out", schema: null }), key: null }],
    });
    const p = pipeline({ streams: [s] });
    return { code: formatWhole("j.py", streamJob(p, s)), plan: sparkJobPlans(p).get(s.name)! };
  };
  it.each([
    ["avro", true],
    ["json", false],
  ] as const)("%s: the registry's versions of the subject, by id: %s", (format, reads) => {
    const { code, plan } = job(format);
    const wanted = [
      'SUBJECT = "in-value"',
      'schema_registry_url=os.environ.get("SCHEMA_REGISTRY_URL")',
      "avro=True",
      "writers = source.writer_schemas(args.schema_registry_url, SUBJECT, AVRO_SCHEMA)",
      "checked = decode(read_source(spark, args), writers)",
      "Each record is read with the schema it was written with",
    ];
    for (const w of wanted) expect(code.includes(w), w).toBe(reads);
    expect(code.includes("checked = decode(read_source(spark, args))\n")).toBe(!reads);
    expect(plan.environment.includes("SCHEMA_REGISTRY_URL")).toBe(reads);
    expect(lintPython(code)).toEqual([]);
  });
});
