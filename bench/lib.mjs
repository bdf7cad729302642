// Helpers for bench/run.mjs: child-process measurement, synthetic specs, statistics, profiles.
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const benchDir = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(benchDir, "..");
const maxrssHook = pathToFileURL(path.join(benchDir, "maxrss.mjs")).href;

const pipelineName = /^[a-z][a-z0-9_]*$/;

/**
 * Copies what pipegen reads at run time (dist, bin, templates, schema, package.json; node_modules
 * linked) into dest, so that edits made to the work tree while the benchmark runs (templates
 * are read at run time) cannot change its output between a build and the no-op rebuild or check.
 */
export function freezeApp(dest) {
  mkdirSync(dest, { recursive: true });
  for (const d of ["dist", "bin", "templates", "schema"])
    if (existsSync(path.join(repoRoot, d)))
      cpSync(path.join(repoRoot, d), path.join(dest, d), { recursive: true });
  copyFileSync(path.join(repoRoot, "package.json"), path.join(dest, "package.json"));
  symlinkSync(path.join(repoRoot, "node_modules"), path.join(dest, "node_modules"), "dir");
  return { root: dest, cli: path.join(dest, "bin", "pipegen.js") };
}

/** Writes n copies of the model spec into dir, each with its own pipeline name p_00001, p_00002, ... */
export function generateSpecs(modelPath, dir, n) {
  const model = readFileSync(modelPath, "utf8");
  const line = /^pipeline:[ \t]*\S+[ \t]*$/m;
  if (!line.test(model)) throw new Error(`no top-level 'pipeline:' line in ${modelPath}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const width = Math.max(5, String(n).length);
  for (let i = 1; i <= n; i++) {
    const name = `p_${String(i).padStart(width, "0")}`;
    if (!pipelineName.test(name)) throw new Error(`bad pipeline name ${name}`);
    writeFileSync(path.join(dir, `${name}.yaml`), model.replace(line, `pipeline: ${name}`));
  }
  return dir;
}

/** How peak RSS of a child is measured: GNU time if it works here, else a preloaded hook. */
export function detectRssMethod(force) {
  if (force !== "node") {
    const r = spawnSync("/usr/bin/time", ["-v", process.execPath, "-e", "0"], {
      encoding: "utf8",
    });
    if (r.status === 0 && /Maximum resident set size/.test(r.stderr ?? "")) return "time";
  }
  return "node";
}

/**
 * Runs `node <args>` in a fresh process; returns wall time (ms, via process.hrtime around the
 * spawn), peak RSS (kB), CPU time (user + system, ms; all of node's threads), exit status and output. With method "time" the child runs under
 * `/usr/bin/time -v`, whose own fork/exec adds well under a millisecond.
 */
export function runNode(args, { rss = "none", cwd = repoRoot, env = process.env } = {}) {
  let cmd = process.execPath;
  let argv = args;
  if (rss === "time") {
    cmd = "/usr/bin/time";
    argv = ["-v", process.execPath, ...args];
  } else if (rss === "node") {
    argv = [`--import=${maxrssHook}`, ...args];
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  let stderr = r.stderr ?? "";
  let rssKb = null;
  let cpuMs = null;
  if (rss === "time") {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    if (m) rssKb = Number(m[1]);
    const u = /User time \(seconds\): ([\d.]+)/.exec(stderr);
    const s = /System time \(seconds\): ([\d.]+)/.exec(stderr);
    if (u && s) cpuMs = (Number(u[1]) + Number(s[1])) * 1000;
    // Drop GNU time's report, keep what the program itself printed.
    const cut = stderr.search(
      /^(Command exited with non-zero status \d+\n)?\tCommand being timed:/m,
    );
    if (cut >= 0) stderr = stderr.slice(0, cut);
  } else if (rss === "node") {
    const m = /\[pipegen-bench\] maxRSS_kB=(\d+) cpu_ms=([\d.]+)/.exec(stderr);
    if (m) [rssKb, cpuMs] = [Number(m[1]), Number(m[2])];
    stderr = stderr.replace(/\n?\[pipegen-bench\] maxRSS_kB=.*\n/, "");
  }
  return { ms, rssKb, cpuMs, status: r.status, signal: r.signal, stdout: r.stdout ?? "", stderr };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const min = (xs) => Math.min(...xs);
export const max = (xs) => Math.max(...xs);

/** Relative paths of all files under dir, with size, mtime and inode (to see whether a run wrote). */
export function snapshotTree(dir) {
  const out = new Map();
  const walk = (d, rel) => {
    if (!existsSync(d)) return;
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, ent.name);
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(abs, r);
      else {
        const st = statSync(abs, { bigint: true });
        out.set(r, `${st.size}:${st.mtimeNs}:${st.ino}`);
      }
    }
  };
  walk(dir, "");
  return out;
}

export function sameTree(a, b) {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

// ---------- formatting ----------

export const fmtMs = (ms) =>
  ms == null || Number.isNaN(ms)
    ? "-"
    : ms >= 10000
      ? `${(ms / 1000).toFixed(1)} s`
      : ms >= 1000
        ? `${(ms / 1000).toFixed(2)} s`
        : ms >= 100
          ? `${ms.toFixed(0)} ms`
          : `${ms.toFixed(1)} ms`;

export const fmtMb = (kb) => (kb == null ? "-" : `${(kb / 1024).toFixed(0)} MB`);

/** A plain text table: rows of strings, first row the header; columns after the first right-aligned. */
export function table(rows, indent = "  ") {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? "").length)));
  return rows
    .map(
      (r) =>
        indent +
        r
          .map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i])))
          .join("  ")
          .trimEnd(),
    )
    .join("\n");
}

// ---------- CPU profiles ----------

/** Where a profiled function lives: a package, a pipegen module folder, node itself, or V8. */
function areaOf(url, functionName, roots) {
  if (!url) return functionName.startsWith("(") ? functionName : "(native / V8)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm: ${nm[1]}`;
  const dist = /\/dist\/([^/]+)\//.exec(url);
  if (dist) return `pipegen: ${dist[1]}/`;
  if (url.startsWith("node:")) return "node: " + url.slice(5).split("/").slice(0, 2).join("/");
  return shortUrl(url, roots);
}

function shortUrl(url, roots) {
  let u = url.replace(/^file:\/\//, "").replace(/^.*node_modules\//, "");
  for (const r of roots) if (u.startsWith(r + "/")) u = u.slice(r.length + 1);
  return u;
}

/**
 * Reads a .cpuprofile: self time per function, self time per area, and inclusive time of the
 * given pipegen functions (a sample counts once per function however deep the recursion).
 */
export function analyzeProfile(file, stageNames = [], roots = [repoRoot]) {
  const prof = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const { samples, timeDeltas } = prof;
  const dur = new Array(samples.length);
  for (let i = 0; i < samples.length; i++)
    dur[i] = (i + 1 < samples.length ? timeDeltas[i + 1] : 0) / 1000; // µs -> ms
  const self = new Map();
  const area = new Map();
  const incl = new Map(stageNames.map((s) => [s, 0]));
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const d = dur[i];
    if (!(d > 0)) continue;
    total += d;
    const node = byId.get(samples[i]);
    const cf = node.callFrame;
    const name = cf.functionName || "(anonymous)";
    const key = cf.url ? `${name}  ${shortUrl(cf.url, roots)}:${cf.lineNumber + 1}` : name;
    self.set(key, (self.get(key) ?? 0) + d);
    const a = areaOf(cf.url, name, roots);
    area.set(a, (area.get(a) ?? 0) + d);
    if (stageNames.length) {
      const seen = new Set();
      for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
        const f = byId.get(id).callFrame;
        if (incl.has(f.functionName) && /\/dist\//.test(f.url) && !seen.has(f.functionName)) {
          seen.add(f.functionName);
          incl.set(f.functionName, incl.get(f.functionName) + d);
        }
      }
    }
  }
  const top = (m, n) =>
    [...m.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms, pct: (100 * ms) / total }));
  return {
    totalMs: total,
    samples: samples.length,
    topSelf: top(self, 15),
    byArea: top(area, 12),
    inclusive: stageNames.map((name) => ({
      name,
      ms: incl.get(name),
      pct: (100 * incl.get(name)) / total,
    })),
  };
}
