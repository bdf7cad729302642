import { describe, expect, it } from "vitest";
import { shown } from "../../../src/testing/env.js";

describe("the set-up's command runner", () => {
  it("shows the command's lines, and says it is still at work while the command is quiet", async () => {
    const lines: string[] = [];
    const script = "echo first; sleep 1.2; echo second; sleep 0.1";
    const r = await shown("sh", ["-c", script], (l) => lines.push(l), 300);
    expect(r.code).toBe(0);
    expect(lines[0]).toBe("  first");
    expect(lines.at(-1)).toBe("  second");
    const beats = lines.filter((l) => /^ {2}\.\.\. still working \(\d+ s\)$/.test(l));
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.length).toBeLessThanOrEqual(6); // not at every check: once per quiet spell
  });

  it("says nothing more while the command keeps talking, and gives its exit code", async () => {
    const lines: string[] = [];
    const script = "for i in 1 2 3 4 5 6; do echo $i; sleep 0.1; done; exit 3";
    const r = await shown("sh", ["-c", script], (l) => lines.push(l), 400);
    expect(r.code).toBe(3);
    expect(lines).toEqual(["  1", "  2", "  3", "  4", "  5", "  6"]);
  });
});
