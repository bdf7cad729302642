/**
 * The package as a user gets it: `npm pack` (prepack empties dist/ and compiles it), the
 * tarball's files, then `npm install <tarball>` into an empty folder outside the checkout and
 * the installed `pipegen` run from another folder: --version, init, build, check, explain,
 * schema. No engine is needed; npm takes the dependencies from its local cache first
 * (--prefer-offline) and from the registry for anything missing.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Env, exec, removeTempDir } from "./harness/process.js";
import { REPO_ROOT } from "./harness/paths.js";

interface PackInfo {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: Array<{ path: string }>;
}

/** npm's own settings of a parent npm (npm run ...) must not steer the npm under test. */
const npmEnv: Env = Object.fromEntries(
  Object.keys(process.env)
    .filter((k) => k.toLowerCase().startsWith("npm_"))
    .map((k) => [k, undefined]),
);

let tmp: string;
let pack: PackInfo;
let bin: string;
/** The installed pipegen, run from `cwd`, with its build cache inside the temp dir. */
const pipegen = (args: string[], cwd: string) =>
  exec(process.execPath, [bin, ...args], {
    cwd,
    env: { XDG_CACHE_HOME: path.join(tmp, "cache"), NO_COLOR: "1" },
    timeoutMs: 120_000,
  });

/** Every file under a folder, relative, sorted, with its text. */
function tree(dir: string, rel = ""): Array<[string, string]> {
  return readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e): Array<[string, string]> => {
      const r = rel ? `${rel}/${e.name}` : e.name;
      return e.isDirectory() ? tree(dir, r) : [[r, readFileSync(path.join(dir, r), "utf8")]];
    });
}

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(path.join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [path.relative(path.join(REPO_ROOT, "src"), path.join(dir, e.name))]
        : [],
  );

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "pipegen-package-"));
  const packed = await exec("npm", ["pack", "--json", "--pack-destination", tmp], {
    cwd: REPO_ROOT,
    env: npmEnv,
    timeoutMs: 300_000,
  });
  expect(packed.code, packed.stderr).toBe(0);
  pack = (JSON.parse(packed.stdout) as PackInfo[])[0]!;
  console.log(
    `${pack.filename}: ${pack.size} bytes, ${pack.entryCount} files, ${pack.unpackedSize} bytes unpacked`,
  );
  const home = path.join(tmp, "install");
  mkdirSync(home);
  const started = Date.now();
  const installed = await exec(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", path.join(tmp, pack.filename)],
    { cwd: home, env: npmEnv, timeoutMs: 480_000 },
  );
  expect(installed.code, installed.stderr).toBe(0);
  // no install script (npm would warn about it, and it could not run without the sources)
  expect(installed.stderr).not.toContain("install-scripts");
  console.log(`npm install of the tarball: ${Date.now() - started} ms`);
  bin = path.join(home, "node_modules", "pipegen", "bin", "pipegen.js");
}, 900_000);

afterAll(() => removeTempDir(tmp));

describe("the npm package", () => {
  it("carries the compiled CLI, the templates, the schema and the runtime's sources, nothing else", () => {
    const files = pack.files.map((f) => f.path).sort();
    for (const f of [
      "bin/pipegen.js",
      "dist/cli/main.js",
      "dist/diagnostics/catalogue/index.js",
      "templates/init/spec.yaml",
      "templates/spark/stream_job.py.hbs",
      "schema/pipegen.v1.schema.json",
      "runtime/pyproject.toml",
      "package.json",
      "README.md",
    ])
      expect(files).toContain(f);
    const manifest = JSON.parse(readFileSync(path.join(bin, "..", "..", "package.json"), "utf8"));
    for (const s of ["preinstall", "install", "postinstall", "prepare"])
      expect(manifest.scripts).not.toHaveProperty(s);
    const top = new Set(files.map((f) => f.split("/")[0]));
    expect([...top].sort()).toEqual(
      ["README.md", "bin", "dist", "package.json", "runtime", "schema", "templates"].sort(),
    );
    expect(files.filter((f) => /(^|\/)(tests?|__pycache__)\/|\.test\.|\.pyc$/.test(f))).toEqual([]);
    // dist/ is exactly what the sources compile to: one module per source, none left over, and
    // the schema's standalone validator that npm run build writes (scripts/gen-validator.mjs)
    const compiled = files.filter((f) => f.startsWith("dist/")).map((f) => f.slice(5));
    const expected = [
      ...sources(path.join(REPO_ROOT, "src")).map((f) => f.replace(/\.ts$/, ".js")),
      "schema/validator.gen.cjs",
    ];
    expect(compiled.sort()).toEqual(expected.sort());
  });

  it("pipegen --version is the package's version", async () => {
    const r = await pipegen(["--version"], tmp);
    expect(r.code, r.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("init writes a starter spec that the installed pipegen builds as the checkout does", async () => {
    const project = path.join(tmp, "project");
    mkdirSync(project);
    const init = await pipegen(["init", "demo"], project);
    expect(init.code, init.stderr).toBe(0);
    const build = await pipegen(["build", "demo.yaml"], project);
    expect(build.code, build.stderr).toBe(0);
    expect(build.stdout).toContain("1 pipeline built into generated: 13 created");
    expect((await pipegen(["check", "demo.yaml"], project)).code).toBe(0);
    // the same spec through the checkout's compiler: the same bytes (templates, schema, ruff)
    const reference = path.join(tmp, "reference");
    mkdirSync(reference);
    copyFileSync(path.join(project, "demo.yaml"), path.join(reference, "demo.yaml"));
    const checkout = path.join(REPO_ROOT, "bin", "pipegen.js");
    const ref = await exec(process.execPath, [checkout, "build", "demo.yaml"], {
      cwd: reference,
      env: { XDG_CACHE_HOME: path.join(tmp, "cache-reference") },
    });
    expect(ref.code, ref.stderr).toBe(0);
    const installed = tree(path.join(project, "generated"));
    expect(installed.map(([f]) => f)).toContain("demo/spark/revenue_per_minute.py");
    expect(installed).toEqual(tree(path.join(reference, "generated")));
  });

  it("explain and schema work from the installed package", async () => {
    const explain = await pipegen(["explain", "PG201"], tmp);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toMatch(/^PG201: unknown key\n/);
    expect(explain.stdout).toContain("hint: did you mean 'description'?");
    const schema = await pipegen(["schema"], tmp);
    expect(schema.code).toBe(0);
    expect(schema.stdout).toBe(
      readFileSync(path.join(REPO_ROOT, "schema", "pipegen.v1.schema.json"), "utf8"),
    );
  });
});
