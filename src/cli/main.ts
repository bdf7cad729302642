import { createRequire } from "node:module";
import { Command, Option } from "commander";

const require = createRequire(import.meta.url);
const { version } = require("../../package.json") as { version: string };

/** Exit codes: 0 ok, 1 invalid spec or stale output, 2 usage error, 70 internal error. */
const program = new Command()
  .name("pipegen")
  .description("Compile a declarative pipeline spec into Kafka, NiFi, Spark and Airflow artifacts.")
  .version(version, "-V, --version")
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(s) })
  .exitOverride();

const common = (c: Command) =>
  c
    .argument("<spec...>", "spec files or folders of specs (*.yaml, *.yml)")
    .option("--env <name>", "apply the environment overlay environments.<name>")
    .addOption(
      new Option("--format <format>", "diagnostics format")
        .choices(["text", "json"])
        .default("text"),
    )
    .option("-q, --quiet", "print only errors");

common(program.command("build").description("validate the specs and write the generated files"))
  .option("--out <dir>", "output root", "generated")
  .action(async (specs: string[], o) => (await import("./build.js")).runBuild(specs, o));
common(program.command("validate").description("validate the specs; write nothing")).action(
  async (specs: string[], o) => (await import("./validate.js")).runValidate(specs, o),
);
common(
  program
    .command("check")
    .description("exit 1 with a diff when the generated files are missing, stale or extra"),
)
  .option("--out <dir>", "output root", "generated")
  .action(async (specs: string[], o) => (await import("./check.js")).runCheck(specs, o));

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const err = e as { code?: string; exitCode?: number };
  if (err.code === "commander.helpDisplayed" || err.code === "commander.version") process.exit(0);
  if (typeof err.code === "string" && err.code.startsWith("commander.")) process.exit(2);
  const { report } = await import("./output.js");
  process.exit(report(e));
}
