import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { build as Build, check as Check } from "../../../src/api/index.js";

// A build stages each spec's files from the thread that compiled it (src/write/stage.ts).
// Worker threads run the compiled dist/, so this test does too, on 2 threads.
const repo = path.resolve(import.meta.dirname, "../../..");
let build: typeof Build;
let check: typeof Check;

beforeAll(async () => {
  if (!existsSync(path.join(repo, "dist", "api", "worker.js")))
    throw new Error("run `npm run build` first");
  ({ build, check } = (await import(
    pathToFileURL(path.join(repo, "dist", "api", "index.js")).href
  )) as { build: typeof Build; check: typeof Check });
});

/** n renamed copies of the examples in a fresh folder; returns it. */
function specDir(n: number, edit?: (i: number, text: string) => string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "pipegen-stage-specs-"));
  const models = ["shop_orders", "iot_sensors", "user_activity"].map((m) =>
    readFileSync(path.join(repo, "specs", `${m}.yaml`), "utf8"),
  );
  for (let i = 0; i < n; i++) {
    const name = `p_${String(i).padStart(3, "0")}`;
    const text = models[i % 3]!.replace(/^pipeline:.*$/m, `pipeline: ${name}`);
    writeFileSync(path.join(dir, `${name}.yaml`), edit ? edit(i, text) : text);
  }
  return dir;
}

/** Every file under dir, relative, with its content. */
function tree(dir: string, rel = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, tree(dir, r));
    else out[r] = readFileSync(path.join(dir, r), "utf8");
  }
  return out;
}

const outDir = () => path.join(mkdtempSync(path.join(os.tmpdir(), "pipegen-stage-out-")), "out");

describe("a build that stages as it compiles", () => {
  it("writes the same files on 1 and 2 threads, leaves no staging, and checks clean", () => {
    const specs = specDir(90);
    const [one, two] = [outDir(), outDir()];
    const r1 = build([specs], { out: one, jobs: 1 });
    const r2 = build([specs], { out: two, jobs: 2 });
    expect(r1.plan?.changes.length).toBe(r2.plan?.changes.length);
    expect(r2.plan?.changes.every((c) => c.kind === "create")).toBe(true);
    const t1 = tree(one);
    expect(Object.keys(t1).length).toBeGreaterThan(90 * 10);
    expect(tree(two)).toEqual(t1);
    expect(existsSync(path.join(two, ".pipegen-staging"))).toBe(false);
    expect(check([specs], { out: two }).plan?.changes).toEqual([]);
    // a build's outputs still give their contents (read from disk when asked)
    const f = r2.outputs[5]!.files[0]!;
    expect(f.content).toBe(t1[f.path]);
  });

  it("updates only what changed, on 2 threads, and gives the change's content", () => {
    const specs = specDir(90);
    const out = outDir();
    build([specs], { out, jobs: 2 });
    const spec = path.join(specs, "p_004.yaml");
    writeFileSync(spec, readFileSync(spec, "utf8").replace(/retries: 3/, "retries: 4"));
    const r = build([specs], { out, jobs: 2 });
    const changes = r.plan!.changes;
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.kind === "update" && c.rel.startsWith("p_004/"))).toBe(true);
    const c = changes[0]!;
    expect(c.kind !== "delete" && c.content).toBe(readFileSync(c.abs, "utf8"));
  });

  it.each([
    [
      "an invalid spec",
      (i: number, t: string) => (i === 60 ? t.replace(/^pipeline:/m, "pipelin:") : t),
    ],
    [
      "a duplicate pipeline name",
      (i: number, t: string) => (i === 61 ? t.replace(/p_061/, "p_060") : t),
    ],
  ])("with %s writes nothing: no staging, no output root", (_, edit) => {
    const specs = specDir(90, edit);
    const out = outDir();
    const r = build([specs], { out, jobs: 2 });
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics.some((d) => d.severity === "error")).toBe(true);
    expect(existsSync(out)).toBe(false);
  });

  it("with a conflict keeps the existing output as it was and drops what it staged", () => {
    const specs = specDir(90);
    const out = outDir();
    build([specs], { out, jobs: 2 });
    const before = tree(out);
    writeFileSync(
      path.join(specs, "p_090.yaml"),
      readFileSync(path.join(specs, "p_000.yaml"), "utf8").replace(/p_000/, "p_090"),
    );
    mkdirSync(path.join(out, "p_090", "kafka"), { recursive: true });
    writeFileSync(path.join(out, "p_090", "kafka", "topics.json"), "mine\n");
    const r = build([specs], { out, jobs: 2 });
    expect(r.diagnostics.map((d) => d.code)).toContain("PG403");
    expect(existsSync(path.join(out, ".pipegen-staging"))).toBe(false);
    expect(tree(out)).toEqual({ ...before, "p_090/kafka/topics.json": "mine\n" });
  });
});
