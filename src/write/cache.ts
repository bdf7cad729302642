import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The build cache: what lets a rebuild skip work. Kept outside the output root (committed
 * output must not change when only pipegen's version does), under
 * $XDG_CACHE_HOME/pipegen/builds (default ~/.cache), one file per output root. Only ever a
 * shortcut: a missing or unreadable cache means a full build, never a different result.
 */
export interface CacheEntry {
  spec: string;
  /**
   * The complete key of the spec's output: sha256 of pipegen's fingerprint, the formatter
   * (version and settings), the environment, the spec path and the spec text.
   */
  key: string;
}

export interface BuildCache {
  version: 2;
  pipelines: Record<string, CacheEntry>;
}

function cacheFile(root: string): string {
  let real: string;
  try {
    real = realpathSync(root);
  } catch {
    real = path.resolve(root);
  }
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(
    base,
    "pipegen",
    "builds",
    `${createHash("sha256").update(real).digest("hex").slice(0, 32)}.json`,
  );
}

/** The cache of an output root; a missing, unreadable or older-format cache is an empty one. */
export function readCache(root: string): BuildCache {
  try {
    const c = JSON.parse(readFileSync(cacheFile(root), "utf8")) as BuildCache;
    if (c && c.version === 2 && typeof c.pipelines === "object" && c.pipelines !== null) return c;
  } catch {
    // no cache yet
  }
  return { version: 2, pipelines: {} };
}

export function writeCache(root: string, cache: BuildCache): void {
  try {
    const file = cacheFile(root);
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(cache));
    renameSync(tmp, file);
  } catch {
    // a cache that cannot be written only costs time next run
  }
}
