import type { Pipeline } from "../ir/types.js";
import { emitAirflow } from "./airflow/index.js";
import { emitReadme } from "./docs/readme.js";
import { emitKafka } from "./kafka/index.js";
import { emitNifi } from "./nifi/index.js";
import { emitSpark } from "./spark/index.js";
import type { Emitter, GeneratedFile } from "./shared/types.js";

/** Every target, in output order. A new target is a new folder and one line here. */
export const emitters: ReadonlyArray<[string, Emitter]> = [
  ["kafka", emitKafka],
  ["nifi", emitNifi],
  ["spark", emitSpark],
  ["airflow", emitAirflow],
];

export function emitAll(p: Pipeline): GeneratedFile[] {
  const files = emitters.flatMap(([, emit]) => emit(p));
  // The pipeline's README describes the others, so it comes last.
  files.push(emitReadme(p, files));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
