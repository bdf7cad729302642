import { readFileSync } from "node:fs";
import path from "node:path";
import type { GeneratedFile } from "../emit/shared/types.js";
import type { BuildCache } from "../write/cache.js";
import type { Manifest } from "../write/manifest.js";
import { sha256 } from "../write/manifest.js";
import { formatPython, formatterId } from "./python.js";

/**
 * The format stage: files an emitter marks for formatting go through ruff. A file whose
 * pre-format content (and formatter) is what the manifest recorded, and whose written
 * content on disk is unchanged, is taken from disk: a rebuild does not pay for ruff again.
 */
export function formatFiles(
  files: readonly GeneratedFile[],
  root: string,
  previous: Manifest,
  cache: BuildCache,
): { files: GeneratedFile[]; sources: Record<string, string> } {
  const sources: Record<string, string> = {};
  const out = files.map((f) => {
    if (!f.format) return f;
    const source = sha256(`${formatterId()}\n${f.content}`);
    sources[f.path] = source;
    // Output paths start with the pipeline's name.
    const name = f.path.split("/")[0]!;
    const entry =
      cache.pipelines[name]?.sources?.[f.path] === source ? previous.pipelines[name] : undefined;
    if (entry?.files[f.path]) {
      try {
        const disk = readFileSync(path.join(root, ...f.path.split("/")), "utf8");
        if (sha256(disk) === entry.files[f.path]) return { path: f.path, content: disk };
      } catch {
        // not on disk: format it
      }
    }
    return { path: f.path, content: formatPython(f.path, f.content) };
  });
  return { files: out, sources };
}
