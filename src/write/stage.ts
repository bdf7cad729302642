import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { GeneratedFile } from "../emit/shared/types.js";
import { statKey } from "./cache.js";
import { planFiles, type PipelineOutput, type PlannedFiles } from "./plan.js";

/**
 * Staging as a build compiles: each output's files are compared with the disk and its changes
 * written to the staging folder by the thread that compiled it, right away, so no thread holds
 * every file until the end and the writing is shared by every thread. Nothing is visible before
 * applyPlan writes the journal; a build that fails removes the staging folder (apply.ts).
 */
export interface StageContext {
  /** The output root (it may not exist yet). */
  root: string;
  /** The staging folder under root. */
  staging: string;
  /** The files the old manifest lists (planFiles' ownedBefore). */
  owned: readonly string[];
}

/** Per thread: the owned set, the realpath memo of a context, and whether its staging folder is made. */
const perThread = new WeakMap<
  StageContext,
  { owned: Set<string>; memo: Map<string, string>; stagingMade?: boolean }
>();

/** The content of a staged or written file, read when asked for (a build never asks). */
function lazyFile(pathRel: string, abs: () => string): GeneratedFile {
  return {
    path: pathRel,
    get content() {
      return readFileSync(abs(), "utf8");
    },
  };
}

/**
 * Plans one output's files against the disk and writes its changes to the staging folder.
 * A new pipeline (its folder is not there, every file a create in it) is staged as a whole
 * folder `d<spec index>/`, which applyPlan moves into place in one rename; any other change as a
 * file `<spec index>.<n>`. Returns what a thread can send: the output with its files' paths only
 * (contents are on disk) and the planned changes with their staged names.
 */
export function stageOutput(o: PipelineOutput, index: number, ctx: StageContext): PipelineOutput {
  let t = perThread.get(ctx);
  if (!t) perThread.set(ctx, (t = { owned: new Set(ctx.owned), memo: new Map() }));
  const planned = planFiles(ctx.root, o, t.owned, t.memo);
  if (planned.changes.length && !t.stagingMade) {
    mkdirSync(ctx.staging, { recursive: true });
    t.stagingMade = true;
  }
  const prefix = `${o.pipeline}/`;
  const asFolder =
    planned.changes.length > 0 &&
    planned.conflicts.length === 0 &&
    planned.changes.every((c) => c.kind === "create" && c.rel.startsWith(prefix)) &&
    planned.folderMissing === true;
  const stagedDir = asFolder ? `d${index}` : undefined;
  const made = new Set<string>();
  const stats: Record<string, string> = {};
  const changes = planned.changes.map((c, n) => {
    if (c.kind === "delete") return c;
    const staged = stagedDir ? `${stagedDir}/${c.rel.slice(prefix.length)}` : `${index}.${n}`;
    const abs = path.join(ctx.staging, ...staged.split("/"));
    const dir = path.dirname(abs);
    if (stagedDir) makeDirs(dir, ctx.staging, made);
    writeFileSync(abs, c.content);
    // A rename keeps the inode and the mtime: this is the file's stat once in place.
    const key = statKey(abs);
    if (key) stats[c.rel] = key;
    const { old: _old, ...rest } = c;
    return { ...rest, content: "", staged, ...(stagedDir ? { stagedDir } : {}) };
  });
  const staged: PlannedFiles = { ...planned, changes };
  return { ...o, files: o.files.map((f) => ({ path: f.path, content: "" })), staged, stats };
}

/**
 * Makes `dir` and the folders between it and `base` (which exists), parents first, one plain
 * mkdir each: a recursive mkdir of a folder whose parent is missing costs three system calls.
 */
function makeDirs(dir: string, base: string, made: Set<string>): void {
  if (dir === base || made.has(dir)) return;
  const parent = path.dirname(dir);
  if (parent === dir) throw new Error(`staged folder ${dir} is not under ${base}`);
  makeDirs(parent, base, made);
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  made.add(dir);
}

/**
 * An output that came back from stageOutput (perhaps from another thread), with lazy contents:
 * a staged change reads its staged file, any file reads what is under root (after the build,
 * the file as written).
 */
export function withLazyContent(o: PipelineOutput, ctx: StageContext): PipelineOutput {
  if (!o.staged) return o;
  const under = (rel: string) => path.join(ctx.root, ...rel.split("/"));
  const changes = o.staged.changes.map((c) => {
    if (c.kind === "delete" || c.staged === undefined) return c;
    const stagedAbs = path.join(ctx.staging, ...c.staged.split("/"));
    const { content: _c, ...rest } = c;
    // Staged until applyPlan renames it into place; then it is the file at c.abs.
    const get = () => readFileSync(existsSync(stagedAbs) ? stagedAbs : c.abs, "utf8");
    return Object.defineProperty(rest, "content", { enumerable: true, get }) as typeof c;
  });
  return {
    ...o,
    files: o.files.map((f) => lazyFile(f.path, () => under(f.path))),
    staged: { ...o.staged, changes },
  };
}
