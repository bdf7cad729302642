// Offline Avro compatibility (src/plan/avro.ts): each level against earlier versions, the field named.
import { describe, expect, it } from "vitest";
import { cannotRead, incompatibility, logicalTypeChanges } from "../../../src/plan/avro.js";

const rec = (...fields: object[]) => ({ type: "record", name: "r", namespace: "p", fields });
const id = { name: "id", type: "long" };
const qtyRequired = { name: "qty", type: "int" };
const qtyOptional = { name: "qty", type: ["null", "int"], default: null };
const legacy = (type: unknown) => ({
  name: "legacy",
  type,
  ...(Array.isArray(type) ? { default: null } : {}),
});

const v1 = rec(id);
const withRequired = rec(id, qtyRequired);
const withOptional = rec(id, qtyOptional);
const versions = (...schemas: object[]) =>
  schemas.map((schema, i) => ({ schema, from: `v${i + 1}` }));

describe("cannotRead", () => {
  it.each([
    [
      "a field without a default, missing in the writer",
      withRequired,
      v1,
      "field 'qty' has no default",
    ],
    ["a field the reader does not know", v1, withRequired, null],
    ["an optional field", withOptional, v1, null],
    [
      "a long read as an int",
      rec({ name: "id", type: "int" }),
      v1,
      "field 'id' is long in the writer's schema and int in the reader's",
    ],
    ["an int read as a long (promotion)", v1, rec({ name: "id", type: "int" }), null],
    [
      "another record name",
      { ...v1, name: "other" },
      v1,
      "the record is named p.other in one and p.r in the other",
    ],
  ])("%s", (_, reader, writer, want) => {
    const got = cannotRead(reader, writer);
    if (want === null) expect(got).toBeNull();
    else expect(got).toContain(want);
  });
});

describe("incompatibility at a level", () => {
  it.each([
    ["BACKWARD", withRequired, versions(v1), "backward"],
    ["BACKWARD", withOptional, versions(v1), null],
    ["FORWARD", v1, versions(withRequired), "forward"],
    ["FORWARD", withRequired, versions(v1), null],
    ["FULL", withRequired, versions(v1), "backward"],
    ["FULL", withOptional, versions(v1), null],
    ["NONE", rec({ name: "id", type: "string" }), versions(v1), null],
    // fine against the newest, not against the first: only _TRANSITIVE looks back
    ["BACKWARD", rec(id, legacy(["null", "int"])), versions(rec(id, legacy("string")), v1), null],
    [
      "BACKWARD_TRANSITIVE",
      rec(id, legacy(["null", "int"])),
      versions(rec(id, legacy("string")), v1),
      "backward",
    ],
  ])("%s: %j", (level, next, earlier, want) => {
    const got = incompatibility(level, next, earlier);
    if (want === null) expect(got).toBeNull();
    else expect(got?.direction).toBe(want);
  });

  it("says which version it is incompatible with", () => {
    const got = incompatibility(
      "FULL_TRANSITIVE",
      rec(id, legacy(["null", "int"])),
      versions(rec(id, legacy("string")), v1),
    );
    expect(got).toMatchObject({ against: "v1", direction: "backward" });
    expect(got!.problem).toContain("field 'legacy'");
  });
});

describe("logical types", () => {
  const dec = (scale: number) => ({ type: "bytes", logicalType: "decimal", precision: 10, scale });
  it("a decimal's scale change is named; a doc change is not", () => {
    expect(
      logicalTypeChanges(
        rec({ name: "a", type: ["null", dec(2)] }),
        rec({ name: "a", type: ["null", dec(3)] }),
      ),
    ).toEqual(["field 'a' decimal(10,2) -> decimal(10,3)"]);
    expect(
      logicalTypeChanges(
        rec({ name: "a", type: dec(2) }),
        rec({ name: "a", type: dec(2), doc: "x" }),
      ),
    ).toEqual([]);
  });
});
