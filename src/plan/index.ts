/**
 * `pipegen plan`: compiles the specs (nothing is written), takes each pipeline's state from the
 * build in memory and from the baseline, compares them system by system and classifies every
 * change by rule, at its place in the spec. The edge (git, files) is in baseline.ts.
 */
import { compile, type Compilation } from "../api/compile.js";
import { readSpecs, removedSpecs, type SpecSource } from "../api/sources.js";
import { hasErrors, sortDiagnostics, UsageError } from "../diagnostics/diagnostic.js";
import type { PipelineState } from "../emit/state/index.js";
import { statePath } from "../ir/names.js";
import { loadSpec, type LoadedSpec } from "../load/load.js";
import { openBaseline, type Baseline } from "./baseline.js";
import { compare, emptyState } from "./compare.js";
import { applyExcepts, exceptsOf, parseExcept, type Except } from "./except.js";
import { place } from "./place.js";
import type { Change, SchemaHistory } from "./types.js";

export interface PlanOptions {
  /** A git ref or a folder with an earlier build; default HEAD. */
  against?: string;
  /** The output root (where the baseline's build is). */
  out?: string;
  env?: string | null;
  /** --except RULE[:OBJECT] entries. */
  except?: readonly string[];
}

export interface PipelinePlan {
  name: string;
  spec: string;
  /** Where its baseline came from: the baseline's state file, its spec built now, or none (new). */
  baseline: "state" | "spec" | "none";
  /** The pipeline's spec is gone: everything it ran is removed. */
  removed: boolean;
}

export interface PlanResult {
  compilation: Compilation;
  baseline?: { kind: Baseline["kind"]; name: string };
  pipelines: PipelinePlan[];
  changes: Change[];
  notes: string[];
}

const stateOf = (text: string): PipelineState => {
  const { $comment: _, ...rest } = JSON.parse(text) as PipelineState & { $comment?: string };
  return rest;
};

/** The state a spec builds now (pure compile). */
function built(spec: SpecSource, env: string | null, what: string): PipelineState {
  const r = compile([spec], { env, targets: ["state"] });
  const out = r.outputs[0];
  const file = out?.files.find((f) => f.path === statePath(out.pipeline));
  if (hasErrors(r.diagnostics) || !file) {
    const first = r.diagnostics.find((d) => d.severity === "error");
    throw new UsageError(
      `${what} does not build with this pipegen${first ? ` (${first.file}:${first.line}:${first.col} ${first.message})` : ""}: compare against a folder with its build instead`,
    );
  }
  return stateOf(file.content);
}

/** The baseline's state of a pipeline: its state file, else its spec built now; null when new. */
function baselineState(
  b: Baseline,
  name: string,
  spec: string,
  env: string | null,
  notes: string[],
): { state: PipelineState | null; how: PipelinePlan["baseline"] } {
  const state = b.state(name);
  if (state && state.environment === env) return { state, how: "state" };
  if (b.kind === "dir") {
    if (state)
      throw new UsageError(
        `${b.name} holds ${name} built with ${state.environment ? `--env ${state.environment}` : "no --env"}; plan with the same --env, or against a build made with this one`,
      );
    if (b.hasPipeline(name))
      throw new UsageError(
        `${b.name} holds ${name} without a ${statePath(name)} (a build by a pipegen before plan): rebuild it with this pipegen from the old spec`,
      );
    return { state: null, how: "none" };
  }
  const file = b.manifest()[name]?.spec ?? spec;
  const text = b.specText(file);
  if (text === null) return { state: null, how: "none" };
  notes.push(
    `${name}: ${b.name} has ${state ? `a state built with ${state.environment ? `--env ${state.environment}` : "no --env"}` : "no state file"}; its baseline is ${file} as committed there, built by this pipegen${env ? ` with --env ${env}` : ""} (what an older pipegen generated differently is not seen)`,
  );
  return { state: built({ file, text }, env, `${file} at ${b.name}`), how: "spec" };
}

/** Earlier schema versions of the subjects whose schema changes under a _TRANSITIVE level. */
function histories(b: Baseline, before: PipelineState, after: PipelineState): SchemaHistory {
  const out = new Map<string, Array<{ schema: unknown; from: string }>>();
  for (const [subject, a] of Object.entries(after.registry.subjects)) {
    const old = before.registry.subjects[subject];
    if (!old || !a.compatibility.endsWith("_TRANSITIVE")) continue;
    if (JSON.stringify(old.schema) === JSON.stringify(a.schema)) continue;
    const same = (x: unknown) => JSON.stringify(x) === JSON.stringify(old.schema);
    const seen = new Set<string>();
    out.set(
      subject,
      b.schemaHistory(before.pipeline, a.topic).filter((v) => {
        const key = JSON.stringify(v.schema);
        if (same(v.schema) || seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
    );
  }
  return out;
}

export function plan(inputs: readonly string[], opts: PlanOptions = {}): PlanResult {
  const env = opts.env ?? null;
  const read = readSpecs(inputs);
  const compilation = compile(read.specs, { env, targets: ["state"] });
  compilation.diagnostics = sortDiagnostics([...read.diagnostics, ...compilation.diagnostics]);
  const result: PlanResult = { compilation, pipelines: [], changes: [], notes: [] };
  const cli: Except[] = (opts.except ?? []).map(parseExcept);
  if (hasErrors(compilation.diagnostics)) return result;
  const b = openBaseline(opts.against ?? "HEAD", opts.out ?? "generated");
  result.baseline = { kind: b.kind, name: b.name };
  const loaded = new Map<string, LoadedSpec>();
  for (const s of read.specs) {
    const l = loadSpec(s.file, s.text).spec;
    if (l) loaded.set(s.file, l);
  }
  for (const o of compilation.outputs) {
    const file = o.files.find((f) => f.path === statePath(o.pipeline))!;
    const after = stateOf(file.content);
    const base = baselineState(b, o.pipeline, o.spec, env, result.notes);
    const before = base.state ?? emptyState(o.pipeline, o.spec, env);
    result.pipelines.push({ name: o.pipeline, spec: o.spec, baseline: base.how, removed: false });
    const history = histories(b, before, after);
    if (b.kind === "dir" && history.size && !result.notes.some((n) => n.startsWith(b.name)))
      result.notes.push(
        `${b.name} holds one version of each schema: _TRANSITIVE compatibility levels are checked against that version only (against a git ref, every committed version is)`,
      );
    const findings = compare({ before, after, history });
    const spec = loaded.get(o.spec);
    const own = spec ? exceptsOf(spec) : { excepts: [], diagnostics: [] };
    compilation.diagnostics.push(...own.diagnostics);
    const excepts = [...cli, ...own.excepts];
    result.changes.push(...applyExcepts(place(findings, o.pipeline, o.spec, spec), excepts));
  }
  const manifest = b.manifest();
  const gone = new Set(
    removedSpecs(
      inputs,
      Object.values(manifest).map((m) => m.spec),
      read.specs,
    ),
  );
  for (const [name, m] of Object.entries(manifest)) {
    if (!gone.has(m.spec)) continue;
    const base = baselineState(b, name, m.spec, env, result.notes);
    if (!base.state) continue;
    result.pipelines.push({ name, spec: m.spec, baseline: base.how, removed: true });
    const findings = compare({
      before: base.state,
      after: emptyState(name, m.spec, env),
      history: new Map(),
    });
    result.changes.push(...applyExcepts(place(findings, name, m.spec, undefined), cli));
  }
  return result;
}
