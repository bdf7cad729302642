import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
let cached: string | undefined;

/**
 * A hash of everything that decides what a spec compiles to: pipegen's own compiled code,
 * templates, JSON Schema, and the versions of the packages it runs. A build may reuse a
 * spec's previous output only while both the spec and this fingerprint are unchanged.
 */
export function fingerprint(): string {
  if (cached) return cached;
  const h = createHash("sha256");
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        h.update(path.relative(root, p)).update("\0").update(readFileSync(p)).update("\0");
      }
    }
  };
  // The code that runs: dist/ when installed, src/ when run from sources (tests).
  walk(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
  walk(path.join(root, "templates"));
  walk(path.join(root, "schema"));
  const pkg = require(path.join(root, "package.json")) as {
    version: string;
    dependencies: Record<string, string>;
  };
  h.update(pkg.version);
  for (const dep of Object.keys(pkg.dependencies).sort())
    h.update(`${dep}@${depVersion(root, dep)}`);
  cached = h.digest("hex");
  return cached;
}

/** A dependency's installed version; its package.json read from disk when its exports hide it. */
function depVersion(root: string, dep: string): string {
  try {
    return (require(`${dep}/package.json`) as { version: string }).version;
  } catch {
    // e.g. antlr4ng: "exports" without ./package.json
  }
  for (let dir = root; ; dir = path.dirname(dir)) {
    try {
      const text = readFileSync(path.join(dir, "node_modules", dep, "package.json"), "utf8");
      return (JSON.parse(text) as { version: string }).version;
    } catch {
      if (path.dirname(dir) === dir) return "?";
    }
  }
}
