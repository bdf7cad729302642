import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RUNTIME_VERSION } from "../../../../src/emit/shared/runtime.js";

describe("RUNTIME_VERSION", () => {
  it("is the version of runtime/pyproject.toml and of the package's __version__", () => {
    const pyproject = readFileSync(
      new URL("../../../../runtime/pyproject.toml", import.meta.url),
      "utf8",
    );
    const init = readFileSync(
      new URL("../../../../runtime/src/pipegen_runtime/__init__.py", import.meta.url),
      "utf8",
    );
    expect(pyproject).toMatch(
      new RegExp(`^version = "${RUNTIME_VERSION.replace(/\./g, "\\.")}"$`, "m"),
    );
    expect(init).toMatch(
      new RegExp(`^__version__ = "${RUNTIME_VERSION.replace(/\./g, "\\.")}"$`, "m"),
    );
  });
});
