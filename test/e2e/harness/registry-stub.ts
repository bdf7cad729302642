// A stand-in for the schema registry a generated Spark job asks at start (the Confluent API's
// GET /subjects/<subject>/versions and .../versions/<n>), for the e2e files that run jobs on
// records of one schema and are not about the registry: startSparkJob starts one for a job
// that reads Avro when it is given no registry, serving the job's own schema (AVRO_SCHEMA) as
// schema id 1, the id test/e2e/spark/produce.py writes by default. The registry itself (and
// records of several versions) is proven with Apicurio in spark-writer-schema.e2e.test.ts.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RegistryStub {
  url: string;
  stop(): Promise<void>;
}

/** The subject and the reader's schema of a generated job that reads Avro, else null. */
export function jobSubject(
  script: string,
  python: string,
): { subject: string; schema: string } | null {
  const text = readFileSync(script, "utf8");
  const subject = /^SUBJECT = (.+)$/m.exec(text);
  const schema = /^AVRO_SCHEMA = (.+)$/m.exec(text);
  if (!subject || !schema) return null;
  // Python string literals, read by Python.
  const read = spawnSync(
    python,
    [
      "-c",
      "import ast,json,sys; print(json.dumps([ast.literal_eval(a) for a in sys.argv[1:]]))",
      subject[1]!,
      schema[1]!,
    ],
    { encoding: "utf8" },
  );
  if (read.status !== 0) throw new Error(`reading ${script}'s SUBJECT: ${read.stderr}`);
  const [s, a] = JSON.parse(read.stdout) as [string, string];
  return { subject: s, schema: a };
}

/** Serve `versions` (schema id -> Avro schema, versions 1, 2, ... in id order) under `subject`. */
export async function startRegistryStub(
  subject: string,
  versions: Record<number, string>,
): Promise<RegistryStub> {
  const ids = Object.keys(versions)
    .map(Number)
    .sort((a, b) => a - b);
  const base = `/subjects/${encodeURIComponent(subject)}/versions`;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/vnd.schemaregistry.v1+json" });
      res.end(JSON.stringify(body));
    };
    if (path === base)
      return send(
        200,
        ids.map((_, i) => i + 1),
      );
    const m = path.startsWith(`${base}/`) ? /^(\d+)$/.exec(path.slice(base.length + 1)) : null;
    const id = m ? ids[Number(m[1]) - 1] : undefined;
    if (id !== undefined)
      return send(200, { subject, version: Number(m![1]), id, schema: versions[id] });
    send(404, { error_code: 40401, message: `no ${path}` });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
