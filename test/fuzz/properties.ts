/**
 * What must hold for every generated spec. A broken one: it is refused (errors, exit 1), never
 * with a thrown error (exit 70), nothing is produced, at most 3 diagnostics, the first at the
 * place the generator broke, each in plain words and (in the stages that promise it) with a
 * hint. A valid one: it builds, every Python file is ruff format-stable and ruff check-clean,
 * every JSON file parses, and the spec's values come back out of the data-shaped files.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { build, compile } from "../../src/api/index.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import type { GeneratedFile } from "../../src/emit/shared/types.js";
import { formatWhole, lintPython } from "../../src/format/python.js";
import type { Spec } from "./parts.js";
import { type Range, lineOf, offsetOf } from "./place.js";
import type { ValidCase } from "./valid.js";

export class Failure extends Error {
  override name = "Failure";
}

/** A broken spec and where it is broken: a source range, or a line (YAML damage). */
export interface BrokenCase {
  kind: string;
  text: string;
  range?: Range;
  line?: number;
  env?: string;
}

/** Signs of a regular expression or a parser's jargon in a message. */
const jargon = /\^\[|\\[sdw(]|\[a-z|\{0,|\(\?|must match pattern|flow-map|node end|YAML stream/;

/** Every stage promises a hint on every message, the stream resolvers included. */
const promisesHint = (_d: Diagnostic) => true;

function compileText(text: string, env?: string) {
  try {
    return compile([{ file: "specs/fuzz.yaml", text }], { env: env ?? null });
  } catch (e) {
    throw new Failure(
      `compile threw (exit 70): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
  }
}

const said = (ds: readonly Diagnostic[]) =>
  ds
    .map((d) => `  ${d.code} ${d.line}:${d.col} ${d.pointer} ${d.message} | ${d.hint ?? ""}`)
    .join("\n");

/** Checks a broken spec; returns how many diagnostics it got. */
export function checkBroken(c: BrokenCase): number {
  const r = compileText(c.text, c.env);
  const ds = r.diagnostics;
  const fail = (why: string): never => {
    throw new Failure(`${c.kind}: ${why}\n${said(ds)}\n--- spec ---\n${c.text}`);
  };
  if (!ds.some((d) => d.severity === "error")) fail("no error: it would build (exit 0)");
  if (r.outputs.length) fail("files were produced for a broken spec");
  if (ds.length > 3) fail(`${ds.length} diagnostics for one mistake`);
  const first = ds[0]!;
  if (c.line !== undefined && first.line !== c.line)
    fail(`the first diagnostic is on line ${first.line}, the damage on line ${c.line}`);
  if (c.range) {
    const at = offsetOf(c.text, first.line, first.col);
    if (at < c.range.start || at > c.range.end)
      fail(
        `the first diagnostic is at ${first.line}:${first.col}, the broken place at lines ${lineOf(c.text, c.range.start)}-${lineOf(c.text, c.range.end)}`,
      );
  }
  for (const d of ds) {
    if (jargon.test(d.message)) fail(`a message shows a pattern or jargon: ${d.message}`);
    if (promisesHint(d) && !d.hint) fail(`a diagnostic without a hint: ${d.code} ${d.message}`);
  }
  return ds.length;
}

/** Every string anywhere in a parsed JSON value. */
function strings(v: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof v === "string") out.add(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => strings(x, out));
  return out;
}

/** The spec's values that must come back out of the JSON files. */
function roundTrips(spec: Spec, files: readonly GeneratedFile[], fail: (why: string) => never) {
  const json = (suffix: string) => {
    const f = files.find((x) => x.path.endsWith(suffix));
    return f ? (JSON.parse(f.content) as Record<string, unknown>) : undefined;
  };
  const manifest = json("/kafka/topics.json") as { topics: Array<Record<string, unknown>> };
  for (const [name, t] of Object.entries(spec.topics as Record<string, Spec>)) {
    const out = manifest.topics.find((x) => x.name === name);
    if (
      out?.partitions !== t.partitions ||
      out?.replicationFactor !== (t.replicationFactor ?? null)
    )
      fail(`topic ${name}: partitions or replication factor did not round-trip`);
    if (t.schema) {
      const avsc = json(`/kafka/schemas/${name}.avsc`) as {
        fields: Array<Record<string, unknown>>;
      };
      const fields = (spec.schemas as Record<string, Spec>)[t.schema as string]!.fields as Record<
        string,
        Spec
      >;
      if (JSON.stringify(avsc.fields.map((f) => f.name)) !== JSON.stringify(Object.keys(fields)))
        fail(`topic ${name}: the Avro fields are not the schema's`);
      // A field's Avro doc is its doc, then the enum's values when it has one.
      for (const f of avsc.fields) {
        const doc = fields[f.name as string]!.doc as string | undefined;
        if (doc && !String(f.doc ?? "").startsWith(doc))
          fail(`field ${String(f.name)}: its doc did not round-trip`);
      }
    }
  }
  const flow = files.find((x) => x.path.endsWith(".flow.json"));
  const found = flow ? strings(JSON.parse(flow.content)) : new Set<string>();
  for (const ing of Object.values((spec.ingest ?? {}) as Record<string, Spec>))
    for (const step of (ing.steps ?? []) as Spec[])
      for (const v of Object.values((step.setAttributes ?? {}) as Record<string, string>))
        if (!found.has(v)) fail(`setAttributes value ${JSON.stringify(v)} is not in the NiFi flow`);
}

/** Checks a valid spec: it builds, and its files are what they must be. */
export function checkValid(c: ValidCase): void {
  const fail = (why: string): never => {
    throw new Failure(`valid spec: ${why}\n--- spec ---\n${c.text}`);
  };
  const r = compileText(c.text);
  if (r.diagnostics.length) fail(`it does not build:\n${said(r.diagnostics)}`);
  const files = r.outputs[0]!.files;
  for (const f of files) {
    if (f.path.endsWith(".py")) {
      if (formatWhole(f.path, f.content) !== f.content) fail(`${f.path} is not ruff format-stable`);
      const lint = lintPython(f.content);
      if (lint.length)
        fail(
          `${f.path} is not ruff check-clean: ${lint.map((l) => `${l.code} ${l.message}`).join("; ")}`,
        );
    }
    if (f.path.endsWith(".json") || f.path.endsWith(".avsc")) {
      try {
        JSON.parse(f.content);
      } catch {
        fail(`${f.path} does not parse as JSON`);
      }
    }
  }
  roundTrips(c.spec, files, fail);
  if ((c.spec.environments as Spec | undefined)?.dev) {
    const dev = compileText(c.text, "dev");
    if (dev.diagnostics.length) fail(`it does not build with --env dev:\n${said(dev.diagnostics)}`);
  }
}

/** A broken spec built with build() into a fresh folder: nothing at all is written. */
export function checkNothingWritten(c: BrokenCase): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pipegen-fuzz-"));
  try {
    const file = path.join(dir, "spec.yaml");
    writeFileSync(file, c.text);
    const out = path.join(dir, "out");
    const r = build([file], { out, env: c.env ?? null });
    if (!r.diagnostics.some((d) => d.severity === "error"))
      throw new Failure(`${c.kind}: build() found no error`);
    if (existsSync(out)) throw new Failure(`${c.kind}: build() wrote ${out} for a broken spec`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
