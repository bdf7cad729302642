/**
 * The load limits' values, apart from the YAML parser: reading specs (api/sources.ts) needs them
 * and a no-op build loads no parser (api/light.ts).
 */
export interface LoadLimits {
  maxBytes: number;
  maxDepth: number;
  maxAliasCount: number;
}

export const defaultLimits: LoadLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 48,
  maxAliasCount: 100,
};
