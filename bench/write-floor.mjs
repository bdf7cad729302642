// The file system's share of a cold build: `node bench/write-floor.mjs <built-tree> <new-dir>`
// reads every file of a tree a build wrote (not timed), then writes them all again under
// <new-dir> the plainest way (mkdir of each folder, one writeFileSync per file) and prints
// {ms, cpuMs, files, bytes} as JSON. What a build cannot go below on this disk: on this machine's
// virtual disk, creating the same 15,000 files has taken from 0.5 s to 13 s depending on what
// the disk did just before (a recursive delete, for one), so bench/run.mjs measures this floor
// next to every cold build rather than quoting it once.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [src, dst] = process.argv.slice(2);
const files = [];
(function walk(rel) {
  for (const e of readdirSync(path.join(src, rel), { withFileTypes: true })) {
    const r = rel ? path.join(rel, e.name) : e.name;
    if (e.isDirectory()) walk(r);
    else files.push([r, readFileSync(path.join(src, r))]);
  }
})("");
const dirs = [...new Set(files.map(([r]) => path.dirname(r)))];
const t = process.hrtime.bigint();
const c = process.cpuUsage();
for (const d of dirs) mkdirSync(path.join(dst, d), { recursive: true });
for (const [r, bytes] of files) writeFileSync(path.join(dst, r), bytes);
const cpu = process.cpuUsage(c);
process.stdout.write(
  JSON.stringify({
    ms: Number(process.hrtime.bigint() - t) / 1e6,
    cpuMs: (cpu.user + cpu.system) / 1000,
    files: files.length,
    bytes: files.reduce((n, [, b]) => n + b.length, 0),
  }) + "\n",
);
