import { existsSync, realpathSync } from "node:fs";
import path from "node:path";

/**
 * Resolves a generated file's relative path under the output root, refusing anything that
 * could land outside it: absolute paths, '..', backslashes, NUL, or a symlinked folder
 * pointing elsewhere.
 */
export function safeJoin(root: string, rel: string, memo?: Map<string, string>): string {
  const full = plainJoin(root, rel);
  const real = (p: string) => {
    let r = memo?.get(p);
    if (r === undefined) {
      r = realpathSync(p);
      memo?.set(p, r);
    }
    return r;
  };
  // The root's real path is memoised once it exists (two checks a file otherwise).
  const rootExists = memo?.has(root) || existsSync(root);
  const realRoot = rootExists ? real(root) : path.resolve(root);
  // The nearest existing ancestor decides where the file really lands.
  let probe = path.dirname(full);
  while (!memo?.has(probe) && !existsSync(probe) && probe !== path.dirname(probe))
    probe = path.dirname(probe);
  const realProbe = real(probe);
  const inside = (p: string, r: string) => p === r || p.startsWith(r + path.sep);
  if (rootExists && !inside(realProbe, realRoot) && !inside(realRoot, realProbe))
    throw new UnsafePathError(
      rel,
      "would be written outside the output root (through a symbolic link)",
    );
  if (!inside(full, path.resolve(root)))
    throw new UnsafePathError(rel, "would be written outside the output root");
  return full;
}

/**
 * The path under root of a plain relative path (no '..', '.', empty segment, backslash, NUL or
 * drive), by its text alone: for a file below a folder safeJoin has checked and found missing,
 * whose nearest existing ancestor is therefore that folder's.
 */
export function plainJoin(root: string, rel: string): string {
  if (
    rel === "" ||
    rel.includes("\0") ||
    rel.includes("\\") ||
    rel.startsWith("/") ||
    /^[A-Za-z]:/.test(rel) ||
    rel.split("/").some((s) => s === "" || s === "." || s === "..")
  ) {
    throw new UnsafePathError(rel, "is not a plain relative path");
  }
  return path.resolve(root, ...rel.split("/"));
}

export class UnsafePathError extends Error {
  constructor(
    readonly rel: string,
    why: string,
  ) {
    super(`refusing to write '${rel}': it ${why}`);
  }
}
