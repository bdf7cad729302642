/**
 * JSON pointers into the spec (RFC 6901, list items from 0) of the parts a state entry comes
 * from. Built from names alone: the spec's layout is fixed by its schema, and each stream step,
 * sink and ingest step is the item of its list at the IR's index.
 */
type Part = string | number;

/** A pointer from its parts ("~" as "~0", "/" as "~1"). */
export function pointerOf(...parts: Part[]): string {
  return parts.map((x) => "/" + String(x).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

export const at = {
  topic: (name: string, ...rest: Part[]) => pointerOf("topics", name, ...rest),
  schema: (name: string, ...rest: Part[]) => pointerOf("schemas", name, ...rest),
  stream: (name: string, ...rest: Part[]) => pointerOf("streams", name, ...rest),
  step: (stream: string, index: number, ...rest: Part[]) =>
    pointerOf("streams", stream, "steps", index, ...rest),
  sink: (stream: string, index: number, ...rest: Part[]) =>
    pointerOf("streams", stream, "to", index, ...rest),
  archive: (name: string, ...rest: Part[]) => pointerOf("archive", name, ...rest),
  ingest: (name: string, ...rest: Part[]) => pointerOf("ingest", name, ...rest),
  connection: (name: string, ...rest: Part[]) => pointerOf("connections", name, ...rest),
  platform: (...rest: Part[]) => pointerOf("platform", ...rest),
  orchestration: (...rest: Part[]) => pointerOf("orchestration", ...rest),
};
