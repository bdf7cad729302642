import { UsageError } from "../diagnostics/diagnostic.js";
import {
  closestCode,
  codeList,
  explainJson,
  explainText,
  findCode,
} from "../diagnostics/catalogue/index.js";
import { codes } from "../diagnostics/codes.js";
import { type CommonOptions, type Outcome, useColor } from "./output.js";

/** `pipegen explain [code]`: a code's catalogue entry, or the list of codes. */
export function runExplain(code: string | undefined, o: CommonOptions): Outcome {
  if (code === undefined) {
    if (o.format === "text") process.stdout.write(codeList());
    const list = Object.entries(codes).map(([c, title]) => ({ code: c, title }));
    return { exitCode: 0, json: { codes: list } };
  }
  const found = findCode(code);
  if (!found) {
    const near = closestCode(code);
    throw new UsageError(
      `no diagnostic code '${code}'${near ? `; did you mean ${near}?` : ""} ('pipegen explain' lists every code)`,
    );
  }
  if (o.format === "text")
    process.stdout.write(explainText(found, { color: useColor(process.stdout) }));
  return { exitCode: 0, json: { entry: explainJson(found) } };
}
