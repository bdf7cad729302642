import type { Code } from "../codes.js";

/**
 * A situation that gives a code: spec files (and, for the codes about files and output, what
 * else is on disk), built as `pipegen build <inputs>` in an empty folder would build them.
 */
export interface Example {
  /** Spec files by path, as a person would have them. */
  specs: Readonly<Record<string, string>>;
  /** What is shown instead of the spec's text when that is too long to print (PG103). */
  shown?: string;
  /** What else is in the folder before the build: in words, and as files and symbolic links. */
  setup?: {
    says: string;
    files?: Readonly<Record<string, string>>;
    links?: Readonly<Record<string, string>>;
  };
  /** The inputs of the build: the specs' paths unless given (a folder, to find a broken link). */
  inputs?: readonly string[];
  /** The environment built (--env NAME). */
  env?: string;
  /** The command that gives the code: `pipegen build` unless said (`pipegen stack`). */
  command?: "build" | "stack";
}

/** What pipegen says for the example: where (file, or file:line:col), the message and the hint. */
export interface Says {
  at: string;
  /** Unless said, an error. */
  severity?: "warning";
  message: string;
  hint?: string;
}

/** One code of the catalogue: what it means, an example that gives it, and how to fix it. */
export interface CatalogueEntry {
  /** When pipegen reports it, in a few sentences. */
  means: string;
  example: Example;
  /** What pipegen says for the example: a unit test compiles the example and compares. */
  says: Says;
  /** How to fix it. */
  fix: string;
  /** The example's specs, fixed: they build without errors (a unit test checks). */
  fixed?: Readonly<Record<string, string>>;
}

export type Entries<C extends Code> = { readonly [K in C]: CatalogueEntry };
