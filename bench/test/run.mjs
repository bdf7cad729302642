#!/usr/bin/env node
// `pipegen test` on the examples: the wall time of the whole suite (every test of specs/,
// Spark's start included), reported, never asserted (the goal: under 60 s on 2 cores).
//
//   node bench/test/run.mjs [--reps=1] [--parallel=4]
//
// Each repetition is one `node bin/pipegen.js test specs --format json` (the compile, the
// environment check, one Spark session for all tests); the environment must exist already
// (the first `pipegen test` sets it up). Prints the figures and writes
// bench/test/out/results.json. Exit code 1 when a test does not pass.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const { values: opt } = parseArgs({
  options: { reps: { type: "string", default: "1" }, parallel: { type: "string", default: "4" } },
});

const runs = [];
for (let i = 0; i < Number(opt.reps); i++) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["bin/pipegen.js", "test", "specs", "--format", "json"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, PIPEGEN_TEST_PARALLEL: opt.parallel },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
  if (doc.exitCode !== 0) {
    console.error(JSON.stringify(doc, null, 2));
    process.exit(1);
  }
  const slowest = [...doc.tests].sort((a, b) => b.seconds - a.seconds)[0];
  runs.push({ wall, tests: doc.tests.length, inSession: doc.summary.seconds, slowest });
  console.log(
    `run ${i + 1}: ${doc.tests.length} tests passed in ${wall.toFixed(1)} s wall ` +
      `(${doc.summary.seconds.toFixed(1)} s from the environment check on, Spark's start included; ` +
      `slowest ${slowest.id} ${slowest.seconds.toFixed(1)} s)`,
  );
}
const walls = runs.map((r) => r.wall).sort((a, b) => a - b);
const median = walls[Math.floor(walls.length / 2)];
console.log(
  `pipegen test specs: median ${median.toFixed(1)} s wall over ${runs.length} run(s), ` +
    `${opt.parallel} tests at a time, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)} (goal < 60 s, not asserted)`,
);
mkdirSync(path.join(here, "out"), { recursive: true });
writeFileSync(
  path.join(here, "out", "results.json"),
  JSON.stringify(
    { parallel: Number(opt.parallel), cores: os.cpus().length, median, runs },
    null,
    2,
  ) + "\n",
);
