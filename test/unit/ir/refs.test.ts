// src/ir/refs.ts: the one list of a pipeline's env and secret references, table-driven.
import { describe, expect, it } from "vitest";
import {
  connectionRefs,
  pipelineRefs,
  refNames,
  refsIn,
  refsOf,
  secretNames,
  type RefPlace,
} from "../../../src/ir/refs.js";
import type { Pipeline, ValueRef } from "../../../src/ir/types.js";
import { valueRef } from "../../../src/ir/values.js";

import { cassandra, env, files, lit, postgres, s3, secret } from "../ir-builder.js";

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

describe("connectionRefs: every setting, JDBC options included", () => {
  it.each([
    [
      "postgres: host, password and options, in the order of the IR",
      postgres({ host: env("H"), password: secret("P"), options: { sslpassword: secret("O") } }),
      ["H", "P", "O"],
    ],
    [
      "cassandra: contact points (a list) and credentials",
      cassandra({ contactPoints: [env("C1"), lit("c2")], password: secret("CP") }),
      ["C1", "CP"],
    ],
    [
      "s3: credentials from secrets",
      s3({ accessKey: secret("AK"), secretKey: secret("SK") }),
      ["AK", "SK"],
    ],
    ["files: a template path", files({ path: valueRef("/d/${env:ROOT}/x") }), ["ROOT"]],
  ])("%s", (_name, c, want) => {
    expect(connectionRefs(c).map((r) => r.name)).toEqual(want);
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
      postgres({
        host: env("H"),
        user: lit("u"),
        database: lit("d"),
        port: lit("5432"),
        password: secret("P"),
        options: { o: secret("O") },
      }),
    ],
  } as unknown as Pipeline;

  const cases: ReadonlyArray<[RefPlace[], string[], string[]]> = [
    [["kafka"], ["K", "KS"], ["KS"]],
    [["nifi"], ["N"], ["N"]],
    [["spark"], ["M", "CP"], ["M"]],
    [["connections"], ["H", "P", "O"], ["P", "O"]],
    [
      ["kafka", "connections"],
      ["K", "KS", "H", "P", "O"],
      ["KS", "P", "O"],
    ],
    [
      ["kafka", "nifi", "spark", "connections"],
      ["K", "KS", "N", "M", "CP", "H", "P", "O"],
      ["KS", "N", "M", "P", "O"],
    ],
  ];
  it.each(cases)("%j", (places, refs, secrets) => {
    expect(pipelineRefs(p, places).map((r) => r.name)).toEqual(refs);
    expect([...secretNames(p, places)]).toEqual(secrets);
  });
});
