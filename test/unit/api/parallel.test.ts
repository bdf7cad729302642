import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { compile as Compile, SpecSource } from "../../../src/api/index.js";
import type { threadsFor as ThreadsFor } from "../../../src/api/parallel.js";
import type { startWorkersFor as StartWorkersFor } from "../../../src/api/workers.js";

// Worker threads run the compiled dist/ (a worker cannot load TypeScript), so this test does too.
const repo = path.resolve(import.meta.dirname, "../../..");
const dist = (m: string) => pathToFileURL(path.join(repo, "dist", m)).href;
let compile: typeof Compile;
let threadsFor: typeof ThreadsFor;
let startWorkersFor: typeof StartWorkersFor;

beforeAll(async () => {
  if (!existsSync(path.join(repo, "dist", "api", "worker.js")))
    throw new Error("run `npm run build` first");
  ({ compile } = (await import(dist("api/index.js"))) as { compile: typeof Compile });
  ({ threadsFor } = (await import(dist("api/parallel.js"))) as { threadsFor: typeof ThreadsFor });
  ({ startWorkersFor } = (await import(dist("api/workers.js"))) as {
    startWorkersFor: typeof StartWorkersFor;
  });
});

/** n specs from the examples, each renamed, with a broken spec and a duplicate name among them. */
function specs(n: number): SpecSource[] {
  const models = ["shop_orders", "iot_sensors", "user_activity"].map((m) =>
    readFileSync(path.join(repo, "specs", `${m}.yaml`), "utf8"),
  );
  const out: SpecSource[] = [];
  for (let i = 0; i < n; i++) {
    const name = `p_${String(i).padStart(3, "0")}`;
    const text = models[i % 3]!.replace(/^pipeline:.*$/m, `pipeline: ${name}`);
    out.push({ file: `specs/${name}.yaml`, text });
  }
  out[7] = { file: out[7]!.file, text: out[7]!.text.replace(/^pipeline:/m, "pipelin:") };
  out[50] = { file: out[50]!.file, text: out[50]!.text.replace(/p_050/, "p_049") };
  return out;
}

/** Everything a compilation gives back that a build writes or prints. */
const bytes = (c: ReturnType<typeof Compile>) =>
  JSON.stringify({
    diagnostics: c.diagnostics,
    outputs: c.outputs.map((o) => [o.pipeline, o.spec, o.environment, o.files]),
    asWritten: c.asWritten,
  });

describe("compile on worker threads", () => {
  it("gives the same outputs and diagnostics, in the same order, on 1 and 2 threads", () => {
    const input = specs(90);
    if (availableParallelism() >= 2) expect(threadsFor(input.length, 2)).toBe(2);
    const one = compile(input, { jobs: 1 });
    const two = compile(input, { jobs: 2 });
    expect(one.outputs.length).toBe(88); // one spec broken, one a duplicate name
    expect(one.diagnostics.some((d) => d.code === "PG402")).toBe(true);
    expect(bytes(two)).toBe(bytes(one));
  });

  it("gives the same on a worker started ahead (as the CLI does after its light attempt)", () => {
    const input = specs(90);
    const one = compile(input, { jobs: 1 });
    startWorkersFor(input.length, 2);
    const ahead = compile(input, { jobs: 2 });
    expect(bytes(ahead)).toBe(bytes(one));
  });

  it("uses one thread for few specs or one job", () => {
    expect(threadsFor(10, 8)).toBe(1);
    expect(threadsFor(1000, 1)).toBe(1);
  });
});
