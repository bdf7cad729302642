// src/ir/refs.ts: the one list of a pipeline's env and secret references, table-driven.
import { describe, expect, it } from "vitest";
import {
  connectionRefs,
  pipelineRefs,
  refNames,
  refsIn,
  refsInText,
  refsOf,
  secretNames,
  type RefPlace,
} from "../../../src/ir/refs.js";
import type { Connection, Pipeline, ValueRef } from "../../../src/ir/types.js";
import { valueRef } from "../../../src/ir/values.js";

const env = (name: string): ValueRef => ({ kind: "env", name });
const secret = (name: string): ValueRef => ({ kind: "secret", name });

describe("refsOf / refNames", () => {
  const cases: ReadonlyArray<[string, Array<ValueRef | null | undefined>, string[]]> = [
    ["a literal has none", [{ kind: "literal", value: "${env:X}" }], []],
    ["env and secret", [env("A"), secret("B")], ["A", "B"]],
    ["a template's parts, in order", [valueRef("x${secret:S}y${env:E}z")], ["S", "E"]],
    ["null and undefined are skipped", [null, env("A"), undefined], ["A"]],
    ["duplicates are kept", [env("A"), env("A")], ["A", "A"]],
  ];
  it.each(cases)("%s", (_name, given, want) => {
    expect(refNames(...given)).toEqual(want);
    expect(refsOf(...given).map((r) => r.name)).toEqual(want);
  });
});

describe("refsInText: what src/ir/values.ts would parse", () => {
  const texts = [
    "plain",
    "${env:A}",
    "${secret:B}",
    "pre ${env:A} mid ${secret:B} post",
    "${env:lower} ${secret:} $${env:C} #{p} ${other:D}",
    "${env:A}${env:A}",
  ];
  it.each(texts)("%j", (text) => {
    expect(refsInText(text)).toEqual(refsOf(valueRef(text)));
  });
});

describe("refsIn: references nested in lists and records", () => {
  it("finds every reference once per place it is written", () => {
    const shared = env("SHARED");
    expect(
      refsIn({
        a: [env("A"), { b: valueRef("x${secret:B}") }],
        c: shared,
        d: shared, // the same object: visited once
        e: { kind: "literal", value: "${env:NOT}" },
        f: 3,
      }).map((r) => `${r.kind}:${r.name}`),
    ).toEqual(["env:A", "secret:B", "env:SHARED"]);
  });
});

const connection = (settings: Connection["settings"]): Connection => ({
  name: "c",
  type: "postgres",
  settings,
});

describe("connectionRefs: settings but JDBC options", () => {
  it("reads references, lists of them, and skips the options (kept as written)", () => {
    const c = connection({
      host: env("H"),
      port: 5432,
      contactPoints: [env("C1"), { kind: "literal", value: "c2" }],
      password: secret("P"),
      options: { ssl: true, sslpassword: "${secret:O}" },
    });
    expect(connectionRefs(c).map((r) => r.name)).toEqual(["H", "C1", "P"]);
  });
});

describe("pipelineRefs / secretNames by place", () => {
  const p = {
    platform: {
      kafka: { bootstrapServers: env("K"), saslPassword: secret("KS"), schemaRegistry: null },
      nifi: { url: secret("N") },
      spark: { master: secret("M"), checkpointRoot: valueRef("/cp/${env:CP}"), conf: {} },
      airflow: {},
    },
    connections: [
      connection({ host: env("H"), password: secret("P"), options: { o: "${secret:O}" } }),
    ],
  } as unknown as Pipeline;

  const cases: ReadonlyArray<[RefPlace[], string[], string[]]> = [
    [["kafka"], ["K", "KS"], ["KS"]],
    [["nifi"], ["N"], ["N"]],
    [["spark"], ["M", "CP"], ["M"]],
    [["connections"], ["H", "P"], ["P"]],
    [["jdbcOptions"], ["O"], ["O"]],
    [
      ["kafka", "connections", "jdbcOptions"],
      ["K", "KS", "H", "P", "O"],
      ["KS", "P", "O"],
    ],
    [
      ["kafka", "nifi", "spark", "connections"],
      ["K", "KS", "N", "M", "CP", "H", "P"],
      ["KS", "N", "M", "P"],
    ],
  ];
  it.each(cases)("%j", (places, refs, secrets) => {
    expect(pipelineRefs(p, places).map((r) => r.name)).toEqual(refs);
    expect([...secretNames(p, places)]).toEqual(secrets);
  });
});
