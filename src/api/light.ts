import { assemble } from "./gather.js";
import { buildWith, checkWith, type BuildResult, type CompileFn, type Options } from "./run.js";
import { startWorkersFor } from "./workers.js";

/**
 * build and check for when every spec's previous output is reused (a no-op): this module loads
 * none of the compiler (YAML, JSON Schema, SQL grammar, templates, ruff), which is most of what
 * a no-op would otherwise spend. When a spec needs compiling, they give undefined before
 * writing anything, and the caller runs the full build or check (index.ts).
 */
class NeedsCompile extends Error {}

const reusedOnly: CompileFn = (specs, opts) =>
  assemble(specs, opts, () => {
    throw new NeedsCompile();
  });

/**
 * The result, or undefined when a spec needs compiling. Then the worker threads the full build
 * will compile the other specs on are started at once (workers.ts), so that they load the
 * compiler while this thread loads its own.
 */
function attempt(opts: Options, run: () => BuildResult): BuildResult | undefined {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof NeedsCompile)) throw e;
    const read = opts.reads?.read;
    if (read)
      startWorkersFor(read.specs.length - (opts.reads?.previous?.reused.size ?? 0), opts.jobs);
    return undefined;
  }
}

/** build when nothing needs compiling; undefined otherwise (nothing written). */
export const buildReused = (inputs: readonly string[], opts: Options): BuildResult | undefined =>
  opts.reuse ? attempt(opts, () => buildWith(reusedOnly, inputs, opts)) : undefined;

/** check when nothing needs compiling; undefined otherwise. */
export const checkReused = (inputs: readonly string[], opts: Options): BuildResult | undefined =>
  opts.reuse ? attempt(opts, () => checkWith(reusedOnly, inputs, opts)) : undefined;
