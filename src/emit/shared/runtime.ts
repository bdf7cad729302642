/**
 * The pipegen-runtime Python package (runtime/ in this repository) that generated files
 * import. Every generated file pins this exact version; keep it equal to
 * runtime/pyproject.toml's (a unit test checks).
 */
export const RUNTIME_VERSION = "0.2.1";

/** The distribution name, as pip knows it. */
export const RUNTIME_PACKAGE = "pipegen-runtime";
