import { createRequire } from "node:module";
import { InternalError } from "../diagnostics/diagnostic.js";
import { fill, shapeId, shapeOf } from "./shape.js";

const require = createRequire(import.meta.url);

type Ruff = typeof import("@astral-sh/ruff-wasm-nodejs");
let workspace: InstanceType<Ruff["Workspace"]> | undefined;
let version = "";

/** The settings generated Python is formatted and linted with (also in the tests). */
export const ruffSettings = {
  "line-length": 88,
  "target-version": "py311",
  lint: { select: ["E4", "E7", "E9", "F", "I", "B", "UP"] },
};

function ruff() {
  if (!workspace) {
    // The WASM module costs ~250 ms to load: only builds that write Python pay for it.
    const r = require("@astral-sh/ruff-wasm-nodejs") as Ruff;
    workspace = new r.Workspace(ruffSettings, r.PositionEncoding.Utf16);
    version = (require("@astral-sh/ruff-wasm-nodejs/package.json") as { version: string }).version;
  }
  return workspace;
}

/**
 * Identifies the formatter and everything that decides its output: the ruff version, its
 * settings and the way files are split into blocks. Part of the incremental layer's key.
 */
export function formatterId(): string {
  const v = (require("@astral-sh/ruff-wasm-nodejs/package.json") as { version: string }).version;
  return `ruff-wasm-nodejs@${v} ${JSON.stringify(ruffSettings)} ${blockSplit.source} ${shapeId}`;
}

/** Formats a whole module with ruff; a syntax error is a bug in pipegen. */
export function formatWhole(path: string, code: string): string {
  try {
    return ruff().format(code);
  } catch (e) {
    throw new InternalError(
      `generated ${path} is not valid Python (${String(e)}); ruff ${version} refused it`,
    );
  }
}

const memo = new Map<string, string>();
/** Where a module splits into top-level blocks that format alone as they do in the whole. */
const blockSplit = /\n\n\n(?=[^\s])/;

/**
 * Formats generated Python exactly as `ruff format` does, one top-level block at a time.
 * Templates separate top-level definitions by two blank lines, the spacing ruff itself keeps,
 * so formatting each block alone gives the same text as formatting the whole file (a unit test
 * checks this on every generated file). Blocks repeat across jobs and pipelines (the helper
 * functions are the same everywhere): each distinct block is formatted once per process, and
 * with `name` (the pipeline's), each distinct block shape.
 */
export function formatPython(path: string, code: string, name?: string): string {
  const blocks = code.split(blockSplit);
  if (blocks.length === 1) return formatWhole(path, code);
  return `${blocks.map((b) => formatBlock(path, b, name)).join("\n\n\n")}\n`;
}

/**
 * One top-level block, formatted alone: memoised by its text, then by its shape with the
 * pipeline's name abstracted (shape.ts), so copies of a pipeline share their formatting.
 */
function formatBlock(path: string, block: string, name: string | undefined): string {
  const f = memo.get(block);
  if (f !== undefined) return f;
  const shape = shapeOf(block, name);
  // A shaped block is remembered by its shape only: its own text would not come again.
  const filled =
    shape &&
    fill(
      remember(shape.text, () => formatAlone(path, block, shape.text)),
      shape,
    );
  return filled ?? remember(block, () => formatAlone(path, block, block));
}

/** ruff on one block; a syntax error names the block as it was generated. */
function formatAlone(path: string, block: string, text: string): string {
  if (text === block) return formatWhole(path, `${block}\n`).replace(/\n+$/, "");
  try {
    return ruff().format(`${text}\n`).replace(/\n+$/, "");
  } catch {
    return formatWhole(path, `${block}\n`).replace(/\n+$/, ""); // throws with the real text
  }
}

function remember(key: string, make: () => string): string {
  let f = memo.get(key);
  if (f === undefined) {
    f = make();
    if (memo.size > 20_000) memo.clear();
    memo.set(key, f);
  }
  return f;
}

export interface LintMessage {
  code: string;
  message: string;
  line: number;
}

/** ruff check with the project's rules; used by tests to keep generated Python clean. */
export function lintPython(code: string): LintMessage[] {
  const out = ruff().check(code) as Array<{
    code: string;
    message: string;
    start_location: { row: number };
  }>;
  return out.map((d) => ({ code: d.code, message: d.message, line: d.start_location.row }));
}
