import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import {
  hasErrors,
  sortDiagnostics,
  UsageError,
  type Diagnostic,
} from "../diagnostics/diagnostic.js";
import { emitAll } from "../emit/index.js";
import { formatFiles } from "../format/index.js";
import { checkInlineCredentials, resolve } from "../ir/resolve/index.js";
import type { Pipeline } from "../ir/types.js";
import { defaultLimits, loadSpec, type LoadLimits } from "../load/load.js";
import { validateSchema } from "../schema/validate.js";
import { applyPlan, recover } from "../write/apply.js";
import { UnsafePathError } from "../write/paths.js";
import { sha256, type Manifest } from "../write/manifest.js";
import { readCache, writeCache, type BuildCache, type CacheEntry } from "../write/cache.js";
import { fingerprint } from "./fingerprint.js";
import { planWrite, readManifest, type Plan, type PipelineOutput } from "../write/plan.js";

export interface Options {
  env?: string | null;
  out?: string;
  limits?: LoadLimits;
  /**
   * Reuse a spec's previous output, without compiling it, when the spec, the environment and
   * pipegen itself (its fingerprint) are unchanged and every file it wrote is as it wrote it.
   */
  reuse?: boolean;
  /** Called after each spec is compiled (for a progress line). */
  onProgress?: (done: number, total: number, file: string) => void;
}

export interface CompileResult {
  diagnostics: Diagnostic[];
  pipelines: Pipeline[];
  outputs: CompiledOutput[];
  /** Spec sources by file, for code frames. */
  sources: Map<string, string>;
  /** The build cache as read before compiling. */
  cache: BuildCache;
}

/** Expands files and folders (recursively, *.yaml and *.yml) into a sorted list of spec paths. */
export function findSpecs(inputs: readonly string[]): string[] {
  if (inputs.length === 0)
    throw new UsageError("no spec given: name a spec file or a folder of specs");
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const ent of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) {
        if (ent.name !== "node_modules" && !ent.name.startsWith(".")) walk(p);
      } else if (/\.ya?ml$/.test(ent.name)) out.add(p);
    }
  };
  for (const input of inputs) {
    if (!existsSync(input)) throw new UsageError(`no such file or folder: ${input}`);
    if (statSync(input).isDirectory()) walk(input);
    else out.add(path.normalize(input));
  }
  if (out.size === 0) throw new UsageError(`no *.yaml or *.yml spec found in ${inputs.join(", ")}`);
  return [...out].sort();
}

/** The previous output of a spec, when its recorded input hash matches and its files are untouched. */
function reusable(
  root: string,
  m: Manifest,
  bySpec: Map<string, [string, CacheEntry]>,
  spec: string,
  input: string,
): CompiledOutput | undefined {
  const found = bySpec.get(spec);
  const entry = found && found[1].input === input ? m.pipelines[found[0]] : undefined;
  if (!found || !entry || entry.spec !== spec) return undefined;
  const pipeline = found[0];
  const files = [];
  for (const [rel, hash] of Object.entries(entry.files)) {
    let content: string;
    try {
      content = readFileSync(path.join(root, ...rel.split("/")), "utf8");
    } catch {
      return undefined;
    }
    if (sha256(content) !== hash) return undefined;
    files.push({ path: rel, content });
  }
  return { pipeline, spec, files, sources: found[1].sources ?? {}, input, onDisk: true };
}

/** A pipeline's output with what the build cache keeps about it. */
export interface CompiledOutput extends PipelineOutput {
  sources: Record<string, string>;
  input?: string;
}

/** load -> validate -> resolve -> emit, for every spec; pure but for reading the specs. */
export function compile(inputs: readonly string[], opts: Options = {}): CompileResult {
  const files = findSpecs(inputs);
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const pipelines: Pipeline[] = [];
  const outputs: CompiledOutput[] = [];
  const byName = new Map<string, string>();
  const root = opts.out ?? "generated";
  let previous: Manifest;
  try {
    previous = readManifest(root);
  } catch {
    previous = { version: 1, pipelines: {} };
  }
  const cache = readCache(root);
  const cacheBySpec = new Map(
    Object.entries(cache.pipelines).map(([n, e]) => [e.spec, [n, e] as [string, CacheEntry]]),
  );
  files.forEach((file, i) => {
    const rel = path.relative(process.cwd(), file).split(path.sep).join("/") || file;
    const shown = rel.startsWith("..") ? file.split(path.sep).join("/") : rel;
    const limits = opts.limits ?? defaultLimits;
    let source: string;
    try {
      const size = statSync(file).size;
      if (size > limits.maxBytes) {
        diagnostics.push({
          code: "PG103",
          severity: "error",
          message: `the spec is ${size} bytes; the limit is ${limits.maxBytes}`,
          file: shown,
          line: 0,
          col: 0,
          pointer: "",
          hint: "split the pipeline into several specs, or check that this is the file you meant",
        });
        return;
      }
      source = readFileSync(file, "utf8");
    } catch (e) {
      diagnostics.push({
        code: "PG100",
        severity: "error",
        message: `cannot read the spec: ${(e as Error).message}`,
        file: shown,
        line: 0,
        col: 0,
        pointer: "",
      });
      return;
    }
    sources.set(shown, source);
    const input = opts.reuse
      ? sha256(`${fingerprint()}\0${opts.env ?? ""}\0${shown}\0${source}`)
      : undefined;
    if (input) {
      const reused = reusable(root, previous, cacheBySpec, shown, input);
      if (reused && !byName.has(reused.pipeline)) {
        byName.set(reused.pipeline, shown);
        outputs.push(reused);
        opts.onProgress?.(i + 1, files.length, shown);
        return;
      }
    }
    const loaded = loadSpec(shown, source, limits);
    diagnostics.push(...loaded.diagnostics);
    if (!loaded.spec) return;
    const valid = validateSchema(loaded.spec);
    diagnostics.push(...valid.diagnostics);
    if (!valid.value) {
      // Schema errors stop the semantic checks, but plaintext credentials are always worth reporting.
      diagnostics.push(...checkInlineCredentials(loaded.spec));
      return;
    }
    if (hasErrors(loaded.diagnostics)) return;
    const r = resolve(loaded.spec, valid.value, { env: opts.env ?? null });
    diagnostics.push(...r.diagnostics);
    if (!r.pipeline) return;
    const prev = byName.get(r.pipeline.name);
    if (prev) {
      const { line, col } = loaded.spec.locate("/pipeline");
      diagnostics.push({
        code: "PG402",
        severity: "error",
        message: `pipeline '${r.pipeline.name}' is also defined by ${prev}`,
        file: shown,
        line,
        col,
        pointer: "/pipeline",
        hint: "each spec needs its own pipeline name: they share the output folder",
      });
      return;
    }
    byName.set(r.pipeline.name, shown);
    pipelines.push(r.pipeline);
    const formatted = formatFiles(emitAll(r.pipeline), root, previous, cache);
    outputs.push({
      pipeline: r.pipeline.name,
      spec: shown,
      files: formatted.files,
      sources: formatted.sources,
      ...(input ? { input } : {}),
    });
    opts.onProgress?.(i + 1, files.length, shown);
  });
  return { diagnostics: sortDiagnostics(diagnostics), pipelines, outputs, sources, cache };
}

export interface BuildResult extends CompileResult {
  plan?: Plan;
}

/** Compiles and, only when there is no error at all, writes the output atomically. */
export function build(inputs: readonly string[], opts: Options = {}): BuildResult {
  const r = compile(inputs, opts);
  if (hasErrors(r.diagnostics)) return r;
  const root = opts.out ?? "generated";
  try {
    recover(root);
    const plan = planWrite(root, r.outputs);
    if (plan.conflicts.length) {
      for (const c of plan.conflicts)
        r.diagnostics.push({
          code: "PG403",
          severity: "error",
          message: `'${path.join(root, c)}' exists and was not written by pipegen; refusing to overwrite it`,
          file: r.outputs[0]?.spec ?? "",
          line: 0,
          col: 0,
          pointer: "",
          hint: "move the file away, or choose another --out",
        });
      return r;
    }
    applyPlan(plan);
    const pipelines = { ...r.cache.pipelines };
    for (const [name, e] of Object.entries(pipelines))
      if (r.outputs.some((o) => o.spec === e.spec)) delete pipelines[name];
    for (const o of r.outputs)
      pipelines[o.pipeline] = {
        spec: o.spec,
        sources: o.sources,
        ...(o.input ? { input: o.input } : {}),
      };
    writeCache(root, { pipelines });
    return { ...r, plan };
  } catch (e) {
    if (e instanceof UnsafePathError) {
      r.diagnostics.push({
        code: "PG401",
        severity: "error",
        message: e.message,
        file: r.outputs[0]?.spec ?? "",
        line: 0,
        col: 0,
        pointer: "",
      });
      return r;
    }
    throw e;
  }
}

/** Compiles and compares with what is on disk; writes nothing. */
export function check(inputs: readonly string[], opts: Options = {}): BuildResult {
  const r = compile(inputs, opts);
  if (hasErrors(r.diagnostics)) return r;
  const plan = planWrite(opts.out ?? "generated", r.outputs);
  return { ...r, plan };
}

export { hasErrors };
