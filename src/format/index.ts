import type { GeneratedFile } from "../emit/shared/types.js";
import { formatPython } from "./python.js";

/**
 * The format stage: files an emitter marks for formatting go through ruff. Pure: the same
 * content always formats to the same bytes. Reuse of earlier formatting across builds belongs
 * to the incremental layer (src/api/incremental.ts), whose key includes the formatter.
 */
export function formatFiles(files: readonly GeneratedFile[], pipeline?: string): GeneratedFile[] {
  return files.map((f) =>
    f.format ? { path: f.path, content: formatPython(f.path, f.content, pipeline) } : f,
  );
}
