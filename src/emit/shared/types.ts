import type { Pipeline } from "../../ir/types.js";

/** One output file, relative to the output root, with POSIX separators. */
export interface GeneratedFile {
  path: string;
  content: string;
  /** Set when the content still goes through a formatter (ruff for Python) before it is written. */
  format?: "python";
}

/** The contract of a target: a pure function of the IR. */
export type Emitter = (p: Pipeline) => GeneratedFile[];
