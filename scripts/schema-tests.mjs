// The `tests:` section of the spec JSON Schema (`pipegen test`), also the whole of a sibling
// `<spec>.tests.yaml` file. scripts/schema-src.mjs puts it in the spec's schema (described in
// scripts/schema-docs/tests.mjs); gen-types.mjs writes the tests file's own schema from it.
import { col, id, map, obj, ref } from "./schema-parts.mjs";

const rows = { type: "array", items: ref("testRow") };

export const testDefinitions = {
  testValue: { type: ["string", "number", "boolean", "null"] },
  testRow: { type: "object", propertyNames: col, additionalProperties: ref("testValue") },
};

const test = obj(
  {
    stream: id,
    doc: { type: "string" },
    given: { type: "array", minItems: 1, items: obj({ batch: rows }, ["batch"]) },
    lookups: map({ type: "string", minLength: 1 }, rows),
    expect: obj(
      {
        sinks: map({ type: "string", minLength: 1 }, rows),
        deadLetters: rows,
      },
      [],
      { minProperties: 1 },
    ),
    ordered: { type: "boolean" },
  },
  ["stream", "given", "expect"],
);

export const testsSection = map(id, test);

/** The schema of a sibling `<spec>.tests.yaml`: only `tests:`, with the spec's definitions. */
export function testsFileSchema(specSchema) {
  return {
    $schema: specSchema.$schema,
    $id: specSchema.$id.replace(/\.schema\.json$/, ".tests.schema.json"),
    title: "PipegenTests",
    description:
      "The tests of one pipegen spec, beside it as `<spec>.tests.yaml` (the spec `<spec>.yaml`).",
    type: "object",
    additionalProperties: false,
    required: ["tests"],
    properties: { tests: specSchema.properties.tests },
    definitions: specSchema.definitions,
  };
}
