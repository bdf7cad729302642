import { describe, expect, it } from "vitest";
import { htmlText, scriptJson, toHtml } from "../../../src/graph/html.js";
import { mermaidText, plainLine, toMermaid } from "../../../src/graph/mermaid.js";
import type { PipelineGraph } from "../../../src/graph/model.js";

describe("mermaidText", () => {
  it.each([
    ['a "b" <c> #d & e', "a #quot;b#quot; #lt;c#gt; #35;d #38; e"],
    ["line\nbreak", "line break"],
    ["plain_name.x", "plain_name.x"],
  ])("%j", (given, want) => expect(mermaidText(given)).toBe(want));
});

describe("scriptJson and htmlText", () => {
  it("cannot close the script element or open a comment", () => {
    expect(scriptJson({ a: "</script><!-- & \u2028" })).toBe(
      '{"a":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}',
    );
  });
  it("escapes markup", () => {
    expect(htmlText(`<a href="x">&</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
  });
});

const hostile: PipelineGraph = {
  pipeline: "p",
  description: 'evil </script><script>alert(1)</script> "desc"',
  specFile: "specs/p.yaml",
  nodes: [
    {
      id: "p.source.a",
      kind: "source",
      engine: "PostgreSQL",
      label: 'a"]-->x',
      details: [],
      columns: [],
    },
    {
      id: "p.stream.s",
      kind: "stream",
      engine: "Spark",
      label: "s",
      details: ["filter x <> 'y'"],
      columns: [],
    },
  ],
  edges: [{ from: "p.source.a", to: "p.stream.s", kind: "data" }],
};

describe("renderers", () => {
  it("Mermaid: quoted labels, one line per node and edge", () => {
    expect(toMermaid([hostile])).toBe(
      [
        "flowchart LR",
        '  n0[("<b>a#quot;]--#gt;x</b><br/>PostgreSQL")]:::source',
        "  n1[\"<b>s</b><br/>Spark<br/>filter x #lt;#gt; 'y'\"]:::stream",
        "  n0 --> n1",
        "  classDef source fill:#e8f1fb,stroke:#2f6fb3",
        "  classDef lookup fill:#eef3f8,stroke:#7a8ea5",
        "  classDef ingest fill:#fdf1e3,stroke:#c77a12",
        "  classDef topic fill:#f2ecfa,stroke:#6b4aa8",
        "  classDef stream fill:#e7f6ec,stroke:#2d8a4e",
        "  classDef sink fill:#e8f1fb,stroke:#2f6fb3",
        "  classDef archive fill:#f4f4f4,stroke:#666",
        "",
      ].join("\n"),
    );
  });
  it("HTML: the data cannot break out of its script element", () => {
    const html = toHtml([hostile]);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)");
    expect(html).not.toMatch(/\{\{[A-Z]+\}\}/);
  });
});

describe("plainLine", () => {
  it("keeps one line of well-formed text", () => {
    expect(plainLine("a\r\nb\u0000c\u2028d\u0085e \ud800 😀")).toBe("a b c d e \ufffd 😀");
  });
});
