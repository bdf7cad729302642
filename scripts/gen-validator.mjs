// Writes dist/schema/validator.gen.cjs, the spec schema's validator as standalone code (see
// validator-source.mjs). Run by `npm run build` after tsc; without it (run from sources) the
// schema is compiled at run time, as before.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { validatorSource } from "./validator-source.mjs";

const schema = JSON.parse(
  readFileSync(new URL("../schema/pipegen.v1.schema.json", import.meta.url), "utf8"),
);
mkdirSync(new URL("../dist/schema/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("../dist/schema/validator.gen.cjs", import.meta.url),
  validatorSource(schema),
);
