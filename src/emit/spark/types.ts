import type { Field } from "../../ir/types.js";

/** The pyspark.sql.types class of each field type, for the record schema of a job's source. */
export const sparkTypes: Record<Exclude<Field["type"], "unknown">, string> = {
  string: "StringType",
  int: "IntegerType",
  long: "LongType",
  float: "FloatType",
  double: "DoubleType",
  boolean: "BooleanType",
  decimal: "DecimalType",
  timestamp: "TimestampType",
  date: "DateType",
  bytes: "BinaryType",
};

/** The Spark SQL name of a field's type, for casts. */
export function sparkSqlType(f: Field): string {
  switch (f.type) {
    case "decimal":
      return `decimal(${f.precision ?? 38},${f.scale ?? 0})`;
    case "long":
      return "bigint";
    case "bytes":
      return "binary";
    case "unknown":
      throw new Error(`field ${f.name} has no known type`);
    default:
      return f.type;
  }
}

/** Milliseconds as a Spark interval string ("10 minutes"). */
export function interval(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, "days"],
    [3_600_000, "hours"],
    [60_000, "minutes"],
    [1000, "seconds"],
  ];
  for (const [size, name] of units) if (ms % size === 0) return `${ms / size} ${name}`;
  return `${ms} milliseconds`;
}
