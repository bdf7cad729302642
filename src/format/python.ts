import { createRequire } from "node:module";
import { InternalError } from "../diagnostics/diagnostic.js";

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
  return `ruff-wasm-nodejs@${v} ${JSON.stringify(ruffSettings)} ${blockSplit.source}`;
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
 * functions are the same everywhere): each distinct block is formatted once per process.
 */
export function formatPython(path: string, code: string): string {
  const blocks = code.split(blockSplit);
  if (blocks.length === 1) return formatWhole(path, code);
  const out = blocks.map((b) => {
    let f = memo.get(b);
    if (f === undefined) {
      f = formatWhole(path, `${b}\n`).replace(/\n+$/, "");
      if (memo.size > 20_000) memo.clear();
      memo.set(b, f);
    }
    return f;
  });
  return `${out.join("\n\n\n")}\n`;
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
