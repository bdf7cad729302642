import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { interruptBudget, wasmTieringBudget } from "../../../src/cli/jit.js";

const repo = path.resolve(import.meta.dirname, "../../..");

describe("the CLI's V8 tiering (cli/jit.ts)", () => {
  it("is set before anything else the CLI runs", () => {
    const main = readFileSync(path.join(repo, "src", "cli", "main.ts"), "utf8");
    expect(main.split("\n").find((l) => l.startsWith("import "))).toMatch(/^import "\.\/jit\.js";/);
  });

  it("names flags this Node's V8 knows, as multiples of their defaults, and says nothing when set", () => {
    const options = spawnSync(process.execPath, ["--v8-options"], { encoding: "utf8" }).stdout;
    const defaultOf = (flag: string) => {
      const m = new RegExp(
        `^\\s+--${flag} \\(.*\\)\\n\\s+type: int\\s+default: --${flag}=(\\d+)`,
        "m",
      ).exec(options);
      expect(m, `V8 no longer has --${flag}`).not.toBeNull();
      return Number(m![1]);
    };
    expect(interruptBudget).toBe(8 * defaultOf("interrupt-budget"));
    expect(wasmTieringBudget).toBe(80 * defaultOf("wasm-tiering-budget"));
    // An unknown or malformed flag makes V8 print an error on the CLI's own output.
    const r = spawnSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import ${JSON.stringify(path.join(repo, "dist/cli/jit.js"))};`,
      ],
      { encoding: "utf8" },
    );
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "", ""]);
  });
});
