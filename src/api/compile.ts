import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { emitAll } from "../emit/index.js";
import { formatFiles } from "../format/index.js";
import { checkInlineCredentials, resolve } from "../ir/resolve/index.js";
import type { Pipeline } from "../ir/types.js";
import { defaultLimits, loadSpec, type LoadLimits } from "../load/load.js";
import { validateSchema } from "../schema/validate.js";
import type { PipelineOutput } from "../write/plan.js";
import type { SpecSource } from "./sources.js";

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
}

export interface Compilation {
  diagnostics: Diagnostic[];
  /** The resolved pipelines of the specs compiled now (not of reused ones). */
  pipelines: Pipeline[];
  outputs: PipelineOutput[];
  /** Spec texts by file, for code frames. */
  sources: Map<string, string>;
}

/**
 * One spec through load -> validate -> resolve, or its diagnostics. Schema and reference checks
 * run in one pass: the part of the spec without schema errors is resolved too (schema/sound.ts),
 * and plaintext credentials are looked for everywhere, whatever else is wrong.
 */
export function resolveSpec(
  spec: SpecSource,
  opts: Pick<CompileOptions, "env" | "limits"> = {},
): { pipeline?: Pipeline; diagnostics: Diagnostic[]; locate?: (pointer: string) => Position } {
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
  });
  diagnostics.push(...r.diagnostics);
  if (!r.pipeline || hasErrors(diagnostics)) return { diagnostics };
  const locate = (pointer: string) => loaded.spec!.locate(pointer);
  return { pipeline: r.pipeline, diagnostics, locate };
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

/**
 * load -> validate -> resolve -> emit -> format, for every spec. Pure: it reads nothing but
 * the spec texts and options it is given, so the same input always gives the same bytes.
 */
export function compile(specs: readonly SpecSource[], opts: CompileOptions = {}): Compilation {
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const pipelines: Pipeline[] = [];
  const outputs: PipelineOutput[] = [];
  const byName = new Map<string, string>();
  specs.forEach((spec, i) => {
    sources.set(spec.file, spec.text);
    const reused = opts.reused?.get(spec.file);
    if (reused && !byName.has(reused.pipeline)) {
      byName.set(reused.pipeline, spec.file);
      outputs.push(reused);
    } else {
      const r = resolveSpec(spec, opts);
      diagnostics.push(...r.diagnostics);
      if (!r.pipeline) return;
      const prev = byName.get(r.pipeline.name);
      if (prev) {
        diagnostics.push(duplicateName(spec.file, r.pipeline.name, prev, r.locate!("/pipeline")));
        return;
      }
      byName.set(r.pipeline.name, spec.file);
      pipelines.push(r.pipeline);
      outputs.push({
        pipeline: r.pipeline.name,
        spec: spec.file,
        files: formatFiles(emitAll(r.pipeline)),
      });
    }
    opts.onProgress?.(i + 1, specs.length, spec.file);
  });
  return { diagnostics: sortDiagnostics(diagnostics), pipelines, outputs, sources };
}
