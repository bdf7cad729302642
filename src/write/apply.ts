import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
  readFileSync,
} from "node:fs";
import path from "node:path";
import { manifestName } from "./manifest.js";
import type { Plan } from "./plan.js";

const stagingName = ".pipegen-staging";
const journalName = ".pipegen-journal.json";

interface Journal {
  /** [staged, rel], or [staged folder, rel, "dir"]: a new pipeline's folder moved whole. */
  renames: Array<[string, string] | [string, string, "dir"]>;
  deletes: string[];
}

/** The staging folder of an output root. */
export const stagingFolder = (root: string): string => path.join(root, stagingName);

/**
 * Drops what a build staged and did not apply (it failed, or found conflicts), and the output
 * root too when the build made it and it is empty: a failed build leaves nothing behind.
 */
export function discardStaging(root: string, rootExisted: boolean): void {
  rmSync(stagingFolder(root), { recursive: true, force: true });
  if (rootExisted) return;
  try {
    rmdirSync(root);
  } catch {
    // not empty, or not there: leave it
  }
}

/**
 * Carries out a plan atomically as a whole. Every new file is written to a staging folder
 * first; only then is a journal written (one atomic rename), and the staged files are
 * renamed into place. A build interrupted before the journal exists leaves the previous
 * output untouched; one interrupted after it is rolled forward by the next run. `prestaged`:
 * the build has already recovered the root and staged changes as it compiled (stage.ts).
 */
export function applyPlan(plan: Plan, prestaged = false): void {
  const root = plan.root;
  const staging = stagingFolder(root);
  if (!prestaged) recover(root);
  if (plan.changes.length === 0 && !plan.manifestChanged) {
    if (prestaged) rmSync(staging, { recursive: true, force: true });
    return;
  }
  mkdirSync(root, { recursive: true });
  if (!prestaged) rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const journal: Journal = { renames: [], deletes: [] };
  let n = 0;
  const folders = new Set<string>();
  for (const c of plan.changes) {
    if (c.kind === "delete") {
      journal.deletes.push(c.rel);
      continue;
    }
    if (c.stagedDir !== undefined) {
      // A new pipeline staged as a folder (stage.ts): one rename for all its files.
      if (!folders.has(c.stagedDir))
        journal.renames.push([c.stagedDir, c.rel.slice(0, c.rel.indexOf("/")), "dir"]);
      folders.add(c.stagedDir);
      continue;
    }
    // A change staged as it was compiled (stage.ts) is in the staging folder already.
    const staged = c.staged ?? `${n++}`;
    if (c.staged === undefined) writeFileSync(path.join(staging, staged), c.content);
    journal.renames.push([staged, c.rel]);
  }
  if (plan.manifestChanged) {
    writeFileSync(path.join(staging, "manifest"), plan.manifestText);
    journal.renames.push(["manifest", manifestName]);
  }
  const tmp = path.join(staging, "journal.tmp");
  writeFileSync(tmp, JSON.stringify(journal));
  renameSync(tmp, path.join(root, journalName));
  finish(root, journal);
}

function finish(root: string, j: Journal) {
  const staging = stagingFolder(root);
  const made = new Set<string>();
  for (const [staged, rel, kind] of j.renames) {
    const src = path.join(staging, ...staged.split("/"));
    const dst = path.join(root, ...rel.split("/"));
    if (!existsSync(src)) continue; // already moved before an interruption
    const dir = path.dirname(dst);
    if (!made.has(dir)) mkdirSync(dir, { recursive: true });
    made.add(dir);
    if (kind === "dir") moveFolder(src, dst);
    else renameSync(src, dst);
  }
  for (const rel of j.deletes) {
    const abs = path.join(root, ...rel.split("/"));
    try {
      unlinkSync(abs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    pruneEmpty(root, path.dirname(abs));
  }
  rmSync(path.join(root, journalName), { force: true });
  rmSync(staging, { recursive: true, force: true });
}

/**
 * Moves a staged folder into place: one rename when nothing is there; when the folder has
 * appeared since the plan (or a move was interrupted half way), file by file, replacing what is
 * there as a file's rename does.
 */
function moveFolder(src: string, dst: string): void {
  try {
    renameSync(src, dst);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "ENOTDIR") throw e;
  }
  mkdirSync(dst, { recursive: true });
  for (const ent of readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, ent.name);
    const to = path.join(dst, ent.name);
    if (ent.isDirectory()) moveFolder(from, to);
    else renameSync(from, to);
  }
  rmdirSync(src);
}

/** Removes folders emptied by deletes, up to (not including) the root. */
function pruneEmpty(root: string, dir: string) {
  const r = path.resolve(root);
  let d = path.resolve(dir);
  while (d !== r && d.startsWith(r + path.sep)) {
    if (!existsSync(d) || readdirSync(d).length > 0) return;
    rmdirSync(d);
    d = path.dirname(d);
  }
}

/** Completes a build that was interrupted after its journal was written; drops a half-staged one. */
export function recover(root: string): void {
  const jp = path.join(root, journalName);
  if (existsSync(jp)) finish(root, JSON.parse(readFileSync(jp, "utf8")) as Journal);
  else rmSync(stagingFolder(root), { recursive: true, force: true });
}
