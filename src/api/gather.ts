import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { withLazyContent } from "../write/stage.js";
import type { Pipeline } from "../ir/types.js";
import type { PipelineOutput } from "../write/plan.js";
import type { Compilation, CompileOptions, SpecResult } from "./compile.js";
import type { SpecSource } from "./sources.js";

/**
 * Gathering what the specs of a build compiled to, in spec order, whoever compiled them: the
 * part of compile() that needs none of the compiler, so that a build whose every spec is reused
 * (a no-op) runs without loading it (light.ts).
 */

export interface Position {
  line: number;
  col: number;
}

function duplicateName(file: string, name: string, other: string, at: Position): Diagnostic {
  return {
    code: "PG402",
    severity: "error",
    message: `pipeline '${name}' is also defined by ${other}`,
    file,
    line: at.line,
    col: at.col,
    pointer: "/pipeline",
    hint: "each spec needs its own pipeline name: they share the output folder",
  };
}

/** What compile() gathers, spec by spec. */
interface Gathered {
  diagnostics: Diagnostic[];
  pipelines: Pipeline[];
  outputs: PipelineOutput[];
  byName: Map<string, string>;
  /** Specs that do not define the environment, with the error that says so. */
  missingEnv: Array<{ file: string; diagnostic: Diagnostic }>;
  /** Whether a spec of the build defines the environment. */
  envDefined: boolean;
}

/** Takes a reused output when its pipeline name is still free; false when it must be compiled. */
function takeReused(spec: SpecSource, opts: CompileOptions, g: Gathered): boolean {
  const reused = opts.reused?.get(spec.file);
  if (!reused || g.byName.has(reused.pipeline)) return false;
  g.byName.set(reused.pipeline, spec.file);
  g.outputs.push(reused);
  if (opts.env && reused.environment === opts.env) g.envDefined = true;
  return true;
}

/** Adds one spec's result, in spec order (so the outcome does not depend on who compiled it). */
function gather(
  spec: SpecSource,
  r: SpecResult,
  opts: CompileOptions,
  g: Gathered,
  nameAt: (spec: SpecSource) => Position,
): void {
  g.diagnostics.push(...r.diagnostics);
  if (r.missingEnv) g.missingEnv.push({ file: spec.file, diagnostic: r.missingEnv });
  else if (opts.env && r.resolved) g.envDefined = true;
  if (!r.output) return;
  if (opts.stage) r.output = withLazyContent(r.output, opts.stage);
  const prev = g.byName.get(r.output.pipeline);
  if (prev) {
    g.diagnostics.push(duplicateName(spec.file, r.output.pipeline, prev, nameAt(spec)));
    return;
  }
  g.byName.set(r.output.pipeline, spec.file);
  if (r.pipeline) g.pipelines.push(r.pipeline);
  g.outputs.push(r.output);
}

/**
 * compile()'s result from each spec's: `resultOf` compiles a spec that is not reused, `nameAt`
 * finds where a compiled spec names its pipeline (asked only when another spec took the name).
 */
export function assemble(
  specs: readonly SpecSource[],
  opts: CompileOptions,
  resultOf: (spec: SpecSource, index: number) => SpecResult,
  nameAt: (spec: SpecSource) => Position = () => ({ line: 1, col: 1 }),
): Compilation {
  const sources = new Map<string, string>();
  const g: Gathered = {
    diagnostics: [],
    pipelines: [],
    outputs: [],
    byName: new Map(),
    missingEnv: [],
    envDefined: false,
  };
  specs.forEach((spec, i) => {
    sources.set(spec.file, spec.text);
    if (spec.tests) sources.set(spec.tests.file, spec.tests.text);
    if (!takeReused(spec, opts, g)) gather(spec, resultOf(spec, i), opts, g, nameAt);
    opts.onProgress?.(i + 1, specs.length, spec.file);
  });
  if (!g.envDefined) g.diagnostics.push(...g.missingEnv.map((m) => m.diagnostic));
  const asWritten = g.envDefined ? g.missingEnv.map((m) => m.file) : [];
  const { diagnostics, pipelines, outputs } = g;
  return { diagnostics: sortDiagnostics(diagnostics), pipelines, outputs, sources, asWritten };
}
