/**
 * Plaintext credentials, checked over the whole raw spec (every section, before any overlay):
 * a string that carries user:password@ in a URI is a secret that must not be in a spec.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { LoadedSpec } from "../../load/load.js";
import { escapePointer } from "../../load/load.js";
import { hasInlineCredentials } from "../values.js";
import { type Ctx, err, isObj } from "./context.js";

/** Plaintext credentials anywhere in a loaded spec, whatever else is wrong with it. */
export function checkInlineCredentials(spec: LoadedSpec): Diagnostic[] {
  const ctx: Ctx = { spec, diags: [] };
  findInlineCredentials(ctx, spec.value, "");
  return ctx.diags;
}

/** Every string in the raw spec that carries user:password@ in a URI is a plaintext secret. */
export function findInlineCredentials(ctx: Ctx, v: unknown, pointer: string) {
  if (typeof v === "string") {
    if (hasInlineCredentials(v))
      err(
        ctx,
        "PG303",
        pointer,
        "plaintext credentials in a URI",
        "secrets never appear in a spec: write the whole URI as '${secret:NAME}' and provide NAME at run time",
      );
  } else if (Array.isArray(v))
    v.forEach((x, i) => findInlineCredentials(ctx, x, `${pointer}/${i}`));
  else if (isObj(v))
    for (const [k, x] of Object.entries(v))
      findInlineCredentials(ctx, x, `${pointer}/${escapePointer(k)}`);
}
