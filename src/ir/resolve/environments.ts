/**
 * `environments:`: applies the overlay `environments.<env>` to the spec before anything else is
 * resolved. Platform, connections and orchestration are merged; topic settings override every topic.
 */
import { didYouMean } from "../../diagnostics/suggest.js";
import { pointerOf } from "../../load/load.js";
import type * as S from "../../schema/spec.gen.js";
import { type Ctx, err, isBroken, isObj } from "./context.js";

/** Deep merge of plain objects; anything else in `over` replaces `base`. */
function merge<T>(base: T, over: unknown): T {
  if (!isObj(base) || !isObj(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out as T;
}

/** The spec with `environments.<env>` applied (the spec itself when env is null); undefined when env is not defined. */
export function applyEnvironment(
  ctx: Ctx,
  spec: S.PipegenSpec,
  env: string | null,
): S.PipegenSpec | undefined {
  if (env === null) return spec;
  const envs = spec.environments ?? {};
  const overlay = envs[env];
  // An overlay with schema errors of its own cannot be applied: its errors are reported.
  if (isBroken(ctx, "environments", env)) return undefined;
  if (!overlay) {
    err(
      ctx,
      "PG306",
      "/environments",
      `environment '${env}' is not defined in this spec`,
      didYouMean(env, Object.keys(envs), "environments"),
      "key",
    );
    return undefined;
  }
  let out: S.PipegenSpec = { ...spec };
  if (overlay.platform) out.platform = merge(spec.platform ?? {}, overlay.platform);
  if (overlay.orchestration)
    out.orchestration = merge(spec.orchestration ?? {}, overlay.orchestration);
  for (const [name, conn] of Object.entries(overlay.connections ?? {})) {
    const base = spec.connections?.[name];
    const p = pointerOf("environments", env, "connections", name);
    if (!base) {
      if (isBroken(ctx, "connections", name)) continue;
      err(
        ctx,
        "PG301",
        p,
        `environment '${env}' overrides unknown connection '${name}'`,
        didYouMean(name, Object.keys(spec.connections ?? {}), "connections"),
        "key",
      );
      continue;
    }
    out.connections = { ...out.connections, [name]: merge(base, conn) };
  }
  if (overlay.topics) {
    out.topics = Object.fromEntries(
      Object.entries(spec.topics ?? {}).map(([n, t]) => [n, { ...t, ...overlay.topics }]),
    );
  }
  out = { ...out, environments: spec.environments };
  return out;
}
