// The Compose file checker that test/e2e/engines/compose/install.sh builds into the cache:
// compose-check FILE... loads each file with the Compose reference loader (compose-go v2.9.0),
// after validating it against the Compose specification's JSON schema, and prints the loaded
// projects as JSON ({file: project}); exit 1 and the loader's message when a file does not load.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { exec } from "./process.js";
import { cachePaths, REPO_ROOT } from "./paths.js";

export const COMPOSE_ENGINE_DIR = join(REPO_ROOT, "test", "e2e", "engines", "compose");

/** The binary install.sh built: its folder is named by the hash of main.go, go.mod and go.sum. */
export function composeCheckBinary(): string {
  const hash = createHash("sha256");
  for (const f of ["main.go", "go.mod", "go.sum"])
    hash.update(readFileSync(join(COMPOSE_ENGINE_DIR, f)));
  const bin = join(
    cachePaths().cacheDir,
    `compose-check-${hash.digest("hex").slice(0, 16)}`,
    "bin",
    "compose-check",
  );
  if (!existsSync(bin))
    throw new Error(
      `no compose-check at ${bin}: run bash test/e2e/engines/compose/install.sh first`,
    );
  return bin;
}

/** A loaded service, as compose-go's project JSON has it (the parts the tests read). */
export interface LoadedService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | null>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean }>;
  command?: string[];
  restart?: string;
}

export interface LoadedProject {
  name: string;
  services: Record<string, LoadedService>;
  volumes?: Record<string, unknown>;
}

/** Loads Compose files with compose-go; rejects with the loader's message when one does not load. */
export async function loadCompose(
  files: readonly string[],
): Promise<Record<string, LoadedProject>> {
  const r = await exec(composeCheckBinary(), files, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`compose-check failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, LoadedProject>;
}
