/**
 * What YAML can say and a spec never needs: explicit tags (`!!binary`, `!custom`) and keys that
 * are lists or mappings. Each is one error at its place, before the document becomes a value
 * (a binary value would otherwise look like a mapping of numbered keys).
 */
import { type Document, isCollection, visit } from "yaml";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

type Position = (offset: number) => { line: number; col: number };

const coreTags = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`),
);

const error = (file: string, at: { line: number; col: number }, message: string, hint: string) =>
  ({ code: "PG101", severity: "error", message, file, ...at, pointer: "", hint }) as Diagnostic;

/** The first tag or collection key of the document, as an error; undefined when there is none. */
export function unsupportedNode(
  file: string,
  source: string,
  doc: Document.Parsed,
  pos: Position,
): Diagnostic | undefined {
  let found: Diagnostic | undefined;
  visit(doc, {
    Node(_, node) {
      if (!node.tag || coreTags.has(node.tag)) return undefined;
      const start = node.range?.[0] ?? 0;
      const lineStart = source.lastIndexOf("\n", start - 1) + 1;
      const written = /(!\S*)\s*$/.exec(source.slice(lineStart, start));
      const at = written ? lineStart + written.index : start;
      const tag = node.tag.replace("tag:yaml.org,2002:", "!!");
      found = error(
        file,
        pos(at),
        `the YAML tag '${tag}' has no place in a pipegen spec`,
        "remove it and write the value as plain text (in quotes if it must stay a string)",
      );
      return visit.BREAK;
    },
    Pair(_, pair) {
      if (!isCollection(pair.key)) return undefined;
      found = error(
        file,
        pos(pair.key.range?.[0] ?? 0),
        "a key must be a name, not a list or a mapping",
        "write the key as plain text, e.g. 'name: value'",
      );
      return visit.BREAK;
    },
  });
  return found;
}
