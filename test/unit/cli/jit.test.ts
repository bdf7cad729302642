import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { interruptBudget } from "../../../src/cli/jit.js";

const repo = path.resolve(import.meta.dirname, "../../..");

describe("the CLI's V8 tiering (cli/jit.ts)", () => {
  it("is set before anything else the CLI runs", () => {
    const main = readFileSync(path.join(repo, "src", "cli", "main.ts"), "utf8");
    expect(main.split("\n").find((l) => l.startsWith("import "))).toMatch(/^import "\.\/jit\.js";/);
  });

  it("names a flag this Node's V8 knows, and says nothing when set", () => {
    const options = spawnSync(process.execPath, ["--v8-options"], { encoding: "utf8" }).stdout;
    const flag =
      /^\s+--interrupt-budget \(.*\)\n\s+type: int\s+default: --interrupt-budget=(\d+)/m.exec(
        options,
      );
    expect(flag, "V8 no longer has --interrupt-budget").not.toBeNull();
    expect(interruptBudget).toBe(8 * Number(flag![1]));
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
