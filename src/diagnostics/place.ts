/**
 * A JSON pointer into a spec in words a person uses: `/streams/s/steps/2/window/size` is
 * "'window.size' of step 3 of stream 's'". List items count from 1 here, as in every message;
 * pointers stay JSON pointers (RFC 6901), whose list indexes count from 0.
 */

/** The named entries of each section, by the word for one of them. */
const sections: Record<string, string> = {
  connections: "connection",
  schemas: "schema",
  topics: "topic",
  ingest: "ingest",
  streams: "stream",
  archive: "archive",
  environments: "environment",
  tests: "test",
};

/** Lists whose items have a name of their own, by the key of the list. */
const itemWords: Record<string, string> = {
  steps: "step",
  to: "sink",
  quality: "quality rule",
  route: "route",
  given: "batch",
  batch: "record",
};

const unescape = (s: string) => s.replace(/~1/g, "/").replace(/~0/g, "~");

/** Words for the place a JSON pointer names ("the spec" for the root). */
export function placeOf(pointer: string): string {
  if (pointer === "") return "the spec";
  const parts = pointer.slice(1).split("/").map(unescape);
  let owner = "";
  let keys: string[] = [];
  const within = (what: string) => (owner ? `${what} of ${owner}` : what);
  let i = 0;
  if (parts.length >= 2 && sections[parts[0]!]) {
    owner = `${sections[parts[0]!]} '${parts[1]}'`;
    i = 2;
  }
  for (; i < parts.length; i++) {
    const seg = parts[i]!;
    const prev = keys[keys.length - 1];
    if (/^\d+$/.test(seg) && prev !== undefined) {
      const word = keys.length === 1 ? itemWords[prev] : undefined;
      owner = word
        ? within(`${word} ${Number(seg) + 1}`)
        : within(`item ${Number(seg) + 1} of '${keys.join(".")}'`);
      keys = [];
    } else if (prev === "fields" && keys.length === 1 && owner.startsWith("schema ")) {
      owner = within(`field '${seg}'`);
      keys = [];
    } else keys.push(seg);
  }
  return keys.length ? within(`'${keys.join(".")}'`) : owner;
}
