import { existsSync, statSync } from "node:fs";
import path from "node:path";
import {
  fileError,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
} from "../diagnostics/diagnostic.js";
import type { LoadLimits } from "../load/defaults.js";
import { applyPlan, discardStaging, recover, stagingFolder } from "../write/apply.js";
import { UnsafePathError } from "../write/paths.js";
import { ownedFiles, planWrite, readManifest, type Plan } from "../write/plan.js";
import type { StageContext } from "../write/stage.js";
import type { Compilation, CompileOptions } from "./compile.js";
import type { SpecSource } from "./sources.js";
import { previousOutputs, rememberOutputs, type Previous } from "./incremental.js";
import { readSpecs, removedSpecs } from "./sources.js";

/**
 * build, check and compilePaths around a compile function: the compiler's own (index.ts), or
 * one that takes reused outputs only (light.ts), so that a no-op needs none of the compiler.
 */
export type CompileFn = (specs: readonly SpecSource[], opts: CompileOptions) => Compilation;

export interface Options {
  env?: string | null;
  out?: string;
  limits?: LoadLimits;
  /**
   * Reuse a spec's previous output, without compiling it, when a complete key (pipegen's
   * fingerprint, the formatter and its settings, the environment, the spec) proves it unchanged
   * and every file it wrote is as it wrote it (incremental.ts).
   */
  reuse?: boolean;
  /** Called after each spec is compiled (for a progress line). */
  onProgress?: (done: number, total: number, file: string) => void;
  /** Threads to compile on (see CompileOptions.jobs); default 1. */
  jobs?: number;
  /**
   * What an earlier attempt of the same command in this process read (the specs, and with
   * `reuse` the outputs proven unchanged): filled by the first, taken as it is by the next, so
   * that a build the light attempt (light.ts) hands over reads nothing twice.
   */
  reads?: Reads;
}

export interface Reads {
  read?: ReturnType<typeof readSpecs>;
  previous?: Previous;
}

export interface BuildResult extends Compilation {
  plan?: Plan;
  /**
   * For check: pipelines whose files on disk were built for another environment than the one
   * checked now (`built` from the manifest, `now` the --env of the check; null for none).
   */
  otherEnvironment?: Array<{ pipeline: string; built: string | null; now: string | null }>;
}

/** Reads the specs the inputs name and compiles them (nothing reused): what `validate` runs. */
export function compilePathsWith(
  compile: CompileFn,
  inputs: readonly string[],
  opts: Options = {},
): Compilation {
  return compileAt(compile, inputs, opts).result;
}

function compileAt(
  compile: CompileFn,
  inputs: readonly string[],
  opts: Options,
  stage?: StageContext,
): { result: Compilation; previous?: Previous; specs: SpecSource[] } {
  const read = opts.reads?.read ?? readSpecs(inputs, opts.limits);
  const env = opts.env ?? null;
  const previous = opts.reuse
    ? (opts.reads?.previous ?? previousOutputs(opts.out ?? "generated", read.specs, env))
    : undefined;
  if (opts.reads) Object.assign(opts.reads, { read, ...(previous ? { previous } : {}) });
  const result = compile(read.specs, {
    env,
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(previous ? { reused: previous.reused } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.jobs ? { jobs: opts.jobs } : {}),
    ...(stage ? { stage } : {}),
  });
  result.diagnostics = sortDiagnostics([...read.diagnostics, ...result.diagnostics]);
  return { result, specs: read.specs, ...(previous ? { previous } : {}) };
}

/** A build's error about the files it would write, given to the first spec built. */
const buildError = (r: Compilation, code: string, message: string, hint?: string): Diagnostic =>
  fileError(r.outputs[0]?.spec ?? "", code, message, hint);

/** Specs the inputs cover that the output root's manifest knows and that are gone now. */
function gone(root: string, inputs: readonly string[], specs: readonly SpecSource[]): string[] {
  let built: string[];
  try {
    built = Object.values(readManifest(root).pipelines).map((e) => e.spec);
  } catch {
    return [];
  }
  return removedSpecs(inputs, built, specs);
}

/**
 * The staging context of a build into root: an interrupted earlier build is completed first, so
 * the disk the outputs are compared with is the one they will replace.
 */
function stageFor(root: string): StageContext {
  if (existsSync(root) && !statSync(root).isDirectory())
    throw new Error(`output root ${root} is not a folder`);
  recover(root);
  let owned: string[] = [];
  try {
    owned = [...ownedFiles(readManifest(root))];
  } catch {
    // an unreadable manifest: planWrite reports it below
  }
  return { root, staging: path.resolve(stagingFolder(root)), owned };
}

/**
 * Compiles and, only when there is no error at all, writes the output atomically. Each spec's
 * changed files are staged by the thread that compiled it (write/stage.ts); they become visible
 * all at once, or, when anything fails, are dropped with nothing else touched.
 */
export function buildWith(
  compile: CompileFn,
  inputs: readonly string[],
  opts: Options = {},
): BuildResult {
  const root = opts.out ?? "generated";
  const rootExisted = existsSync(root);
  let applied = false;
  try {
    const { result: r, previous, specs } = compileAt(compile, inputs, opts, stageFor(root));
    if (hasErrors(r.diagnostics)) return r;
    try {
      // A build never touches files it did not write: no need to list the folders for them.
      const plan = planWrite(root, r.outputs, gone(root, inputs, specs), false);
      if (plan.conflicts.length) {
        for (const c of plan.conflicts)
          r.diagnostics.push(
            buildError(
              r,
              "PG403",
              `'${path.join(root, c)}' exists and was not written by pipegen; refusing to overwrite it`,
              "move the file away, or choose another --out",
            ),
          );
        return r;
      }
      applyPlan(plan, true);
      applied = true;
      if (previous) rememberOutputs(root, previous, r.outputs);
      return { ...r, plan };
    } catch (e) {
      if (!(e instanceof UnsafePathError)) throw e;
      r.diagnostics.push(buildError(r, "PG401", e.message));
      return r;
    }
  } finally {
    if (!applied) discardStaging(root, rootExisted);
  }
}

/** Compiles and compares with what is on disk; writes nothing. */
export function checkWith(
  compile: CompileFn,
  inputs: readonly string[],
  opts: Options = {},
): BuildResult {
  const { result: r, specs } = compileAt(compile, inputs, opts);
  if (hasErrors(r.diagnostics)) return r;
  const root = opts.out ?? "generated";
  const plan = planWrite(root, r.outputs, gone(root, inputs, specs));
  const built = readManifest(root).pipelines;
  const otherEnvironment = r.outputs.flatMap((o) => {
    const entry = built[o.pipeline];
    const was = entry?.environment ?? null;
    const now = o.environment ?? null;
    return entry && was !== now ? [{ pipeline: o.pipeline, built: was, now }] : [];
  });
  return { ...r, plan, otherEnvironment };
}
