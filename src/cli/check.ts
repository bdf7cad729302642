import { createTwoFilesPatch } from "diff";
import path from "node:path";
import type { BuildResult } from "../api/index.js";
import { diagnosticsDocument } from "../diagnostics/format.js";
import { manifestName } from "../write/manifest.js";
import type { Change, Plan } from "../write/plan.js";
import {
  apiOptions,
  type BuildOptions,
  type CommonOptions,
  type Outcome,
  printDiagnostics,
  useColor,
} from "./output.js";

type Mismatch = NonNullable<BuildResult["otherEnvironment"]>[number];

/** An argument as a shell reads it back. */
const shellWord = (s: string) => (/^[\w./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command line of `command` over the same inputs, with the same --out and the given --env. */
function commandLine(command: string, specs: string[], o: BuildOptions, env: string | null) {
  const out = o.out && o.out !== "generated" ? ["--out", o.out] : [];
  const words = [...specs, ...out, ...(env ? ["--env", env] : [])];
  return `pipegen ${command} ${words.map(shellWord).join(" ")}`;
}

const envWords = (env: string | null) => (env ? `--env ${env}` : "no --env");

/** Pipelines built for another environment, grouped by what they were built and checked with. */
function byEnvironments(mismatches: Mismatch[]) {
  const groups = new Map<
    string,
    { built: string | null; now: string | null; pipelines: string[] }
  >();
  for (const m of mismatches) {
    const k = `${m.built}|${m.now}`;
    const g = groups.get(k) ?? { built: m.built, now: m.now, pipelines: [] };
    g.pipelines.push(m.pipeline);
    groups.set(k, g);
  }
  return [...groups.values()];
}

/** What to do about each kind of problem, as commands that work. */
function advice(plan: Plan, specs: string[], o: BuildOptions, mismatches: Mismatch[]): string[] {
  const out: string[] = [];
  const show = (rel: string) => path.join(plan.root, rel).split(path.sep).join("/");
  for (const g of byEnvironments(mismatches))
    out.push(
      `${g.pipelines.map(show).join(", ")} ${g.pipelines.length === 1 ? "was" : "were"} built with ${envWords(g.built)}; this check has ${envWords(g.now)}. ` +
        `To check as built: ${commandLine("check", specs, o, g.built)}. To rebuild: ${commandLine("build", specs, o, g.now)}`,
    );
  const own = plan.changes.filter(
    (c) => !mismatches.some((m) => c.rel.startsWith(`${m.pipeline}/`)),
  );
  if (own.length || (plan.manifestChanged && !mismatches.length))
    out.push(
      `${plan.root} is out of date with the specs: run '${commandLine("build", specs, o, o.env ?? null)}' and commit the result`,
    );
  if (plan.foreign.length)
    out.push(
      `pipegen did not write ${plan.foreign.map(show).join(", ")} and never writes or deletes such files: remove ${plan.foreign.length === 1 ? "it" : "them"}, or move ${plan.foreign.length === 1 ? "it" : "them"} out of ${plan.root}`,
    );
  if (plan.conflicts.length)
    out.push(
      `pipegen would write ${plan.conflicts.map(show).join(", ")}, but a file it did not write is there and a build refuses to overwrite it: move it away, or choose another --out`,
    );
  return out;
}

/** The diff of one change, in colour on a terminal. */
function patchOf(
  c: Change,
  show: (rel: string) => string,
  paint: (c: string, s: string) => string,
) {
  const patch = createTwoFilesPatch(
    `a/${show(c.rel)}`,
    `b/${show(c.rel)}`,
    c.old ?? "",
    c.kind === "delete" ? "" : c.content,
    undefined,
    undefined,
    { context: 3 },
  );
  return patch
    .split("\n")
    .slice(2)
    .map((l) => (l.startsWith("+") ? paint("32", l) : l.startsWith("-") ? paint("31", l) : l));
}

/** The text report: each file with its diff (none for a pipeline built for another environment). */
function textReport(plan: Plan, mismatches: Mismatch[]): string[] {
  const color = useColor(process.stdout);
  const paint = (c: string, s: string) => (color ? `\u001b[${c}m${s}\u001b[0m` : s);
  const show = (rel: string) => path.join(plan.root, rel).split(path.sep).join("/");
  const out: string[] = [];
  const other = (rel: string) => mismatches.find((m) => rel.startsWith(`${m.pipeline}/`));
  for (const m of mismatches) {
    const n = plan.changes.filter((c) => other(c.rel) === m).length;
    out.push(
      `${paint("1", "other environment")}: ${show(m.pipeline)} (${n} files built with ${envWords(m.built)})`,
    );
  }
  for (const c of plan.changes) {
    if (other(c.rel)) continue;
    const label = c.kind === "create" ? "missing" : c.kind === "update" ? "stale" : "extra";
    out.push(`${paint("1", label)}: ${show(c.rel)}`, ...patchOf(c, show, paint));
  }
  for (const f of [...plan.conflicts, ...plan.foreign])
    out.push(`${paint("1", "extra")}: ${show(f)} (not written by pipegen)`);
  if (plan.manifestChanged && plan.changes.length === 0)
    out.push(`${paint("1", "stale")}: ${show(manifestName)}`);
  return out;
}

/** The check's fields of the JSON document. */
function jsonReport(plan: Plan, mismatches: Mismatch[], advised: string[]) {
  const show = (rel: string) => path.join(plan.root, rel).split(path.sep).join("/");
  const of = (kind: string) => plan.changes.filter((c) => c.kind === kind).map((c) => show(c.rel));
  return {
    root: plan.root,
    missing: of("create"),
    stale: of("update"),
    extra: [...of("delete"), ...plan.conflicts.map(show), ...plan.foreign.map(show)],
    notWrittenByPipegen: [...plan.conflicts, ...plan.foreign].sort().map(show),
    manifestStale: plan.manifestChanged,
    otherEnvironment: mismatches,
    advice: advised,
    unchanged: plan.unchanged,
  };
}

export async function runCheck(specs: string[], o: BuildOptions): Promise<Outcome> {
  const opts = { ...apiOptions(o), reads: {} };
  // Nothing to compile needs none of the compiler: try without loading it first (api/light.ts).
  const r =
    (await import("../api/light.js")).checkReused(specs, opts) ??
    (await import("../api/index.js")).check(specs, opts);
  const diagnostics = diagnosticsDocument(r.diagnostics);
  if (printDiagnostics(r.diagnostics, r.sources, o) || !r.plan)
    return { exitCode: 1, json: { ...diagnostics } };
  const plan = r.plan;
  const mismatches = r.otherEnvironment ?? [];
  const problems =
    plan.changes.length +
    plan.conflicts.length +
    plan.foreign.length +
    (plan.manifestChanged ? 1 : 0);
  const advised = problems ? advice(plan, specs, o, mismatches) : [];
  if (o.format === "text" && problems) {
    process.stdout.write(textReport(plan, mismatches).join("\n") + "\n");
    process.stderr.write(`\n${advised.join("\n")}\n`);
  } else if (o.format === "text" && !o.quiet)
    process.stdout.write(`${plan.root} is up to date (${plan.unchanged} files)\n`);
  return {
    exitCode: problems ? 1 : 0,
    json: { ...diagnostics, ...jsonReport(plan, mismatches, advised) },
  };
}
