import { hashHex } from "../ir/hash.js";

export const manifestName = "pipegen-manifest.json";

export interface ManifestEntry {
  spec: string;
  /** sha256 of each file as written. */
  files: Record<string, string>;
  /** The environment overlay the pipeline was built with (`--env`); absent when none applied. */
  environment?: string;
}

export interface Manifest {
  version: 1;
  pipelines: Record<string, ManifestEntry>;
}

/** A pipeline's entry: its spec, its files, and the environment it was built with (if any). */
export function manifestEntry(
  spec: string,
  files: Record<string, string>,
  environment?: string | null,
): ManifestEntry {
  return { spec, files, ...(environment ? { environment } : {}) };
}

export const sha256 = (text: string | Buffer): string => hashHex("sha256", text);

export function parseManifest(text: string | undefined): Manifest {
  if (text === undefined) return { version: 1, pipelines: {} };
  const m = JSON.parse(text) as Partial<Manifest>;
  if (m.version !== 1 || typeof m.pipelines !== "object" || m.pipelines === null)
    throw new Error(`${manifestName} is not a pipegen manifest of version 1`);
  return { version: 1, pipelines: m.pipelines };
}

export function serializeManifest(m: Manifest): string {
  const pipelines: Record<string, ManifestEntry> = {};
  for (const name of Object.keys(m.pipelines).sort()) {
    const e = m.pipelines[name]!;
    const files: Record<string, string> = {};
    for (const f of Object.keys(e.files).sort()) files[f] = e.files[f]!;
    pipelines[name] = {
      spec: e.spec,
      ...(e.environment ? { environment: e.environment } : {}),
      files,
    };
  }
  return (
    JSON.stringify(
      {
        $comment:
          "Written by pipegen: the files it generated, so it can delete its own stale files and nothing else. Do not edit.",
        version: 1,
        pipelines,
      },
      null,
      2,
    ) + "\n"
  );
}
