/**
 * Column lineage through a stream's steps, by name: each output column with the input columns
 * it is computed from. Expressions are read for the names of the columns they mention (quoted
 * strings skipped), which is what a person following a column needs; it does not evaluate them.
 */
import type { Field, StreamStep } from "../ir/types.js";

/** Column name -> the names of the stream's input columns (or `lookup:<col>`) it comes from. */
export type Deps = Map<string, ReadonlySet<string>>;

/** The identifiers an SQL expression mentions (string literals and numbers skipped). */
export function mentionedNames(expr: string): string[] {
  const names: string[] = [];
  const token = /'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*"|`((?:[^`]|``)+)`|([A-Za-z_][A-Za-z0-9_]*)/g;
  for (const m of expr.matchAll(token)) {
    const name = m[1] !== undefined ? m[1].replace(/``/g, "`") : m[2];
    if (name !== undefined) names.push(name);
  }
  return names;
}

function union(deps: Deps, names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const n of names) for (const d of deps.get(n) ?? []) out.add(d);
  return out;
}

/** What each column after the step comes from, given what each column before it comes from. */
function step(deps: Deps, s: StreamStep): Deps {
  switch (s.kind) {
    case "filter":
    case "dedupe":
      return deps;
    case "select":
      return new Map(s.columns.map((c) => [c, deps.get(c) ?? new Set<string>()]));
    case "drop":
      return new Map([...deps].filter(([c]) => !s.columns.includes(c)));
    case "rename":
      return new Map([...deps].map(([c, d]) => [s.columns[c] ?? c, d]));
    case "derive": {
      const out = new Map(deps);
      for (const [name, { expr }] of Object.entries(s.columns))
        out.set(name, union(deps, mentionedNames(expr)));
      return out;
    }
    case "join": {
      const out = new Map(deps);
      for (const c of s.select) out.set(c, new Set([`lookup:${c}`]));
      return out;
    }
    case "aggregate": {
      const out: Deps = new Map();
      if (s.window) {
        const on = deps.get(s.window.on) ?? new Set<string>();
        out.set("window_start", on);
        out.set("window_end", on);
      }
      for (const g of s.groupBy) out.set(g, deps.get(g) ?? new Set<string>());
      for (const a of s.aggregates)
        out.set(a.name, a.column ? union(deps, mentionedNames(a.column)) : new Set<string>());
      return out;
    }
  }
}

/** The stream's output columns, each with the input columns it comes from. */
export function streamLineage(
  input: readonly Field[],
  steps: readonly StreamStep[],
  output: readonly Field[],
): Deps {
  let deps: Deps = new Map(input.map((f) => [f.name, new Set([f.name])]));
  for (const s of steps) deps = step(deps, s);
  return new Map(output.map((f) => [f.name, deps.get(f.name) ?? new Set<string>()]));
}
