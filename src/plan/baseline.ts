/**
 * The baseline a plan compares with: a git ref's committed output (default HEAD), or a folder
 * holding an earlier build. This is the edge of `plan`: it reads git and the file system.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../diagnostics/diagnostic.js";
import { stateFormat, type PipelineState } from "../emit/state/index.js";
import { kafkaPaths, statePath } from "../ir/names.js";
import { manifestName } from "../write/manifest.js";

export interface Baseline {
  kind: "git" | "dir";
  /** How the plan names it: "HEAD (321d7a7)", "folder old-build". */
  name: string;
  /** A pipeline's state file, parsed; null when the baseline has none. */
  state(pipeline: string): PipelineState | null;
  /** Whether the baseline holds any file of the pipeline (its folder). */
  hasPipeline(pipeline: string): boolean;
  /** The pipelines of the baseline's manifest: spec file and environment. */
  manifest(): Record<string, { spec: string; environment: string | null }>;
  /** A spec's text as the baseline has it (git only), for a baseline without a state file. */
  specText(file: string): string | null;
  /** Earlier versions of a topic's Avro schema, oldest first (git: every committed version). */
  schemaHistory(pipeline: string, topic: string): Array<{ schema: unknown; from: string }>;
}

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch {
    return null;
  }
}

const posix = (p: string) => p.split(path.sep).join("/");

function parseJson(text: string | null, what: string): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${what} is not JSON: the baseline cannot be read`);
  }
}

function checkFormat(s: unknown, what: string): PipelineState {
  const state = s as PipelineState;
  if (state.format !== stateFormat)
    throw new UsageError(
      `${what} has state format ${String(state.format)}, this pipegen reads ${stateFormat}: compare against a build of this pipegen`,
    );
  return state;
}

function withoutComment(schema: unknown): unknown {
  const { $comment: _, ...rest } = schema as Record<string, unknown>;
  return rest;
}

/** The committed output at a git ref (out: the output root, relative to the working directory). */
export function gitBaseline(ref: string, out: string): Baseline {
  const commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])?.trim();
  if (!commit)
    throw new UsageError(
      `'${ref}' is neither a folder nor a git commit here (pass --against a ref such as HEAD or main, or a folder with an earlier build)`,
    );
  const rel = (p: string) => `./${posix(path.join(out, p))}`;
  const show = (p: string) => git(["show", `${commit}:${rel(p)}`]);
  const name = `${ref} (${commit.slice(0, 7)})`;
  return {
    kind: "git",
    name,
    state(p) {
      const s = parseJson(show(statePath(p)), `${out}/${statePath(p)} at ${ref}`);
      return s === null ? null : checkFormat(s, `${out}/${statePath(p)} at ${ref}`);
    },
    hasPipeline: (p) => git(["cat-file", "-e", `${commit}:${rel(p)}`]) !== null,
    manifest() {
      const m = parseJson(show(manifestName), `${out}/${manifestName} at ${ref}`) as {
        pipelines?: Record<string, { spec: string; environment?: string | null }>;
      } | null;
      return Object.fromEntries(
        Object.entries(m?.pipelines ?? {}).map(([k, v]) => [
          k,
          { spec: v.spec, environment: v.environment ?? null },
        ]),
      );
    },
    specText: (file) => git(["show", `${commit}:./${posix(file)}`]),
    schemaHistory(p, topic) {
      const file = rel(kafkaPaths.schema(p, topic));
      const log = git(["log", "--format=%H %h %cs", commit, "--", file.slice(2)]) ?? "";
      const out: Array<{ schema: unknown; from: string }> = [];
      for (const line of log.trim().split("\n").filter(Boolean).reverse()) {
        const [full, short, date] = line.split(" ");
        const text = git(["show", `${full}:${file}`]);
        if (text === null) continue;
        try {
          out.push({ schema: withoutComment(JSON.parse(text)), from: `commit ${short} (${date})` });
        } catch {
          continue;
        }
      }
      return out;
    },
  };
}

/** A folder with an earlier build (its output root). It holds one version of each schema. */
export function dirBaseline(dir: string): Baseline {
  const file = (p: string) => path.join(dir, p);
  const read = (p: string) => (existsSync(file(p)) ? readFileSync(file(p), "utf8") : null);
  return {
    kind: "dir",
    name: `folder ${posix(dir)}`,
    state(p) {
      const s = parseJson(read(statePath(p)), file(statePath(p)));
      return s === null ? null : checkFormat(s, file(statePath(p)));
    },
    hasPipeline: (p) => existsSync(file(p)) && statSync(file(p)).isDirectory(),
    manifest() {
      const m = parseJson(read(manifestName), file(manifestName)) as {
        pipelines?: Record<string, { spec: string; environment?: string | null }>;
      } | null;
      return Object.fromEntries(
        Object.entries(m?.pipelines ?? {}).map(([k, v]) => [
          k,
          { spec: v.spec, environment: v.environment ?? null },
        ]),
      );
    },
    specText: () => null,
    schemaHistory: () => [],
  };
}

/** --against: a folder when there is one by that name, else a git ref. */
export function openBaseline(against: string, out: string): Baseline {
  if (existsSync(against) && statSync(against).isDirectory()) return dirBaseline(against);
  return gitBaseline(against, out);
}
