// A local stand-in for the NiFi 2.x REST API, for the generated ingestion DAG's NiFi tasks.
// The e2e machine has NiFi's stateless engine only (no full NiFi with its REST API; see
// test/e2e/README.md), so the airflow-dags e2e test runs deploy_nifi_flow and
// start_nifi_flow against this server and says so. It answers the requests those tasks make,
// with NiFi's paths, bodies and status codes (read from NiFi's ProcessGroupResource,
// FlowResource, ParameterContextResource and AccessResource), and it CHECKS each one:
// method, path, content type, the bearer token, the multipart form of the upload (groupName,
// positionX/Y, clientId, a flow definition that parses), revisions and ids that match, the
// order (services enabled before the group starts, asynchronous requests polled before they
// are deleted). A request it does not expect, or one that fails a check, is answered 400/404
// like NiFi would and recorded in `problems`; the test asserts there are none.
//
//   const nifi = await startNifiStandIn({ username: "admin", password: "..." });
//   ... AIRFLOW_CONN_NIFI_DEFAULT = {"conn_type": "http", "host": nifi.url, "login": ..., "password": ...}
//   nifi.groups / nifi.contexts / nifi.log / nifi.problems
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInParameter {
  name: string;
  sensitive: boolean;
  value: string | null;
  provided: boolean;
}

export interface StandInContext {
  id: string;
  name: string;
  version: number;
  parameters: StandInParameter[];
  /** Every value a parameter was set to by an update request, in order: [name, value]. */
  updates: Array<[string, string]>;
}

export interface StandInGroup {
  id: string;
  name: string;
  version: number;
  position: { x: number; y: number };
  /** The flow definition as uploaded (or as last replaced). */
  flow: Record<string, unknown>;
  contextId: string | null;
  services: Array<{ id: string; name: string; state: "DISABLED" | "ENABLING" | "ENABLED" }>;
  /** How often a GET saw the services still ENABLING (the stand-in makes the first one wait). */
  enablingPolls: number;
  state: "STOPPED" | "RUNNING";
  processors: number;
  uploads: number;
  replacements: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

export interface NifiStandIn {
  /** http://127.0.0.1:<port> (the tasks add /nifi-api) */
  url: string;
  rootId: string;
  groups: Map<string, StandInGroup>;
  contexts: Map<string, StandInContext>;
  /** Every request with the status it got. */
  log: LoggedRequest[];
  /** Requests that failed a check or were not expected. */
  problems: string[];
  stop(): Promise<void>;
}

interface Options {
  /** Require a login (POST /nifi-api/access/token) and a bearer token on every other call. */
  username?: string;
  password?: string;
}

class Reject extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The parts of a multipart/form-data body: name -> {filename, contentType, data}. */
function parseMultipart(
  body: Buffer,
  contentType: string,
): Map<string, { filename?: string; contentType?: string; data: Buffer }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) throw new Reject(400, "multipart body without a boundary");
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts = new Map<string, { filename?: string; contentType?: string; data: Buffer }>();
  let at = body.indexOf(delimiter);
  if (at < 0) throw new Reject(400, "multipart body without its boundary");
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === "--") break; // closing delimiter
    at += 2; // CRLF after the delimiter
    const headerEnd = body.indexOf("\r\n\r\n", at);
    const next = body.indexOf(delimiter, headerEnd);
    if (headerEnd < 0 || next < 0) throw new Reject(400, "truncated multipart body");
    const headers = body.subarray(at, headerEnd).toString("utf8");
    const data = body.subarray(headerEnd + 4, next - 2); // without the CRLF before the delimiter
    const name = /name="([^"]*)"/.exec(headers)?.[1];
    if (name === undefined) throw new Reject(400, "multipart part without a name");
    const filename = /filename="([^"]*)"/.exec(headers)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
    parts.set(name, { filename, contentType: type, data });
    at = next;
  }
  return parts;
}

export async function startNifiStandIn(opts: Options = {}): Promise<NifiStandIn> {
  const rootId = randomUUID();
  const groups = new Map<string, StandInGroup>();
  const contexts = new Map<string, StandInContext>();
  const requests = new Map<
    string,
    { kind: "replace" | "parameters"; target: string; polled: number }
  >();
  const log: LoggedRequest[] = [];
  const problems: string[] = [];
  const tokens = new Set<string>();

  const groupEntity = (g: StandInGroup) => {
    const ctx = g.contextId ? contexts.get(g.contextId)! : null;
    const running = g.state === "RUNNING" ? g.processors : 0;
    return {
      id: g.id,
      uri: `/nifi-api/process-groups/${g.id}`,
      revision: { version: g.version },
      runningCount: running,
      stoppedCount: g.processors - running,
      invalidCount: 0,
      disabledCount: 0,
      component: {
        id: g.id,
        parentGroupId: rootId,
        name: g.name,
        position: g.position,
        ...(ctx
          ? { parameterContext: { id: ctx.id, component: { id: ctx.id, name: ctx.name } } }
          : {}),
      },
    };
  };

  const contextEntity = (c: StandInContext) => ({
    id: c.id,
    revision: { version: c.version },
    component: {
      id: c.id,
      name: c.name,
      parameters: c.parameters.map((p) => ({
        parameter: {
          name: p.name,
          sensitive: p.sensitive,
          provided: p.provided,
          // NiFi never returns a sensitive value, only that there is one.
          value: p.sensitive && p.value !== null ? "********" : p.value,
        },
      })),
    },
  });

  /** The context a flow definition names (flowContents.parameterContextName), made on upload. */
  const contextFor = (flow: Record<string, unknown>): string | null => {
    const contents = flow.flowContents as Record<string, unknown>;
    const name = contents.parameterContextName as string | undefined;
    if (!name) return null;
    const existing = [...contexts.values()].find((c) => c.name === name);
    if (existing) return existing.id; // NiFi's default: keep an existing context of that name
    const defined = (flow.parameterContexts as Record<string, { parameters?: unknown[] }>)?.[name];
    if (!defined) throw new Reject(400, `flow names parameter context ${name} but defines none`);
    const id = randomUUID();
    contexts.set(id, {
      id,
      name,
      version: 0,
      updates: [],
      parameters: ((defined.parameters ?? []) as Array<Record<string, unknown>>).map((p) => ({
        name: String(p.name),
        sensitive: p.sensitive === true,
        provided: p.provided === true,
        value: p.sensitive === true ? null : ((p.value as string | undefined) ?? null),
      })),
    });
    return id;
  };

  const checkFlow = (text: string): Record<string, unknown> => {
    let flow: Record<string, unknown>;
    try {
      flow = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Reject(400, "Deserialization of uploaded JSON failed");
    }
    const contents = flow.flowContents as Record<string, unknown> | undefined;
    if (!contents || typeof contents !== "object" || !Array.isArray(contents.processors))
      throw new Reject(400, "flow definition without flowContents.processors");
    return flow;
  };

  const servicesOf = (flow: Record<string, unknown>) => {
    const out: StandInGroup["services"] = [];
    const walk = (pg: Record<string, unknown>) => {
      for (const s of (pg.controllerServices as Array<Record<string, unknown>>) ?? [])
        out.push({ id: randomUUID(), name: String(s.name), state: "DISABLED" });
      for (const child of (pg.processGroups as Array<Record<string, unknown>>) ?? []) walk(child);
    };
    walk(flow.flowContents as Record<string, unknown>);
    return out;
  };

  const processorsOf = (flow: Record<string, unknown>) => {
    let n = 0;
    const walk = (pg: Record<string, unknown>) => {
      n += ((pg.processors as unknown[]) ?? []).length;
      for (const child of (pg.processGroups as Array<Record<string, unknown>>) ?? []) walk(child);
    };
    walk(flow.flowContents as Record<string, unknown>);
    return n;
  };

  const json = (body: Buffer): Record<string, unknown> => {
    try {
      return JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    } catch {
      throw new Reject(400, "body is not JSON");
    }
  };

  const group = (id: string) => {
    const g = groups.get(id);
    if (!g) throw new Reject(404, `Unable to find process group with id '${id}'.`);
    return g;
  };

  const revisionOf = (v: unknown, what: string): number => {
    const r = v as { version?: unknown; clientId?: unknown } | undefined;
    if (!r || typeof r.version !== "number") throw new Reject(400, `${what}: no revision version`);
    if (typeof r.clientId !== "string" || !r.clientId)
      throw new Reject(400, `${what}: no clientId`);
    return r.version;
  };

  const asyncRequest = (kind: "replace" | "parameters", target: string, uri: string) => {
    const requestId = randomUUID();
    requests.set(requestId, { kind, target, polled: 0 });
    return {
      request: {
        requestId,
        uri: `${uri}/${requestId}`,
        complete: false,
        percentCompleted: 0,
        state: "Initializing",
        failureReason: null,
      },
    };
  };

  const pollRequest = (requestId: string, kind: "replace" | "parameters", del: boolean) => {
    const r = requests.get(requestId);
    if (!r || r.kind !== kind) throw new Reject(404, `no ${kind} request ${requestId}`);
    if (del) {
      if (r.polled === 0) problems.push(`request ${requestId} deleted before it was polled`);
      requests.delete(requestId);
    } else r.polled++;
    // Complete from the second poll on, so that the client has to poll.
    const complete = del || r.polled >= 2;
    return {
      request: {
        requestId,
        complete,
        percentCompleted: complete ? 100 : 50,
        state: complete ? "Complete" : "Updating",
        failureReason: null,
      },
    };
  };

  function handle(method: string, path: string, headers: IncomingMessage["headers"], body: Buffer) {
    const type = String(headers["content-type"] ?? "");
    if (path === "/nifi-api/access/token" && method === "POST") {
      if (!type.startsWith("application/x-www-form-urlencoded"))
        throw new Reject(415, `token request with content type ${type}`);
      const form = new URLSearchParams(body.toString("utf8"));
      if (form.get("username") !== opts.username || form.get("password") !== opts.password)
        throw new Reject(400, "The supplied username and password are not valid.");
      const token = `token-${randomUUID()}`;
      tokens.add(token);
      return { status: 201, text: token };
    }
    if (opts.username !== undefined) {
      const auth = String(headers.authorization ?? "");
      if (!auth.startsWith("Bearer ") || !tokens.has(auth.slice(7)))
        throw new Reject(401, "Authentication credentials were not found or are invalid");
    }
    if ((method === "POST" || method === "PUT") && !type.startsWith("multipart/form-data")) {
      if (!type.startsWith("application/json"))
        throw new Reject(415, `${method} ${path} with content type ${type}`);
    }
    let m: RegExpExecArray | null;
    if (method === "GET" && path === "/nifi-api/flow/process-groups/root") {
      return {
        status: 200,
        json: {
          processGroupFlow: {
            id: rootId,
            uri: `/nifi-api/flow/process-groups/${rootId}`,
            flow: { processGroups: [...groups.values()].map(groupEntity) },
          },
        },
      };
    }
    if ((m = /^\/nifi-api\/process-groups\/([^/]+)\/process-groups\/upload$/.exec(path))) {
      if (method !== "POST") throw new Reject(405, `${method} on upload`);
      if (m[1] !== rootId) throw new Reject(404, `upload into ${m[1]}, not the root group`);
      if (!type.startsWith("multipart/form-data")) throw new Reject(415, "upload is not multipart");
      const parts = parseMultipart(body, type);
      const field = (n: string) => parts.get(n)?.data.toString("utf8");
      const groupName = field("groupName");
      const x = Number(field("positionX"));
      const y = Number(field("positionY"));
      const clientId = field("clientId");
      if (!groupName?.trim()) throw new Reject(400, "The process group name is required.");
      if (!Number.isFinite(x) || !Number.isFinite(y))
        throw new Reject(
          400,
          "The x and y coordinates of the proposed position must be specified.",
        );
      if (!clientId) throw new Reject(400, "The client id must be specified");
      const file = parts.get("file");
      if (!file) throw new Reject(400, "no file part");
      const flow = checkFlow(file.data.toString("utf8"));
      const id = randomUUID();
      const g: StandInGroup = {
        id,
        name: groupName,
        version: 1,
        position: { x, y },
        flow,
        contextId: contextFor(flow),
        services: servicesOf(flow),
        enablingPolls: 0,
        state: "STOPPED",
        processors: processorsOf(flow),
        uploads: 1,
        replacements: 0,
      };
      groups.set(id, g);
      return { status: 201, json: groupEntity(g) };
    }
    if ((m = /^\/nifi-api\/process-groups\/([^/]+)$/.exec(path)) && method === "GET") {
      return { status: 200, json: groupEntity(group(m[1]!)) };
    }
    if ((m = /^\/nifi-api\/process-groups\/([^/]+)\/replace-requests$/.exec(path))) {
      if (method !== "POST") throw new Reject(405, `${method} on replace-requests`);
      const g = group(m[1]!);
      const b = json(body);
      const version = revisionOf(b.processGroupRevision, "replace request");
      if (version !== g.version)
        throw new Reject(409, `revision ${version} is not the current revision ${g.version}`);
      const flow = checkFlow(JSON.stringify(b.versionedFlowSnapshot ?? null));
      g.flow = flow;
      g.version++;
      g.replacements++;
      g.processors = processorsOf(flow);
      return {
        status: 200,
        json: asyncRequest("replace", g.id, `/nifi-api/process-groups/replace-requests`),
      };
    }
    if ((m = /^\/nifi-api\/process-groups\/replace-requests\/([^/]+)$/.exec(path))) {
      if (method !== "GET" && method !== "DELETE") throw new Reject(405, method);
      return { status: 200, json: pollRequest(m[1]!, "replace", method === "DELETE") };
    }
    if ((m = /^\/nifi-api\/parameter-contexts\/([^/]+)$/.exec(path)) && method === "GET") {
      const c = contexts.get(m[1]!);
      if (!c) throw new Reject(404, `no parameter context ${m[1]}`);
      return { status: 200, json: contextEntity(c) };
    }
    if ((m = /^\/nifi-api\/parameter-contexts\/([^/]+)\/update-requests$/.exec(path))) {
      if (method !== "POST") throw new Reject(405, method);
      const c = contexts.get(m[1]!);
      if (!c) throw new Reject(404, `no parameter context ${m[1]}`);
      const b = json(body);
      const version = revisionOf(b.revision, "parameter context update");
      if (version !== c.version)
        throw new Reject(409, `revision ${version} is not the current revision ${c.version}`);
      const component = b.component as { id?: string; parameters?: unknown[] } | undefined;
      if (b.id !== c.id || component?.id !== c.id)
        throw new Reject(
          400,
          "ID of Parameter Context in message body does not match Parameter Context ID supplied in URI",
        );
      for (const e of component.parameters ?? []) {
        const p = (e as { parameter?: { name?: string; sensitive?: boolean; value?: string } })
          .parameter;
        const known = c.parameters.find((x) => x.name === p?.name);
        if (!p || !known) throw new Reject(400, `unknown parameter ${String(p?.name)}`);
        if (p.sensitive !== known.sensitive)
          throw new Reject(400, `parameter ${known.name}: sensitivity cannot change`);
        if (typeof p.value !== "string") throw new Reject(400, `parameter ${known.name}: no value`);
        known.value = p.value;
        c.updates.push([known.name, p.value]);
      }
      c.version++;
      return {
        status: 200,
        json: asyncRequest(
          "parameters",
          c.id,
          `/nifi-api/parameter-contexts/${c.id}/update-requests`,
        ),
      };
    }
    if ((m = /^\/nifi-api\/parameter-contexts\/([^/]+)\/update-requests\/([^/]+)$/.exec(path))) {
      if (method !== "GET" && method !== "DELETE") throw new Reject(405, method);
      return { status: 200, json: pollRequest(m[2]!, "parameters", method === "DELETE") };
    }
    if (
      (m = /^\/nifi-api\/flow\/process-groups\/([^/]+)\/controller-services(\?.*)?$/.exec(path))
    ) {
      const g = group(m[1]!);
      if (method === "PUT") {
        const b = json(body);
        if (b.id !== g.id)
          throw new Reject(
            400,
            "The process group id in the request body does not equal the process group id of the requested resource",
          );
        if (b.state !== "ENABLED" && b.state !== "DISABLED")
          throw new Reject(400, `controller service state ${String(b.state)}`);
        for (const s of g.services) s.state = b.state === "ENABLED" ? "ENABLING" : "DISABLED";
        return { status: 200, json: { id: g.id, state: b.state } };
      }
      if (method === "GET") {
        const query = new URLSearchParams(m[2] ?? "");
        if (query.get("includeDescendantGroups") !== "true")
          problems.push("controller services listed without includeDescendantGroups=true");
        const out = g.services.map((s) => ({
          id: s.id,
          component: { id: s.id, name: s.name, state: s.state },
        }));
        // The first poll sees ENABLING; after that they are enabled.
        if (g.services.some((s) => s.state === "ENABLING")) {
          g.enablingPolls++;
          for (const s of g.services) if (s.state === "ENABLING") s.state = "ENABLED";
        }
        return { status: 200, json: { controllerServices: out } };
      }
      throw new Reject(405, method);
    }
    if ((m = /^\/nifi-api\/flow\/process-groups\/([^/]+)$/.exec(path)) && method === "PUT") {
      const g = group(m[1]!);
      const b = json(body);
      if (b.id !== g.id)
        throw new Reject(
          400,
          "The process group id in the request body does not equal the process group id of the requested resource",
        );
      if (b.state !== "RUNNING" && b.state !== "STOPPED")
        throw new Reject(400, `state ${String(b.state)}`);
      if (b.state === "RUNNING" && g.services.some((s) => s.state !== "ENABLED"))
        problems.push(`group ${g.name} started before its controller services were enabled`);
      if (b.state === "RUNNING" && g.contextId) {
        const unset = contexts
          .get(g.contextId)!
          .parameters.filter((p) => !p.provided && p.value === null);
        if (unset.length)
          problems.push(
            `group ${g.name} started with empty parameters ${unset.map((p) => p.name).join(", ")}`,
          );
      }
      g.state = b.state;
      return { status: 200, json: { id: g.id, state: b.state } };
    }
    throw new Reject(404, `not a NiFi API this stand-in serves: ${method} ${path}`);
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const method = req.method ?? "";
      const path = req.url ?? "";
      let status: number;
      let out: string;
      let contentType = "application/json";
      try {
        const r = handle(method, path, req.headers, Buffer.concat(chunks));
        status = r.status;
        if ("text" in r) {
          out = r.text as string;
          contentType = "text/plain";
        } else out = JSON.stringify(r.json);
      } catch (err) {
        status = err instanceof Reject ? err.status : 500;
        out = err instanceof Error ? err.message : String(err);
        contentType = "text/plain";
        problems.push(`${method} ${path}: ${status} ${out}`);
      }
      log.push({ method, path, status });
      res.writeHead(status, { "content-type": contentType });
      res.end(out);
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    rootId,
    groups,
    contexts,
    log,
    problems,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}
