// End-to-end: the topic apply program of pipegen-runtime
// (python -m pipegen_runtime.kafka_apply topics.json) against a real broker.
//
// 1. A hand-written manifest.
// 2. Every generated/<pipeline>/kafka/topics.json present at test time, as the compiler wrote it.
//
// Needs bash test/e2e/install.sh (Kafka jars, venv-e2e with the runtime of this checkout).
// Run: npx vitest run --project e2e
import { existsSync, readdirSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deleteTopics,
  describeTopics,
  REPO_ROOT,
  startKafka,
  type KafkaBroker,
  type TopicDescription,
} from "./harness/kafka.js";
import { describeRun, type RunResult } from "./harness/python.js";
import { kafkaApply } from "./harness/runtime.js";

interface ManifestTopic {
  name: string;
  /** null: the broker's default (num.partitions, default.replication.factor). */
  partitions: number | null;
  replicationFactor: number | null;
  configs: Record<string, string>;
  [key: string]: unknown;
}
interface Manifest {
  pipeline: string;
  bootstrapServers?: { env: string | null; default: string | null };
  topics: ManifestTopic[];
  [key: string]: unknown;
}

/** num.partitions and default.replication.factor of the test broker (harness/kafka.ts). */
const BROKER_DEFAULT_PARTITIONS = 1;
const BROKER_DEFAULT_REPLICATION = 1;

let kafka: KafkaBroker | undefined;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "pipegen-e2e-kafka-"));
  kafka = await startKafka();
}, 180_000);

afterAll(async () => {
  await kafka?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

function broker(): KafkaBroker {
  if (!kafka) throw new Error("the Kafka broker did not start (see beforeAll)");
  return kafka;
}

/** Apply a manifest to the test broker. */
function apply(manifest: string, ...args: string[]): Promise<RunResult> {
  return kafkaApply(manifest, ["--bootstrap-servers", broker().bootstrap, ...args]);
}

async function applyOk(manifest: string, ...args: string[]): Promise<RunResult> {
  const result = await apply(manifest, ...args);
  expect(result.code, describeRun(`kafka_apply ${manifest} ${args.join(" ")}`, result)).toBe(0);
  return result;
}

async function describeAll(manifest: Manifest): Promise<Record<string, TopicDescription | null>> {
  return describeTopics(
    broker().bootstrap,
    manifest.topics.map((t) => t.name),
  );
}

/** The broker's topics match the manifest: partitions, replication factor, every config. */
async function expectMatches(manifest: Manifest): Promise<void> {
  const actual = await describeAll(manifest);
  for (const topic of manifest.topics) {
    const described = actual[topic.name];
    expect(described, `topic ${topic.name} exists`).toBeTruthy();
    expect(described!.partitions, `partitions of ${topic.name}`).toBe(
      topic.partitions ?? BROKER_DEFAULT_PARTITIONS,
    );
    expect(described!.replicationFactor, `replication factor of ${topic.name}`).toBe(
      topic.replicationFactor ?? BROKER_DEFAULT_REPLICATION,
    );
    for (const [key, value] of Object.entries(topic.configs ?? {})) {
      expect(described!.configs[key]?.value, `config ${key} of ${topic.name}`).toBe(String(value));
    }
    // Nothing the manifest does not name is left overridden on the topic.
    const overrides = Object.entries(described!.configs)
      .filter(([, c]) => c.source === "DYNAMIC_TOPIC_CONFIG")
      .map(([k]) => k)
      .sort();
    expect(overrides, `overrides of ${topic.name}`).toEqual(
      overrides.filter((k) => k in (topic.configs ?? {})),
    );
  }
}

function stdoutLines(result: RunResult): string[] {
  return result.stdout.split("\n").filter((line) => line.trim() !== "");
}

function expectAllUnchanged(result: RunResult, manifest: Manifest): void {
  const lines = stdoutLines(result);
  const n = manifest.topics.length;
  expect(
    lines.filter(
      (l) => !l.startsWith("plan:") && !l.startsWith("applied:") && !l.startsWith("dry run:"),
    ),
  ).toEqual(manifest.topics.map((t) => `unchanged topic ${t.name}`));
  expect(lines).toContain(`plan: 0 to create, 0 to alter, ${n} unchanged`);
}

async function writeManifest(
  dir: string,
  manifest: Manifest,
  name = "topics.json",
): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(manifest, null, 2) + "\n");
  return file;
}

const clone = <T>(value: T): T => structuredClone(value);
const last = (lines: string[]): string | undefined => lines[lines.length - 1];
/** The first candidate that differs from `current`: a value that is sure to be a change. */
const changedValue = (current: string | undefined, ...candidates: string[]): string =>
  candidates.find((c) => c !== current)!;

/**
 * The scenarios every manifest goes through: apply, re-apply, dry run, config change,
 * refused partition decrease. `manifestFile` is never modified: edited copies go to `scratch`.
 */
function applyScenarios(
  label: string,
  setup: () => Promise<{ manifestFile: string; scratch: string }>,
) {
  describe(label, () => {
    let manifestFile: string;
    let manifest: Manifest;
    let scratch: string;

    beforeAll(async () => {
      const s = await setup();
      manifestFile = s.manifestFile;
      scratch = s.scratch;
      manifest = JSON.parse(await readFile(s.manifestFile, "utf8")) as Manifest;
      // Start from a clean broker: no topic of this manifest exists yet.
      await deleteTopics(
        broker().bootstrap,
        manifest.topics.map((t) => t.name),
      );
    });

    afterAll(async () => {
      if (kafka && manifest)
        await deleteTopics(
          kafka.bootstrap,
          manifest.topics.map((t) => t.name),
        );
    });

    it("--dry-run on a fresh broker plans every create and creates nothing", async () => {
      const result = await applyOk(manifestFile, "--dry-run");
      const lines = stdoutLines(result);
      for (const topic of manifest.topics) {
        expect(
          lines.some((l) =>
            l.startsWith(
              `create topic ${topic.name} partitions=${topic.partitions ?? "default"} ` +
                `replication=${topic.replicationFactor ?? "default"}`,
            ),
          ),
        ).toBe(true);
      }
      expect(lines).toContain(`plan: ${manifest.topics.length} to create, 0 to alter, 0 unchanged`);
      expect(last(lines)).toBe("dry run: nothing was changed");
      const described = await describeAll(manifest);
      expect(Object.values(described).every((d) => d === null)).toBe(true);
    });

    it("apply creates every topic as the manifest says", async () => {
      const result = await applyOk(manifestFile);
      expect(last(stdoutLines(result))).toBe(
        `applied: ${manifest.topics.length} created, 0 altered, 0 unchanged`,
      );
      await expectMatches(manifest);
    });

    it("a second apply reports everything unchanged and changes nothing", async () => {
      const before = await describeAll(manifest);
      const result = await applyOk(manifestFile);
      expectAllUnchanged(result, manifest);
      expect(await describeAll(manifest)).toEqual(before);
    });

    it("--dry-run with a changed manifest prints the plan and changes nothing", async () => {
      const changed = clone(manifest);
      const topic = changed.topics[0]!;
      const retention = changedValue(topic.configs?.["retention.ms"], "3600001", "3600002");
      topic.configs = { ...topic.configs, "retention.ms": retention };
      const before = await describeAll(manifest);
      const have = before[topic.name]!.partitions;
      topic.partitions = have + 1;
      const file = await writeManifest(scratch, changed, "dry-run.json");
      const result = await applyOk(file, "--dry-run");
      const lines = stdoutLines(result);
      expect(lines).toContain(`alter topic ${topic.name}: partitions ${have} -> ${have + 1}`);
      expect(
        lines.some(
          (l) =>
            l.startsWith(`alter topic ${topic.name}: set retention.ms `) &&
            l.endsWith(` -> ${retention}`),
        ),
      ).toBe(true);
      expect(lines).toContain(
        `plan: 0 to create, 1 to alter, ${changed.topics.length - 1} unchanged`,
      );
      expect(await describeAll(manifest)).toEqual(before);
    });

    it("a config change, an added config, a dropped override and more partitions are applied", async () => {
      const changed = clone(manifest);
      const topic = changed.topics[0]!;
      const kept = ["cleanup.policy", "retention.ms", "max.message.bytes"];
      const dropped = Object.keys(topic.configs ?? {}).find((k) => !kept.includes(k));
      const maxBytes = changedValue(topic.configs?.["max.message.bytes"], "2097153", "2097154");
      topic.configs = {
        ...topic.configs,
        "retention.ms": changedValue(topic.configs?.["retention.ms"], "3600001", "3600002"),
        "max.message.bytes": maxBytes,
      };
      if (dropped) delete topic.configs[dropped];
      const have = (await describeAll(manifest))[topic.name]!.partitions;
      topic.partitions = have + 2;
      const file = await writeManifest(scratch, changed, "changed.json");
      const result = await applyOk(file);
      const lines = stdoutLines(result);
      expect(lines).toContain(`alter topic ${topic.name}: partitions ${have} -> ${have + 2}`);
      expect(
        lines.some(
          (l) =>
            l.startsWith(`alter topic ${topic.name}: set max.message.bytes `) &&
            l.endsWith(` -> ${maxBytes}`),
        ),
      ).toBe(true);
      if (dropped)
        expect(
          lines.some((l) => l.startsWith(`alter topic ${topic.name}: reset ${dropped} `)),
        ).toBe(true);
      expect(last(lines)).toBe(
        `applied: 0 created, 1 altered, ${changed.topics.length - 1} unchanged`,
      );
      await expectMatches(changed);
      // And once more: nothing left to do.
      expectAllUnchanged(await applyOk(file), changed);
    });

    it("fewer partitions is refused with a clear message and nothing at all changes", async () => {
      const current = await describeAll(manifest);
      const changed = clone(manifest);
      const topic = changed.topics[0]!;
      const have = current[topic.name]!.partitions;
      topic.partitions = have - 1;
      // A change to another topic (or a new topic) that must not be applied either.
      changed.topics.push({
        ...clone(topic),
        name: `${topic.name}.refused-extra`,
        partitions: 1,
        configs: {},
      });
      const file = await writeManifest(scratch, changed, "fewer.json");
      const result = await apply(file);
      expect(result.code, describeRun("apply with fewer partitions", result)).toBe(1);
      expect(result.stderr).toContain(
        `topic ${topic.name} has ${have} partitions but the manifest wants ${have - 1}`,
      );
      expect(result.stderr).toContain("Kafka cannot remove partitions");
      expect(result.stderr).toContain("refused: nothing was changed");
      expect(
        await describeTopics(broker().bootstrap, [
          ...Object.keys(current),
          `${topic.name}.refused-extra`,
        ]),
      ).toEqual({
        ...current,
        [`${topic.name}.refused-extra`]: null,
      });
    });

    it("another replication factor is refused and nothing changes", async () => {
      const current = await describeAll(manifest);
      const changed = clone(manifest);
      const topic = changed.topics[0]!;
      const have = current[topic.name]!.replicationFactor;
      topic.replicationFactor = have + 1;
      const file = await writeManifest(scratch, changed, "replication.json");
      const result = await apply(file);
      expect(result.code, describeRun("apply with another replication factor", result)).toBe(1);
      expect(result.stderr).toContain(
        `topic ${topic.name} has replication factor ${have} but the manifest wants ${have + 1}`,
      );
      expect(result.stderr).toContain("refused: nothing was changed");
      expect(await describeAll(manifest)).toEqual(current);
    });

    it("the original configs apply again (with the grown partition count, which cannot shrink)", async () => {
      const current = await describeAll(manifest);
      const restored = clone(manifest);
      for (const topic of restored.topics) topic.partitions = current[topic.name]!.partitions;
      const file = await writeManifest(scratch, restored, "restored.json");
      await applyOk(file);
      await expectMatches(restored);
      expectAllUnchanged(await applyOk(file), restored);
    });
  });
}

// --- 1. a hand-written manifest --------------------------------------------------------------

const HEADER = "Generated by pipegen from specs/e2e.yaml. Do not edit.";
const HAND_WRITTEN: Manifest = {
  $comment: HEADER,
  pipeline: "e2e",
  bootstrapServers: { env: "PIPEGEN_E2E_BOOTSTRAP", default: null },
  topics: [
    {
      compatibility: "BACKWARD",
      configs: {
        "cleanup.policy": "delete",
        "retention.ms": "604800000",
        "segment.ms": "86400000",
      },
      deadLetter: false,
      name: "e2e.orders.raw",
      partitions: 3,
      replicationFactor: 1,
      schemaFile: "schemas/e2e.orders.raw.avsc",
      subject: "e2e.orders.raw-value",
      valueFormat: "avro",
    },
    {
      compatibility: null,
      configs: { "cleanup.policy": "compact", "min.compaction.lag.ms": "60000" },
      deadLetter: false,
      name: "e2e.customers",
      partitions: 1,
      replicationFactor: 1,
      schemaFile: null,
      subject: null,
      valueFormat: "json",
    },
    {
      compatibility: null,
      configs: {},
      deadLetter: true,
      name: "e2e.orders.dlq",
      partitions: null,
      replicationFactor: null,
      schemaFile: null,
      subject: null,
      valueFormat: "json",
    },
  ],
};

/** The hand-written manifest in dir, with the bootstrap servers' environment variable and default. */
function manifestWith(
  dir: string,
  env: string | null,
  fallback: string | null,
  name: string,
): Promise<string> {
  return writeManifest(
    dir,
    { ...HAND_WRITTEN, bootstrapServers: { env, default: fallback } },
    name,
  );
}

applyScenarios("hand-written manifest", async () => {
  const dir = await mkdtemp(join(work, "hand-"));
  const manifestFile = await writeManifest(dir, HAND_WRITTEN);
  return { manifestFile, scratch: dir };
});

describe("python -m pipegen_runtime.kafka_apply: the command line", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(work, "cli-"));
  });

  it("takes the bootstrap servers from the environment variable the manifest names", async () => {
    const manifest = await manifestWith(dir, "PIPEGEN_E2E_BOOTSTRAP", "127.0.0.1:1", "env.json");
    const result = await kafkaApply(manifest, ["--dry-run"], {
      env: { PIPEGEN_E2E_BOOTSTRAP: broker().bootstrap },
    });
    expect(result.code, describeRun("apply --dry-run", result)).toBe(0);
    expect(result.stdout).toContain("dry run: nothing was changed");
  });

  it("exits 2 with a clear message without bootstrap servers", async () => {
    const manifest = await manifestWith(dir, "PIPEGEN_E2E_BOOTSTRAP", null, "no-default.json");
    const result = await kafkaApply(manifest, ["--dry-run"], {
      env: { PIPEGEN_E2E_BOOTSTRAP: undefined },
    });
    expect(result.code, describeRun("apply without bootstrap", result)).toBe(2);
    expect(result.stderr).toContain(
      "no Kafka bootstrap servers: pass --bootstrap-servers or set $PIPEGEN_E2E_BOOTSTRAP",
    );
  });

  it("passes -X and --command-config properties to the client (a bad one is a usage error)", async () => {
    const manifest = await manifestWith(dir, null, null, "none.json");
    const props = join(dir, "client.properties");
    await writeFile(
      props,
      "# client settings\nsecurity.protocol=PLAINTEXT\n\nsocket.timeout.ms = 20000\n",
    );
    const ok = await apply(
      manifest,
      "--dry-run",
      "--command-config",
      props,
      "-X",
      "client.id=e2e-cli",
    );
    expect(ok.code, describeRun("apply with client properties", ok)).toBe(0);
    const bad = await apply(manifest, "--dry-run", "-X", "no.such.property=1");
    expect(bad.code, describeRun("apply with a bad property", bad)).toBe(2);
    expect(bad.stderr).toContain("no.such.property");
    const malformed = await apply(manifest, "--dry-run", "-X", "novalue");
    expect(malformed.code, describeRun("apply with -X novalue", malformed)).toBe(2);
  });

  it("exits 1 with a clear message when the broker cannot be reached", async () => {
    const manifest = await manifestWith(dir, null, null, "unreachable.json");
    const result = await kafkaApply(manifest, [
      "--bootstrap-servers",
      "127.0.0.1:1",
      "--timeout",
      "3",
    ]);
    expect(result.code, describeRun("apply against a closed port", result)).toBe(1);
    expect(result.stderr).toContain("error: cannot read topics from 127.0.0.1:1");
  });
});

// --- 2. what the compiler generated -----------------------------------------------------------

// PIPEGEN_E2E_GENERATED points elsewhere (e.g. a `pipegen build` into a temp dir).
const GENERATED = resolve(REPO_ROOT, process.env.PIPEGEN_E2E_GENERATED || "generated");
const generatedManifests = existsSync(GENERATED)
  ? readdirSync(GENERATED, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(GENERATED, d.name, "kafka", "topics.json"))
      .filter((file) => existsSync(file))
      .sort()
  : [];

for (const manifestFile of generatedManifests) {
  applyScenarios(`generated ${relative(REPO_ROOT, manifestFile)}`, async () => {
    const scratch = await mkdtemp(join(work, "generated-"));
    // A copy of the untouched manifest too, so a failed run can be reproduced by hand.
    await copyFile(manifestFile, join(scratch, "topics.json"));
    return { manifestFile, scratch };
  });
}
