// The random specs' model: what the generator decides (schemas, rules, steps, sinks) in a form
// the reference model can evaluate, and the values records carry. Rendered to YAML by
// spec-gen.ts; evaluated, independently of Spark, by model.ts.

export type FieldType =
  | "string"
  | "int"
  | "long"
  | "float"
  | "double"
  | "boolean"
  | "decimal"
  | "timestamp"
  | "date"
  | "bytes";

/** A column of a record as it flows: its type and whether it can be null at this point. */
export interface Col {
  name: string;
  type: FieldType;
  precision?: number;
  scale?: number;
  /** Non-null here: a required field, or a notNull rule covers it, or an aggregate that is never null. */
  required: boolean;
  enum?: string[];
}

/** An exact decimal: unscaled value and scale. */
export class Dec {
  constructor(
    readonly u: bigint,
    readonly s: number,
  ) {}
}
/** A timestamp: milliseconds since the epoch (UTC). */
export class Ts {
  constructor(readonly ms: number) {}
}
/** A date: days since the epoch. */
export class Day {
  constructor(readonly d: number) {}
}
/** Bytes, as lowercase hex. */
export class Bin {
  constructor(readonly hex: string) {}
}

/** A value: string, int/long/float/double (number), boolean, decimal, timestamp, date, bytes; null. */
export type V = string | number | boolean | Dec | Ts | Day | Bin | null;

export type CmpOp = "=" | "<>" | "<" | "<=" | ">" | ">=";
export type ArithOp = "+" | "-" | "*" | "/";

/** Spark SQL expressions the generator writes (filters, checks, derives). */
export type Expr =
  | { k: "col"; name: string }
  | { k: "lit"; v: Exclude<V, null>; t: FieldType }
  | { k: "cmp"; op: CmpOp; a: Expr; b: Expr }
  | { k: "and" | "or"; a: Expr; b: Expr }
  | { k: "not"; a: Expr }
  | { k: "isnull" | "notnull"; a: Expr }
  | { k: "arith"; op: ArithOp; a: Expr; b: Expr }
  | { k: "concat"; a: Expr; b: Expr }
  | { k: "length"; a: Expr };

export type Rule =
  | { k: "notNull"; name?: string; cols: string[] }
  | { k: "check"; name?: string; e: Expr }
  | { k: "enum"; name?: string; col: string; values: string[] };

export interface DeriveCol {
  name: string;
  e: Expr;
  /** Written with a type ({expr, type}); otherwise the type pipegen infers. */
  declared: boolean;
  out: Col;
}

export type AggFn = "count" | "sum" | "min" | "max" | "avg";

export type Step =
  | { k: "filter"; e: Expr }
  | { k: "select"; cols: string[] }
  | { k: "derive"; cols: DeriveCol[] }
  | { k: "rename"; map: Array<[string, string]> }
  | { k: "drop"; cols: string[] }
  | { k: "dedupe"; key: string[]; on?: string; watermarkMs?: number }
  | {
      k: "agg";
      window: { on: string; sizeMs: number; watermarkMs: number };
      groupBy: string[];
      aggs: Array<{ name: string; fn: AggFn; col: string | null }>;
    };

export type Sink =
  | { k: "pg" | "maria"; table: string; mode: "append" | "upsert"; key: string[] }
  | { k: "kafka"; topic: string; key: string | null };

export interface SchemaModel {
  name: string;
  fields: Col[];
}

export interface StreamModel {
  name: string;
  topic: string;
  format: "avro" | "json";
  partitions: number;
  schema: SchemaModel;
  /** The unique id column (required, or covered by a notNull rule) and the event time. */
  id: string;
  ts: string;
  quality: Rule[];
  deadLetter: string | null;
  steps: Step[];
  sinks: Sink[];
  /** The columns the stream writes, in order. */
  output: Col[];
}

export interface SpecModel {
  pipeline: string;
  streams: StreamModel[];
}
