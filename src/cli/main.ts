import "./jit.js"; // first: V8 flags before the rest runs
import { createRequire } from "node:module";
import { Command, InvalidArgumentError, Option } from "commander";
import {
  type CommonOptions,
  type Outcome,
  quietPipes,
  report,
  usage,
  wantsJson,
  writeJson,
} from "./output.js";
import { docCommands } from "./docs.js";

const require = createRequire(import.meta.url);
const { version } = require("../../package.json") as { version: string };

quietPipes();
const json = wantsJson(process.argv.slice(2));
/** The command named on the command line (not an option's value), for a usage error's document. */
const named =
  process.argv
    .slice(2)
    .find(
      (a, i, all) =>
        !a.startsWith("-") &&
        !["--format", "--env", "--out", "--against", "--except", "--only", "--jobs"].includes(
          all[i - 1]!,
        ),
    ) ?? null;
let commanderSaid = "";

/**
 * Exit codes: 0 ok, 1 invalid spec or stale output, 2 usage error, 70 internal error; `plan`
 * also 3 (a breaking change), `test` also 4 (a test failed) and 5 (its environment is missing).
 */
const program = new Command()
  .name("pipegen")
  .description("Compile a declarative pipeline spec into Kafka, NiFi, Spark and Airflow artifacts.")
  .version(version, "-V, --version")
  .showHelpAfterError(!json)
  .configureOutput({
    outputError: (s, write) => (json ? (commanderSaid += s) : write(s)),
  })
  .exitOverride();

const common = (c: Command) =>
  c
    .argument("<spec...>", "spec files or folders of specs (*.yaml, *.yml)")
    .option("--env <name>", "apply the environment overlay environments.<name>")
    .addOption(
      new Option("--format <format>", "output format: text, or one JSON document on stdout")
        .choices(["text", "json"])
        .default("text"),
    )
    .option("-q, --quiet", "print only errors");

const jobsFlag = "-j, --jobs <n>";
const jobsHelp = "threads to compile on (default: one per CPU; output is the same for any n)";
function parseJobs(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("a whole number >= 1");
  return n;
}

/** Ends a command: its exit code, and its one JSON document when asked for. */
function finish(command: string, o: CommonOptions, outcome: Outcome) {
  if (o.format === "json") writeJson(command, outcome);
  process.exitCode = outcome.exitCode;
}

common(program.command("build").description("validate the specs and write the generated files"))
  .option("--out <dir>", "output root", "generated")
  .option(jobsFlag, jobsHelp, parseJobs)
  .action(async (specs: string[], o: CommonOptions) =>
    finish("build", o, await (await import("./build.js")).runBuild(specs, o)),
  );
common(
  program
    .command("stack")
    .description("write a Docker Compose stack with the services the specs' pipelines use"),
)
  .option("--out <dir>", "output root (the build's; the stack goes into <out>/stack)", "generated")
  .action(async (specs: string[], o: CommonOptions) =>
    finish("stack", o, (await import("./stack.js")).runStack(specs, o)),
  );
common(program.command("validate").description("validate the specs; write nothing")).action(
  async (specs: string[], o: CommonOptions) =>
    finish("validate", o, (await import("./validate.js")).runValidate(specs, o)),
);
common(
  program
    .command("check")
    .description("exit 1 with a diff when the generated files are missing, stale or extra"),
)
  .option("--out <dir>", "output root", "generated")
  .option(jobsFlag, jobsHelp, parseJobs)
  .action(async (specs: string[], o: CommonOptions) =>
    finish("check", o, await (await import("./check.js")).runCheck(specs, o)),
  );

program
  .command("test")
  .description("run the specs' tests through the generated jobs on local Spark")
  .argument(
    "<spec...>",
    "spec files or folders of specs (*.yaml, *.yml; x.tests.yaml beside x.yaml)",
  )
  .option("--env <name>", "apply the environment overlay environments.<name>")
  .option("--only <name...>", "run only these tests (name, or <pipeline>.<name>)")
  .option(
    "--jobs <dir>",
    "run the jobs of this build output (e.g. generated) instead of compiling them",
  )
  .addOption(
    new Option("--format <format>", "text, one JSON document, or JUnit XML on stdout")
      .choices(["text", "json", "junit"])
      .default("text"),
  )
  .option("-q, --quiet", "print only the report")
  .action(async (specs: string[], o: import("./test.js").TestCliOptions) => {
    const outcome = await (await import("./test.js")).runTestCommand(specs, o);
    if (o.format === "json") writeJson("test", outcome);
    process.exitCode = outcome.exitCode;
  });

program
  .command("graph")
  .description("print the pipelines' lineage: a Mermaid flowchart, one HTML page, or JSON")
  .argument("<spec...>", "spec files or folders of specs (*.yaml, *.yml)")
  .option("--env <name>", "apply the environment overlay environments.<name>")
  .addOption(
    new Option("--format <format>", "mermaid, html (one self-contained page) or json")
      .choices(["mermaid", "html", "json"])
      .default("mermaid"),
  )
  .option("--out <file>", "write to this file instead of stdout")
  .option("-q, --quiet", "print only errors")
  .action(async (specs: string[], o: import("./graph.js").GraphOptions) => {
    const outcome = (await import("./graph.js")).runGraph(specs, o);
    if (o.format === "json") writeJson("graph", outcome);
    process.exitCode = outcome.exitCode;
  });
docCommands(program, finish);

program
  .command("plan")
  .description(
    "classify every change the specs make to the running systems against a baseline (exit 3 when one breaks)",
  )
  .argument("<spec...>", "spec files or folders of specs (*.yaml, *.yml)")
  .option(
    "--against <ref|dir>",
    "a git ref whose committed output, or a folder with a build, to compare with",
    "HEAD",
  )
  .option("--out <dir>", "output root (where the baseline's build is)", "generated")
  .option("--env <name>", "apply the environment overlay environments.<name>")
  .option(
    "--except <rule[:object]>",
    "accept a known change of this rule (on this object); repeatable",
    (v: string, all: string[] = []) => [...all, v],
  )
  .addOption(
    new Option("--format <format>", "text, one JSON document, or GitHub workflow annotations")
      .choices(["text", "json", "github"])
      .default("text"),
  )
  .option("-q, --quiet", "print only the summary (and the changes when one is breaking)")
  .action(async (specs: string[], o: import("./plan.js").PlanOptions) => {
    const outcome = (await import("./plan.js")).runPlan(specs, o);
    if (o.format === "json") writeJson("plan", outcome);
    process.exitCode = outcome.exitCode;
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const err = e as { code?: string; exitCode?: number; message?: string };
  if (err.code === "commander.helpDisplayed" || err.code === "commander.version") process.exit(0);
  if (typeof err.code === "string" && err.code.startsWith("commander.")) {
    const said = (commanderSaid || err.message || "").replace(/^error: /, "").trim();
    process.exitCode = json ? usage(named, said, true) : 2;
  } else process.exitCode = report(e, named, json);
}
