/**
 * A spec's sibling tests file (`<spec>.tests.yaml`, only `tests:`): loaded, checked against the
 * JSON Schema with the same plain words and places as a spec (the file is validated as a spec
 * holding just its `tests:`, so every pointer is the file's own), then resolved against the
 * spec's pipeline. Pure: the text comes from sources.ts.
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { closest } from "../diagnostics/suggest.js";
import type { Pipeline, StreamTest } from "../ir/types.js";
import { resolveTests } from "../ir/resolve/tests.js";
import {
  type LoadLimits,
  type LoadedSpec,
  defaultLimits,
  loadSpec,
  pointerOf,
} from "../load/load.js";
import { validateSchema } from "../schema/validate.js";

const diag = (
  f: LoadedSpec,
  code: string,
  pointer: string,
  message: string,
  hint: string,
  part: "key" | "value" = "key",
): Diagnostic => ({
  code,
  severity: "error",
  message,
  file: f.file,
  ...f.locate(pointer, part),
  pointer,
  hint,
});

/** Keys of the file other than `tests:` (it holds nothing else), and a missing `tests:`. */
function shapeErrors(f: LoadedSpec, value: Record<string, unknown>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const key of Object.keys(value).filter((k) => k !== "tests")) {
    const meant = closest(key, ["tests"]) === "tests";
    out.push(
      diag(
        f,
        "PG201",
        pointerOf(key),
        `unknown key '${key}': a tests file holds only 'tests:'`,
        meant
          ? "did you mean 'tests'?"
          : `put the rest in the spec beside it (${f.file.replace(/\.tests(\.ya?ml)$/, "$1")})`,
      ),
    );
  }
  if (!("tests" in value))
    out.push(
      diag(
        f,
        "PG204",
        "",
        "the tests file has no 'tests:'",
        "add 'tests:' with the tests by name",
        "value",
      ),
    );
  return out;
}

/** The tests of `file`, checked against `pipeline` (whose own tests are `pipeline.tests`). */
export function resolveTestsFile(
  file: { file: string; text: string },
  pipeline: Pipeline,
  limits: LoadLimits = defaultLimits,
): { tests: StreamTest[]; diagnostics: Diagnostic[] } {
  const loaded = loadSpec(file.file, file.text, limits);
  const f = loaded.spec;
  if (!f) return { tests: [], diagnostics: loaded.diagnostics };
  const value = f.value as Record<string, unknown>;
  const diagnostics = [...loaded.diagnostics, ...shapeErrors(f, value)];
  if (!("tests" in value)) return { tests: [], diagnostics };
  // Validated as a spec of its `tests:` alone: the pointers are the same in both.
  const asSpec: LoadedSpec = {
    ...f,
    value: { pipegen: 1, pipeline: pipeline.name, tests: value.tests },
  };
  const duplicates = loaded.diagnostics.filter((d) => d.code === "PG102").map((d) => d.pointer);
  const valid = validateSchema(asSpec, duplicates);
  diagnostics.push(...valid.diagnostics);
  if (!valid.sound) return { tests: [], diagnostics };
  const ctx = { spec: f, diags: [] as Diagnostic[], broken: new Set(valid.sound.broken) };
  const taken = new Map(pipeline.tests.map((t) => [t.name, t.file]));
  const tests = resolveTests(ctx, valid.sound.value.tests, {
    streams: pipeline.streams,
    declared: pipeline.streams.map((s) => s.name),
    taken,
  });
  diagnostics.push(...ctx.diags);
  return { tests, diagnostics };
}
