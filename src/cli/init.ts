import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../diagnostics/diagnostic.js";
import type { CommonOptions, Outcome } from "./output.js";
import { writeSchema } from "./schema.js";

/** The starter spec: a spec that builds as it is, for the pipeline `my_pipeline`. */
const template = new URL("../../templates/init/spec.yaml", import.meta.url);
const templateName = "my_pipeline";

/** Where `init` puts the JSON Schema, relative to the spec; the spec's first line points there. */
export const schemaFile = ".pipegen/pipegen.v1.schema.json";

const identifier = /^[a-z][a-z0-9_]{0,63}$/;

/** The starter spec for pipeline `name` (an identifier). */
export function starterSpec(name: string): string {
  if (!identifier.test(name)) throw new Error(`not an identifier: ${name}`);
  return readFileSync(template, "utf8").replace(new RegExp(`\\b${templateName}\\b`, "g"), name);
}

/** A pipeline name made from a folder's name ("Shop Orders" -> shop_orders), else my_pipeline. */
export function nameFrom(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^[^a-z]+/, "")
    .replace(/_+$/, "")
    .slice(0, 64);
  return identifier.test(name) ? name : templateName;
}

/**
 * `pipegen init [name] [--dir DIR]`: writes DIR/<name>.yaml, a commented starter spec, and the
 * JSON Schema beside it (DIR/.pipegen/), which the spec's `$schema` line names by a relative
 * path: editors find it wherever the folder is. An existing spec is never overwritten.
 */
export function runInit(given: string | undefined, o: CommonOptions & { dir?: string }): Outcome {
  const dir = o.dir ?? ".";
  const name = given ?? nameFrom(path.basename(path.resolve(dir)));
  if (!identifier.test(name))
    throw new UsageError(
      `'${name}' is not a pipeline name: lowercase letters, digits and _, starting with a letter (at most 64); e.g. pipegen init ${nameFrom(name)}`,
    );
  const spec = path.join(dir, `${name}.yaml`);
  for (const f of [spec, path.join(dir, `${name}.yml`)])
    if (existsSync(f))
      throw new UsageError(
        `${f} exists; pipegen init never overwrites a file: choose another name (pipegen init <name>) or move it away`,
      );
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(spec, starterSpec(name), { flag: "wx" });
  } catch (e) {
    throw new UsageError(`cannot write ${spec}: ${(e as Error).message}`);
  }
  const schema = path.join(dir, schemaFile);
  const state = writeSchema(schema);
  if (o.format === "text" && !o.quiet)
    process.stdout.write(
      `created ${spec}: a starter spec that builds as it is\n` +
        `${state === "unchanged" ? "kept" : state} ${schema}: the JSON Schema editors check it with (its first line points there)\n` +
        `next: pipegen build ${spec}\n`,
    );
  return {
    exitCode: 0,
    json: { pipeline: name, spec, schema: { file: schema, state } },
  };
}
