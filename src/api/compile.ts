import { fileError, hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { emitAll } from "../emit/index.js";
import { formatFiles } from "../format/index.js";
import { checkInlineCredentials, resolve } from "../ir/resolve/index.js";
import type { Pipeline } from "../ir/types.js";
import { defaultLimits, fullLoad, loadSpec, type LoadLimits } from "../load/load.js";
import { validateSchema } from "../schema/validate.js";
import { deepFreeze } from "../ir/values.js";
import type { PipelineOutput } from "../write/plan.js";
import { UnsafePathError } from "../write/paths.js";
import { stageOutput, type StageContext } from "../write/stage.js";
import { assemble, type Position } from "./gather.js";
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

/** Where a spec names its pipeline (for a duplicate name's error): found again only then. */
function nameAt(spec: SpecSource, limits: LoadLimits | undefined): Position {
  // Positions come from the full path (loadSpec's fast path would parse first and then call it).
  const loaded = fullLoad(spec.file, spec.text, limits ?? defaultLimits);
  return loaded.spec?.locate("/pipeline") ?? { line: 1, col: 1 };
}

/** What one spec compiles to: all compile() gathers from it, in a form a worker thread can send. */
export interface SpecResult {
  diagnostics: Diagnostic[];
  missingEnv?: Diagnostic;
  resolved?: boolean;
  /** The spec's output, when it resolved without errors. */
  output?: PipelineOutput;
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
      // A generated path the build refuses to write, found while staging the spec's output.
      out.diagnostics = [...out.diagnostics, fileError(spec.file, "PG401", e.message)];
      delete out.output;
    }
  }
  if (keepPipeline) out.pipeline = r.pipeline;
  return out;
}

/**
 * load -> validate -> resolve -> emit -> format, for every spec. Pure: it reads nothing but
 * the spec texts and options it is given, so the same input always gives the same bytes.
 * With an environment, a spec that does not define it is built as written, unless no spec of
 * the build defines it (a misspelled --env): then each spec says so. With `jobs` > 1, specs
 * are compiled on worker threads too (parallel.ts); results are still gathered in spec order
 * (gather.ts).
 */
export function compile(specs: readonly SpecSource[], opts: CompileOptions = {}): Compilation {
  const todo = specs.filter((s) => !opts.reused?.has(s.file));
  const precompiled = compileInParallel(todo, opts);
  return assemble(
    specs,
    opts,
    (spec, i) => {
      const pre = precompiled?.get(spec.file);
      return pre ? unwrap(pre) : compileSpec(spec, opts, !opts.stage, i);
    },
    (spec) => nameAt(spec, opts.limits),
  );
}
