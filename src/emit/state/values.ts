import type { Field, ValueRef } from "../../ir/types.js";

/** A field's type as text: "decimal(12,2)" for decimals, the type's name otherwise. */
export function typeText(f: Field): string {
  return f.type === "decimal" ? `decimal(${f.precision ?? 38},${f.scale ?? 0})` : f.type;
}

/** A spec value as it was written: the literal, or its ${env:NAME} / ${secret:NAME} references. */
export function valueText(v: ValueRef): string {
  const ref = (x: { kind: "env" | "secret"; name: string }) => `\${${x.kind}:${x.name}}`;
  switch (v.kind) {
    case "literal":
      return v.value;
    case "env":
    case "secret":
      return ref(v);
    case "template":
      return v.parts.map((x) => (typeof x === "string" ? x : ref(x))).join("");
  }
}
