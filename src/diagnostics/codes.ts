/**
 * The catalogue of diagnostic codes. Codes are stable: tools and people search for them.
 * PG1xx: reading and parsing; PG2xx: the JSON Schema; PG3xx: meaning (names, references,
 * columns, secrets); PG4xx: the environment and the output.
 */
export const codes = {
  PG100: "the spec file cannot be read",
  PG101: "YAML syntax error",
  PG102: "duplicate key",
  PG103: "the spec file is too large",
  PG104: "the spec is nested too deeply",
  PG105: "too many YAML aliases (possible alias bomb)",
  PG106: "the spec is empty or not a mapping",
  PG201: "unknown key",
  PG202: "wrong type",
  PG203: "invalid value or format",
  PG204: "missing required key",
  PG205: "value not allowed",
  PG206: "wrong number of keys",
  PG301: "unknown reference",
  PG302: "duplicate name",
  PG303: "plaintext secret",
  PG304: "unknown column",
  PG305: "invalid combination",
  PG306: "unknown environment",
  PG307: "type mismatch",
  PG308: "type cannot be inferred",
  PG309: "SQL expression Spark's parser refuses",
  PG310: "a job name shadows a Python module",
  PG401: "output path escapes the output root",
  PG402: "two specs generate the same pipeline",
  PG403: "an output file was not written by pipegen",
  PG501: "the local stack cannot wire a setting",
} as const;

export type Code = keyof typeof codes;
