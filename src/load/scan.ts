/**
 * A light scan of YAML text up to an offset: which quote is still open there, and which flow
 * brackets are. The parser reports an unclosed quote or bracket where it gave up (often the end
 * of the file); this finds where it was opened, which is where the user has to look.
 */

export interface ScanState {
  /** Offset of the quote that is open at the offset, if any. */
  quote?: number;
  /** Offsets of the flow brackets ('{' or '[') still open at the offset, outermost first. */
  open: number[];
  /** Offsets of closing brackets that closed nothing, before the offset. */
  strayClose: number[];
}

/** Whether a quote at `i` starts a quoted scalar (it follows a space, an indicator or a line start). */
function opensQuote(source: string, i: number): boolean {
  const prev = i > 0 ? source[i - 1] : "\n";
  return prev === " " || prev === "\n" || prev === "\t" || "[{,:-".includes(prev!);
}

/** The state of quotes and flow brackets just before `offset`. */
export function scanTo(source: string, offset: number): ScanState {
  const open: number[] = [];
  const strayClose: number[] = [];
  let quote: number | undefined;
  const end = Math.min(offset, source.length);
  for (let i = 0; i < end; i++) {
    const ch = source[i];
    if (quote !== undefined) {
      const q = source[quote];
      if (q === '"' && ch === "\\") i++;
      else if (q === "'" && ch === "'" && source[i + 1] === "'") i++;
      else if (ch === q) quote = undefined;
      continue;
    }
    if ((ch === '"' || ch === "'") && opensQuote(source, i)) quote = i;
    else if (ch === "#" && (i === 0 || /\s/.test(source[i - 1]!))) {
      const nl = source.indexOf("\n", i);
      i = nl < 0 ? end : nl - 1;
    } else if (ch === "{" || ch === "[") open.push(i);
    else if (ch === "}" || ch === "]") {
      if (open.length && source[open[open.length - 1]!] === (ch === "}" ? "{" : "[")) open.pop();
      else strayClose.push(i);
    }
  }
  return { ...(quote !== undefined ? { quote } : {}), open, strayClose };
}

/** The unquoted `${...}` references on the line holding `offset`, with their offsets. */
export function unquotedRefs(source: string, lineStart: number, lineEnd: number) {
  const found: Array<{ at: number; text: string; inFlow: boolean }> = [];
  for (let i = source.indexOf("${", lineStart); i >= 0 && i < lineEnd;) {
    const state = scanTo(source, i);
    if (state.quote === undefined) {
      const close = source.indexOf("}", i);
      const text = source.slice(i, close > 0 && close < lineEnd ? close + 1 : lineEnd).trim();
      found.push({ at: i, text, inFlow: state.open.length > 0 });
    }
    i = source.indexOf("${", i + 2);
  }
  return found;
}
