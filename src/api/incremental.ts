import { readFileSync } from "node:fs";
import path from "node:path";
import type { GeneratedFile } from "../emit/shared/types.js";
import { formatterId } from "../format/python.js";
import {
  readCache,
  statKey,
  statTrusted,
  writeCache,
  type BuildCache,
  type CacheEntry,
} from "../write/cache.js";
import { sha256, type Manifest } from "../write/manifest.js";
import { readManifest, type PipelineOutput } from "../write/plan.js";
import { fingerprint } from "./fingerprint.js";
import type { SpecSource } from "./sources.js";

/**
 * The incremental layer, at the edge: it finds the specs whose previous output a complete key
 * proves unchanged, so compile() can take that output instead of compiling the spec again.
 *
 * The key holds everything that decides the bytes: pipegen's fingerprint (its compiled code,
 * templates, JSON Schema and dependency versions), the formatter with its settings, the
 * environment, the spec's path and its text (and its sibling tests file's: tests are checked
 * with the spec, though they change no output). A reuse also needs every file the manifest lists
 * for the spec to be on disk exactly as pipegen wrote it. Anything less is a full compile.
 */
export function outputKey(spec: SpecSource, env: string | null): string {
  const tests = spec.tests ? [spec.tests.file, spec.tests.text] : [];
  return sha256(
    [fingerprint(), formatterId(), env ?? "", spec.file, spec.text, ...tests].join("\0"),
  );
}

/**
 * The files of a manifest entry, when every one is on disk as its hash says; undefined when any
 * differs. A file whose stat is as the cache recorded it (and not racy) is not read; any other is
 * read and hashed. Their content is read again only if something asks for it (a no-op never
 * does). Also gives each file's stat key, for the cache.
 */
function filesOnDisk(
  root: string,
  files: Record<string, string>,
  cached: CacheEntry["stats"],
  writtenAt: number | undefined,
): { files: GeneratedFile[]; stats: Record<string, string> } | undefined {
  const out: GeneratedFile[] = [];
  const stats: Record<string, string> = {};
  for (const [rel, hash] of Object.entries(files)) {
    const abs = path.join(root, ...rel.split("/"));
    const key = statKey(abs);
    if (key === undefined) return undefined;
    if (!statTrusted(key, cached?.[rel], writtenAt)) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(abs);
      } catch {
        return undefined;
      }
      if (sha256(bytes) !== hash) return undefined;
    }
    stats[rel] = key;
    out.push({
      path: rel,
      get content() {
        return readFileSync(abs, "utf8");
      },
    });
  }
  return { files: out, stats };
}

export interface Previous {
  cache: BuildCache;
  /** Outputs proven unchanged, by spec file. */
  reused: Map<string, PipelineOutput>;
  /** The key of every spec, by spec file. */
  keys: Map<string, string>;
}

/** Reads the build cache and the manifest of an output root and proves what can be reused. */
export function previousOutputs(
  root: string,
  specs: readonly SpecSource[],
  env: string | null,
): Previous {
  let manifest: Manifest;
  try {
    manifest = readManifest(root);
  } catch {
    manifest = { version: 1, pipelines: {} };
  }
  const cache = readCache(root);
  const bySpec = new Map(Object.entries(cache.pipelines).map(([n, e]) => [e.spec, { n, e }]));
  const reused = new Map<string, PipelineOutput>();
  const keys = new Map<string, string>();
  for (const spec of specs) {
    const key = outputKey(spec, env);
    keys.set(spec.file, key);
    const found = bySpec.get(spec.file);
    const entry = found?.e.key === key ? manifest.pipelines[found.n] : undefined;
    if (!found || !entry || entry.spec !== spec.file) continue;
    const disk = filesOnDisk(root, entry.files, found.e.stats, cache.writtenAt);
    if (disk)
      reused.set(spec.file, {
        pipeline: found.n,
        spec: spec.file,
        files: disk.files,
        stats: disk.stats,
        onDisk: true,
        hashes: entry.files,
        environment: entry.environment ?? null,
      });
  }
  return { cache, reused, keys };
}

/** Records the keys of a build's outputs, replacing what the cache said of their specs. */
export function rememberOutputs(
  root: string,
  previous: Previous,
  outputs: readonly PipelineOutput[],
): void {
  const pipelines = { ...previous.cache.pipelines };
  for (const [name, e] of Object.entries(pipelines))
    if (outputs.some((o) => o.spec === e.spec)) delete pipelines[name];
  for (const o of outputs) {
    const key = previous.keys.get(o.spec);
    if (key) pipelines[o.pipeline] = { spec: o.spec, key, ...(o.stats ? { stats: o.stats } : {}) };
  }
  writeCache(root, { version: 2, pipelines, writtenAt: Date.now() });
}
