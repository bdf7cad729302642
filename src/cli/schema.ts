import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../diagnostics/diagnostic.js";
import { schemaDocument } from "../schema/validate.js";
import type { CommonOptions, Outcome } from "./output.js";

/** The spec language's JSON Schema, exactly as published (schema/pipegen.v1.schema.json). */
export const schemaText = () => JSON.stringify(schemaDocument(), null, 2) + "\n";

/**
 * Writes the JSON Schema to `file` (its folder created) unless it holds it already; says
 * whether it was created, updated or unchanged. A file that cannot be written is a usage error.
 */
export function writeSchema(file: string): "created" | "updated" | "unchanged" {
  const text = schemaText();
  let old: string | undefined;
  try {
    old = readFileSync(file, "utf8");
  } catch {
    old = undefined;
  }
  if (old === text) return "unchanged";
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
  return old === undefined ? "created" : "updated";
}

/** `pipegen schema [--out FILE]`: the JSON Schema on stdout, or written to FILE. */
export function runSchema(o: CommonOptions & { out?: string }): Outcome {
  const id = String(schemaDocument().$id);
  if (o.out === undefined) {
    if (o.format === "text") process.stdout.write(schemaText());
    return { exitCode: 0, json: { id, schema: schemaDocument() } };
  }
  const state = writeSchema(o.out);
  if (o.format === "text" && !o.quiet) process.stdout.write(`${o.out}: ${state} (${id})\n`);
  return { exitCode: 0, json: { id, written: { file: o.out, state } } };
}
