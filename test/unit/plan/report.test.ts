// How a plan is shown: objects with terraform's actions, the summary, the exit code, annotations.
import { describe, expect, it } from "vitest";
import type { PlanResult } from "../../../src/plan/index.js";
import {
  githubReport,
  objects,
  planExitCode,
  summary,
  summaryLine,
} from "../../../src/plan/report.js";
import type { Change } from "../../../src/plan/types.js";

const change = (over: Partial<Change>): Change => ({
  rule: "KAFKA_CONFIG_CHANGED",
  object: "topic t",
  action: "~",
  message: "m",
  at: "/topics/t",
  class: "safe",
  system: "kafka",
  pipeline: "p",
  file: "specs/p.yaml",
  line: 3,
  col: 5,
  ...over,
});

describe("objects and the summary", () => {
  const changes = [
    change({}),
    change({ rule: "KAFKA_PARTITIONS_DECREASED", class: "breaking" }),
    change({
      rule: "SPARK_STATE_VERSION_RAISED",
      system: "spark",
      object: "query s/sinks",
      action: "-/+",
      class: "care",
    }),
    change({ rule: "KAFKA_TOPIC_ADDED", object: "topic u", action: "+" }),
    change({ rule: "KAFKA_TOPIC_REMOVED", object: "topic v", action: "-", class: "care" }),
  ];
  it("one line per object, with its strongest action", () => {
    expect(objects(changes).map((o) => `${o.action} ${o.object}`)).toEqual([
      "~ topic t",
      "-/+ query s/sinks",
      "+ topic u",
      "- topic v",
    ]);
  });
  it("counts objects by action and changes by class", () => {
    const s = summary(changes);
    expect(s).toMatchObject({
      add: 1,
      change: 1,
      replace: 1,
      remove: 1,
      breaking: 1,
      care: 2,
      safe: 2,
      accepted: 0,
    });
    expect(summaryLine(s)).toBe(
      "Plan: 1 to add, 1 to change, 1 to replace, 1 to remove (1 breaking, 2 to read with care, 2 safe).",
    );
  });
  it("exits 3 for a breaking change, unless it is accepted", () => {
    expect(planExitCode(changes)).toBe(3);
    const accepted = changes.map((c) =>
      c.class === "breaking" ? { ...c, accepted: { by: "--except", reason: null } } : c,
    );
    expect(planExitCode(accepted)).toBe(0);
    expect(summary(accepted)).toMatchObject({ breaking: 0, accepted: 1 });
  });
});

describe("GitHub annotations", () => {
  it("escape what workflow commands would read as syntax", () => {
    const r = {
      changes: [
        change({ class: "breaking", file: "a,b:c.yaml", message: "50% of\nrows", hint: "do it" }),
      ],
    } as PlanResult;
    expect(githubReport(r)).toEqual([
      "::error file=a%2Cb%3Ac.yaml,line=3,col=5,title=KAFKA_CONFIG_CHANGED (breaking)%3A ~ topic t::50%25 of%0Arows%0ADo: do it",
    ]);
  });
});
