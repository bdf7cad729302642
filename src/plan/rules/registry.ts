/** Registry subjects: what the ingestion DAG's registration meets, and what Spark decodes with. */
import type { SubjectState } from "../../emit/state/index.js";
import { incompatibility, logicalTypeChanges, withoutDocs } from "../avro.js";
import type { Comparison, Finding } from "../types.js";
import { keyDiff, same, words } from "./common.js";

function compatibilityChange(subject: string, b: SubjectState, a: SubjectState): Finding[] {
  if (a.compatibility === b.compatibility) return [];
  return [
    {
      rule: "SCHEMA_COMPATIBILITY_CHANGED",
      object: `subject ${subject}`,
      action: "~",
      at: `${a.at}/compatibility`,
      message: `compatibility ${b.compatibility} -> ${a.compatibility}: the ingestion DAG sets it before it registers the schema, so from now on new versions are checked at ${a.compatibility}${a.compatibility === "NONE" ? " (that is, not at all: consumers with an older schema may no longer read new records)" : ""}`,
    },
  ];
}

function schemaChange(
  subject: string,
  b: SubjectState,
  a: SubjectState,
  history: ReadonlyArray<{ schema: unknown; from: string }>,
  baseline: string,
): Finding[] {
  if (same(a.schema, b.schema)) return [];
  const object = `subject ${subject}`;
  const out: Finding[] = [];
  const logical = logicalTypeChanges(b.schema, a.schema);
  if (logical.length)
    out.push({
      rule: "SCHEMA_LOGICAL_TYPE_CHANGED",
      object,
      action: "~",
      at: a.schemaAt,
      message: `${words(logical)}: Avro's schema resolution ignores logical types, so the registry accepts the version, but records written before are read with the new meaning (a decimal's bytes with the new scale: 12.50 at scale 2 reads as 1.250 at scale 3)`,
      hint: "add a new field with the new type (and stop writing the old one) instead of changing the field",
    });
  const versions = [...history, { schema: b.schema, from: baseline }];
  const bad = incompatibility(a.compatibility, a.schema, versions);
  if (bad)
    out.push({
      rule: "SCHEMA_INCOMPATIBLE",
      object,
      action: "~",
      at: a.schemaAt,
      message: `the registry refuses the new version (409) at ${a.compatibility}: ${bad.problem} (${bad.direction === "backward" ? "the new schema cannot read records written with" : "readers with"} the version of ${bad.against}${bad.direction === "forward" ? " cannot read records written with the new one" : ""}); the ingestion DAG's register_schemas task fails and nothing after it runs`,
      hint: "give a new field a default (optional fields get null), keep removed fields' defaults, or use a new topic; a lower compatibility level is the last resort",
    });
  else if (!logical.length)
    out.push({
      rule: "SCHEMA_CHANGED_COMPATIBLE",
      object,
      action: "~",
      at: a.schemaAt,
      message: `the ingestion DAG registers a new version; ${a.compatibility === "NONE" ? "the registry checks nothing (NONE)" : `it is ${a.compatibility} compatible with ${history.length ? `the ${versions.length} earlier versions found` : "the current one"}`}`,
    });
  if (a.decodedBy.length && !same(withoutDocs(a.schema), withoutDocs(b.schema)))
    out.push(decoderChange(a, versions));
  return out;
}

/**
 * What the Spark jobs that decode the topic do with the new schema: each record is read with
 * its writer's schema (the registry's version its id names, read when the job starts) resolved
 * to the job's; records of an earlier version the new schema cannot read are dead letters.
 */
function decoderChange(
  a: SubjectState,
  versions: ReadonlyArray<{ schema: unknown; from: string }>,
): Finding {
  const object = `topic ${a.topic} as decoded by ${words(a.decodedBy)}`;
  const jobs = a.decodedBy.length > 1 ? "the Spark jobs read" : "the Spark job reads";
  const unreadable = incompatibility("BACKWARD_TRANSITIVE", a.schema, versions);
  if (unreadable)
    return {
      rule: "SPARK_DECODER_CANNOT_READ_EARLIER",
      object,
      action: "~",
      at: a.schemaAt,
      message: `${jobs} each record with the schema it was written with, resolved to the new one, which cannot read records written with the version of ${unreadable.against} (${unreadable.problem}): those read after the deploy (not yet read, or read again from a new checkpoint) go to the dead-letter topic as undecodable (or are dropped)`,
      hint: "give the new field a default (optional fields get null), or stop the producers and let the streams catch up before deploying",
    };
  return {
    rule: "SPARK_DECODER_SCHEMA_CHANGED",
    object,
    action: "~",
    at: a.schemaAt,
    message: `${jobs} each record with the schema it was written with (the registry's version its schema id names, read when the job starts) resolved to the new one: records written before are read with the new fields' defaults; a running job that meets a record of a version registered after it started fails its query (no record is skipped) and reads the registry again when it is restarted`,
  };
}

export function registryRules(c: Comparison, baseline: string): Finding[] {
  const before = c.before.registry.subjects;
  const after = c.after.registry.subjects;
  const d = keyDiff(before, after);
  const out: Finding[] = [];
  for (const s of d.added)
    out.push({
      rule: "SCHEMA_SUBJECT_ADDED",
      object: `subject ${s}`,
      action: "+",
      at: after[s]!.at,
      message: `the ingestion DAG sets its compatibility (${after[s]!.compatibility}) and registers the schema as its first version`,
    });
  for (const s of d.removed)
    out.push({
      rule: "SCHEMA_SUBJECT_REMOVED",
      object: `subject ${s}`,
      action: "-",
      at: before[s]!.at,
      gone: true,
      message:
        "the subject and its versions stay in the registry; nothing registers new versions any more",
      hint: `delete it (DELETE /subjects/${s}) once nothing reads records of its schema`,
    });
  for (const s of d.common) {
    const b = before[s]!;
    const a = after[s]!;
    out.push(
      ...compatibilityChange(s, b, a),
      ...schemaChange(s, b, a, c.history.get(s) ?? [], "the baseline"),
    );
  }
  return out;
}
