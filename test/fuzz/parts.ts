/**
 * The parts of a generated valid spec: names and free text within the rules, a record schema
 * with the roles a pipeline needs (an id, an event time, a group column, a measure) and random
 * extra fields, topic settings, connections of every kind; and the YAML a person would write.
 */
import fc from "fast-check";
import { Document, isScalar, visit } from "yaml";
import { jobImportedModules, pythonStdlibModules } from "../../src/ir/python-modules.js";

export type Spec = Record<string, unknown>;
/** The values an arbitrary generates. */
export type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

export const ident = fc.stringMatching(/^[a-z][a-z0-9_]{1,11}$/);
/** A name a stream or archive may have: not a module its Spark job imports (PG310). */
export const jobName = ident.filter(
  (n) => !pythonStdlibModules.has(n) && !jobImportedModules.has(n),
);
export const topicName = fc.stringMatching(/^[a-z][a-z0-9_.-]{1,14}$/);
export const duration = fc
  .tuple(fc.integer({ min: 1, max: 90 }), fc.constantFrom("s", "m", "h", "d"))
  .map(([n, u]) => `${n}${u}`);
export const envName = fc.stringMatching(/^[A-Z][A-Z0-9_]{1,10}$/);
/** Free text: any characters a person may type, quotes and new lines included. */
export const text = fc.string({ unit: "grapheme", maxLength: 24 });
const reserved = new Set(["window_start", "window_end", "dt", "hour"]);

const measureTypes = ["int", "long", "double", "decimal"] as const;
const extraTypes = [
  "string",
  "int",
  "long",
  "float",
  "double",
  "boolean",
  "decimal",
  "date",
  "bytes",
];

/** A field of a record schema, with what a type needs (precision and scale for decimals). */
function field(type: string, required: boolean, doc?: string, values?: string[]) {
  return {
    type,
    ...(required ? { required: true } : {}),
    ...(type === "decimal" ? { precision: 12, scale: 2 } : {}),
    ...(values?.length ? { enum: values } : {}),
    ...(doc ? { doc } : {}),
  };
}

export const schemaModel = fc.record({
  names: fc
    .uniqueArray(ident, { minLength: 12, maxLength: 12 })
    .filter((ns) => ns.every((n) => !reserved.has(n))),
  measure: fc.constantFrom(...measureTypes),
  extras: fc.array(fc.tuple(fc.constantFrom(...extraTypes), fc.boolean()), { maxLength: 3 }),
  groupValues: fc.uniqueArray(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,6}$/), { maxLength: 3 }),
  docs: fc.array(text, { minLength: 4, maxLength: 4 }),
});
export type SchemaModel = Of<typeof schemaModel>;

/** Roles of the record's columns. */
export interface Roles {
  id: string;
  ts: string;
  group: string;
  measure: string;
  /** The other fields. */
  extras: string[];
  /** The group column's enum values (none when it has no enum). */
  groupValues: string[];
}

/** A record schema and its columns' roles; `spare` are unused names for columns steps make. */
export function buildSchema(m: SchemaModel): { schema: Spec; roles: Roles; spare: string[] } {
  const [id, ts, group, measure, ...more] = m.names as [
    string,
    string,
    string,
    string,
    ...string[],
  ];
  const spare = more.slice(3);
  const rest = more.slice(0, 3);
  const fields: Spec = {
    [id]: field("long", true, m.docs[0]),
    [ts]: field("timestamp", true, m.docs[1]),
    [group]: field("string", true, m.docs[2], m.groupValues),
    [measure]: field(m.measure, false, m.docs[3]),
  };
  const extras: string[] = [];
  m.extras.forEach(([type, required], i) => {
    fields[rest[i]!] = field(type, required);
    extras.push(rest[i]!);
  });
  return {
    schema: { key: [id], fields },
    roles: { id, ts, group, measure, extras, groupValues: m.groupValues },
    spare,
  };
}

export const topicSettings = fc.record({
  partitions: fc.integer({ min: 1, max: 64 }),
  retention: fc.oneof(duration, fc.constant("forever")),
  replication: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  compression: fc.option(fc.constantFrom("zstd", "lz4", "snappy", "gzip"), { nil: undefined }),
  doc: fc.option(text, { nil: undefined }),
});

export function topic(s: Of<typeof topicSettings>, schema?: string) {
  return {
    ...(schema ? { schema } : {}),
    partitions: s.partitions,
    retention: s.retention,
    ...(s.replication ? { replicationFactor: s.replication, minInsyncReplicas: 1 } : {}),
    ...(s.compression ? { compression: s.compression } : {}),
    ...(s.doc ? { doc: s.doc } : {}),
  };
}

export const connectionModel = fc.record({
  names: fc.uniqueArray(ident, { minLength: 4, maxLength: 4 }),
  source: fc.constantFrom("postgres", "mysql"),
  sink: fc.constantFrom("postgres", "mysql", "cassandra"),
  hostEnv: fc.option(envName, { nil: undefined }),
  secret: envName,
  bucket: fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,20}[a-z0-9]$/),
  database: ident,
});

export function buildConnections(m: Of<typeof connectionModel>) {
  const [src, sink, lake, docs] = m.names as [string, string, string, string];
  const host = m.hostEnv ? `\${env:${m.hostEnv}}` : "db.internal";
  const sql = (type: string) => ({
    type,
    host,
    database: m.database,
    user: "pipegen",
    password: `\${secret:${m.secret}}`,
  });
  const sinkConn =
    m.sink === "cassandra"
      ? {
          type: "cassandra",
          contactPoints: ["cass-1"],
          keyspace: m.database,
          replication: { class: "SimpleStrategy", factor: 1 },
        }
      : sql(m.sink);
  return {
    names: { src, sink, lake, docs, sinkType: m.sink },
    connections: {
      [src]: sql(m.source),
      [sink]: sinkConn,
      [lake]: { type: "s3", bucket: m.bucket },
      [docs]: { type: "mongodb", uri: `\${secret:${m.secret}_URI}`, database: m.database },
    },
  };
}

/** The YAML a person would write for a spec: leaf mappings in flow style when `flow`. */
export function toYaml(spec: Spec, flow: boolean): string {
  const doc = new Document(spec);
  visit(doc, {
    Map(_, node) {
      if (flow && node.items.length > 0 && node.items.every((p) => isScalar(p.value)))
        node.flow = true;
    },
    Seq(_, node) {
      if (node.items.every((x) => isScalar(x))) node.flow = true;
    },
    Scalar(_, node) {
      if (typeof node.value === "string" && node.value.includes("${")) node.type = "QUOTE_DOUBLE";
    },
  });
  return doc.toString({ lineWidth: 0 });
}
