/** The catalogue's PG4xx codes: the build and its output folder. */
import type { Entries } from "./types.js";

const spec = (name: string) =>
  `pipegen: 1\npipeline: ${name}\ntopics:\n  orders: {partitions: 3}\n`;

export const outputEntries: Entries<"PG401" | "PG402" | "PG403"> = {
  PG401: {
    means:
      "A file the build would write is outside the output root: a folder inside it is a symbolic link to somewhere else. pipegen writes nothing outside the output root.",
    example: {
      specs: { "shop.yaml": spec("shop") },
      setup: {
        says: "generated/shop is a symbolic link to ../elsewhere, a folder outside generated/",
        files: { "elsewhere/README": "not pipegen's\n" },
        links: { "generated/shop": "../elsewhere" },
      },
    },
    says: {
      at: "shop.yaml",
      message:
        "refusing to write 'shop/README.md': it would be written outside the output root (through a symbolic link)",
    },
    fix: "Replace the link by a real folder (or remove it), or build into another output root with --out.",
  },
  PG402: {
    means:
      "Two specs of one build have the same 'pipeline' name. They would write the same output folder and the same DAG ids.",
    example: { specs: { "orders.yaml": spec("shop"), "returns.yaml": spec("shop") } },
    says: {
      at: "returns.yaml:2:11",
      message: "pipeline 'shop' is also defined by orders.yaml",
      hint: "each spec needs its own pipeline name: they share the output folder",
    },
    fix: "Give each spec its own pipeline name.",
    fixed: { "orders.yaml": spec("shop_orders"), "returns.yaml": spec("shop_returns") },
  },
  PG403: {
    means:
      "The build would write a file that exists and that pipegen did not write (its manifest does not list it). pipegen never overwrites or deletes a file it did not write.",
    example: {
      specs: { "shop.yaml": spec("shop") },
      setup: {
        says: "generated/shop/kafka/topics.json exists, written by hand",
        files: { "generated/shop/kafka/topics.json": "{}\n" },
      },
    },
    says: {
      at: "shop.yaml",
      message:
        "'generated/shop/kafka/topics.json' exists and was not written by pipegen; refusing to overwrite it",
      hint: "move the file away, or choose another --out",
    },
    fix: "Move the file away (keep what you need from it), or build into another output root with --out.",
  },
};
