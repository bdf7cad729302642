/**
 * The cases of the fuzz: valid specs, and valid specs broken once: a schema rule (from the JSON
 * Schema), an IR rule, or YAML damage. A broken case knows where it is broken.
 */
import fc from "fast-check";
import { damages } from "./damage.js";
import { irRuleSets, places } from "./ir-rules.js";
import { irSettingSets } from "./ir-settings.js";
import { toYaml } from "./parts.js";
import { rangeOf } from "./place.js";
import type { BrokenCase } from "./properties.js";
import { type Breakage, schemaBreakages } from "./schema-rules.js";
import { type ValidCase, validCase } from "./valid.js";

export type FuzzCase = { kind: "valid"; valid: ValidCase } | { kind: "broken"; broken: BrokenCase };

const irRules = [...Object.values(irRuleSets), ...Object.values(irSettingSets)].flat();

/** The valid spec broken by one breakage, with the range it is broken at. */
function brokenBy(c: ValidCase, b: Breakage): FuzzCase {
  const spec = structuredClone(c.spec);
  b.apply(spec);
  const text = toYaml(spec, c.flow);
  const range = rangeOf(text, b.broken);
  if (!range) throw new Error(`${b.rule}: ${b.broken.pointer} is not in the broken spec`);
  return { kind: "broken", broken: { kind: b.rule, text, range } };
}

const schemaCase = validCase.chain((c) =>
  fc.constantFrom(...schemaBreakages(c.spec)).map((b) => brokenBy(c, b)),
);

const irCase = validCase.chain((c) => {
  const p = places(c.spec);
  const applicable = irRules.map((r) => r(c, p)).filter((b): b is Breakage => b !== undefined);
  return fc.constantFrom(...applicable).map((b) => brokenBy(c, b));
});

const damageCase = validCase.chain((c) =>
  fc.constantFrom(...damages(c.text)).map((d): FuzzCase => ({
    kind: "broken",
    broken: { kind: d.kind, text: d.text, line: d.line },
  })),
);

/** Every kind of case, valid ones about one in five. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { weight: 2, arbitrary: validCase.map((valid): FuzzCase => ({ kind: "valid", valid })) },
  { weight: 3, arbitrary: schemaCase },
  { weight: 3, arbitrary: irCase },
  { weight: 2, arbitrary: damageCase },
);
