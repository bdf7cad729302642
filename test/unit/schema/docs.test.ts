/**
 * The JSON Schema as editors show it: every key described for users (hover documentation),
 * examples that are valid values, defaults that are pipegen's real defaults, a stable $id.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { defaults } from "../../../src/ir/resolve/defaults.js";
import { isSchedule } from "../../../src/schema/schedule.js";
import { schemaDocument } from "../../../src/schema/validate.js";

type Node = Record<string, unknown>;
const schema = schemaDocument() as Node;
const require = createRequire(import.meta.url);

/** Every node a person can hover in an editor: each key and each map's value, by JSON pointer. */
function keyNodes(): Array<{ pointer: string; node: Node }> {
  const out: Array<{ pointer: string; node: Node }> = [];
  const walk = (n: unknown, pointer: string) => {
    if (n === null || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach((x, i) => walk(x, `${pointer}/${i}`));
    const node = n as Node;
    for (const [k, v] of Object.entries(node)) {
      const at = `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`;
      if (k === "if") continue; // the condition of a connection type, not a key a person writes
      if (k === "properties")
        for (const [name, child] of Object.entries(v as Node)) {
          out.push({ pointer: `${at}/${name}`, node: child as Node });
          walk(child, `${at}/${name}`);
        }
      else if (k === "additionalProperties" && typeof v === "object") {
        out.push({ pointer: at, node: v as Node });
        walk(v, at);
      } else if (k === "definitions")
        for (const [name, def] of Object.entries(v as Node)) {
          out.push({ pointer: `${at}/${name}`, node: def as Node });
          walk(def, `${at}/${name}`);
        }
      else if (typeof v === "object" && !["examples", "default", "enum", "const"].includes(k))
        walk(v, at);
    }
  };
  walk(schema, "#");
  return out;
}

/** The node at a JSON pointer of the schema. */
const at = (pointer: string): Node =>
  pointer
    .slice(2)
    .split("/")
    .reduce<Node>((n, seg) => n[seg.replace(/~1/g, "/").replace(/~0/g, "~")] as Node, schema);

function ajv() {
  const Ajv = require("ajv").default as typeof import("ajv").default;
  const a = new Ajv({ strict: true, allowUnionTypes: true });
  a.addKeyword("tsType");
  a.addFormat("schedule", { type: "string", validate: isSchedule });
  a.addSchema(schema);
  return a;
}

describe("the JSON Schema's documentation", () => {
  const nodes = keyNodes();

  it("describes every key, every map's values and every definition", () => {
    expect(nodes.length).toBeGreaterThan(300);
    const missing = nodes.filter(({ node }) => typeof node.description !== "string");
    expect(missing.map((m) => m.pointer)).toEqual([]);
  });

  it("describes them in sentences, not by repeating the key's name", () => {
    const poor = nodes.filter(({ pointer, node }) => {
      const d = String(node.description);
      const key = pointer.split("/").pop()!;
      return d.length < 12 || !/[.)]$/.test(d) || d.toLowerCase() === key.toLowerCase();
    });
    expect(poor.map((p) => `${p.pointer}: ${String(p.node.description)}`)).toEqual([]);
  });

  it("has a stable public $id", () => {
    expect(schema.$id).toBe("https://pipegen.dev/schema/pipegen.v1.schema.json");
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
  });

  it("gives examples and defaults that the schema itself accepts", () => {
    const a = ajv();
    const id = String(schema.$id);
    const bad: string[] = [];
    let checked = 0;
    for (const { pointer, node } of nodes) {
      const values = [
        ...((node.examples as unknown[] | undefined) ?? []),
        ...("default" in node ? [node.default] : []),
      ];
      if (!values.length) continue;
      const validate = a.getSchema(`${id}${pointer}`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      for (const v of values) {
        checked++;
        if (!validate(v))
          bad.push(`${pointer}: ${JSON.stringify(v)} ${a.errorsText(validate.errors)}`);
      }
    }
    expect(checked).toBeGreaterThan(150);
    expect(bad).toEqual([]);
  });

  const p = "#/properties";
  const platform = `${p}/platform/properties`;
  const stream = `${p}/streams/additionalProperties/properties`;
  const conn = "#/definitions";
  it.each([
    [`${platform}/kafka/properties/bootstrapServers`, defaults.kafkaBootstrap],
    [`${platform}/kafka/properties/schemaRegistry`, defaults.schemaRegistry],
    [`${platform}/kafka/properties/securityProtocol`, defaults.securityProtocol],
    [`${platform}/nifi/properties/url`, defaults.nifiUrl],
    [`${platform}/nifi/properties/version`, defaults.nifiVersion],
    [`${platform}/spark/properties/master`, defaults.sparkMaster],
    [`${platform}/spark/properties/deployMode`, defaults.sparkDeployMode],
    [`${platform}/spark/properties/checkpointRoot`, defaults.checkpointRoot],
    [`${platform}/spark/properties/shufflePartitions`, defaults.shufflePartitions],
    [`${platform}/lineage/properties/namespace`, defaults.lineageNamespace],
    [`${platform}/airflow/properties/sparkConnection`, defaults.airflow.sparkConnection],
    [`${platform}/airflow/properties/kafkaConnection`, defaults.airflow.kafkaConnection],
    [`${platform}/airflow/properties/nifiConnection`, defaults.airflow.nifiConnection],
    [
      `${platform}/airflow/properties/schemaRegistryConnection`,
      defaults.airflow.schemaRegistryConnection,
    ],
    [`${p}/topics/additionalProperties/properties/compatibility`, defaults.compatibility],
    [`${conn}/connection_postgres/properties/port`, defaults.ports.postgres],
    [`${conn}/connection_mysql/properties/port`, defaults.ports.mysql],
    [`${conn}/connection_cassandra/properties/port`, defaults.ports.cassandra],
    [
      `${p}/ingest/additionalProperties/properties/onError/properties/retries`,
      defaults.ingestRetries,
    ],
    [
      `${p}/ingest/additionalProperties/properties/onError/properties/backoff`,
      defaults.ingestBackoff,
    ],
    [`${stream}/from/properties/startingOffsets`, defaults.startingOffsets],
    [`${stream}/from/properties/failOnDataLoss`, defaults.failOnDataLoss],
    [`${p}/archive/additionalProperties/properties/to/properties/format`, defaults.fileFormat],
    [
      `${p}/archive/additionalProperties/properties/to/properties/partitionBy`,
      defaults.archivePartitionBy,
    ],
    [`${p}/orchestration/properties/startDate`, defaults.startDate],
    [`${p}/orchestration/properties/retries`, defaults.retries],
    [`${p}/orchestration/properties/retryDelay`, defaults.retryDelay],
    [`${p}/orchestration/properties/maxActiveRuns`, defaults.maxActiveRuns],
  ])("the default of %s is pipegen's", (pointer, value) => {
    expect(at(pointer).default).toEqual(value);
    expect(String(at(pointer).description)).toContain(
      Array.isArray(value) ? `[${value.join(", ")}]` : String(value),
    );
  });

  it("gives an environment's overrides no default (the spec's own value stands)", () => {
    const env = `${p}/environments/additionalProperties/properties`;
    const overlay = at(`${env}/platform/properties/spark/properties/master`);
    expect(overlay.description).toBe(at(`${platform}/spark/properties/master`).description);
    expect(overlay).not.toHaveProperty("default");
    expect(at("#/definitions/connectionOverlay/properties/port")).not.toHaveProperty("default");
    expect(at("#/definitions/connectionOverlay/properties/host").description).toMatch(
      /^This environment's value\. /,
    );
  });

  it("fails the generator on documentation of a key the schema does not have", async () => {
    const docsModule = "../../../scripts/schema-docs/index.mjs";
    const { document, docs } = (await import(docsModule)) as {
      document: (s: Node, t?: Node) => Node;
      docs: Node;
    };
    const source = { type: "object", properties: { a: { type: "string" } }, definitions: {} };
    expect(() => document(source, { a: "A key.", b: "Gone." })).toThrow(/b/);
    expect(Object.keys(docs).length).toBeGreaterThan(250);
  });
});
