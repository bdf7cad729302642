import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { emitAll } from "../emit/index.js";
import { formatFiles } from "../format/index.js";
import { checkInlineCredentials, resolve } from "../ir/resolve/index.js";
import type { Pipeline } from "../ir/types.js";
import { defaultLimits, loadSpec, type LoadLimits } from "../load/load.js";
import { validateSchema } from "../schema/validate.js";
import { deepFreeze } from "../ir/values.js";
import type { PipelineOutput } from "../write/plan.js";
import { UnsafePathError } from "../write/paths.js";
import { stageOutput, withLazyContent, type StageContext } from "../write/stage.js";
import type { SpecSource } from "./sources.js";
import { compileInParallel, unwrap } from "./parallel.js";
import { resolveTestsFile } from "./tests-file.js";

export interface CompileOptions {
  env?: string | null;
  limits?: LoadLimits;
  /**
   * Outputs of specs (by spec file) that the caller has proven unchanged: taken as they are,
   * not compiled again. compile() never looks for them itself (see incremental.ts).
   */
  reused?: ReadonlyMap<string, PipelineOutput>;
  /** Called after each spec is compiled (for a progress line). */
  onProgress?: (done: number, total: number, file: string) => void;
  /** Only these targets (by name, e.g. ["state"] for `plan`); default every target. */
  targets?: readonly string[];
  /**
   * Threads to compile on (this one and jobs - 1 worker threads; default 1). Workers are used
   * only for enough specs to pay for their start, and only from the built dist/. Specs compiled
   * on a worker leave no resolved pipeline in `pipelines`: for callers that want the files.
   */
  jobs?: number;
  /**
   * Set by build() only: each output is compared with the disk and its changes written to the
   * staging folder by the thread that compiled it (write/stage.ts), and no resolved pipeline is
   * kept (a build of many specs never holds them all). Without it compile() writes nothing.
   */
  stage?: StageContext;
}

export interface Compilation {
  diagnostics: Diagnostic[];
  /** The resolved pipelines of the specs compiled now (not of reused ones). */
  pipelines: Pipeline[];
  outputs: PipelineOutput[];
  /** Spec texts by file, for code frames. */
  sources: Map<string, string>;
  /**
   * With an environment: the specs that do not define it and were built as written (when
   * another spec of the build defines it; when none does, each gets a PG306 error instead).
   */
  asWritten: string[];
}

/**
 * One spec through load -> validate -> resolve, or its diagnostics. Schema and reference checks
 * run in one pass: the part of the spec without schema errors is resolved too (schema/sound.ts),
 * and plaintext credentials are looked for everywhere, whatever else is wrong.
 */
export function resolveSpec(
  spec: SpecSource,
  opts: Pick<CompileOptions, "env" | "limits"> = {},
): {
  pipeline?: Pipeline;
  diagnostics: Diagnostic[];
  locate?: (pointer: string) => Position;
  /** The spec does not define the environment asked for: the error that says so. */
  missingEnv?: Diagnostic;
  /** Whether the spec got as far as resolving (so whether it defines the environment is known). */
  resolved?: boolean;
} {
  const loaded = loadSpec(spec.file, spec.text, opts.limits ?? defaultLimits);
  if (!loaded.spec) return { diagnostics: loaded.diagnostics };
  const duplicates = loaded.diagnostics.filter((d) => d.code === "PG102").map((d) => d.pointer);
  const valid = validateSchema(loaded.spec, duplicates);
  const diagnostics = [
    ...loaded.diagnostics,
    ...valid.diagnostics,
    ...checkInlineCredentials(loaded.spec),
  ];
  if (!valid.sound) return { diagnostics };
  const r = resolve(loaded.spec, valid.sound.value, {
    env: opts.env ?? null,
    broken: valid.sound.broken,
    envOptional: true,
  });
  diagnostics.push(...r.diagnostics);
  const missingEnv = { resolved: true, ...(r.missingEnv ? { missingEnv: r.missingEnv } : {}) };
  if (!r.pipeline || hasErrors(diagnostics)) return { diagnostics, ...missingEnv };
  let pipeline = r.pipeline;
  if (spec.tests) {
    const t = resolveTestsFile(spec.tests, pipeline, opts.limits ?? defaultLimits);
    diagnostics.push(...t.diagnostics);
    if (hasErrors(diagnostics)) return { diagnostics, ...missingEnv };
    pipeline = deepFreeze({ ...pipeline, tests: [...pipeline.tests, ...t.tests] });
  }
  const locate = (pointer: string) => loaded.spec!.locate(pointer);
  return { pipeline, diagnostics, locate, ...missingEnv };
}

interface Position {
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

/** A generated path the build refuses to write (PG401), found while staging the spec's output. */
function unsafePath(file: string, e: UnsafePathError): Diagnostic {
  return {
    code: "PG401",
    severity: "error",
    message: e.message,
    file,
    line: 0,
    col: 0,
    pointer: "",
  };
}

/** What one spec compiles to: all compile() gathers from it, in a form a worker thread can send. */
export interface SpecResult {
  diagnostics: Diagnostic[];
  missingEnv?: Diagnostic;
  resolved?: boolean;
  /** The spec's output, when it resolved without errors. */
  output?: PipelineOutput;
  /** Where the spec names its pipeline (for a duplicate name's error). */
  nameAt?: Position;
  /** The resolved pipeline (absent when compiled in a worker thread: it is not sent back). */
  pipeline?: Pipeline;
}

/**
 * One spec through load -> validate -> resolve -> emit -> format. Pure, unless `opts.stage`
 * asks for its output to be staged (then `index`, the spec's place in the build, names it).
 */
export function compileSpec(
  spec: SpecSource,
  opts: Pick<CompileOptions, "env" | "limits" | "targets" | "stage">,
  keepPipeline = true,
  index = 0,
): SpecResult {
  const r = resolveSpec(spec, opts);
  const out: SpecResult = {
    diagnostics: r.diagnostics,
    ...(r.missingEnv ? { missingEnv: r.missingEnv } : {}),
    ...(r.resolved ? { resolved: true } : {}),
  };
  if (!r.pipeline) return out;
  out.nameAt = r.locate!("/pipeline");
  out.output = {
    pipeline: r.pipeline.name,
    spec: spec.file,
    files: formatFiles(emitAll(r.pipeline, opts.targets), r.pipeline.name),
    environment: r.pipeline.environment,
  };
  if (opts.stage) {
    try {
      out.output = stageOutput(out.output, index, opts.stage);
    } catch (e) {
      if (!(e instanceof UnsafePathError)) throw e;
      out.diagnostics = [...out.diagnostics, unsafePath(spec.file, e)];
      delete out.output;
    }
  }
  if (keepPipeline) out.pipeline = r.pipeline;
  return out;
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
function gather(spec: SpecSource, r: SpecResult, opts: CompileOptions, g: Gathered): void {
  g.diagnostics.push(...r.diagnostics);
  if (r.missingEnv) g.missingEnv.push({ file: spec.file, diagnostic: r.missingEnv });
  else if (opts.env && r.resolved) g.envDefined = true;
  if (!r.output) return;
  if (opts.stage) r.output = withLazyContent(r.output, opts.stage);
  const prev = g.byName.get(r.output.pipeline);
  if (prev) {
    g.diagnostics.push(duplicateName(spec.file, r.output.pipeline, prev, r.nameAt!));
    return;
  }
  g.byName.set(r.output.pipeline, spec.file);
  if (r.pipeline) g.pipelines.push(r.pipeline);
  g.outputs.push(r.output);
}

/**
 * load -> validate -> resolve -> emit -> format, for every spec. Pure: it reads nothing but
 * the spec texts and options it is given, so the same input always gives the same bytes.
 * With an environment, a spec that does not define it is built as written, unless no spec of
 * the build defines it (a misspelled --env): then each spec says so. With `jobs` > 1, specs
 * are compiled on worker threads too (parallel.ts); results are still gathered in spec order.
 */
export function compile(specs: readonly SpecSource[], opts: CompileOptions = {}): Compilation {
  const sources = new Map<string, string>();
  const g: Gathered = {
    diagnostics: [],
    pipelines: [],
    outputs: [],
    byName: new Map(),
    missingEnv: [],
    envDefined: false,
  };
  const todo = specs.filter((s) => !opts.reused?.has(s.file));
  const precompiled = compileInParallel(todo, opts);
  specs.forEach((spec, i) => {
    sources.set(spec.file, spec.text);
    if (spec.tests) sources.set(spec.tests.file, spec.tests.text);
    const pre = precompiled?.get(spec.file);
    if (!takeReused(spec, opts, g))
      gather(spec, pre ? unwrap(pre) : compileSpec(spec, opts, !opts.stage, i), opts, g);
    opts.onProgress?.(i + 1, specs.length, spec.file);
  });
  if (!g.envDefined) g.diagnostics.push(...g.missingEnv.map((m) => m.diagnostic));
  const asWritten = g.envDefined ? g.missingEnv.map((m) => m.file) : [];
  const { diagnostics, pipelines, outputs } = g;
  return { diagnostics: sortDiagnostics(diagnostics), pipelines, outputs, sources, asWritten };
}
