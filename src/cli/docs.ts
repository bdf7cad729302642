/**
 * The commands that help a person write specs: `schema` (the JSON Schema editors use), `init`
 * (a starter spec) and `explain` (a diagnostic code's catalogue entry). Registered by main.ts.
 */
import { type Command, Option } from "commander";
import type { CommonOptions, Outcome } from "./output.js";

type Finish = (command: string, o: CommonOptions, outcome: Outcome) => void;

const format = () =>
  new Option("--format <format>", "output format: text, or one JSON document on stdout")
    .choices(["text", "json"])
    .default("text");

export function docCommands(program: Command, finish: Finish): void {
  program
    .command("schema")
    .description("print the spec language's JSON Schema, or write it to a file")
    .option("--out <file>", "write the schema to this file instead of printing it")
    .addOption(format())
    .option("-q, --quiet", "print only errors")
    .action(async (o: CommonOptions) =>
      finish("schema", o, (await import("./schema.js")).runSchema(o)),
    );
  program
    .command("init")
    .description("write a commented starter spec that builds as it is, and the schema beside it")
    .argument("[name]", "the pipeline's name (default: from the folder's name)")
    .option("--dir <dir>", "the folder to write into", ".")
    .addOption(format())
    .option("-q, --quiet", "print only errors")
    .action(async (name: string | undefined, o: CommonOptions & { dir?: string }) =>
      finish("init", o, (await import("./init.js")).runInit(name, o)),
    );
  program
    .command("explain")
    .description("explain a diagnostic code (PG201): what it means, an example and the fix")
    .argument("[code]", "the code; without it, every code is listed")
    .addOption(format())
    .action(async (code: string | undefined, o: CommonOptions) =>
      finish("explain", o, (await import("./explain.js")).runExplain(code, o)),
    );
}
