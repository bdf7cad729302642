/**
 * String literals as Spark reads them (spark.sql.parser.escapedStringLiterals=false, the
 * default): adjacent literals are one string ('a' 'b' and 'a''b' are both "ab"); a backslash
 * escapes the next character, with \uXXXX, \UXXXXXXXX, octal \000 to \177 and the C-like
 * escapes; R'...' is raw. The same rules as Spark's SparkParserUtils.unescapeSQLString.
 */

const escaped: Record<string, string> = {
  "0": "\u0000",
  b: "\b",
  n: "\n",
  r: "\r",
  t: "\t",
  Z: "\u001A",
  // Spark keeps the backslash of \% and \_ (as MySQL does), for LIKE patterns.
  "%": "\\%",
  _: "\\_",
};

/** The value of one string literal token, quotes included in `token`. */
export function unescapeSql(token: string): string {
  if (/^[rR]/.test(token)) return token.slice(2, -1);
  const body = token.slice(1, -1);
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length;) {
    if (body[i] !== "\\" || i + 1 >= body.length) {
      out += body[i++];
      continue;
    }
    const rest = body.slice(i + 1);
    const u16 = /^u([0-9a-fA-F]{4})/.exec(rest);
    const u32 = /^U([0-9a-fA-F]{8})/.exec(rest);
    const octal = /^([01][0-7]{2})/.exec(rest);
    if (u16) {
      out += String.fromCharCode(parseInt(u16[1]!, 16));
      i += 6;
    } else if (u32) {
      out += codePoint(parseInt(u32[1]!, 16));
      i += 10;
    } else if (octal) {
      out += String.fromCharCode(parseInt(octal[1]!, 8));
      i += 4;
    } else {
      const c = body[i + 1]!;
      out += escaped[c] ?? c;
      i += 2;
    }
  }
  return out;
}

/** Like Java's surrogate arithmetic: a code point past U+10FFFF still makes two UTF-16 units. */
function codePoint(cp: number): string {
  if (cp < 0x10000) return String.fromCharCode(cp);
  const high = Math.floor((cp - 0x10000) / 0x400) + 0xd800;
  const low = ((cp - 0x10000) % 0x400) + 0xdc00;
  return String.fromCharCode(high & 0xffff, low & 0xffff);
}
