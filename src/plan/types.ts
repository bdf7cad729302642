/** What `pipegen plan` finds: changes to running systems, each classified by a rule. */
import type { PipelineState } from "../emit/state/index.js";
import type { RuleId } from "./catalogue.js";

/** safe: the running system takes it as is; care: it takes it, but read what it means; breaking: it fails, refuses, or loses or doubles data. */
export type RuleClass = "safe" | "care" | "breaking";

export type System = "kafka" | "registry" | "spark" | "sinks" | "airflow" | "nifi";

/** terraform's symbols: add, change, remove, replace (remove and create anew). */
export type Action = "+" | "~" | "-" | "-/+";

/** One finding of a rule, before it is placed in the spec. */
export interface Finding {
  rule: RuleId;
  /** What changes on the running system, e.g. "topic orders.raw", "query orders_per_minute/sinks". */
  object: string;
  action: Action;
  /** What happens on the running system. */
  message: string;
  /** What to do about it. */
  hint?: string;
  /** DDL to run on the store before deploying (or why there is none that works). */
  ddl?: string[];
  /**
   * The JSON pointer of the cause in the spec (the new one; the old one's for what is gone), or
   * pointers to try in order (the first that the spec has wins; else the deepest part it has).
   */
  at: string | readonly string[];
  /** The pointer is into the baseline's spec (the part is gone from the current one). */
  gone?: boolean;
}

/** A finding placed in its spec and classified. */
export interface Change extends Finding {
  class: RuleClass;
  system: System;
  pipeline: string;
  file: string;
  line: number;
  col: number;
  /** Accepted by an `except` entry: it does not make the plan fail. */
  accepted?: { by: string; reason: string | null };
}

/** Earlier versions of a registry subject's schema, oldest first, with where each was found. */
export type SchemaHistory = ReadonlyMap<string, ReadonlyArray<{ schema: unknown; from: string }>>;

/** Two states of one pipeline to compare (an empty state for a pipeline that is new or gone). */
export interface Comparison {
  before: PipelineState;
  after: PipelineState;
  /** Versions of each subject before the baseline's (for the _TRANSITIVE levels). */
  history: SchemaHistory;
}

/** A rule function: the findings of one system for one pipeline. */
export type Rules = (c: Comparison) => Finding[];
