import { describe, expect, it } from "vitest";
import { compile } from "../../../src/api/index.js";

const spec = (section: "streams" | "archive", name: string) => `pipegen: 1
pipeline: shop
connections:
  lake: {type: files, path: /tmp/lake}
schemas:
  order:
    fields:
      id: {type: long, required: true}
topics:
  orders: {schema: order, partitions: 1}
  out: {partitions: 1}
${
  section === "streams"
    ? `streams:
  ${name}:
    from: {topic: orders}
    onInvalid: drop
    to:
      - {topic: out}`
    : `archive:
  ${name}:
    from: {topic: orders}
    to: {connection: lake, format: parquet}
    schedule: "@daily"`
}
`;

const errors = (section: "streams" | "archive", name: string) =>
  compile([{ file: "t.yaml", text: spec(section, name) }]).diagnostics.filter(
    (d) => d.severity === "error",
  );

describe("a stream's or archive's name is not a module its Spark job imports", () => {
  it.each([
    ["streams", "copy", "stream 'copy'", "Python standard library's module 'copy'"],
    ["streams", "json", "stream 'json'", "Python standard library's module 'json'"],
    ["streams", "types", "stream 'types'", "Python standard library's module 'types'"],
    ["archive", "logging", "archive 'logging'", "Python standard library's module 'logging'"],
    ["streams", "pyspark", "stream 'pyspark'", "job's imported module 'pyspark'"],
    ["archive", "pipegen_runtime", "archive 'pipegen_runtime'", "module 'pipegen_runtime'"],
    ["streams", "fastavro", "stream 'fastavro'", "job's imported module 'fastavro'"],
  ] as const)("%s %s: PG310 at its key", (section, name, what, module) => {
    const found = errors(section, name);
    expect(found.map((d) => d.code)).toEqual(["PG310"]);
    const d = found[0]!;
    expect(d.message).toContain(`${what} would be the Spark job file ${name}.py`);
    expect(d.message).toContain(module);
    expect(`${d.line}:${d.col}`).toBe("13:3");
    expect(d.hint).toContain(`'${name}_job'`);
  });

  it.each([
    ["streams", "copy_orders"],
    ["streams", "jsonify"],
    ["archive", "types_daily"],
  ] as const)("%s %s: no error", (section, name) => {
    expect(errors(section, name)).toEqual([]);
  });
});
