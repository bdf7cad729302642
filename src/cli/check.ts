import { createTwoFilesPatch } from "diff";
import path from "node:path";
import { check } from "../api/index.js";
import { manifestName } from "../write/manifest.js";
import { printDiagnostics, useColor, type CommonOptions } from "./output.js";

export function runCheck(specs: string[], o: CommonOptions): void {
  const r = check(specs, { env: o.env ?? null, out: o.out ?? "generated", reuse: true });
  if (printDiagnostics(r.diagnostics, r.sources, o) || !r.plan) {
    process.exitCode = 1;
    return;
  }
  const plan = r.plan;
  const color = useColor(process.stdout);
  const paint = (c: string, s: string) => (color ? `\u001b[${c}m${s}\u001b[0m` : s);
  const out: string[] = [];
  const show = (rel: string) => path.join(plan.root, rel).split(path.sep).join("/");
  for (const c of plan.changes) {
    const label = c.kind === "create" ? "missing" : c.kind === "update" ? "stale" : "extra";
    const patch = createTwoFilesPatch(
      `a/${show(c.rel)}`,
      `b/${show(c.rel)}`,
      c.old ?? "",
      c.kind === "delete" ? "" : c.content,
      undefined,
      undefined,
      { context: 3 },
    );
    out.push(`${paint("1", label)}: ${show(c.rel)}`);
    out.push(
      ...patch
        .split("\n")
        .slice(2)
        .map((l) => (l.startsWith("+") ? paint("32", l) : l.startsWith("-") ? paint("31", l) : l)),
    );
  }
  for (const f of [...plan.conflicts, ...plan.foreign])
    out.push(`${paint("1", "extra")}: ${show(f)} (not written by pipegen)`);
  if (plan.manifestChanged && plan.changes.length === 0)
    out.push(`${paint("1", "stale")}: ${show(manifestName)}`);
  const problems =
    plan.changes.length +
    plan.conflicts.length +
    plan.foreign.length +
    (plan.manifestChanged ? 1 : 0);
  if (o.format === "json") {
    process.stdout.write(
      JSON.stringify(
        {
          ok: problems === 0,
          missing: plan.changes.filter((c) => c.kind === "create").map((c) => show(c.rel)),
          stale: plan.changes.filter((c) => c.kind === "update").map((c) => show(c.rel)),
          extra: [
            ...plan.changes.filter((c) => c.kind === "delete").map((c) => show(c.rel)),
            ...plan.conflicts.map(show),
            ...plan.foreign.map(show),
          ],
          manifestStale: plan.manifestChanged,
        },
        null,
        2,
      ) + "\n",
    );
  } else if (problems) {
    process.stdout.write(out.join("\n") + "\n");
    process.stderr.write(
      `\n${plan.root} is out of date with the specs: run 'pipegen build ${specs.join(" ")}' and commit the result\n`,
    );
  } else if (!o.quiet)
    process.stdout.write(`${plan.root} is up to date (${plan.unchanged} files)\n`);
  process.exitCode = problems ? 1 : 0;
}
