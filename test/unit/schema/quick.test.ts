import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../../src/load/load.js";
import { isSchedule } from "../../../src/schema/schedule.js";
import { schemaDocument, specSchemaHash, validator } from "../../../src/schema/validate.js";
import { schemaBreakages } from "../../fuzz/schema-rules.js";
import { validCase } from "../../fuzz/valid.js";

/**
 * The standalone validator `npm run build` writes (scripts/gen-validator.mjs) decides validity
 * for the compiled one: both must say the same of every spec, valid or broken.
 */
type Source = {
  validatorSource: (schema: unknown) => string;
  schemaHash: (schema: unknown) => string;
};
const source = (await import("../../../scripts/validator-source.mjs" as string)) as Source;

function quickFrom(schema: unknown): { schemaHash: string; valid: (v: unknown) => boolean } {
  const exports: Record<string, unknown> = {};
  new Function("exports", "require", source.validatorSource(schema))(
    exports,
    createRequire(import.meta.url),
  );
  const make = exports.make as (f: unknown) => (v: unknown) => boolean;
  return {
    schemaHash: exports.schemaHash as string,
    valid: make({ schedule: { validate: isSchedule } }),
  };
}

const quick = quickFrom(schemaDocument());
const compiled = validator();
const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));

describe("the standalone validator", () => {
  it("says what the compiled one says of the examples and every YAML fixture", () => {
    const files = [...yamlFiles("specs"), ...yamlFiles("test/fixtures")];
    let valid = 0;
    for (const f of files) {
      const loaded = loadSpec(f, readFileSync(f, "utf8"));
      if (!loaded.spec) continue;
      const v = loaded.spec.value;
      expect(quick.valid(v), f).toBe(compiled(v));
      if (compiled(v)) valid++;
    }
    expect(valid).toBeGreaterThanOrEqual(3);
  });

  it("says what the compiled one says of generated specs, valid and broken by each schema rule", () => {
    let broken = 0;
    fc.assert(
      fc.property(validCase, (c) => {
        expect(quick.valid(c.spec)).toBe(true);
        expect(compiled(c.spec)).toBe(true);
        for (const b of schemaBreakages(c.spec)) {
          const spec = structuredClone(c.spec);
          b.apply(spec);
          expect(quick.valid(spec), b.rule).toBe(compiled(spec));
          if (!compiled(spec)) broken++;
        }
      }),
      { numRuns: 60, seed: 20_261_206 },
    );
    expect(broken).toBeGreaterThan(500);
  });

  it("names the schema it was made from, so that a stale one is not used", () => {
    expect(quick.schemaHash).toBe(source.schemaHash(schemaDocument()));
    // and validate.ts computes the same hash, or a fresh build would never use it
    expect(specSchemaHash()).toBe(quick.schemaHash);
    const other = structuredClone(schemaDocument()) as { required: string[] };
    other.required = [...other.required, "owner"];
    expect(source.schemaHash(other)).not.toBe(quick.schemaHash);
  });
});
