import type { Pipeline } from "../ir/types.js";
import { emitAirflow } from "./airflow/index.js";
import { emitReadme } from "./docs/readme.js";
import { emitKafka } from "./kafka/index.js";
import { emitKubernetes } from "./kubernetes/index.js";
import { emitNifi } from "./nifi/index.js";
import { emitSpark } from "./spark/index.js";
import { emitState } from "./state/index.js";
import type { Emitter, GeneratedFile } from "./shared/types.js";

/** Every target, in output order. A new target is a new folder and one line here. */
export const emitters: ReadonlyArray<[string, Emitter]> = [
  ["kafka", emitKafka],
  ["nifi", emitNifi],
  ["spark", emitSpark],
  ["airflow", emitAirflow],
  ["kubernetes", emitKubernetes],
  ["state", emitState],
];

/** The files of every target (or of the targets named). */
export function emitAll(p: Pipeline, only?: readonly string[]): GeneratedFile[] {
  const chosen = only ? emitters.filter(([name]) => only.includes(name)) : emitters;
  const files = chosen.flatMap(([, emit]) => emit(p));
  // The pipeline's README describes the others, so it comes last (not with a subset of targets).
  if (!only) files.push(emitReadme(p, files));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
