import { homedir } from "node:os";
import path from "node:path";

/** Where the e2e install puts the engines and tools (test/e2e/install.sh): PIPEGEN_CACHE or ~/.cache/pipegen. */
export const engineCache = process.env.PIPEGEN_CACHE || path.join(homedir(), ".cache", "pipegen");

/** A path inside the engine cache. */
export const inEngineCache = (...parts: string[]) => path.join(engineCache, ...parts);
