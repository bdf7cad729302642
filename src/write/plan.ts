import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { GeneratedFile } from "../emit/shared/types.js";
import {
  manifestEntry,
  manifestName,
  parseManifest,
  serializeManifest,
  sha256,
  type Manifest,
} from "./manifest.js";
import { plainJoin, safeJoin } from "./paths.js";

export interface PipelineOutput {
  pipeline: string;
  spec: string;
  files: readonly GeneratedFile[];
  /** True when the files were just read from disk and checked against the manifest (a reused output). */
  onDisk?: boolean;
  /** sha256 of each file by path, when known (a reused output: its manifest entry's). */
  hashes?: Readonly<Record<string, string>>;
  /** The environment overlay applied, recorded in the manifest; null or absent when none. */
  environment?: string | null;
  /**
   * Set when the files were already compared with the disk and their changes written to the
   * staging folder as they were compiled (a build's stage.ts): planWrite takes this as it is.
   */
  staged?: PlannedFiles;
  /** The stat key (cache.ts) of each file whose content is known to be as hashed. */
  stats?: Readonly<Record<string, string>>;
}

export type Change =
  | {
      kind: "create" | "update";
      rel: string;
      abs: string;
      content: string;
      old?: string;
      /** The file's name in the staging folder when it is already written there (stage.ts). */
      staged?: string;
      /** Set when the file is staged in a folder that becomes the pipeline's folder whole. */
      stagedDir?: string;
    }
  | { kind: "delete"; rel: string; abs: string; old?: string };

export interface Plan {
  root: string;
  changes: Change[];
  unchanged: number;
  /** Files pipegen did not write that a build would overwrite: never touched, reported as errors. */
  conflicts: string[];
  /**
   * Files under a pipeline's folder that pipegen did not write and would not write (for check;
   * empty when the caller did not ask, as a build does not: it never touches them).
   */
  foreign: string[];
  manifestText: string;
  manifestChanged: boolean;
}

/** The manifest under an output root (empty when there is none). */
export function readManifest(root: string): Manifest {
  return parseManifest(read(path.join(root, manifestName)));
}

function read(abs: string): string | undefined {
  try {
    return readFileSync(abs, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

function listFiles(dir: string, rel: string, out: string[]) {
  if (!existsSync(dir)) return;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const r = rel ? `${rel}/${ent.name}` : ent.name;
    if (ent.isDirectory()) listFiles(path.join(dir, ent.name), r, out);
    else out.push(r);
  }
}

/** What one pipeline's files change on disk: planWrite's part for one output. */
export interface PlannedFiles {
  /** sha256 of each file by path (the manifest entry's files). */
  hashes: Record<string, string>;
  changes: Change[];
  conflicts: string[];
  unchanged: number;
  /** The pipeline's folder was not there when its files were compared (none of them could be). */
  folderMissing?: boolean;
}

/**
 * Compares one output's files with what is on disk. `ownedBefore` holds the files the old
 * manifest lists: an existing file it does not list is a conflict, never overwritten.
 */
export function planFiles(
  root: string,
  o: PipelineOutput,
  ownedBefore: ReadonlySet<string>,
  memo: Map<string, string>,
): PlannedFiles {
  const planned: PlannedFiles = { hashes: {}, changes: [], conflicts: [], unchanged: 0 };
  // A new pipeline's folder is not there yet: none of its files can be (no failed read each),
  // and where they land is decided by the folder's nearest existing ancestor, checked once.
  const folderMissing = !existsSync(path.join(root, o.pipeline));
  if (folderMissing) {
    safeJoin(root, o.pipeline, memo);
    planned.folderMissing = true;
  }
  for (const f of o.files) {
    const known = o.onDisk ? o.hashes?.[f.path] : undefined;
    if (known !== undefined) {
      // A reused output: its files were just read and found as the manifest lists them, and
      // nothing is written (so no path to check).
      planned.hashes[f.path] = known;
      planned.unchanged++;
      continue;
    }
    const absent = folderMissing && f.path.startsWith(`${o.pipeline}/`);
    const abs = absent ? plainJoin(root, f.path) : safeJoin(root, f.path, memo);
    planned.hashes[f.path] = sha256(f.content);
    const old = o.onDisk ? f.content : absent ? undefined : read(abs);
    if (old === f.content) planned.unchanged++;
    else if (old !== undefined && !ownedBefore.has(f.path)) planned.conflicts.push(f.path);
    else
      planned.changes.push({
        kind: old === undefined ? "create" : "update",
        rel: f.path,
        abs,
        content: f.content,
        ...(old !== undefined ? { old } : {}),
      });
  }
  return planned;
}

/** The files the manifest under root lists (planFiles' `ownedBefore`). */
export function ownedFiles(m: Manifest): Set<string> {
  return new Set(Object.values(m.pipelines).flatMap((e) => Object.keys(e.files)));
}

/** Compares what the build produces with what is on disk: the plan that `apply` carries out or `check` reports. */
export function planWrite(
  root: string,
  outputs: readonly PipelineOutput[],
  /** Specs that were built before and are gone now: their pipelines' files are stale. */
  removedSpecs: readonly string[] = [],
  /** List each pipeline's folder for files pipegen did not write (`foreign`). */
  lookForForeign = true,
): Plan {
  const manifestAbs = path.join(root, manifestName);
  if (existsSync(root) && !statSync(root).isDirectory())
    throw new Error(`output root ${root} is not a folder`);
  const oldManifest: Manifest = parseManifest(read(manifestAbs));
  const next: Manifest = { version: 1, pipelines: { ...oldManifest.pipelines } };
  const changes: Change[] = [];
  const conflicts: string[] = [];
  const foreign: string[] = [];
  let unchanged = 0;
  const specsBuilt = new Set([...outputs.map((o) => o.spec), ...removedSpecs]);
  const produced = new Set<string>();
  const memo = new Map<string, string>();
  const ownedBefore = ownedFiles(oldManifest);

  const builtNow = new Set(outputs.map((o) => o.pipeline));
  // A spec that now names a different pipeline leaves its old pipeline's files behind: they go.
  for (const [name, entry] of Object.entries(oldManifest.pipelines)) {
    if (specsBuilt.has(entry.spec) && !builtNow.has(name)) delete next.pipelines[name];
  }
  for (const o of outputs) {
    const planned = o.staged ?? planFiles(root, o, ownedBefore, memo);
    for (const f of o.files) produced.add(f.path);
    changes.push(...planned.changes);
    conflicts.push(...planned.conflicts);
    unchanged += planned.unchanged;
    next.pipelines[o.pipeline] = manifestEntry(o.spec, planned.hashes, o.environment);
    if (!lookForForeign) continue;
    const onDisk: string[] = [];
    listFiles(path.join(root, o.pipeline), o.pipeline, onDisk);
    for (const rel of onDisk) if (!produced.has(rel) && !ownedBefore.has(rel)) foreign.push(rel);
  }
  // Stale: files pipegen wrote for the pipelines built now (or for a pipeline their spec no longer names) and no longer produces.
  for (const [name, entry] of Object.entries(oldManifest.pipelines)) {
    const rebuilt = builtNow.has(name) || specsBuilt.has(entry.spec);
    if (!rebuilt) continue;
    for (const rel of Object.keys(entry.files)) {
      if (produced.has(rel)) continue;
      const abs = safeJoin(root, rel, memo);
      const old = read(abs);
      if (old !== undefined) changes.push({ kind: "delete", rel, abs, old });
    }
  }
  const manifestText = serializeManifest(next);
  const manifestChanged = read(manifestAbs) !== manifestText;
  changes.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return {
    root,
    changes,
    unchanged,
    conflicts: conflicts.sort(),
    foreign: foreign.sort(),
    manifestText,
    manifestChanged,
  };
}
