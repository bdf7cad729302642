import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { UsageError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { defaultLimits, type LoadLimits } from "../load/defaults.js";

/** A spec's text with the name diagnostics and the build show for it. */
export interface SpecSource {
  /** The spec's path relative to the working directory (absolute when outside it), POSIX separators. */
  file: string;
  text: string;
  /** Its sibling `<spec>.tests.yaml` (only `tests:`), when there is one. */
  tests?: { file: string; text: string };
}

/** A sibling tests file (`x.tests.yaml` beside `x.yaml`): never a spec of its own. */
export const isTestsFile = (file: string) => /\.tests\.ya?ml$/.test(file);

/** The spec a tests file belongs to (`x.tests.yaml` -> `x.yaml` or `x.yml`), if it exists. */
function specOfTestsFile(file: string): string | undefined {
  const base = file.replace(/\.tests\.ya?ml$/, "");
  return [`${base}.yaml`, `${base}.yml`].find((f) => existsSync(f));
}

/** The tests file beside a spec (`x.yaml` -> `x.tests.yaml` or `x.tests.yml`), if there is one. */
export function testsFileOf(spec: string): string | undefined {
  const base = spec.replace(/\.ya?ml$/, "");
  return [`${base}.tests.yaml`, `${base}.tests.yml`].find((f) => existsSync(f));
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
      } else if (/\.ya?ml$/.test(ent.name) && !isTestsFile(ent.name)) out.add(p);
    }
  };
  for (const input of inputs) {
    if (!existsSync(input)) throw new UsageError(`no such file or folder: ${input}`);
    if (statSync(input).isDirectory()) walk(input);
    else if (isTestsFile(input)) {
      const spec = specOfTestsFile(input);
      if (!spec)
        throw new UsageError(
          `${input} holds the tests of a spec beside it, and there is none (${input.replace(/\.tests\.ya?ml$/, ".yaml")})`,
        );
      out.add(path.normalize(spec));
    } else out.add(path.normalize(input));
  }
  if (out.size === 0) throw new UsageError(`no *.yaml or *.yml spec found in ${inputs.join(", ")}`);
  return [...out].sort();
}

/** The name a spec goes by: relative to the working directory, or absolute when outside it. */
export function shownName(file: string): string {
  const rel = path.relative(process.cwd(), file).split(path.sep).join("/") || file;
  return rel.startsWith("..") ? file.split(path.sep).join("/") : rel;
}

function unreadable(file: string, code: string, message: string, hint?: string): Diagnostic {
  return {
    code,
    severity: "error",
    message,
    file,
    line: 0,
    col: 0,
    pointer: "",
    ...(hint ? { hint } : {}),
  };
}

/**
 * Reads every spec the inputs name. A file over the size limit is not read at all (PG103), one
 * that cannot be read is reported (PG100); the others come back as texts for compile().
 */
export function readSpecs(
  inputs: readonly string[],
  limits: LoadLimits = defaultLimits,
): { specs: SpecSource[]; diagnostics: Diagnostic[] } {
  const specs: SpecSource[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const file of findSpecs(inputs)) {
    const shown = shownName(file);
    try {
      const size = statSync(file).size;
      if (size > limits.maxBytes) {
        diagnostics.push(
          unreadable(
            shown,
            "PG103",
            `the spec is ${size} bytes; the limit is ${limits.maxBytes}`,
            "split the pipeline into several specs, or check that this is the file you meant",
          ),
        );
        continue;
      }
      const spec: SpecSource = { file: shown, text: readFileSync(file, "utf8") };
      const tests = testsFileOf(file);
      if (tests) spec.tests = { file: shownName(tests), text: readFileSync(tests, "utf8") };
      specs.push(spec);
    } catch (e) {
      diagnostics.push(unreadable(shown, "PG100", `cannot read the spec: ${(e as Error).message}`));
    }
  }
  return { specs, diagnostics };
}

/**
 * Specs that an earlier build compiled and that are gone now, among those the inputs cover (a
 * folder input covers every spec below it, a file input itself). Their pipelines no longer
 * exist: a build deletes their files and `check` reports them, so a removed pipeline does not
 * keep running from stale DAGs and jobs. Specs outside the inputs are never touched.
 */
export function removedSpecs(
  inputs: readonly string[],
  built: Iterable<string>,
  present: readonly SpecSource[],
): string[] {
  const now = new Set(present.map((s) => s.file));
  const covers = inputs.map((i) => {
    const shown = shownName(path.resolve(i));
    return existsSync(i) && statSync(i).isDirectory()
      ? (f: string) => shown === "" || shown === "." || f.startsWith(`${shown}/`)
      : (f: string) => f === shown;
  });
  const out = new Set<string>();
  for (const spec of built)
    if (!now.has(spec) && covers.some((c) => c(spec)) && !existsSync(spec)) out.add(spec);
  return [...out].sort();
}
