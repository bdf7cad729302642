/**
 * `tests:` (in the spec or its sibling `<spec>.tests.yaml`): each test names a stream, gives
 * records for its source topic in micro-batches and the rows its sinks and dead letters must
 * hold. Checked against the resolved stream: the record's columns and their types, sinks by
 * name, lookup tables of its joins, dead letters only where the stream writes them. Tests
 * change no generated file; `pipegen test` reads them from the IR.
 */
import { didYouMean } from "../../diagnostics/suggest.js";
import { pointerOf } from "../../load/load.js";
import type * as S from "../../schema/spec.gen.js";
import { testSinkName } from "../names.js";
import { parseValue, shown } from "../test-values.js";
import type * as I from "../types.js";
import { type Ctx, err } from "./context.js";

type TestsSpec = NonNullable<S.PipegenSpec["tests"]>;
type TestSpec = TestsSpec[string];

/** What the tests of one file are checked against. */
export interface TestScope {
  /** The streams that resolved. */
  streams: readonly I.Stream[];
  /** Every stream the spec declares (a test of one that did not resolve is not checked). */
  declared: readonly string[];
  /** Tests already defined (by the spec, for its sibling file), with the file that defines them. */
  taken?: ReadonlyMap<string, string>;
}

/** The tests of one file, checked against the pipeline's streams; errors go to `ctx`. */
export function resolveTests(
  ctx: Ctx,
  tests: TestsSpec | undefined,
  scope: TestScope,
): I.StreamTest[] {
  const out: I.StreamTest[] = [];
  for (const [name, t] of Object.entries(tests ?? {})) {
    const p = pointerOf("tests", name);
    const other = scope.taken?.get(name);
    if (other !== undefined) {
      err(
        ctx,
        "PG302",
        p,
        `test '${name}' is also defined in ${other}`,
        "rename one of them",
        "key",
      );
      continue;
    }
    const stream = scope.streams.find((s) => s.name === t.stream);
    if (!stream) {
      if (!scope.declared.includes(t.stream))
        err(
          ctx,
          "PG301",
          `${p}/stream`,
          `unknown stream '${t.stream}'`,
          didYouMean(t.stream, scope.declared, "streams"),
        );
      continue;
    }
    const test = resolveTest(ctx, p, name, t, stream);
    if (test) out.push(test);
  }
  return out;
}

function resolveTest(
  ctx: Ctx,
  p: string,
  name: string,
  t: TestSpec,
  stream: I.Stream,
): I.StreamTest | undefined {
  const before = ctx.diags.length;
  const batches = t.given.map((g, b) =>
    g.batch.map((r, i) => givenRecord(ctx, `${p}/given/${b}/batch/${i}`, r, stream)),
  );
  const lookups = resolveLookups(ctx, p, t, stream);
  const sinks = Object.entries(t.expect.sinks ?? {}).flatMap(([sinkName, rows]) =>
    expectedSink(ctx, `${p}/expect/sinks/${esc(sinkName)}`, sinkName, rows, stream),
  );
  const deadLetters = t.expect.deadLetters
    ? expectedDeadLetters(ctx, `${p}/expect/deadLetters`, t.expect.deadLetters, stream)
    : null;
  if (ctx.diags.length > before) return undefined;
  return {
    name,
    file: ctx.spec.file,
    line: ctx.spec.locate(p, "key").line,
    doc: t.doc ?? "",
    stream: stream.name,
    batches: batches.map((b) => b.filter((r): r is I.TestRecord => !!r)),
    lookups,
    expect: { sinks, deadLetters },
    ordered: t.ordered ?? false,
  };
}

const esc = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** A column's type in words: "decimal(10,2)", "timestamp". */
function typeWords(f: I.Field): string {
  if (f.type === "decimal") return `decimal(${f.precision},${f.scale})`;
  return f.type === "unknown" ? "of a type pipegen does not know" : f.type;
}

/** The columns of `row` against `fields`: unknown ones and wrong values are errors. */
function checkColumns(
  ctx: Ctx,
  p: string,
  row: I.TestRow,
  fields: readonly I.Field[],
  where: string,
  extra: Readonly<Record<string, "string">> = {},
): boolean {
  let good = true;
  for (const [col, v] of Object.entries(row)) {
    const at = `${p}/${esc(col)}`;
    const field = fields.find((f) => f.name === col);
    if (!field && extra[col]) {
      if (typeof v !== "string") {
        err(ctx, "PG307", at, `'${col}' takes text, not ${shown(v)}`, `write it in quotes`);
        good = false;
      }
      continue;
    }
    if (!field) {
      const known = [...fields.map((f) => f.name), ...Object.keys(extra)];
      err(
        ctx,
        "PG304",
        at,
        `unknown column '${col}' in ${where}`,
        didYouMean(col, known, "columns"),
        "key",
      );
      good = false;
      continue;
    }
    const parsed = parseValue(field, v);
    if (!parsed.ok) {
      err(
        ctx,
        "PG307",
        at,
        `column '${col}' is ${typeWords(field)}: it takes ${parsed.error}`,
        valueHint(field),
      );
      good = false;
    }
  }
  return good;
}

function valueHint(f: I.Field): string {
  switch (f.type) {
    case "timestamp":
      return 'write ISO-8601 text in quotes, e.g. "2024-01-01T00:00:10Z" (no zone means UTC)';
    case "date":
      return 'write year-month-day in quotes, e.g. "2024-01-01"';
    case "decimal":
      return `write a number or text with at most ${f.scale} digits after the point, e.g. "10.00"`;
    case "bytes":
      return "write the bytes as base64 text";
    case "string":
      return "put the value in quotes to make it text";
    default:
      return `write a value of type ${f.type}`;
  }
}

/** A record of `given`: its columns, or `{raw: text}` (unless the schema has a column 'raw'). */
function givenRecord(
  ctx: Ctx,
  p: string,
  r: I.TestRow,
  stream: I.Stream,
): I.TestRecord | undefined {
  const topic = stream.from.topic;
  const fields = topic.schema?.fields ?? [];
  const where = `the records of topic '${topic.name}' (schema '${topic.schema?.name}')`;
  if ("raw" in r && !fields.some((f) => f.name === "raw")) {
    if (Object.keys(r).length > 1) {
      err(
        ctx,
        "PG305",
        `${p}/raw`,
        "'raw' gives a message's bytes as they are: it cannot be mixed with columns",
        'give either {raw: "..."} alone, or the record\'s columns (encoded as the topic carries them)',
        "key",
      );
      return undefined;
    }
    if (typeof r.raw !== "string") {
      err(
        ctx,
        "PG307",
        `${p}/raw`,
        `'raw' takes text (the message's bytes, UTF-8), not ${shown(r.raw)}`,
        "write it in quotes",
      );
      return undefined;
    }
    return { kind: "raw", text: r.raw };
  }
  if (!checkColumns(ctx, p, r, fields, where)) return undefined;
  if (topic.format === "avro" && !avroFits(ctx, p, r, fields, topic.name)) return undefined;
  return { kind: "record", values: r };
}

/** An Avro record carries every required field, never as null. */
function avroFits(
  ctx: Ctx,
  p: string,
  r: I.TestRow,
  fields: readonly I.Field[],
  topic: string,
): boolean {
  const hint =
    'give it a value; to test bytes the topic should not carry, write the message as {raw: "..."}';
  for (const f of fields.filter((x) => x.required)) {
    if (!(f.name in r)) {
      err(
        ctx,
        "PG204",
        p,
        `the record has no '${f.name}': it is required in the Avro schema of topic '${topic}'`,
        hint,
      );
      return false;
    }
    if (r[f.name] === null) {
      err(
        ctx,
        "PG307",
        `${p}/${esc(f.name)}`,
        `'${f.name}' is required in the Avro schema of topic '${topic}': an Avro record cannot carry null there`,
        hint,
      );
      return false;
    }
  }
  return true;
}

/** The lookup tables of the stream's joins, by `<connection>.<table>`; every join needs one. */
function resolveLookups(
  ctx: Ctx,
  p: string,
  t: TestSpec,
  stream: I.Stream,
): I.StreamTest["lookups"] {
  const joins = stream.steps.flatMap((s, i) =>
    s.kind === "join" ? [{ i, name: `${s.connection.name}.${s.table}`, step: s }] : [],
  );
  const given = t.lookups ?? {};
  const out: Array<{ step: number; rows: readonly I.TestRow[] }> = [];
  for (const [name, rows] of Object.entries(given)) {
    const join = joins.find((j) => j.name === name);
    if (!join) {
      const hint = joins.length
        ? didYouMean(
            name,
            joins.map((j) => j.name),
            "lookup tables",
          )
        : `stream '${stream.name}' has no lookup join`;
      err(ctx, "PG301", `${p}/lookups/${esc(name)}`, `unknown lookup table '${name}'`, hint, "key");
      continue;
    }
    const fields: I.Field[] = [...join.step.on, ...join.step.select].map((c) => ({
      name: c,
      type: "unknown",
      required: false,
    }));
    const where = `the lookup table '${name}' (the join's 'on' and 'select' columns)`;
    rows.forEach((row, k) =>
      checkColumns(ctx, `${p}/lookups/${esc(name)}/${k}`, row, fields, where),
    );
    out.push({ step: join.i, rows });
  }
  for (const j of joins)
    if (!(j.name in given))
      err(
        ctx,
        "PG204",
        p,
        `stream '${stream.name}' joins '${j.name}' in step ${j.i + 1}: the test must give that table's rows`,
        `add 'lookups: {${j.name}: [...]}' with the rows the join should find`,
        "key",
      );
  return out;
}

function expectedSink(
  ctx: Ctx,
  p: string,
  name: string,
  rows: readonly I.TestRow[],
  stream: I.Stream,
): I.StreamTest["expect"]["sinks"] {
  const names = stream.sinks.map(testSinkName);
  const sink = names.indexOf(name);
  if (sink < 0) {
    const hint = didYouMean(name, names, "sinks");
    err(
      ctx,
      "PG301",
      p,
      `unknown sink '${name}' of stream '${stream.name}'`,
      `${hint} (a sink is named <connection>.<table|collection>, or by its Kafka topic)`,
      "key",
    );
    return [];
  }
  const where = `the rows of sink '${name}'`;
  const good = rows.map((row, k) => checkColumns(ctx, `${p}/${k}`, row, stream.output, where));
  return good.every(Boolean) ? [{ name, sink, rows }] : [];
}

function expectedDeadLetters(
  ctx: Ctx,
  p: string,
  rows: readonly I.TestRow[],
  stream: I.Stream,
): readonly I.TestRow[] {
  if (stream.onInvalid.kind === "drop") {
    err(
      ctx,
      "PG305",
      p,
      `stream '${stream.name}' drops invalid records (onInvalid: drop): it writes no dead letters`,
      "remove 'deadLetters', or give the stream 'onInvalid: {deadLetter: <topic>}'",
      "key",
    );
    return rows;
  }
  const fields = stream.from.topic.schema?.fields ?? [];
  const where = "a dead letter (its 'reason', 'raw', or a column of the given record)";
  rows.forEach((row, k) =>
    checkColumns(ctx, `${p}/${k}`, row, fields, where, { reason: "string", raw: "string" }),
  );
  return rows;
}
