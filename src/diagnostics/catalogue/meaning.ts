/** The catalogue's PG3xx codes: what a spec means (names, references, columns, secrets). */
import type { Entries } from "./types.js";

const head = "pipegen: 1\npipeline: shop\n";
const orders = `schemas:
  order:
    fields:
      order_id: {type: long, required: true}
      status: {type: string}
      amount: {type: double}
      updated_at: {type: timestamp, required: true}
topics:
  orders: {schema: order, partitions: 3}
  orders.out: {partitions: 3}
`;
/** A spec with one stream from 'orders' to a topic; `steps` are its steps' list items. */
const stream = (steps: string, extra = "") => `${head}${orders}${extra}streams:
  big_orders:
    from: {topic: orders}
    onInvalid: drop
${steps}    to:
      - {topic: orders.out}
`;
const steps = (...items: string[]) => `    steps:\n${items.map((s) => `      - ${s}\n`).join("")}`;
const quality = (...items: string[]) =>
  `    quality:\n${items.map((s) => `      - ${s}\n`).join("")}`;

export const meaningEntries: Entries<
  "PG301" | "PG302" | "PG303" | "PG304" | "PG305" | "PG306" | "PG307" | "PG308" | "PG309" | "PG310"
> = {
  PG301: {
    means:
      "A name refers to something the spec does not declare: a topic's schema, a stream's topic, a sink's connection, a dead-letter topic.",
    example: { specs: { "shop.yaml": stream("").replace("schema: order,", "schema: ordr,") } },
    says: {
      at: "shop.yaml:11:20",
      message: "unknown schema 'ordr'",
      hint: "did you mean 'order'?",
    },
    fix: "Use a declared name (the hint lists the closest), or declare it in its section.",
    fixed: { "shop.yaml": stream("") },
  },
  PG302: {
    means:
      "Two things that need different names have the same one: two quality rules of a stream, a renamed column and an existing one, an ingest, stream and archive (they share one namespace: files and Airflow task ids).",
    example: {
      specs: {
        "shop.yaml": stream(
          quality("{name: valid, notNull: [amount]}", '{name: valid, check: "amount > 0"}'),
        ),
      },
    },
    says: {
      at: "shop.yaml:19:9",
      message: "two quality rules are named 'valid'",
      hint: "give one a different 'name:'",
    },
    fix: "Rename one of them.",
    fixed: {
      "shop.yaml": stream(
        quality("{name: has_amount, notNull: [amount]}", '{name: positive, check: "amount > 0"}'),
      ),
    },
  },
  PG303: {
    means:
      "A secret is written in the spec: a password, SASL password or S3 key that is not a ${secret:NAME} reference, or a URI with user:password@ in it. Specs are committed and reviewed; secrets must not be.",
    example: {
      specs: {
        "shop.yaml": `${head}connections:\n  shop_db: {type: postgres, host: db, database: shop, user: ingest, password: hunter2}\n`,
      },
    },
    says: {
      at: "shop.yaml:4:79",
      message:
        "plaintext secret in 'password' of connection 'shop_db': a secret must be a '${secret:NAME}' reference",
      hint: "secrets never appear in a spec: write '${secret:NAME}' and provide NAME at run time (Airflow connection or variable, NiFi sensitive parameter, environment variable)",
    },
    fix: "Write '${secret:NAME}' and provide NAME where the pipeline runs (an Airflow variable or connection, a NiFi sensitive parameter, an environment variable of the Spark job). Change the password that was in the file.",
    fixed: {
      "shop.yaml": `${head}connections:\n  shop_db: {type: postgres, host: db, database: shop, user: ingest, password: "\${secret:SHOP_DB_PASSWORD}"}\n`,
    },
  },
  PG304: {
    means:
      "A column is used where the records at that point do not have it: in a filter, check or derive expression, a key, a select, a partition column. pipegen follows the columns step by step from the topic's schema.",
    example: { specs: { "shop.yaml": stream(steps('filter: "total > 100"')) } },
    says: {
      at: "shop.yaml:18:17",
      message: "unknown column 'total' in step 1",
      hint: "known columns: 'amount', 'order_id', 'status', 'updated_at'",
    },
    fix: "Use a column the records have at that step (the hint lists them), or make it in an earlier step (derive, rename).",
    fixed: { "shop.yaml": stream(steps('filter: "amount > 100"')) },
  },
  PG305: {
    means:
      "Settings that are each valid do not work together: a cluster deploy mode with a local master, a MongoDB source with an incremental column, an append into Cassandra, a stream that is both long-running and scheduled. The pipeline would fail or lose data when it runs.",
    example: {
      specs: {
        "shop.yaml": `${head}platform:\n  spark: {master: "local[*]", deployMode: cluster}\n`,
      },
    },
    says: {
      at: "shop.yaml:4:43",
      message:
        "deployMode 'cluster' cannot run on master 'local[*]': a local master has no cluster to place the driver on",
      hint: "use 'deployMode: client' with a local master, or a cluster master (yarn, k8s://..., spark://...)",
    },
    fix: "Change one of the settings as the hint says.",
    fixed: { "shop.yaml": `${head}platform:\n  spark: {master: yarn, deployMode: cluster}\n` },
  },
  PG306: {
    means:
      "'--env NAME' names an environment that no spec of the build defines: usually a typo. (A spec without NAME is built as written when another spec of the build defines it.)",
    example: {
      specs: {
        "shop.yaml": stream("", "environments:\n  prod: {topics: {replicationFactor: 3}}\n"),
      },
      env: "prd",
    },
    says: {
      at: "shop.yaml:13:1",
      message: "environment 'prd' is not defined in this spec",
      hint: "did you mean 'prod'?",
    },
    fix: "Build with an environment the specs define (pipegen build --env prod), or add it under 'environments:'.",
    fixed: {
      "shop.yaml": stream("", "environments:\n  prd: {topics: {replicationFactor: 3}}\n"),
    },
  },
  PG307: {
    means:
      "A column has a type that does not fit its use: a window or dedupe 'on' a column that is not a timestamp, a sum or avg of text.",
    example: {
      specs: {
        "shop.yaml": stream(
          steps(
            'window: {on: amount, size: 1m, watermark: 10m}\n        aggregate: {orders: "count(*)"}',
          ),
        ),
      },
    },
    says: {
      at: "shop.yaml:18:22",
      message: "a window is 'on' a timestamp column; 'amount' is double",
      hint: 'name a timestamp column, or derive one: derive: {at: {expr: "to_timestamp(...)", type: timestamp}}',
    },
    fix: "Use a column of the right type, or derive one with an explicit type first.",
    fixed: {
      "shop.yaml": stream(
        steps(
          'window: {on: updated_at, size: 1m, watermark: 10m}\n        aggregate: {orders: "count(*)"}',
        ),
      ),
    },
  },
  PG308: {
    means:
      "pipegen cannot tell a derived column's type from its expression (a function it does not type), and the column needs one: every column of a stream has a type, for the sink tables and the Avro schemas.",
    example: {
      specs: {
        "shop.yaml": stream(steps('derive: {amount_eur: "round(amount * 0.92, 2)"}')),
      },
    },
    says: {
      at: "shop.yaml:18:30",
      message: "cannot tell the type of the derived column 'amount_eur' from its expression",
      hint: 'write it with a type, e.g. amount_eur: {expr: "round(amount * 0.92, 2)", type: decimal, precision: 12, scale: 2}',
    },
    fix: "Give the column its type: {expr: ..., type: ...}; the value is cast to it.",
    fixed: {
      "shop.yaml": stream(
        steps(
          'derive: {amount_eur: {expr: "round(amount * 0.92, 2)", type: decimal, precision: 12, scale: 2}}',
        ),
      ),
    },
  },
  PG309: {
    means:
      "A SQL expression (filter, check, derive, aggregate) is not one Spark's parser accepts. pipegen parses every expression with Spark's own grammar at build time, so the job does not fail when it starts.",
    example: {
      specs: { "shop.yaml": stream(steps(`filter: "amount > 100 and (status = 'PAID'"`)) },
    },
    says: {
      at: "shop.yaml:18:35",
      message:
        "this '(' is never closed: Spark's grammar expects ')' before the end of the expression",
      hint: "add the missing ')' where the part it opens ends",
    },
    fix: "Correct the expression at the character shown; quote the whole expression in YAML.",
    fixed: { "shop.yaml": stream(steps(`filter: "amount > 100 and (status = 'PAID')"`)) },
  },
  PG310: {
    means:
      "A stream or archive has the name of a Python module its Spark job imports: a standard library module (Python 3.11's list), or pyspark, pipegen_runtime, confluent_kafka, fastavro and the like. The job is the file <name>.py and spark-submit puts its folder first on the module path, so the job would import itself (or its neighbour) instead of the module and break when it starts.",
    example: { specs: { "shop.yaml": stream("").replace("  big_orders:", "  copy:") } },
    says: {
      at: "shop.yaml:14:3",
      message:
        "stream 'copy' would be the Spark job file copy.py, which shadows the Python standard library's module 'copy' (spark-submit puts the job's folder first on the module path)",
      hint: "rename the stream (e.g. 'copy_job' or a name that says what it does)",
    },
    fix: "Rename the stream or archive; a name that says what it does (copy_orders) is never a module's.",
    fixed: { "shop.yaml": stream("").replace("  big_orders:", "  copy_orders:") },
  },
};
