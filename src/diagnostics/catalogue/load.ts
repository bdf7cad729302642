/** The catalogue's PG1xx codes: reading and parsing a spec. */
import type { Entries } from "./types.js";

const head = "pipegen: 1\npipeline: shop\n";
const valid = `${head}topics:\n  orders: {partitions: 3}\n`;

export const loadEntries: Entries<
  "PG100" | "PG101" | "PG102" | "PG103" | "PG104" | "PG105" | "PG106"
> = {
  PG100: {
    means:
      "A spec file was found but cannot be read: a symbolic link whose target is gone, a file without read permission, a folder entry that vanished while the build ran.",
    example: {
      specs: {},
      setup: {
        says: "specs/orders.yaml is a symbolic link to ../old/orders.yaml, which was moved away; the folder specs is built",
        links: { "specs/orders.yaml": "../old/orders.yaml" },
      },
      inputs: ["specs"],
    },
    says: {
      at: "specs/orders.yaml",
      message: "cannot read the spec: ENOENT: no such file or directory, stat 'specs/orders.yaml'",
    },
    fix: "Make the file readable (fix or remove the link, set its permissions), or build only the specs you mean.",
  },
  PG101: {
    means:
      "The file is not valid YAML: an unclosed bracket or quote, a tab for indentation, a key indented wrongly. pipegen names the usual cause of each slip.",
    example: { specs: { "shop.yaml": `${head}topics:\n  orders: {partitions: 3\n` } },
    says: {
      at: "shop.yaml:4:11",
      message: "this '{' is never closed",
      hint: "end the mapping with '}' on the same line (or indent its continuation lines deeper than its key)",
    },
    fix: "Correct the YAML at the place shown: close the bracket or quote, indent with spaces.",
    fixed: { "shop.yaml": valid },
  },
  PG102: {
    means:
      "A mapping has the same key twice. YAML parsers disagree on which one wins, so pipegen refuses both.",
    example: {
      specs: {
        "shop.yaml": `${head}topics:\n  orders: {partitions: 3}\n  orders: {partitions: 6}\n`,
      },
    },
    says: {
      at: "shop.yaml:5:3",
      message: "duplicate key 'orders': YAML keys must be unique in a mapping",
      hint: "remove one of the two entries or rename it; pipegen never guesses which one you meant",
    },
    fix: "Keep one of the two entries, or give one another name.",
    fixed: { "shop.yaml": valid },
  },
  PG103: {
    means:
      "The spec file is larger than 1 MiB (1,048,576 bytes). pipegen does not read it: no pipeline needs a spec that size, and a file that size is usually the wrong file.",
    example: {
      specs: { "shop.yaml": `${head}${"# a comment that repeats\n".repeat(44_000)}` },
      shown: `${head}# a comment that repeats\n# ... 44,000 lines of it, 1,100,026 bytes in all`,
    },
    says: {
      at: "shop.yaml",
      message: "the spec is 1100026 bytes; the limit is 1048576",
      hint: "split the pipeline into several specs, or check that this is the file you meant",
    },
    fix: "Split the pipeline into several specs (one pipeline each), or build the file you meant.",
    fixed: { "shop.yaml": valid },
  },
  PG104: {
    means:
      "The spec nests deeper than 48 levels. Such a document is refused before it is parsed, so that a crafted file cannot exhaust the parser.",
    example: {
      specs: { "shop.yaml": `${head}description: ${"[".repeat(49)}${"]".repeat(49)}\n` },
    },
    says: {
      at: "shop.yaml:1:1",
      message: "the spec nests deeper than 48 levels",
      hint: "a pipeline spec never needs this much nesting; flatten it",
    },
    fix: "Flatten the document: a spec's deepest keys are a few levels down.",
    fixed: { "shop.yaml": `${head}description: Orders from the shop.\n` },
  },
  PG105: {
    means:
      "The spec's YAML aliases (*name) expand to more than 100 copies: the shape of an alias bomb, a small file that expands to a huge document. pipegen stops before expanding it.",
    example: {
      specs: {
        "shop.yaml": `${head}description: &a [ha, ha, ha, ha, ha, ha, ha, ha, ha, ha]
owner: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
orchestration: {tags: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]}
`,
      },
    },
    says: {
      at: "shop.yaml:1:1",
      message: "the spec expands YAML aliases more than 100 times",
      hint: "write the values out instead of nesting aliases",
    },
    fix: "Write the values out; use an alias for a value that repeats a few times at most.",
    fixed: { "shop.yaml": `${head}orchestration: {tags: [shop, orders]}\n` },
  },
  PG106: {
    means:
      "The file holds no spec: it is empty, or its top level is a list or a single value instead of a mapping of keys.",
    example: { specs: { "shop.yaml": "- pipegen: 1\n- pipeline: shop\n" } },
    says: {
      at: "shop.yaml:1:1",
      message: "the spec must be a YAML mapping with at least 'pipegen: 1' and 'pipeline: <name>'",
    },
    fix: "Write the spec as a mapping: 'pipegen: 1' and 'pipeline: <name>' at the top level, without '- '.",
    fixed: { "shop.yaml": head },
  },
};
