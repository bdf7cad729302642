// In-process timing of one build, run by bench/run.mjs in a fresh process (so it is as cold as
// the CLI): `node bench/breakdown.mjs api|stages <spec-dir> <out-dir> [<pipegen-root>]`; prints
// one JSON object. <pipegen-root> holds dist/ (default: this repository).
//   api:    import dist/api -> compile() -> recover + planWrite -> applyPlan, compile() again
//           on every CPU (worker threads), then a no-op rebuild in the same process.
//   stages: the per-spec steps that a build runs (read, load, validate, resolve, emit, format,
//           stage: the files compared, hashed and written to the staging folder), each summed
//           over all specs, to see which one the time goes to.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [mode, specDir, outDir, appRoot] = process.argv.slice(2);
const dist = appRoot
  ? pathToFileURL(path.join(appRoot, "dist") + "/")
  : new URL("../dist/", import.meta.url);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const result = { mode };

async function timedImport(rel) {
  const t = now();
  const m = await import(new URL(rel, dist).href);
  return [m, now() - t];
}

if (mode === "api") {
  const [api, tImport] = await timedImport("api/index.js");
  const [{ planWrite }] = await timedImport("write/plan.js");
  const [{ applyPlan, recover }] = await timedImport("write/apply.js");
  result.importMs = tImport;

  let t = now();
  const r = api.compilePaths([specDir], { out: outDir });
  result.compileMs = now() - t;
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (errors.length)
    throw new Error(`compile reported ${errors.length} errors: ${errors[0].message}`);
  result.pipelines = r.outputs.length;
  result.files = r.outputs.reduce((n, o) => n + o.files.length, 0);
  result.bytes = r.outputs.reduce(
    (n, o) => n + o.files.reduce((m, f) => m + Buffer.byteLength(f.content), 0),
    0,
  );

  t = now();
  recover(outDir);
  const plan = planWrite(outDir, r.outputs);
  result.planMs = now() - t;
  t = now();
  applyPlan(plan);
  result.applyMs = now() - t;
  result.changes = plan.changes.length;

  // The same compile on every CPU (worker threads, src/api/parallel.ts): same bytes, less wall.
  result.jobs = availableParallelism();
  t = now();
  const rj = api.compilePaths([specDir], { out: outDir, jobs: result.jobs });
  result.compileJobsMs = now() - t;
  if (rj.outputs.length !== r.outputs.length) throw new Error("compile on threads differs");

  // The same build again over the output just written: nothing to write.
  t = now();
  const r2 = api.compilePaths([specDir], { out: outDir });
  result.noop = { compileMs: now() - t };
  t = now();
  recover(outDir);
  const plan2 = planWrite(outDir, r2.outputs);
  result.noop.planMs = now() - t;
  t = now();
  applyPlan(plan2);
  result.noop.applyMs = now() - t;
  result.noop.changes = plan2.changes.length;
} else if (mode === "stages") {
  const [api, tImport] = await timedImport("api/index.js");
  const [{ loadSpec, defaultLimits }] = await timedImport("load/load.js");
  const [{ validateSchema }] = await timedImport("schema/validate.js");
  const [{ resolve }] = await timedImport("ir/resolve/index.js");
  const [{ emitAll }] = await timedImport("emit/index.js");
  const [{ formatFiles }] = await timedImport("format/index.js");
  const [{ stageOutput }] = await timedImport("write/stage.js");
  result.importMs = tImport;
  // stage: what a build does next on the same thread (write/stage.ts): compare with the disk
  // (an empty output root here), hash, and write the files to the staging folder.
  const stage = { root: outDir, staging: path.resolve(outDir, ".pipegen-staging"), owned: [] };
  const s = {
    findSpecs: 0,
    read: 0,
    load: 0,
    validate: 0,
    resolve: 0,
    emit: 0,
    format: 0,
    stage: 0,
  };
  const first = { load: 0, validate: 0, resolve: 0, emit: 0, format: 0, stage: 0 };
  let t = now();
  const files = api.findSpecs([specDir]);
  s.findSpecs = now() - t;
  let i = 0;
  for (const file of files) {
    const shown = path.relative(process.cwd(), file);
    t = now();
    const source = readFileSync(file, "utf8");
    let t2 = now();
    s.read += t2 - t;
    const loaded = loadSpec(shown, source, defaultLimits);
    t = now();
    s.load += t - t2;
    if (i === 0) first.load = t - t2;
    if (!loaded.spec) throw new Error(`load failed: ${loaded.diagnostics[0]?.message}`);
    const valid = validateSchema(loaded.spec);
    t2 = now();
    s.validate += t2 - t;
    if (i === 0) first.validate = t2 - t;
    if (!valid.value) throw new Error(`validate failed: ${valid.diagnostics[0]?.message}`);
    const r = resolve(loaded.spec, valid.value, { env: null });
    t = now();
    s.resolve += t - t2;
    if (i === 0) first.resolve = t - t2;
    if (!r.pipeline) throw new Error(`resolve failed: ${r.diagnostics[0]?.message}`);
    const files = emitAll(r.pipeline);
    t2 = now();
    s.emit += t2 - t;
    if (i === 0) first.emit = t2 - t;
    const formatted = formatFiles(files, r.pipeline.name);
    t = now();
    s.format += t - t2;
    if (i === 0) first.format = t - t2;
    stageOutput({ pipeline: r.pipeline.name, spec: shown, files: formatted }, i, stage);
    t2 = now();
    s.stage += t2 - t;
    if (i === 0) first.stage = t2 - t;
    i++;
  }
  result.specs = files.length;
  result.stagesMs = s;
  result.firstSpecMs = first;
} else {
  throw new Error(`unknown mode ${mode}: use api or stages`);
}

result.maxRssKb = process.resourceUsage().maxRSS;
process.stdout.write(JSON.stringify(result) + "\n");
