/**
 * The fast path of the load stage: most specs are plain YAML (mappings, lists, plain and quoted
 * scalars, no tags, anchors or aliases), and for those js-yaml's event parser builds the value
 * about four times faster than the `yaml` library's document model. It is only a shortcut: any
 * construct outside that plain subset, and any error at all, sends the spec down the full path
 * (load.ts), which reports every problem with its place. Positions are never taken from here:
 * the full parse runs lazily when a diagnostic asks where something is.
 *
 * The two libraries agree on the plain subset (both are YAML 1.2, core schema); a property test
 * compares them on random documents (test/unit/load/fast.test.ts). Keys are the one place the
 * core schema's resolution could differ (`null: x` is the key "" in one and "null" in the other),
 * so a plain key that the core schema would read as anything but a string takes the full path.
 */
import { constructFromEvents, CORE_SCHEMA, EVENT_ID, parseEvents, type Event } from "js-yaml";

/** A plain key that is surely a string in the core schema: starts with a letter or '_', not null or a boolean. */
const stringKey = /^[A-Za-z_][^:#]*$/;
const notString = new Set([
  "null",
  "Null",
  "NULL",
  "true",
  "True",
  "TRUE",
  "false",
  "False",
  "FALSE",
]);
const PLAIN = 1;
// Where `yaml` reads the text otherwise: a document end marker ('...') with no document before it
// is one more (empty) document, and a carriage return alone is not a line break.
const elsewhere = /^\.\.\.(?:[ \t\r\n]|$)|\r(?!\n)/m;
// A plain scalar the core schema reads as a number: `yaml` makes one too large Infinity, js-yaml a string.
const coreNumber =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/;
const infinite = (text: string) => coreNumber.test(text) && !Number.isFinite(Number(text));

/** Whether the event stream holds one document of the plain subset, no deeper than maxDepth. */
function plainSubset(events: readonly Event[], source: string, maxDepth: number): boolean {
  // Per open collection: is it a mapping, and is its next node a key?
  const mapping: boolean[] = [];
  const atKey: boolean[] = [];
  let documents = 0;
  for (const e of events) {
    const top = mapping.length - 1;
    const isNode = e.type !== EVENT_ID.DOCUMENT && e.type !== EVENT_ID.POP;
    const isKey = isNode && top >= 0 && mapping[top]! && atKey[top]!;
    if (isNode && top >= 0 && mapping[top]) atKey[top] = !atKey[top];
    switch (e.type) {
      case EVENT_ID.DOCUMENT:
        if (++documents > 1 || e.directives.length) return false;
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE:
        if (isKey || e.tagStart !== -1 || e.anchorStart !== -1) return false;
        // The root collection is depth 0, as in limits.ts's findTooDeep.
        if (mapping.length > maxDepth) return false;
        mapping.push(e.type === EVENT_ID.MAPPING);
        atKey.push(true);
        break;
      case EVENT_ID.SCALAR:
        if (e.tagStart !== -1 || e.anchorStart !== -1) return false;
        if (e.style !== PLAIN) break;
        if (isKey) {
          const key = source.slice(e.valueStart, e.valueEnd);
          if (!stringKey.test(key) || notString.has(key)) return false;
        } else if (infinite(source.slice(e.valueStart, e.valueEnd))) return false;
        break;
      case EVENT_ID.ALIAS:
        return false;
      case EVENT_ID.POP:
        if (mapping.length) {
          mapping.pop();
          atKey.pop();
        }
        break;
    }
  }
  return documents === 1;
}

/**
 * The spec's value when it is a mapping of the plain subset; undefined when it is anything else
 * or js-yaml refuses it (a syntax error, a duplicate key, too deep): the full path then decides.
 */
export function fastValue(source: string, maxDepth: number): Record<string, unknown> | undefined {
  if (elsewhere.test(source)) return undefined;
  try {
    const events = parseEvents(source, { maxDepth: maxDepth + 2 });
    if (!plainSubset(events, source, maxDepth)) return undefined;
    const [value, ...more] = constructFromEvents(events, {
      source,
      schema: CORE_SCHEMA,
      maxAliases: 0,
    });
    if (more.length || value === null || typeof value !== "object" || Array.isArray(value))
      return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
