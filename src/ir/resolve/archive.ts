/**
 * `archive:`: scheduled Spark jobs that copy a topic's records to files (S3 or a folder),
 * partitioned by record columns or by the date and hour derived from the Kafka timestamp.
 */
import type * as S from "../../schema/spec.gen.js";
import type * as I from "../types.js";
import { type EntryAt, err, unknownColumn } from "./context.js";
import { defaults } from "./defaults.js";
import { durationMs } from "../values.js";

type ArchiveSpec = NonNullable<S.PipegenSpec["archive"]>[string];

/** Columns an archive may partition by without their being in the record: derived from the Kafka timestamp. */
export const archivePartitionColumns = ["dt", "hour"] as const;

/** One archive. Its topic and connection are set only when they resolve (otherwise there are errors). */
export function resolveArchive(at: EntryAt, a: ArchiveSpec): I.Archive {
  const { ctx, refs: r, name, pointer: p } = at;
  const from = r.topicRef(`${p}/from/topic`, a.from.topic);
  const conn = r.connRef(`${p}/to/connection`, a.to.connection, ["s3", "files"], "an archive");
  const partitionBy = a.to.partitionBy ?? defaults.archivePartitionBy;
  if (from?.schema) {
    const cols = [...from.schema.fields.map((f) => f.name), ...archivePartitionColumns];
    partitionBy.forEach((c, i) => {
      if (!cols.includes(c))
        unknownColumn(
          ctx,
          `${p}/to/partitionBy/${i}`,
          c,
          cols,
          `topic '${from.name}' (plus the derived ${archivePartitionColumns.join(", ")})`,
        );
    });
  } else if (from)
    err(
      ctx,
      "PG305",
      `${p}/from/topic`,
      `topic '${from.name}' has no schema; an archive needs one to write typed columns`,
      `give topic '${from.name}' a 'schema:', or archive a topic that has one`,
    );
  return {
    name,
    from: from!,
    to: {
      connection: conn!,
      path: a.to.path ?? name,
      format: a.to.format ?? defaults.fileFormat,
      partitionBy,
    },
    schedule: a.schedule,
    freshnessMs: a.freshness ? durationMs(a.freshness) : null,
    ...(a.doc ? { doc: a.doc } : {}),
  };
}
