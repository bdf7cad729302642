// The lineage pictures in a real headless Chromium: the HTML page of `pipegen graph --format html`
// renders every node and edge without console errors and follows a column from source to sink,
// and the Mermaid source of every generated README renders with Mermaid itself. Screenshots go
// to test-artifacts/ (kept by CI as test artifacts).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compilePaths } from "../../src/api/index.js";
import { buildGraph, toHtml, type PipelineGraph } from "../../src/graph/index.js";
import { launchChromium, watchedPage } from "./harness/chromium.js";
import { REPO_ROOT } from "./harness/paths.js";

const ARTIFACTS = join(REPO_ROOT, "test-artifacts");
let browser: Browser;
let graphs: PipelineGraph[];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const compiled = compilePaths([join(REPO_ROOT, "specs")]);
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  graphs = compiled.pipelines.map(buildGraph);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const key = (node: string, column: string) => `${node} ${column}`;

describe("pipegen graph --format html in Chromium", () => {
  it("draws every node and edge of the examples, follows a column, and logs no error", async () => {
    const file = join(ARTIFACTS, "lineage.html");
    writeFileSync(file, toHtml(graphs));
    const { page, errors } = await watchedPage(browser);
    await page.setViewport({ width: 1600, height: 1200 });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("body[data-ready=true]");

    const nodes = await page.$$eval(".node[data-node]", (es) =>
      es.map((e) => e.getAttribute("data-node")),
    );
    expect(nodes.sort()).toEqual(graphs.flatMap((g) => g.nodes.map((n) => n.id)).sort());
    const paths = await page.$$eval("svg.edges path", (es) => es.length);
    expect(paths).toBe(graphs.reduce((n, g) => n + g.edges.length, 0));

    // Follow revenue in the PostgreSQL sink of shop_orders back to the source table's amount.
    const sink = "shop_orders.sink.analytics.orders_per_minute";
    await page.click(`button.column[data-node="${sink}"][data-column="revenue"]`);
    const on = await page.$$eval("button.column.on", (es) =>
      es.map((e) => `${e.getAttribute("data-node")} ${e.getAttribute("data-column")}`),
    );
    expect(on).toEqual(
      expect.arrayContaining([
        key("shop_orders.source.shop_db.public.orders", "amount"),
        key("shop_orders.ingest.shop_orders", "amount"),
        key("shop_orders.topic.orders.raw", "amount"),
        key("shop_orders.stream.orders_per_minute", "revenue"),
        key(sink, "revenue"),
      ]),
    );
    // A sibling branch (the same column sent to Kafka) is not upstream or downstream of it.
    expect(on).not.toContain(key("shop_orders.topic.orders.per_minute", "revenue"));
    expect(on).not.toContain(key("shop_orders.source.shop_db.public.orders", "currency"));
    expect(on).not.toContain(key(sink, "orders"));
    // From the source column, both branches downstream light up.
    const source = "shop_orders.source.shop_db.public.orders";
    await page.click(`button.column[data-node="${source}"][data-column="amount"]`);
    const down = await page.$$eval("button.column.on", (es) =>
      es.map((e) => `${e.getAttribute("data-node")} ${e.getAttribute("data-column")}`),
    );
    expect(down).toEqual(
      expect.arrayContaining([
        key(sink, "revenue"),
        key(sink, "largest"),
        key("shop_orders.topic.orders.per_minute", "revenue"),
        key("shop_orders.archive.orders_daily", "amount"),
      ]),
    );
    expect(down).not.toContain(key(sink, "orders"));
    await page.screenshot({ path: join(ARTIFACTS, "lineage.png"), fullPage: true });
    await page.keyboard.press("Escape");
    expect(await page.$$eval("button.column.on", (es) => es.length)).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe("the generated READMEs' Mermaid flowcharts", () => {
  it("render with Mermaid 11 in Chromium, one box per node", async () => {
    const mermaid = join(REPO_ROOT, "node_modules/mermaid/dist/mermaid.min.js");
    const page_ = join(ARTIFACTS, "mermaid.html");
    writeFileSync(
      page_,
      `<!doctype html><html><body><div id="out"></div><script src="${pathToFileURL(mermaid).href}"></script></body></html>`,
    );
    const { page, errors } = await watchedPage(browser);
    await page.goto(pathToFileURL(page_).href);
    await page.waitForFunction("typeof window.mermaid !== 'undefined'");
    await page.evaluate("mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' })");
    for (const g of graphs) {
      const readme = readFileSync(join(REPO_ROOT, "generated", g.pipeline, "README.md"), "utf8");
      const source = readme.match(/```mermaid\n([\s\S]*?)```/)?.[1];
      expect(source, `${g.pipeline}/README.md has a mermaid block`).toBeTruthy();
      const boxes = await page.evaluate(
        async (id: string, text: string) => {
          const { svg } = await (
            window as unknown as {
              mermaid: { render(id: string, t: string): Promise<{ svg: string }> };
            }
          ).mermaid.render(id, text);
          const out = document.getElementById("out")!;
          out.innerHTML = svg;
          return out.querySelectorAll("g.node").length;
        },
        `m_${g.pipeline}`,
        source!,
      );
      expect(boxes, g.pipeline).toBe(g.nodes.length);
      await page.screenshot({ path: join(ARTIFACTS, `readme-${g.pipeline}.png`), fullPage: true });
    }
    expect(errors).toEqual([]);
  });
});
