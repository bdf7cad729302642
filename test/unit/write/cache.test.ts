import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build } from "../../../src/api/index.js";
import { statKey, statTrusted } from "../../../src/write/cache.js";

const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`;

describe("statTrusted: a file is taken as recorded without reading it only when", () => {
  const key = (size: number, mtimeMs: number, ino = 7) => `${size}:${ns(mtimeMs)}:${ino}`;
  it.each([
    ["same stat, well before the cache", key(10, 1000), key(10, 1000), 2000, true],
    ["another size", key(11, 1000), key(10, 1000), 2000, false],
    ["another mtime", key(10, 1001), key(10, 1000), 2000, false],
    ["another inode (replaced)", key(10, 1000, 8), key(10, 1000), 2000, false],
    ["nothing recorded", key(10, 1000), undefined, 2000, false],
    ["no time for the cache", key(10, 1000), key(10, 1000), undefined, false],
    ["racy: modified within a tick of the cache", key(10, 1990), key(10, 1990), 2000, false],
  ] as const)("%s -> %s", (_, now, then, writtenAt, trusted) => {
    expect(statTrusted(now, then, writtenAt)).toBe(trusted);
  });

  it("statKey is size:mtimeNs:inode, undefined when there is no file", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pipegen-stat-"));
    const f = path.join(dir, "a");
    writeFileSync(f, "abc");
    const st = statSync(f, { bigint: true });
    expect(statKey(f)).toBe(`3:${st.mtimeNs}:${st.ino}`);
    expect(statKey(path.join(dir, "none"))).toBeUndefined();
  });
});

describe("a rebuild with the stats recorded", () => {
  it("rewrites a generated file edited by hand, even one the same size", async () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), "pipegen-stat-out-")), "out");
    process.env.XDG_CACHE_HOME = mkdtempSync(path.join(os.tmpdir(), "pipegen-stat-cache-"));
    try {
      expect(build(["specs/shop_orders.yaml"], { out, reuse: true }).plan?.changes.length).toBe(15);
      await new Promise((r) => setTimeout(r, 50)); // past the racy tick
      expect(build(["specs/shop_orders.yaml"], { out, reuse: true }).plan?.changes).toEqual([]);
      const f = path.join(out, "shop_orders", "kafka", "topics.json");
      const text = readFileSync(f, "utf8");
      writeFileSync(f, text.replace('"partitions": 6', '"partitions": 7'));
      const r = build(["specs/shop_orders.yaml"], { out, reuse: true });
      expect(r.plan?.changes.map((c) => `${c.kind} ${c.rel}`)).toEqual([
        "update shop_orders/kafka/topics.json",
      ]);
      expect(readFileSync(f, "utf8")).toBe(text);
    } finally {
      delete process.env.XDG_CACHE_HOME;
    }
  });
});
