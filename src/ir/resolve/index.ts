/**
 * resolve: a schema-valid spec -> the immutable IR (`Pipeline`), section by section, collecting
 * every semantic error. Each section has its module: environments (the overlay, applied first),
 * connections, schemas, topics, ingest, streams/, archive, orchestration, platform; plaintext
 * credentials are checked on the whole raw spec by the caller (credentials). Pure: no I/O.
 */
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { LoadedSpec } from "../../load/load.js";
import { pointerOf } from "../../load/load.js";
import type * as S from "../../schema/spec.gen.js";
import type * as I from "../types.js";
import { jobImportedModules, pythonStdlibModules } from "../python-modules.js";
import { deepFreeze } from "../values.js";
import { resolveArchive } from "./archive.js";
import { checkFreshness } from "./freshness.js";
import { connectionLookup, resolveConnections } from "./connections.js";
import { type Ctx, type EntryAt, type Refs, byName, err, isBroken } from "./context.js";
import { applyEnvironment } from "./environments.js";
import { resolveIngest } from "./ingest.js";
import { resolveOrchestration } from "./orchestration.js";
import { resolvePlatform } from "./platform.js";
import { resolveSchemas } from "./schemas.js";
import { resolveStream } from "./streams/index.js";
import { resolveTests } from "./tests.js";
import { resolveTopics, topicLookup } from "./topics.js";

export { archivePartitionColumns } from "./archive.js";
export { checkInlineCredentials } from "./credentials.js";
export { defaults } from "./defaults.js";

export interface ResolveOptions {
  /** Environment overlay to apply, or null. */
  env: string | null;
  /**
   * What the schema stage left out for its errors (schema/sound.ts): references to it are not
   * reported as unknown, and nothing is checked against it.
   */
  broken?: ReadonlySet<string>;
  /**
   * A spec that does not define `env` is resolved as written, and the error that says so is
   * handed back as `missingEnv` instead (a folder built with --env may hold such specs).
   */
  envOptional?: boolean;
}

/** Resolves a schema-valid spec into the immutable IR, collecting every semantic error. */
export function resolve(
  spec: LoadedSpec,
  raw: S.PipegenSpec,
  opts: ResolveOptions,
): { pipeline?: I.Pipeline; diagnostics: Diagnostic[]; missingEnv?: Diagnostic } {
  const ctx: Ctx = { spec, diags: [], broken: new Set(opts.broken ?? []) };
  const overlay = applyEnvironment(ctx, raw, opts.env);
  const missingEnv = opts.envOptional ? overlay.missing : undefined;
  if (overlay.missing && !missingEnv) ctx.diags.push(overlay.missing);
  const s = overlay.spec;
  if (!s || (overlay.missing && !missingEnv)) return { diagnostics: ctx.diags };
  const env = overlay.applied;
  const r = resolveSections(ctx, raw, s, env);
  return { ...r, ...(missingEnv ? { missingEnv } : {}) };
}

/** The sections of the spec `s` (the overlay of `env` applied) into the IR. */
function resolveSections(
  ctx: Ctx,
  raw: S.PipegenSpec,
  s: S.PipegenSpec,
  env: string | null,
): { pipeline?: I.Pipeline; diagnostics: Diagnostic[] } {
  const spec = ctx.spec;
  const connections = resolveConnections(ctx, s, raw, env);
  const schemas = resolveSchemas(ctx, s);
  const topics = resolveTopics(ctx, s, schemas);
  const refs: Refs = {
    topicRef: topicLookup(ctx, topics),
    connRef: connectionLookup(ctx, connections),
  };
  checkJobNames(ctx, s);
  checkJobModuleNames(ctx, s);
  const at = (section: JobSection, name: string): EntryAt => ({
    ctx,
    refs,
    name,
    pointer: pointerOf(section, name),
  });
  const ingest = Object.entries(s.ingest ?? {}).map(([n, g]) =>
    resolveIngest(at("ingest", n), g, schemas),
  );
  const streams = Object.entries(s.streams ?? {}).map(([n, st]) =>
    resolveStream(at("streams", n), st),
  );
  const archive = Object.entries(s.archive ?? {}).map(([n, a]) =>
    resolveArchive(at("archive", n), a),
  );
  const orchestration = resolveOrchestration(s);
  const platform = resolvePlatform(ctx, s, env);
  if (!isBroken(ctx, "orchestration")) {
    checkScheduled(ctx, streams, orchestration);
    checkFreshness(ctx, [...streams, ...archive], orchestration);
  }
  const resolved = streams.filter((x): x is I.Stream => !!x);
  const tests = resolveTests(ctx, s.tests, {
    streams: resolved,
    declared: Object.keys(s.streams ?? {}),
  });

  // With entries left out for their schema errors the model is incomplete: diagnostics only.
  if (ctx.diags.length || ctx.broken?.size) return { diagnostics: ctx.diags };
  const pipeline: I.Pipeline = {
    name: s.pipeline,
    specFile: spec.file.split("\\").join("/"),
    environment: env,
    description: s.description ?? "",
    owner: s.owner ?? orchestration.owner,
    platform,
    connections: [...connections.values()].sort(byName),
    schemas: [...schemas.values()].sort(byName),
    topics: [...topics.values()].sort(byName),
    ingest: ingest.filter((x): x is I.Ingest => !!x),
    streams: resolved,
    archive,
    orchestration,
    tests,
  };
  return { pipeline: deepFreeze(pipeline), diagnostics: [] };
}

/**
 * An available-now stream runs when its DAG is scheduled: without a schedule of its own or
 * `orchestration.schedule`, its DAG would have none and the job would never run.
 */
function checkScheduled(
  ctx: Ctx,
  streams: ReadonlyArray<I.Stream | undefined>,
  orchestration: I.Orchestration,
) {
  for (const st of streams)
    if (st?.trigger.kind === "availableNow" && !st.trigger.schedule && !orchestration.schedule)
      err(
        ctx,
        "PG204",
        `${pointerOf("streams", st.name)}/trigger`,
        `stream '${st.name}' runs with 'availableNow' but nothing schedules it: its job would never run`,
        "add 'schedule' to the trigger (e.g. availableNow: true, schedule: \"@hourly\") or set 'orchestration.schedule'",
        "key",
      );
}

/** The sections whose entries are jobs. */
const jobSections = ["ingest", "streams", "archive"] as const;
type JobSection = (typeof jobSections)[number];

/** Job names share one namespace (files, Airflow task ids): unique across ingest, streams and archive. */
function checkJobNames(ctx: Ctx, s: S.PipegenSpec) {
  const jobNames = new Map<string, string>();
  for (const section of jobSections) {
    for (const name of Object.keys(s[section] ?? {})) {
      const prev = jobNames.get(name);
      if (prev)
        err(
          ctx,
          "PG302",
          pointerOf(section, name),
          `'${name}' is already the name of an entry in '${prev}'`,
          "ingest, stream and archive names must be unique across the three sections",
          "key",
        );
      else jobNames.set(name, section);
    }
  }
}

/**
 * A stream's or archive's job is the Python file <name>.py, and spark-submit puts its folder
 * first on sys.path: a name of a module the job imports (the standard library's, pyspark's,
 * the runtime's) would be found instead of that module, and the job would break at import.
 */
function checkJobModuleNames(ctx: Ctx, s: S.PipegenSpec) {
  for (const section of ["streams", "archive"] as const) {
    const what = section === "streams" ? "stream" : "archive";
    for (const name of Object.keys(s[section] ?? {})) {
      const stdlib = pythonStdlibModules.has(name);
      if (stdlib || jobImportedModules.has(name))
        err(
          ctx,
          "PG310",
          pointerOf(section, name),
          `${what} '${name}' would be the Spark job file ${name}.py, which shadows the ${stdlib ? "Python standard library's" : "job's imported"} module '${name}' (spark-submit puts the job's folder first on the module path)`,
          `rename the ${what} (e.g. '${name}_job' or a name that says what it does)`,
          "key",
        );
    }
  }
}
