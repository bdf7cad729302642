import { compile } from "./compile.js";
import { buildWith, checkWith, compilePathsWith, type BuildResult, type Options } from "./run.js";

export { compile, resolveSpec, type Compilation, type CompileOptions } from "./compile.js";
export { findSpecs, readSpecs, type SpecSource } from "./sources.js";
export { hasErrors } from "../diagnostics/diagnostic.js";
export type { BuildResult, Options } from "./run.js";

/** Reads the specs the inputs name and compiles them (nothing reused): what `validate` runs. */
export const compilePaths = (inputs: readonly string[], opts: Options = {}) =>
  compilePathsWith(compile, inputs, opts);

/**
 * Compiles and, only when there is no error at all, writes the output atomically (run.ts).
 */
export const build = (inputs: readonly string[], opts: Options = {}): BuildResult =>
  buildWith(compile, inputs, opts);

/** Compiles and compares with what is on disk; writes nothing. */
export const check = (inputs: readonly string[], opts: Options = {}): BuildResult =>
  checkWith(compile, inputs, opts);
