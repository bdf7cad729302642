// The NiFi target: one flow definition per pipeline with ingests. The files parse and have the
// shape of a NiFi flow definition; ids are UUIDv5, unique and stable; every relationship of
// every processor is connected, retried or (only where no data can be lost) auto-terminated;
// failures end on the dead-letter publisher or the failure port; no secret value is written and
// secrets are sensitive parameters referenced from sensitive properties only; component types,
// bundles, property names, allowed values and EL support agree with docs/nifi-components.md
// (NiFi 2.8.0's extension manifests); hostile spec values come out exactly. That NiFi itself
// reads the values back exactly is proven by test/e2e/nifi-ingest.e2e.test.ts.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { compilePaths } from "../../../src/api/index.js";
import { components, type ComponentSpec } from "../../../src/emit/nifi/components.js";
import {
  elAttributeIn,
  literal,
  literalParameterValue,
  propertyValue,
} from "../../../src/emit/nifi/escape.js";
import { nifiDuration } from "../../../src/emit/nifi/flow.js";
import { componentIds, uuidV5 } from "../../../src/emit/nifi/ids.js";
import { enumRegex } from "../../../src/emit/nifi/validate.js";
import { inEngineCache } from "../engine-cache.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Compiles spec files (paths) or spec objects; returns path -> content of every file. */
function compileSpecs(specs: Array<string | object>): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), "pipegen-nifi-"));
  dirs.push(dir);
  const files = specs.map((s, i) => {
    if (typeof s === "string") return s;
    const f = path.join(dir, `spec${i}.yaml`);
    writeFileSync(f, stringify(s));
    return f;
  });
  const r = compilePaths(files, { out: path.join(dir, "generated") });
  expect(r.diagnostics).toEqual([]);
  return Object.fromEntries(r.outputs.flatMap((o) => o.files.map((f) => [f.path, f.content])));
}

const EXAMPLES = ["shop_orders", "iot_sensors", "user_activity"];
const examples = compileSpecs(EXAMPLES.map((p) => `specs/${p}.yaml`));
const flows: Record<string, Json> = Object.fromEntries(
  EXAMPLES.map((p) => [p, JSON.parse(examples[`${p}/nifi/${p}.flow.json`]!) as Json]),
);

/** Every process group of a flow (root first), with its ancestors' ids. */
function groups(flow: Json): Array<{ group: Json; scope: string[] }> {
  const out: Array<{ group: Json; scope: string[] }> = [];
  const walk = (g: Json, scope: string[]) => {
    out.push({ group: g, scope: [...scope, g.identifier] });
    for (const c of g.processGroups) walk(c, [...scope, g.identifier]);
  };
  walk(flow.flowContents, []);
  return out;
}

/** Every versioned component (anything with an identifier and a componentType). */
function allComponents(flow: Json): Json[] {
  const out: Json[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      const o = v as Json;
      if (typeof o.identifier === "string" && typeof o.componentType === "string") out.push(o);
      Object.values(o).forEach(walk);
    }
  };
  walk(flow);
  return out;
}

const processors = (flow: Json): Json[] => groups(flow).flatMap((g) => g.group.processors);
const services = (flow: Json): Json[] => groups(flow).flatMap((g) => g.group.controllerServices);
const simpleName = (type: string) => type.split(".").pop()!;
const specOf = (type: string): ComponentSpec =>
  Object.values(components as Record<string, ComponentSpec>).find((c) => c.type === type)!;

// ---------------------------------------------------------------------------------------------
// docs/nifi-components.md, the component reference generated from NiFi 2.8.0's manifests.

interface DocProperty {
  el: boolean;
  sensitive: boolean;
  allowed: string[] | null;
}
interface DocComponent {
  type: string;
  artifact: string;
  version: string;
  api: string | null;
  properties: Map<string, DocProperty>;
  dynamic: boolean;
  relationships: string[];
}

function parseDoc(text: string): Map<string, DocComponent> {
  const out = new Map<string, DocComponent>();
  const sections = text.split(/^### /m).slice(1);
  for (const section of sections) {
    const lines = section.split("\n");
    const name = lines[0]!.trim();
    const typeLine = lines.find((l) => l.startsWith("- type: "));
    const bundleLine = lines.find((l) => l.startsWith("- bundle: "));
    if (!typeLine || !bundleLine) continue;
    const bundle = JSON.parse(/`(\{.*\})`/.exec(bundleLine)![1]!) as {
      artifact: string;
      version: string;
    };
    const properties = new Map<string, DocProperty>();
    let inProps = false;
    let dynamic = false;
    let relationships: string[] = [];
    for (const line of lines) {
      if (line.startsWith("Properties (")) inProps = true;
      else if (line.startsWith("Dynamic properties:")) dynamic = true;
      else if (line.startsWith("Relationships:")) {
        relationships = [...line.matchAll(/(?:: |; )`([^`]+)` \(/g)].map((m) => m[1]!);
      } else if (inProps && line.startsWith("- `")) {
        const m = /^- `([^`]+)`(?: \([^)]*\))?(?::\s*(.*))?$/.exec(line)!;
        const rest = m[2] ?? "";
        const oneOf = /one of ((?:`[^`]*`(?: \([^)]*\))?(?:, )?)+)/.exec(rest);
        properties.set(m[1]!, {
          el: /EL: [A-Z_]+/.test(rest),
          sensitive: rest.includes("**sensitive**"),
          allowed: oneOf ? [...oneOf[1]!.matchAll(/`([^`]*)`/g)].map((x) => x[1]!) : null,
        });
      }
    }
    const api = lines.find((l) => l.startsWith("- provides: "));
    out.set(name, {
      type: /`([^`]+)`/.exec(typeLine)![1]!,
      artifact: bundle.artifact,
      version: bundle.version,
      api: api ? /`([^`]+)`/.exec(api)![1]! : null,
      properties,
      dynamic,
      relationships,
    });
  }
  return out;
}

const doc = parseDoc(readFileSync("docs/nifi-components.md", "utf8"));

/**
 * PartitionRecord is not in the docs' table (yet): its facts come from the NiFi 2.8.0
 * extension manifest when the e2e install put it in the cache, else from this note of it
 * (test/e2e/engines/nifi/manifest_doc.py ... PartitionRecord).
 */
function partitionRecordFacts(): DocComponent {
  const manifest = inEngineCache("nifi-2.8.0", "manifests", "nifi-standard-nar.xml");
  const fromNote: DocComponent = {
    type: "org.apache.nifi.processors.standard.PartitionRecord",
    artifact: "nifi-standard-nar",
    version: "2.8.0",
    api: null,
    properties: new Map([
      ["Record Reader", { el: false, sensitive: false, allowed: null }],
      ["Record Writer", { el: false, sensitive: false, allowed: null }],
    ]),
    dynamic: true,
    relationships: ["failure", "original", "success"],
  };
  if (!existsSync(manifest)) return fromNote;
  const xml = readFileSync(manifest, "utf8");
  const start = xml.indexOf("<name>org.apache.nifi.processors.standard.PartitionRecord</name>");
  expect(start).toBeGreaterThan(0);
  const ext = xml.slice(start, xml.indexOf("</extension>", start));
  const props = new Map<string, DocProperty>();
  const propsXml = ext.slice(ext.indexOf("<properties>"), ext.indexOf("</properties>"));
  for (const m of propsXml.matchAll(/<property><name>([^<]+)<\/name>[\s\S]*?<\/property>/g)) {
    props.set(m[1]!, {
      el: /<expressionLanguageScope>(?!NONE)/.test(m[0]),
      sensitive: /<sensitive>true</.test(m[0]),
      allowed: null,
    });
  }
  const rels = [...ext.matchAll(/<relationship><name>([^<]+)<\/name>/g)].map((m) => m[1]!).sort();
  const facts = { ...fromNote, properties: props, relationships: rels };
  expect([...props.keys()].sort()).toEqual([...fromNote.properties.keys()].sort());
  expect(rels).toEqual(fromNote.relationships);
  return facts;
}

function docFor(type: string): DocComponent {
  const name = simpleName(type);
  if (name === "PartitionRecord") return partitionRecordFacts();
  const d = doc.get(name);
  expect(d, `${name} is in docs/nifi-components.md`).toBeDefined();
  return d!;
}

// ---------------------------------------------------------------------------------------------

describe("which files the NiFi target writes", () => {
  it("one flow definition per pipeline with ingests, under <pipeline>/nifi/", () => {
    for (const p of EXAMPLES) {
      expect(Object.keys(examples).filter((f) => f.includes("/nifi/"))).toContain(
        `${p}/nifi/${p}.flow.json`,
      );
    }
    expect(Object.keys(examples).filter((f) => f.includes("/nifi/"))).toHaveLength(3);
  });

  it("none for a pipeline without ingests", () => {
    const files = compileSpecs(["test/fixtures/valid/topics-only.yaml"]);
    expect(Object.keys(files).filter((f) => f.includes("/nifi/"))).toEqual([]);
  });

  it("is byte-identical when built again, LF only, sorted keys, header first", () => {
    const again = compileSpecs(EXAMPLES.map((p) => `specs/${p}.yaml`));
    for (const p of EXAMPLES) {
      const file = `${p}/nifi/${p}.flow.json`;
      expect(again[file]).toBe(examples[file]);
      expect(examples[file]).not.toContain("\r");
      expect(examples[file]!.startsWith('{\n  "$comment": "Generated by pipegen from specs/')).toBe(
        true,
      );
    }
  });
});

describe.each(EXAMPLES)("the flow definition of %s", (pipeline) => {
  const flow = flows[pipeline]!;

  it("has the shape of a flow definition: a root group, one child group per ingest, its parameter context", () => {
    expect(flow.flowEncodingVersion).toBe("1.0");
    expect(flow.externalControllerServices).toEqual({});
    expect(flow.parameterProviders).toEqual({});
    expect(Object.keys(flow.parameterContexts)).toEqual([pipeline]);
    const root = flow.flowContents;
    expect(root.componentType).toBe("PROCESS_GROUP");
    expect(root.name).toBe(pipeline);
    const spec = parse(readFileSync(`specs/${pipeline}.yaml`, "utf8")) as { ingest: object };
    expect(root.processGroups.map((g: Json) => g.name).sort()).toEqual(
      Object.keys(spec.ingest).sort(),
    );
    expect(root.processors).toEqual([]); // everything of an ingest is in its group
    for (const { group } of groups(flow)) {
      expect(group.parameterContextName).toBe(pipeline);
      // RunStatelessFlow refuses groups with executionEngine STATELESS (NullPointerException).
      expect(group.executionEngine).toBe("INHERITED");
      expect(group.inputPorts).toEqual([]);
    }
    for (const g of root.processGroups as Json[]) {
      expect(g.groupIdentifier).toBe(root.identifier);
      const sources = g.processors.filter((p: Json) =>
        /QueryDatabaseTableRecord|\.GetMongo$/.test(p.type),
      );
      expect(sources).toHaveLength(1);
      expect(sources[0].executionNode).toBe("PRIMARY");
      expect(sources[0].schedulingStrategy).toBe("TIMER_DRIVEN");
    }
  });

  it("ids are name-based UUIDs (v5), unique, and derived from pipeline + component path", () => {
    const comps = allComponents(flow);
    const v5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const ids = comps.flatMap((c) => [c.identifier, c.instanceIdentifier].filter(Boolean));
    for (const id of ids) expect(id).toMatch(v5);
    expect(new Set(ids).size).toBe(ids.length);
    expect(flow.flowContents.identifier).toBe(componentIds(pipeline, "flow").identifier);
    expect(flow.parameterContexts[pipeline].identifier).toBe(
      componentIds(pipeline, "parameter-context").identifier,
    );
    // The same spec under another pipeline name: every id changes.
    const text = readFileSync(`specs/${pipeline}.yaml`, "utf8").replace(
      `pipeline: ${pipeline}`,
      `pipeline: ${pipeline}_copy`,
    );
    const other = compileSpecs([parse(text) as object]);
    const copy = JSON.parse(other[`${pipeline}_copy/nifi/${pipeline}_copy.flow.json`]!) as Json;
    const copyIds = new Set(allComponents(copy).map((c) => c.identifier));
    for (const c of comps) expect(copyIds.has(c.identifier)).toBe(false);
  });

  it("every relationship is connected or auto-terminated; failures are retried, then dead-lettered", () => {
    const spec = parse(readFileSync(`specs/${pipeline}.yaml`, "utf8")) as {
      ingest: Record<string, { onError?: { retries?: number; backoff?: string } }>;
    };
    for (const { group } of groups(flow).slice(1)) {
      const onError = spec.ingest[group.name]!.onError ?? {};
      const byId = new Map<string, Json>(
        [...group.processors, ...group.outputPorts].map((c: Json) => [c.identifier, c]),
      );
      for (const c of group.connections as Json[]) {
        expect(byId.has(c.source.id), "connection source in the group").toBe(true);
        expect(byId.has(c.destination.id), "connection destination in the group").toBe(true);
        expect(c.source.groupId).toBe(group.identifier);
        expect(c.destination.groupId).toBe(group.identifier);
        expect(c.selectedRelationships.length).toBeGreaterThan(0);
      }
      const dlqPublisher = group.processors.find((p: Json) =>
        String(p.name).startsWith("publish dead letters"),
      );
      expect(dlqPublisher, "the spec has a dead-letter topic").toBeDefined();
      // One JSON record per FlowFile, each published as it is (no record reader).
      expect(dlqPublisher.properties["Record Reader"]).toBeUndefined();
      const dlqSplitter = group.processors.find(
        (p: Json) => p.name === "dead letters as JSON records",
      );
      if (dlqSplitter) {
        expect(dlqSplitter.properties["Records Per Split"]).toBe("1");
        const splits = (group.connections as Json[]).find(
          (c) => c.source.id === dlqSplitter.identifier && c.selectedRelationships[0] === "splits",
        )!;
        expect(splits.destination.id).toBe(dlqPublisher.identifier);
      }
      const failurePort = group.outputPorts.find((p: Json) => p.name === "failure");
      expect(failurePort.portFunction).toBe("FAILURE");
      // Disabled: valid in full NiFi without an outgoing connection; FlowFiles wait before it.
      expect(failurePort.scheduledState).toBe("DISABLED");
      expect(group.outputPorts).toHaveLength(1);
      for (const p of group.processors as Json[]) {
        const facts = docFor(p.type);
        const dynamicRels =
          simpleName(p.type) === "RouteOnAttribute"
            ? Object.keys(p.properties).filter((k) => k !== "Routing Strategy")
            : [];
        const outgoing = (group.connections as Json[]).filter((c) => c.source.id === p.identifier);
        const connected = new Set(outgoing.flatMap((c) => c.selectedRelationships as string[]));
        for (const rel of [...facts.relationships, ...dynamicRels]) {
          expect(
            connected.has(rel) || p.autoTerminatedRelationships.includes(rel),
            `${p.name}: ${rel}`,
          ).toBe(true);
        }
        // Auto-terminated only where the FlowFile's data went on elsewhere.
        const allowed: Record<string, string[]> = {
          PublishKafka: ["success"],
          PartitionRecord: ["original"],
          SplitRecord: ["original"],
          GetMongo: ["original"],
        };
        for (const rel of p.autoTerminatedRelationships as string[]) {
          expect(allowed[simpleName(p.type)] ?? [], `${p.name} auto-terminates ${rel}`).toContain(
            rel,
          );
          expect(connected.has(rel)).toBe(false);
        }
        if (facts.relationships.includes("failure")) {
          expect(connected.has("failure"), `${p.name}: failure connected`).toBe(true);
          if (p.type.endsWith(".GetMongo")) continue; // failure only carries an incoming FlowFile
          expect(p.retriedRelationships).toEqual(["failure"]);
          expect(p.retryCount).toBe(onError.retries ?? 3);
          expect(p.backoffMechanism).toBe("PENALIZE_FLOWFILE");
          const backoff = nifiDuration(durationMs(onError.backoff ?? "30s"));
          expect(p.penaltyDuration).toBe(backoff);
          expect(p.maxBackoffPeriod).toBe(backoff);
          // After the retries: tagged and dead-lettered (Avro content split into JSON records
          // first); the dead-letter publisher and splitter -> failure port.
          const dest = byId.get(
            outgoing.find((c) => c.selectedRelationships.includes("failure"))!.destination.id,
          )!;
          if (p === dlqPublisher || p === dlqSplitter) expect(dest).toBe(failurePort);
          else {
            expect(simpleName(dest.type)).toBe("UpdateAttribute");
            expect(dest.properties["pipegen.reason"]).toBe("failure");
            const next = (group.connections as Json[]).find(
              (c) => c.source.id === dest.identifier,
            )!;
            expect([dlqPublisher.identifier, dlqSplitter?.identifier]).toContain(
              next.destination.id,
            );
          }
        }
        if (p.type.endsWith("ValidateRecord")) {
          const invalid = outgoing.find((c) => c.selectedRelationships.includes("invalid"))!;
          const tag = byId.get(invalid.destination.id)!;
          expect(tag.properties["pipegen.reason"]).toBe("invalid");
        }
      }
    }
  });

  it("every referenced controller service exists in the group or an ancestor", () => {
    const all = new Map(services(flow).map((s) => [s.identifier, s]));
    for (const { group, scope } of groups(flow)) {
      for (const c of [...group.processors, ...group.controllerServices] as Json[]) {
        for (const [k, v] of Object.entries(c.properties as Record<string, string>)) {
          if (!/^[0-9a-f]{8}-[0-9a-f]{4}-5/.test(v)) continue;
          const svc = all.get(v);
          expect(svc, `${c.name}.${k}`).toBeDefined();
          expect(scope).toContain(svc!.groupIdentifier);
        }
      }
    }
  });

  it("writes no secret value: secrets are sensitive parameters, referenced from sensitive properties only", () => {
    const text = examples[`${pipeline}/nifi/${pipeline}.flow.json`]!;
    const specText = readFileSync(`specs/${pipeline}.yaml`, "utf8");
    const spec = parse(specText) as {
      connections: Record<string, Record<string, unknown>>;
      ingest: Record<string, { from: { connection: string } }>;
    };
    // The secrets of the connections the ingests read.
    const secrets = Object.values(spec.ingest).flatMap((i) =>
      [
        ...JSON.stringify(spec.connections[i.from.connection]).matchAll(
          /\$\{secret:([A-Z0-9_]+)\}/g,
        ),
      ].map((m) => m[1]!),
    );
    expect(secrets.length).toBeGreaterThan(0);
    const envs = [...specText.matchAll(/\$\{env:([A-Z0-9_]+)\}/g)].map((m) => m[1]!);
    const params = new Map<string, Json>(
      flow.parameterContexts[pipeline].parameters.map((p: Json) => [p.name, p]),
    );
    const sensitiveParams = [...params.values()].filter((p) => p.sensitive);
    for (const p of sensitiveParams) {
      expect(p).not.toHaveProperty("value");
      expect(specText).toContain(`\${secret:${p.name}}`);
    }
    for (const p of params.values()) expect(p.provided).toBe(false);
    // Each secret: a sensitive parameter, or (a URI that NiFi keeps in a non-sensitive
    // property) an environment variable read by EL.
    for (const s of new Set(secrets)) {
      if (params.has(s)) expect(params.get(s)!.sensitive).toBe(true);
      else expect(text).toContain(`"\${${s}}"`);
    }
    // Each ${env:NAME} the flow uses: a parameter NAME without a value.
    for (const e of new Set(envs)) {
      if (params.has(e)) {
        expect(params.get(e)!.sensitive).toBe(false);
        expect(params.get(e)).not.toHaveProperty("value");
      }
    }
    // References: sensitive parameters only from sensitive properties, and every reference
    // names a parameter of the context.
    for (const c of [...processors(flow), ...services(flow)]) {
      const facts = docFor(c.type);
      for (const [k, v] of Object.entries(c.properties as Record<string, string>)) {
        for (const m of v.matchAll(/(?<!#)#\{([^}]+)\}/g)) {
          expect(params.has(m[1]!), `${c.name}.${k} references ${m[1]}`).toBe(true);
          if (params.get(m[1]!)!.sensitive) {
            const sensitive = facts.properties.get(k)?.sensitive ?? k.startsWith("SENSITIVE.");
            expect(sensitive, `${c.name}.${k} is sensitive`).toBe(true);
          }
        }
      }
    }
    // A secret value a deployment might use never shows up (the compiler never sees one).
    expect(text).not.toMatch(/password"\s*:\s*"[^#$]/i);
  });

  it("component types, bundles, property names, allowed values and EL support are NiFi 2.8.0's", () => {
    for (const c of [...processors(flow), ...services(flow)]) {
      const facts = docFor(c.type);
      expect(c.type).toBe(facts.type);
      // The NiFi version of the spec's platform (resolve's default when it names none).
      expect(c.bundle).toEqual({
        group: "org.apache.nifi",
        artifact: facts.artifact,
        version: processors(flow)[0]!.bundle.version,
      });
      expect(c.bundle.version).toMatch(/^2\.\d+\.\d+$/);
      if (c.componentType === "CONTROLLER_SERVICE") {
        expect(c.controllerServiceApis.map((a: Json) => a.type)).toEqual([facts.api]);
      }
      const spec = specOf(c.type);
      for (const [k, v] of Object.entries(c.properties as Record<string, string>)) {
        const known = facts.properties.get(k);
        if (!known) {
          expect(facts.dynamic, `${simpleName(c.type)} has no property ${k}`).toBe(true);
          continue;
        }
        expect(spec.properties[k], `${k} is in src/emit/nifi/components.ts`).toBeDefined();
        if (known.allowed && !v.startsWith("#{")) expect(known.allowed, `${k}`).toContain(v);
      }
    }
  });
});

describe("src/emit/nifi/components.ts agrees with docs/nifi-components.md", () => {
  it.each(Object.keys(components))("%s", (name) => {
    const spec = (components as Record<string, ComponentSpec>)[name]!;
    const facts = docFor(spec.type);
    expect(spec.type).toBe(facts.type);
    expect(spec.artifact).toBe(facts.artifact);
    if (spec.api) {
      expect(spec.api.type).toBe(facts.api);
      const apiDoc = readFileSync("docs/nifi-components.md", "utf8");
      expect(apiDoc).toContain(`provides: \`${spec.api.type}\` (${spec.api.artifact})`);
    }
    if (spec.relationships)
      expect([...spec.relationships].sort()).toEqual([...facts.relationships].sort());
    expect(Boolean(spec.dynamic)).toBe(facts.dynamic);
    for (const [prop, p] of Object.entries(spec.properties)) {
      const known = facts.properties.get(prop);
      expect(known, `${name}.${prop}`).toBeDefined();
      expect(p.el, `${name}.${prop} EL`).toBe(known!.el);
      expect(Boolean(p.sensitive), `${name}.${prop} sensitive`).toBe(known!.sensitive);
      if (p.allowed) expect([...p.allowed], `${name}.${prop} allowed`).toEqual(known!.allowed);
    }
  });
});

describe("examples, spot checks", () => {
  const group = (p: string, name: string): Json =>
    flows[p]!.flowContents.processGroups.find((g: Json) => g.name === name);
  const proc = (g: Json, type: string): Any[] =>
    g.processors.filter((p: Json) => simpleName(p.type) === type);
  const svc = (p: string, type: string): Any[] =>
    services(flows[p]!).filter((s) => simpleName(s.type) === type);

  it("shop_orders: incremental PostgreSQL source, validation, attributes, key, route, Avro via the registry", () => {
    const g = group("shop_orders", "shop_orders");
    const [source] = proc(g, "QueryDatabaseTableRecord");
    expect(source.properties).toMatchObject({
      "Database Type": "PostgreSQL",
      "Table Name": "public.orders",
      "Maximum-value Columns": "updated_at",
      "Use Avro Logical Types": "true",
    });
    expect(source.schedulingPeriod).toBe("1 min");
    const [pool] = svc("shop_orders", "DBCPConnectionPool");
    expect(pool.properties).toMatchObject({
      "Database Connection URL":
        "jdbc:postgresql://#{SHOP_DB_HOST}:#{SHOP_DB_PORT}/#{shop_db.database}",
      "Database Driver Class Name": "org.postgresql.Driver",
      "Database Driver Locations": "#{jdbc.driver.dir}",
      "Database User": "#{shop_db.user}",
      Password: "#{SHOP_DB_PASSWORD}",
    });
    const [validate] = proc(g, "ValidateRecord");
    const schema = JSON.parse(validate.properties["Schema Text"]) as Json;
    expect(schema.fields.find((f: Json) => f.name === "status").type).toEqual([
      "null",
      {
        type: "enum",
        name: "pipegen_status_enum",
        symbols: ["NEW", "PAID", "SHIPPED", "CANCELLED"],
      },
    ]);
    expect(proc(g, "UpdateAttribute").find((p) => p.name === "set attributes").properties).toEqual({
      "Store State": "Do not store state",
      source: "shop",
    });
    expect(proc(g, "UpdateRecord")[0].properties["/_kafka_key"]).toBe("concat(/order_id)");
    expect(proc(g, "RouteOnAttribute")[0].properties["to.orders.cancelled"]).toBe(
      "${pipegen.route.status:equals('CANCELLED')}",
    );
    const publishers = proc(g, "PublishKafka");
    expect(publishers.map((p) => p.properties["Topic Name"]).sort()).toEqual([
      "orders.cancelled",
      "orders.dlq",
      "orders.raw",
    ]);
    for (const p of publishers) expect(p.properties.acks).toBe("all");
    const raw = publishers.find((p) => p.properties["Topic Name"] === "orders.raw");
    expect(raw.properties["Message Key Field"]).toBe("_kafka_key");
    expect(raw.properties["compression.type"]).toBe("zstd");
    const writer = svc("shop_orders", "AvroRecordSetWriter").find(
      (s) => s.identifier === raw.properties["Record Writer"],
    )!;
    expect(writer.properties).toMatchObject({
      "Schema Write Strategy": "schema-reference-writer",
      "Schema Access Strategy": "schema-name",
      "Schema Name": "orders.raw-value",
    });
    const [registry] = svc("shop_orders", "ConfluentSchemaRegistry");
    expect(registry.properties["Schema Registry URLs"]).toBe("#{SCHEMA_REGISTRY_URL}");
    const [kafka] = svc("shop_orders", "Kafka3ConnectionService");
    expect(kafka.properties["bootstrap.servers"]).toBe("#{KAFKA_BOOTSTRAP_SERVERS}");
  });

  it("bundles carry the NiFi version the spec's platform names", () => {
    const text = readFileSync("specs/iot_sensors.yaml", "utf8").replace(
      "platform:\n",
      "platform:\n  nifi: {version: 2.8.0}\n",
    );
    const files = compileSpecs([parse(text) as object]);
    const flow = JSON.parse(files["iot_sensors/nifi/iot_sensors.flow.json"]!) as Json;
    const versions = new Set(
      [...processors(flow), ...services(flow)].flatMap((c) => [
        c.bundle.version,
        ...(c.controllerServiceApis ?? []).map((a: Json) => a.bundle.version),
      ]),
    );
    expect([...versions]).toEqual(["2.8.0"]);
  });

  it("iot_sensors: MariaDB driver and dialect, string key used as it is, fetch size, schedule", () => {
    const g = group("iot_sensors", "historian_readings");
    const [source] = proc(g, "QueryDatabaseTableRecord");
    expect(source.properties).toMatchObject({
      "Database Type": "MySQL",
      "Table Name": "plant.sensor_readings",
      "Maximum-value Columns": "read_at",
      "Fetch Size": "5000",
    });
    expect(source.schedulingPeriod).toBe("30 secs");
    const [pool] = svc("iot_sensors", "DBCPConnectionPool");
    expect(pool.properties["Database Connection URL"]).toBe(
      "jdbc:mariadb://#{HISTORIAN_DB_HOST}:#{HISTORIAN_DB_PORT}/#{historian.database}",
    );
    expect(pool.properties["Database Driver Class Name"]).toBe("org.mariadb.jdbc.Driver");
    expect(proc(g, "UpdateRecord")).toEqual([]);
    const main = proc(g, "PublishKafka").find((p) => p.properties["Topic Name"] === "iot.readings");
    expect(main.properties["Message Key Field"]).toBe("sensor_id");
    expect(main.properties["compression.type"]).toBe("lz4");
    expect(main.retryCount).toBe(5);
    expect(main.penaltyDuration).toBe("10 secs");
  });

  it("user_activity: GetMongo with the query, one JSON document per FlowFile, read as records; the secret URI comes from the NiFi JVM's environment", () => {
    const g = group("user_activity", "crm_activity");
    const [source] = proc(g, "GetMongo");
    expect(source.properties).toMatchObject({
      "Mongo Collection Name": "activity",
      "Mongo Database Name": "#{crm.database}",
      Query: '{"source": "web"}',
      "JSON Type": "Standard",
      "Pretty Print Results JSON": "false",
      "Date Format": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    });
    // No "Results Per FlowFile": GetMongo drops a batch it cannot write (and only logs it).
    expect(source.properties).not.toHaveProperty("Results Per FlowFile");
    const records = proc(g, "ValidateRecord").find((p) => p.name === "documents as records");
    const reader = g.controllerServices.find(
      (s: Json) => s.identifier === records.properties["Record Reader"],
    );
    expect(simpleName(reader.type)).toBe("JsonTreeReader");
    expect(reader.properties["Timestamp Format"]).toBe("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    const relaxed = JSON.parse(reader.properties["Schema Text"]) as Json;
    for (const f of relaxed.fields as Json[]) expect(f.type[0]).toBe("null");
    expect(records.properties["Schema Access Strategy"]).toBe("reader-schema");
    const invalidWriter = svc("user_activity", "JsonRecordSetWriter").find(
      (s) => s.identifier === records.properties["Record Writer for Invalid Records"],
    );
    expect(invalidWriter.properties["Schema Access Strategy"]).toBe("inherit-record-schema");
    // A document that is not a record goes to the dead-letter publisher as it is (JSON).
    const invalid = g.connections.find(
      (c: Json) => c.source.id === records.identifier && c.selectedRelationships[0] === "invalid",
    );
    const tag = g.connections.find((c: Json) => c.source.id === invalid.destination.id);
    expect(tag.destination.name).toBe("publish dead letters to activity.dlq");
    const [client] = svc("user_activity", "MongoDBControllerService");
    expect(client.properties["Mongo URI"]).toBe("${CRM_MONGO_URI}");
    expect(client.comments).toContain("CRM_MONGO_URI");
    const params = flows.user_activity!.parameterContexts.user_activity.parameters as Json[];
    expect(params.map((p) => p.name)).not.toContain("CRM_MONGO_URI");
    expect(params.find((p) => p.name === "crm.database")).toMatchObject({ value: "crm" });
  });
});

// ---------------------------------------------------------------------------------------------
// Escaping.

/** Undoes the EL escape forms escape.ts writes (the e2e test has NiFi itself read them). */
function undoEl(v: string): string {
  return v.replace(/\$\{literal\('([^']*)'\)(:base64Decode\(\))?\}/g, (_, s: string, b64) =>
    b64 ? Buffer.from(s, "base64").toString("utf8") : s,
  );
}

/**
 * NiFi 2.8.0's ExpressionLanguageAgnosticParameterParser + StandardParameterTokenList.substitute
 * (+ EscapedParameterReference, StartCharacterEscape), ported: the value of a property without
 * EL, given the parameters.
 */
function nifiNonEl(input: string, params: Record<string, string>): string {
  type Token = { start: number; end: number; value: string };
  const tokens: Token[] = [];
  const parseToken = (i: number, seq: number): Token | null => {
    const startChar = i - seq;
    const end = input.indexOf("}", i);
    if (end < 0) return null;
    const escaped = Math.floor((seq - 1) / 2);
    const startOffset = startChar + escaped * 2;
    const text = input.slice(startOffset, end + 1);
    for (let e = 0; e < escaped; e++)
      tokens.push({ start: startChar + e * 2, end: startChar + e * 2 + 1, value: "#" });
    let token: Token;
    if (seq % 2 === 1) {
      let name = input.slice(startChar + seq + 1, end);
      if (name.includes("'")) {
        if (!(name.startsWith("'") && name.endsWith("'"))) return null;
        name = name.slice(1, -1);
        if (name.includes("'")) return null;
      }
      token = { start: startOffset, end, value: params[name] ?? `<${name}>` };
    } else token = { start: startOffset, end, value: text.replaceAll("##", "#") };
    tokens.push(token);
    return token;
  };
  let seq = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === "#") seq++;
    else if (c === "{" && seq > 0) {
      const t = parseToken(i, seq);
      if (t) i = t.end;
    }
    if (c !== "#") seq = 0;
  }
  let out = "";
  let last = -1;
  for (const t of tokens) {
    out += input.slice(last + 1, t.start) + t.value;
    last = t.end;
  }
  return out + input.slice(last + 1);
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE = [
  "",
  "plain",
  "${x}",
  "$${x}",
  "$$${x}",
  "#{SHOP_DB_HOST}",
  "##{x}",
  "###{x}",
  "#{'a b'}",
  "${literal('x')}",
  "a$",
  "a#",
  "}{$#",
  "'\"\\ \\n \\\\ é 中 😀",
  "tab\there\nline\rcr",
  "ctl \u0001\u0000\u001f\u007f\ufffe end",
  "${'#{x}'}",
  "$#{x}",
  "#${x}",
];

describe("property values NiFi reads back exactly", () => {
  it.each(HOSTILE)("EL property: %j", (s) => {
    const v = literal(s, true);
    expect(undoEl(v)).toBe(s);
    // Whatever is left outside the escape expressions cannot start an expression or a
    // reference, and holds no character NiFi would drop.
    const rest = v.replace(/\$\{literal\('[^']*'\)(:base64Decode\(\))?\}/g, "");
    if (v !== s) expect(rest).not.toMatch(/[$#]/);
    if (/[{]/.test(rest) || v !== s) expect(rest).not.toMatch(/\$\{|#\{/);
    // eslint-disable-next-line no-control-regex
    expect(rest).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/);
  });

  it("EL property with references: literal text next to #{param} and ${ENV} is escaped", () => {
    const v = propertyValue(["a$", { param: "P" }, "#", { env: "E" }, "{b}"], true);
    expect(v).toBe("a${literal('$')}#{P}${literal('#')}${E}{b}");
    expect(propertyValue(["jdbc:postgresql://", { param: "H" }, ":", { param: "P" }], true)).toBe(
      "jdbc:postgresql://#{H}:#{P}",
    );
  });

  it("a property without EL: parameter syntax escaped exactly as NiFi's parser reads it", () => {
    for (const s of HOSTILE.filter(
      (x) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(x),
    )) {
      expect(nifiNonEl(literal(s, false), { SHOP_DB_HOST: "HOST" }), JSON.stringify(s)).toBe(s);
    }
    const random = prng(42);
    const alphabet = ["#", "#", "{", "}", "a", "'", "$"];
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(random() * 12);
      let s = "";
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      expect(nifiNonEl(literal(s, false), {}), JSON.stringify(s)).toBe(s);
    }
    expect(
      nifiNonEl(propertyValue([{ param: "A" }, "-", { param: "B" }], false), { A: "1", B: "2" }),
    ).toBe("1-2");
  });

  it("parameter values for EL properties are escaped; others are kept as they are", () => {
    expect(literalParameterValue("plain", true)).toBe("plain");
    expect(undoEl(literalParameterValue("a${b}#{c}", true))).toBe("a${b}#{c}");
    expect(literalParameterValue("a${b}#{c}", false)).toBe("a${b}#{c}");
  });

  it("EL comparisons: plain values as literals, anything else as base64 on both sides", () => {
    expect(elAttributeIn("pipegen.route.status", ["CANCELLED"])).toBe(
      "pipegen.route.status:equals('CANCELLED')",
    );
    expect(elAttributeIn("a", ["x", "y z"])).toBe("a:in('x', 'y z')");
    const hostile = "it's ${x} \\";
    expect(elAttributeIn("a", [hostile])).toBe(
      `a:base64Encode():equals('${Buffer.from(hostile).toString("base64")}')`,
    );
  });

  it("uuidV5 is RFC 9562's name-based UUID", () => {
    // RFC 9562 appendix A.4: the DNS namespace and "www.example.com".
    expect(uuidV5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com")).toBe(
      "2ed6657d-e927-568b-95e1-2665a8aea6a2",
    );
  });

  it("uuidV5 sets the version and variant bits as the RFC's byte-wise steps do, for any name", () => {
    const reference = (namespace: string, name: string) => {
      const ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
      const b = createHash("sha1")
        .update(Buffer.concat([ns, Buffer.from(name, "utf8")]))
        .digest()
        .subarray(0, 16);
      b[6] = (b[6]! & 0x0f) | 0x50;
      b[8] = (b[8]! & 0x3f) | 0x80;
      const x = b.toString("hex");
      return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
    };
    fc.assert(
      fc.property(fc.uuid(), fc.string({ unit: "grapheme" }), (namespace, name) => {
        expect(uuidV5(namespace, name)).toBe(reference(namespace, name));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("bad records: validated against each topic's schema, dead-lettered one by one", () => {
  // The pipeline of test/e2e/nifi-safety.e2e.test.ts: no validate steps; enum values that are
  // Avro names (priority) and that are not (state); a JSON topic.
  const files = compileSpecs(["test/e2e/nifi/safety.yaml"]);
  const flow = JSON.parse(files["nifi_safety/nifi/nifi_safety.flow.json"]!) as Json;
  const group = (name: string): Json =>
    flow.flowContents.processGroups.find((g: Json) => g.name === name);
  const byName = (g: Json, name: string): Json => g.processors.find((p: Json) => p.name === name);
  /** The processors after `p` on relationship `rel`. */
  const next = (g: Json, p: Json, rel: string): Json[] =>
    (g.connections as Json[])
      .filter((c) => c.source.id === p.identifier && c.selectedRelationships.includes(rel))
      .map((c) => g.processors.find((q: Json) => q.identifier === c.destination.id));

  it("without a validate step, records are validated against the topic's schema after the source", () => {
    const g = group("tickets");
    const validate = byName(g, "validate for safety.tickets");
    const schema = JSON.parse(validate.properties["Schema Text"]) as Json;
    const type = (f: string) => schema.fields.find((x: Json) => x.name === f).type;
    expect(type("title")).toBe("string"); // required
    expect(type("priority")[1]).toMatchObject({ type: "enum", symbols: ["LOW", "HIGH"] });
    expect(type("state")).toEqual(["null", "string"]); // values that are not Avro names
    expect(next(g, byName(g, "read public.tickets"), "success")).toEqual([validate]);
    const [partition] = next(g, validate, "valid");
    expect(simpleName(partition!.type)).toBe("PartitionRecord");
    const [router] = next(g, partition!, "success");
    expect(router!.properties.valid).toBe("${pipegen.enum.state:isNull()}");
    // Then the key (valid records only) and the publisher.
    const key = byName(g, "derive message key");
    expect(next(g, router!, "valid")).toEqual([key]);
    expect(next(g, key, "success")).toEqual([byName(g, "publish to safety.tickets")]);
    const [tag] = next(g, router!, "unmatched");
    expect(tag!.properties["pipegen.reason"]).toBe("invalid");
    expect(tag!.properties["pipegen.validation.details"]).toBe(
      "a value not in the enum of:${pipegen.enum.state:isNull():ifElse('', ' state')}",
    );
  });

  it("an enum check: a RecordPath regex that matches exactly the values", () => {
    const g = group("tickets");
    const [partition] = next(g, byName(g, "validate for safety.tickets"), "valid");
    expect(partition!.properties["pipegen.enum.state"]).toBe(
      `/state[not(matchesRegex(., '${enumRegex(["in progress", "done-ok", "it's $#{x}", "naïve", "x\\y", "1st"])}'))]`,
    );
    const values = ["a b", "it's", "$#{x}", "${x}", "x\\y", "\n", "é中😀", "", "1st", "'"];
    const re = enumRegex(values);
    // Only letters, digits and \x{hex}: nothing that a RecordPath string, EL or a parameter
    // reference would read.
    expect(re).toMatch(/^\(\?:(?:[A-Za-z0-9]|\\x\{[0-9a-f]+\}|\|)*\)$/);
    const js = new RegExp(`^${re.replace(/\\x\{([0-9a-f]+)\}/g, "\\u{$1}")}$`, "u");
    for (const v of values) expect(js.test(v), JSON.stringify(v)).toBe(true);
    for (const v of ["a  b", "its", "x\\\\y", "\n ", "1ST", "''", " "])
      expect(js.test(v), JSON.stringify(v)).toBe(false);
  });

  it("a validate step with the topic's schema is the topic's validation (no second one)", () => {
    const g = flows.shop_orders!.flowContents.processGroups[0];
    expect(
      g.processors
        .filter((p: Json) => simpleName(p.type) === "ValidateRecord")
        .map((p: Json) => p.name),
    ).toEqual(["validate order"]);
  });

  it("a routed topic with another schema is validated against it before its publisher", () => {
    const spec = parse(readFileSync("test/e2e/nifi/safety.yaml", "utf8")) as Json;
    spec.schemas.short = { fields: { ticket_id: { type: "long", required: true } } };
    spec.topics["safety.short"] = { schema: "short", partitions: 1 };
    spec.topics["safety.same"] = { schema: "ticket", partitions: 1 };
    spec.ingest.tickets.steps = [
      { route: [{ when: { field: "priority", equals: "HIGH" }, to: "safety.short" }] },
      { route: [{ when: { field: "priority", equals: "LOW" }, to: "safety.same" }] },
    ];
    const out = compileSpecs([spec]);
    const g = (
      JSON.parse(out["nifi_safety/nifi/nifi_safety.flow.json"]!) as Json
    ).flowContents.processGroups.find((x: Json) => x.name === "tickets");
    const validations = g.processors
      .filter((p: Json) => simpleName(p.type) === "ValidateRecord")
      .map((p: Json) => p.name)
      .sort();
    expect(validations).toEqual(["validate for safety.short", "validate for safety.tickets"]);
    const v = byName(g, "validate for safety.short");
    expect(next(g, v, "valid")).toEqual([byName(g, "publish to safety.short")]);
  });

  it("JSON topics: one record per FlowFile before the publisher; dead letters one JSON record per message", () => {
    const g = group("tickets_json");
    const split = byName(g, "split for safety.tickets.json");
    expect(split.properties["Records Per Split"]).toBe("1");
    expect(next(g, split, "splits")).toEqual([byName(g, "publish to safety.tickets.json")]);
    const dlq = byName(g, "publish dead letters to safety.dlq");
    expect(dlq.properties["Record Reader"]).toBeUndefined();
    expect(dlq.properties["Record Writer"]).toBeUndefined();
    const splitter = byName(g, "dead letters as JSON records");
    const writer = services(flow).find(
      (x) => x.identifier === splitter.properties["Record Writer"],
    )!;
    expect(writer.properties).toMatchObject({
      "Output Grouping": "output-oneline",
      "Schema Access Strategy": "inherit-record-schema",
    });
  });
});

describe("hostile spec values come out exactly", () => {
  const H = `q'"\\ \${x} $\${y} #{z} ##{w} }{ é 中 😀 \t ctl\u0001 end$`;
  const spec = {
    pipegen: 1,
    pipeline: "hostile",
    description: `desc ${H}`,
    connections: {
      db: { type: "postgres", host: "db-host", database: `d$#{x}b`, user: `u'"\\#{y}` },
      docs: { type: "mongodb", uri: "${secret:MONGO_URI}", database: "m" },
    },
    schemas: {
      rec: {
        fields: {
          id: { type: "long", required: true, doc: `doc ${H}` },
          status: { type: "string" },
        },
      },
    },
    topics: {
      "t.main": { schema: "rec", partitions: 1 },
      "t.other": { schema: "rec", partitions: 1 },
    },
    ingest: {
      load: {
        from: { connection: "db", table: "public.t", incrementalColumn: "id", every: "1m" },
        steps: [
          { setAttributes: { a: H, "b.c-d": "$", e: "#" } },
          { route: [{ when: { field: "status", in: [H, "x", "1"] }, to: "t.other" }] },
        ],
        to: { topic: "t.main", key: "id" },
      },
      docs_load: {
        from: {
          connection: "docs",
          collection: "c",
          query: `{"q": "${H.replace(/[\\"]/g, "")}"}`,
          every: "1m",
        },
        to: { topic: "t.main" },
      },
    },
  };
  const files = compileSpecs([spec]);
  const text = files["hostile/nifi/hostile.flow.json"]!;
  const flow = JSON.parse(text) as Json;
  const load = flow.flowContents.processGroups.find((g: Json) => g.name === "load");
  const docsLoad = flow.flowContents.processGroups.find((g: Json) => g.name === "docs_load");

  it("attribute values", () => {
    const attrs = load.processors.find((p: Json) => p.name === "set attributes").properties;
    expect(undoEl(attrs.a)).toBe(H);
    expect(undoEl(attrs["b.c-d"])).toBe("$");
    expect(undoEl(attrs.e)).toBe("#");
  });

  it("route values (compared as base64 when not plain)", () => {
    const router = load.processors.find((p: Json) => p.type.endsWith("RouteOnAttribute"));
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    expect(router.properties["to.t.other"]).toBe(
      `\${pipegen.route.status:base64Encode():in('${b64(H)}', '${b64("x")}', '${b64("1")}')}`,
    );
  });

  it("connection settings as parameter values, the query, the description", () => {
    const params = new Map<string, Json>(
      flow.parameterContexts.hostile.parameters.map((p: Json) => [p.name, p]),
    );
    expect(undoEl(params.get("db.database")!.value)).toBe("d$#{x}b");
    expect(undoEl(params.get("db.user")!.value)).toBe(`u'"\\#{y}`);
    expect(params.get("db.host")!.value).toBe("db-host");
    expect(flow.flowContents.comments).toBe(`desc ${H}`);
    const source = docsLoad.processors.find((p: Json) => p.type.endsWith(".GetMongo"));
    expect(undoEl(source.properties.Query)).toBe(spec.ingest.docs_load.from.query);
    expect(params.has("MONGO_URI")).toBe(false);
  });

  it("a field doc never reaches NiFi (schema texts carry no docs)", () => {
    expect(text).not.toContain("doc ");
  });
});

function durationMs(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(d)!;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
    m[2] as "ms"
  ];
  return Number(m[1]) * unit;
}
