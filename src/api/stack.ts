/**
 * `pipegen stack`: the edge of the stack target. Compiles the specs, reads pipegen-runtime's
 * source from the pipegen package (the images' build context gets a copy), places the
 * stack's findings in the specs (PG501 warnings) and writes <out>/stack/, removing the files
 * an earlier run wrote there that this one does not.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { hasErrors, sortDiagnostics } from "../diagnostics/diagnostic.js";
import {
  emitStack,
  type RuntimeSource,
  STACK_DIR,
  type StackFinding,
} from "../emit/stack/index.js";
import { loadSpec } from "../load/load.js";
import { escapePointer, hasPointer } from "../load/pointer.js";
import { compilePaths } from "./index.js";

/** pipegen-runtime's source: runtime/ beside dist/ and src/ (the npm package ships it). */
const runtimeRoot = fileURLToPath(new URL("../../runtime", import.meta.url));

/** The runtime files pip needs to install it: pyproject.toml, README.md and src/ (no caches). */
export function runtimeSources(root = runtimeRoot): RuntimeSource[] {
  const out: RuntimeSource[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === "__pycache__" || e.name.endsWith(".egg-info")) continue;
      if (e.isDirectory()) walk(r);
      else if (!e.name.endsWith(".pyc"))
        out.push({ path: r, content: readFileSync(path.join(root, r), "utf8") });
    }
  };
  for (const f of ["pyproject.toml", "README.md"])
    out.push({ path: f, content: readFileSync(path.join(root, f), "utf8") });
  walk("src");
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * A finding as a PG501 warning at its setting in the spec: in the environment's overlay when
 * the overlay sets it (the value the stack was made from), else where the spec sets it.
 */
export function findingDiagnostic(
  f: StackFinding,
  source: string | undefined,
  env: string | null,
): Diagnostic {
  const spec = source === undefined ? undefined : loadSpec(f.file, source).spec;
  const overlay = env ? `/environments/${escapePointer(env)}${f.pointer}` : null;
  const pointer = spec && overlay && hasPointer(spec.value, overlay) ? overlay : f.pointer;
  const pos = spec ? spec.locate(pointer) : { line: 0, col: 0 };
  return {
    code: "PG501",
    severity: "warning",
    message: f.message,
    file: f.file,
    ...pos,
    pointer,
    hint: f.hint,
  };
}

export interface StackResult {
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  /** The files written, relative to the output root; null when nothing was written. */
  written: string[] | null;
  removed: string[];
}

/** The list of files the last run wrote, in the stack folder. */
const LIST = ".pipegen-stack";

export function stack(
  inputs: readonly string[],
  opts: { env: string | null; out: string },
): StackResult {
  const r = compilePaths(inputs, { env: opts.env });
  if (hasErrors(r.diagnostics) || !r.pipelines.length)
    return { diagnostics: r.diagnostics, sources: r.sources, written: null, removed: [] };
  const s = emitStack(r.pipelines, runtimeSources());
  const warnings = s.findings.map((f) => findingDiagnostic(f, r.sources.get(f.file), opts.env));
  const dir = path.join(opts.out, STACK_DIR);
  let before: string[] = [];
  try {
    before = readFileSync(path.join(dir, LIST), "utf8").split("\n").filter(Boolean);
  } catch {
    // a first run: nothing to remove
  }
  const now = s.files.map((f) => f.path);
  const removed = before.filter((f) => !now.includes(f) && f.startsWith(`${STACK_DIR}/`));
  for (const f of removed) rmSync(path.join(opts.out, f), { force: true });
  for (const f of s.files) {
    const to = path.join(opts.out, f.path);
    mkdirSync(path.dirname(to), { recursive: true });
    writeFileSync(`${to}.tmp`, f.content);
    renameSync(`${to}.tmp`, to);
  }
  writeFileSync(path.join(dir, LIST), `${now.join("\n")}\n`);
  return {
    diagnostics: sortDiagnostics([...r.diagnostics, ...warnings]),
    sources: r.sources,
    written: now,
    removed,
  };
}
