import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { compile } from "../../../src/api/index.js";

/** An example spec's text with one piece replaced (the piece must be there exactly once). */
export function edited(spec: string, from: string, to: string): string {
  const text = readFileSync(`specs/${spec}.yaml`, "utf8");
  expect(text.split(from).length, `'${from}' once in specs/${spec}.yaml`).toBe(2);
  return text.replace(from, to);
}

/** The diagnostics of one spec text, compiled in memory. */
export function diagnose(text: string, env: string | null = null) {
  return compile([{ file: "s.yaml", text }], { env }).diagnostics;
}
