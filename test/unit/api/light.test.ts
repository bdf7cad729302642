import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../../../src/api/index.js";
import { buildReused, checkReused } from "../../../src/api/light.js";
import type { Reads } from "../../../src/api/run.js";

const repo = path.resolve(import.meta.dirname, "../../..");
const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

/** The examples in a fresh folder, an output root, and a build cache of their own. */
function fixture() {
  const specs = tmp("pipegen-light-specs-");
  for (const m of ["shop_orders", "iot_sensors"])
    cpSync(path.join(repo, "specs", `${m}.yaml`), path.join(specs, `${m}.yaml`));
  const cache = tmp("pipegen-light-cache-");
  return { specs, out: path.join(tmp("pipegen-light-out-"), "out"), cache };
}

describe("a no-op without the compiler (api/light.ts)", () => {
  it("gives what the full build gives when every spec is reused, and undefined otherwise", () => {
    const { specs, out, cache } = fixture();
    process.env.XDG_CACHE_HOME = cache;
    try {
      const opts = { out, reuse: true };
      expect(buildReused([specs], opts)).toBeUndefined(); // nothing built yet
      expect(existsSync(out)).toBe(false);
      build([specs], opts);
      const light = buildReused([specs], opts)!;
      const full = build([specs], opts);
      expect(light.plan!.changes).toEqual([]);
      expect(light.plan!.unchanged).toBe(full.plan!.unchanged);
      expect(light.plan!.manifestText).toBe(full.plan!.manifestText);
      expect(light.outputs.map((o) => o.pipeline)).toEqual(full.outputs.map((o) => o.pipeline));
      expect(checkReused([specs], opts)!.plan!.changes).toEqual([]);
      const spec = path.join(specs, "iot_sensors.yaml");
      writeFileSync(spec, readFileSync(spec, "utf8").replace("retries: 3", "retries: 4"));
      const manifest = readFileSync(path.join(out, "pipegen-manifest.json"), "utf8");
      expect(buildReused([specs], opts)).toBeUndefined();
      expect(checkReused([specs], opts)).toBeUndefined();
      expect(readFileSync(path.join(out, "pipegen-manifest.json"), "utf8")).toBe(manifest);
    } finally {
      delete process.env.XDG_CACHE_HOME;
    }
  });

  it("hands what it read to the full build, which reads nothing again", () => {
    const { specs, out, cache } = fixture();
    process.env.XDG_CACHE_HOME = cache;
    try {
      build([specs], { out, reuse: true });
      const spec = path.join(specs, "iot_sensors.yaml");
      const text = readFileSync(spec, "utf8");
      writeFileSync(spec, text.replace("retries: 3", "retries: 4"));
      const reads: Reads = {};
      const opts = { out, reuse: true, reads };
      expect(buildReused([specs], opts)).toBeUndefined();
      expect(reads.read!.specs.map((s) => path.basename(s.file))).toEqual([
        "iot_sensors.yaml",
        "shop_orders.yaml",
      ]);
      expect([...reads.previous!.reused.keys()].map((f) => path.basename(f))).toEqual([
        "shop_orders.yaml",
      ]);
      // Edited again after the light attempt: the full build compiles what was read, once.
      writeFileSync(spec, text.replace("retries: 3", "retries: 5"));
      const r = build([specs], opts);
      expect(r.plan!.changes.length).toBeGreaterThan(0);
      expect(r.plan!.changes.every((c) => c.rel.startsWith("iot_sensors/"))).toBe(true);
      const dag = readFileSync(
        path.join(out, "iot_sensors/airflow/iot_sensors_processing.py"),
        "utf8",
      );
      expect(dag).toContain('"retries": 4');
      expect(dag).not.toContain('"retries": 5');
    } finally {
      delete process.env.XDG_CACHE_HOME;
    }
  });

  it("the CLI's no-op build and check load no YAML parser, SQL grammar, templates or ruff", () => {
    if (!existsSync(path.join(repo, "dist", "api", "light.js")))
      throw new Error("run `npm run build` first");
    const { specs, out, cache } = fixture();
    const record = path.join(tmp("pipegen-light-rec-"), "modules.txt");
    const run = (cmd: string, withHook: boolean) =>
      spawnSync(
        process.execPath,
        [
          ...(withHook
            ? ["--import", path.join(repo, "test/fixtures/hooks/record-modules.mjs")]
            : []),
          path.join(repo, "bin", "pipegen.js"),
          cmd,
          specs,
          "--out",
          out,
          "--quiet",
        ],
        { env: { ...process.env, XDG_CACHE_HOME: cache, PIPEGEN_RECORD_MODULES: record } },
      );
    expect(run("build", false).status).toBe(0);
    for (const cmd of ["build", "check"]) {
      writeFileSync(record, "");
      expect(run(cmd, true).status).toBe(0);
      const loaded = readFileSync(record, "utf8");
      expect(loaded).toContain("dist/api/light.js");
      for (const heavy of [
        "yaml/dist/",
        "dt-sql-parser/dist/",
        "handlebars/dist/",
        "ruff_wasm",
        "ajv/dist/",
        "dist/api/compile.js",
      ])
        expect(loaded, `${cmd} loaded ${heavy}`).not.toContain(heavy);
    }
  });
});
