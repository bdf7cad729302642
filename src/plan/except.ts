/**
 * Accepting a known breaking change (buf's `except`): `--except RULE[:OBJECT]` on the command
 * line, or `plan: {except: [...]}` in the spec (a rule id, or {rule, object, reason}). A change
 * matches when its rule is the entry's and its object contains the entry's object (when given).
 */
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { UsageError } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { LoadedSpec } from "../load/load.js";
import { isRuleId, ruleIds, type RuleId } from "./catalogue.js";
import type { Change } from "./types.js";

export interface Except {
  rule: RuleId;
  object: string | null;
  reason: string | null;
  /** Where it was given: "--except" or the spec's file:line:col. */
  by: string;
}

export function parseExcept(text: string): Except {
  const i = text.indexOf(":");
  const rule = i < 0 ? text : text.slice(0, i);
  if (!isRuleId(rule))
    throw new UsageError(
      `--except ${text}: no rule ${rule} (${didYouMean(rule, ruleIds, "rules")})`,
    );
  return { rule, object: i < 0 ? null : text.slice(i + 1), reason: null, by: "--except" };
}

/** The spec's `plan.except` entries, and a diagnostic for each that names no rule. */
export function exceptsOf(spec: LoadedSpec): { excepts: Except[]; diagnostics: Diagnostic[] } {
  const list = (spec.value as { plan?: { except?: unknown[] } } | null)?.plan?.except ?? [];
  const excepts: Except[] = [];
  const diagnostics: Diagnostic[] = [];
  list.forEach((e, i) => {
    const entry =
      typeof e === "string"
        ? { rule: e }
        : (e as { rule: string; object?: string; reason?: string });
    const pointer = typeof e === "string" ? `/plan/except/${i}` : `/plan/except/${i}/rule`;
    const pos = spec.locate(pointer);
    if (!isRuleId(entry.rule)) {
      diagnostics.push({
        code: "PG205",
        severity: "error",
        message: `'${entry.rule}' is not a rule of pipegen plan`,
        file: spec.file,
        ...pos,
        pointer,
        hint: didYouMean(entry.rule, ruleIds, "rules"),
      });
      return;
    }
    excepts.push({
      rule: entry.rule,
      object: entry.object ?? null,
      reason: entry.reason ?? null,
      by: `${spec.file}:${pos.line}:${pos.col}`,
    });
  });
  return { excepts, diagnostics };
}

export function applyExcepts(changes: Change[], excepts: readonly Except[]): Change[] {
  return changes.map((c) => {
    const e = excepts.find(
      (x) => x.rule === c.rule && (x.object === null || c.object.includes(x.object)),
    );
    return e ? { ...c, accepted: { by: e.by, reason: e.reason } } : c;
  });
}
