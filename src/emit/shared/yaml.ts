import { stringify } from "yaml";

/**
 * Deterministic YAML for data-shaped outputs (Kubernetes manifests): keys sorted by code unit,
 * two-space indent, no line folding, LF, final newline, after `comment` as "# " lines.
 * Strings YAML would read as another type ("3", "true", "1e3") are quoted.
 */
export function stableYaml(value: unknown, comment: readonly string[] = []): string {
  const body = stringify(value, {
    sortMapEntries: (a, b) =>
      String(a.key) < String(b.key) ? -1 : String(a.key) > String(b.key) ? 1 : 0,
    lineWidth: 0,
    indent: 2,
    indentSeq: true,
    aliasDuplicateObjects: false,
  });
  return comment.map((l) => `# ${l}\n`).join("") + body;
}
