import { createHash } from "node:crypto";
import {
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
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
  /**
   * `size:mtimeNs:inode` of each file (by path) when its content was known to hash as the
   * manifest says: written by pipegen, or read and hashed. A no-op trusts a file whose stat is
   * still this, and older than `writtenAt` by more than a clock tick, without reading it (as
   * git's index does); anything else is read and hashed.
   */
  stats?: Record<string, string>;
}

export interface BuildCache {
  version: 2;
  pipelines: Record<string, CacheEntry>;
  /** When the cache was written (ms since the epoch): the stats' racy-clean limit. */
  writtenAt?: number;
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

/** A file's `size:mtimeNs:inode` (CacheEntry.stats), or undefined when it is not there. */
export function statKey(abs: string): string | undefined {
  const st = statSync(abs, { bigint: true, throwIfNoEntry: false });
  return st && `${st.size}:${st.mtimeNs}:${st.ino}`;
}

/** A clock tick and then some: a file modified within this of a stat can keep its mtime. */
const racyMs = 20;

/**
 * Whether a file whose stat key is `now` can be taken as the one a cache written at `writtenAt`
 * recorded as `then` without reading it: same size, mtime and inode, and an mtime older than the
 * cache by more than a tick (a file modified in the tick it was recorded in keeps its mtime).
 */
export function statTrusted(now: string, then: string | undefined, writtenAt?: number): boolean {
  if (then === undefined || now !== then || writtenAt === undefined) return false;
  const mtimeMs = Number(BigInt(now.split(":")[1]!) / 1_000_000n);
  return mtimeMs < writtenAt - racyMs;
}
