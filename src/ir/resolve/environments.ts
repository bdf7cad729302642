/**
 * `environments:`: applies the overlay `environments.<env>` to the spec before anything else is
 * resolved. Platform, connections and orchestration are merged; topic settings override every topic.
 */
import { didYouMean } from "../../diagnostics/suggest.js";
import { pointerOf } from "../../load/load.js";
import type * as S from "../../schema/spec.gen.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { type Ctx, err, isObj, meansBroken } from "./context.js";

/** Deep merge of plain objects; anything else in `over` replaces `base`. */
function merge<T>(base: T, over: unknown): T {
  if (!isObj(base) || !isObj(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(out[k], v);
  return out as T;
}

/**
 * The spec with `environments.<env>` applied (the spec itself when env is null). When the spec
 * does not define env, `missing` is the error that says so (the caller decides whether it is
 * one: a folder of specs may have specs without the environment) and `spec` is the spec as
 * written; undefined when the overlay itself has schema errors.
 */
export function applyEnvironment(
  ctx: Ctx,
  spec: S.PipegenSpec,
  env: string | null,
): { spec?: S.PipegenSpec; applied: string | null; missing?: Diagnostic } {
  if (env === null) return { spec, applied: null };
  const envs = spec.environments ?? {};
  const overlay = envs[env];
  // An overlay with schema errors of its own cannot be applied: its errors are reported.
  if (meansBroken(ctx, "environments", env)) return { applied: null };
  if (!overlay) {
    const said: Ctx = { spec: ctx.spec, diags: [] };
    err(
      said,
      "PG306",
      "/environments",
      `environment '${env}' is not defined in this spec`,
      didYouMean(env, Object.keys(envs), "environments"),
      "key",
    );
    return { spec, applied: null, missing: said.diags[0]! };
  }
  return { spec: overlaid(ctx, spec, env, overlay), applied: env };
}

type Overlay = NonNullable<S.PipegenSpec["environments"]>[string];

/** The spec with the overlay of environment `env` merged in. */
function overlaid(ctx: Ctx, spec: S.PipegenSpec, env: string, overlay: Overlay): S.PipegenSpec {
  let out: S.PipegenSpec = { ...spec };
  if (overlay.platform) out.platform = merge(spec.platform ?? {}, overlay.platform);
  if (overlay.orchestration)
    out.orchestration = merge(spec.orchestration ?? {}, overlay.orchestration);
  for (const [name, conn] of Object.entries(overlay.connections ?? {})) {
    const base = spec.connections?.[name];
    const p = pointerOf("environments", env, "connections", name);
    if (!base) {
      if (meansBroken(ctx, "connections", name)) continue;
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
