// REST calls to a NiFi server started by harness/nifi-server.ts, for tests to look at what a
// deploy left behind: over plain HTTP, or over HTTPS with the server's own certificate as the
// CA and the access token of its single user (secure servers).
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { NifiServer } from "./nifi-server.js";

/** What a REST call needs of a server. */
export type NifiEndpoint = Pick<NifiServer, "api" | "ca" | "token">;

export interface HttpAnswer {
  status: number;
  text: string;
}

/**
 * One HTTP(S) request; never rejects for an HTTP status. A secure server's certificate is
 * checked against its own PEM (`ca`), for the name "localhost" (its certificate's name).
 */
export function send(
  server: Pick<NifiServer, "ca">,
  method: string,
  url: string,
  body?: { type: string; data: string },
  headers: Record<string, string> = {},
): Promise<HttpAnswer> {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      {
        method,
        host: "127.0.0.1",
        port: target.port,
        path: target.pathname + target.search,
        headers: {
          host: target.host,
          ...headers,
          ...(body
            ? { "content-type": body.type, "content-length": Buffer.byteLength(body.data) }
            : {}),
        },
        timeout: 60_000,
        ...(secure ? { ca: server.ca, servername: target.hostname } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${url}: no answer in 60 s`)));
    req.on("error", reject);
    if (body) req.write(body.data);
    req.end();
  });
}

/** One REST call: the parsed JSON answer (or the text); throws on any status but 2xx. */
export async function nifiApi<T = unknown>(
  server: NifiEndpoint,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const { status, text } = await send(
    server,
    method,
    `${server.api}${path}`,
    body === undefined ? undefined : { type: "application/json", data: JSON.stringify(body) },
    server.token ? { authorization: `Bearer ${server.token}` } : {},
  );
  if (status < 200 || status > 299) {
    throw new Error(`NiFi ${method} ${path} answered ${status}: ${text.slice(0, 2000)}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

// --- what a test looks at -------------------------------------------------------------------------

export interface GroupSummary {
  id: string;
  name: string;
  running: number;
  stopped: number;
  invalid: number;
  disabled: number;
}

interface GroupEntity {
  id: string;
  runningCount: number;
  stoppedCount: number;
  invalidCount: number;
  disabledCount: number;
  component: { name: string; parameterContext?: { id: string } };
}

/** The process groups on the root canvas, with their components' counts (descendants included). */
export async function rootGroups(server: NifiEndpoint): Promise<GroupSummary[]> {
  const root = await nifiApi<{ processGroupFlow: { flow: { processGroups: GroupEntity[] } } }>(
    server,
    "GET",
    "/flow/process-groups/root",
  );
  return root.processGroupFlow.flow.processGroups.map((g) => ({
    id: g.id,
    name: g.component.name,
    running: g.runningCount,
    stopped: g.stoppedCount,
    invalid: g.invalidCount,
    disabled: g.disabledCount,
  }));
}

export interface ProcessorSummary {
  id: string;
  /** The id in the flow definition the group was uploaded from (pipegen's stable id). */
  versionedComponentId: string | undefined;
  name: string;
  /** The class name without its package, e.g. "QueryDatabaseTableRecord". */
  type: string;
  state: string;
  validationErrors: string[];
  schedulingPeriod: string;
  properties: Record<string, string | null>;
}

/** Every processor of a group and its descendants. */
export async function groupProcessors(
  server: NifiEndpoint,
  groupId: string,
): Promise<ProcessorSummary[]> {
  const r = await nifiApi<{
    processors: Array<{
      component: {
        id: string;
        versionedComponentId?: string;
        name: string;
        type: string;
        state: string;
        validationErrors?: string[];
        config: { schedulingPeriod: string; properties: Record<string, string | null> };
      };
    }>;
  }>(server, "GET", `/process-groups/${groupId}/processors?includeDescendantGroups=true`);
  return r.processors.map(({ component: c }) => ({
    id: c.id,
    versionedComponentId: c.versionedComponentId,
    name: c.name,
    type: c.type.split(".").pop()!,
    state: c.state,
    validationErrors: c.validationErrors ?? [],
    schedulingPeriod: c.config.schedulingPeriod,
    properties: c.config.properties,
  }));
}

/** A processor's local state (e.g. QueryDatabaseTableRecord's maximum values): key -> value. */
export async function processorState(
  server: NifiEndpoint,
  processorId: string,
): Promise<Record<string, string>> {
  const r = await nifiApi<{
    componentState: { localState?: { state?: Array<{ key: string; value: string }> } };
  }>(server, "GET", `/processors/${processorId}/state`);
  return Object.fromEntries(
    (r.componentState.localState?.state ?? []).map((e) => [e.key, e.value]),
  );
}

/** The parameters of the context a group uses: name -> {value, sensitive} (sensitive values read back masked). */
export async function groupParameters(
  server: NifiEndpoint,
  groupId: string,
): Promise<Record<string, { value: string | null; sensitive: boolean }>> {
  const group = await nifiApi<GroupEntity>(server, "GET", `/process-groups/${groupId}`);
  const ref = group.component.parameterContext;
  if (!ref) return {};
  const ctx = await nifiApi<{
    component: {
      parameters: Array<{ parameter: { name: string; value?: string | null; sensitive: boolean } }>;
    };
  }>(server, "GET", `/parameter-contexts/${ref.id}`);
  return Object.fromEntries(
    ctx.component.parameters.map(({ parameter: p }) => [
      p.name,
      { value: p.value ?? null, sensitive: p.sensitive },
    ]),
  );
}

/** The bulletins (warnings and errors components reported), newest last, as "source: message". */
export async function bulletins(server: NifiEndpoint): Promise<string[]> {
  const r = await nifiApi<{
    bulletinBoard: { bulletins: Array<{ bulletin?: { sourceName?: string; message?: string } }> };
  }>(server, "GET", "/flow/bulletin-board?limit=1000");
  return r.bulletinBoard.bulletins.map(
    (b) => `${b.bulletin?.sourceName ?? "?"}: ${b.bulletin?.message ?? ""}`,
  );
}
