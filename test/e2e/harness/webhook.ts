// A local HTTP server on 127.0.0.1 that records every request, for Slack-style incoming webhooks
// (and any other HTTP callback a generated DAG makes). It answers 200 "ok" by default, as Slack's
// incoming webhooks do (slack_sdk's WebhookClient checks for that body).
//
//   const hook = await startWebhookServer();
//   ... AIRFLOW_CONN_SLACK_ALERTS: JSON.stringify({conn_type: "slackwebhook",
//                                   password: hook.url("/services/T000/B000/XXX")}) ...
//   const [req] = await hook.waitForRequests(1);   // req.json.text
//   await hook.stop();
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { waitForItems } from "./process.js";

export interface RecordedRequest {
  method: string;
  /** Path with the query string, e.g. "/services/T000/B000/XXX". */
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as text (UTF-8). */
  body: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  json?: unknown;
  /** The body parsed as application/x-www-form-urlencoded when it is that. */
  form?: Record<string, string>;
  receivedAt: Date;
}

export interface WebhookReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface WebhookServerOptions {
  /** The reply to a request (default 200 "ok", text/plain). */
  reply?: (req: RecordedRequest) => WebhookReply;
  /** Port on 127.0.0.1; default a free one. */
  port?: number;
}

export interface WebhookServer {
  /** "http://127.0.0.1:<port>" */
  baseUrl: string;
  port: number;
  /** The base URL with a path appended: url("/services/x") */
  url(path?: string): string;
  /** Every request so far, oldest first. */
  requests: RecordedRequest[];
  /** Resolves with the requests once at least `n` (matching `filter`) have arrived. */
  waitForRequests(
    n: number,
    opts?: { timeoutMs?: number; filter?: (r: RecordedRequest) => boolean },
  ): Promise<RecordedRequest[]>;
  /** Forget the recorded requests. */
  clear(): void;
  stop(): Promise<void>;
}

function parseBody(req: RecordedRequest): void {
  const type = String(req.headers["content-type"] ?? "");
  if (type.includes("json") || /^\s*[[{]/.test(req.body)) {
    try {
      req.json = JSON.parse(req.body);
    } catch {
      // not JSON after all
    }
  }
  if (type.includes("application/x-www-form-urlencoded")) {
    req.form = Object.fromEntries(new URLSearchParams(req.body));
  }
}

export async function startWebhookServer(opts: WebhookServerOptions = {}): Promise<WebhookServer> {
  const requests: RecordedRequest[] = [];
  const reply = opts.reply ?? (() => ({ status: 200, body: "ok" }));
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        receivedAt: new Date(),
      };
      parseBody(recorded);
      requests.push(recorded);
      let answer: WebhookReply;
      try {
        answer = reply(recorded);
      } catch (err) {
        answer = { status: 500, body: String(err) };
      }
      res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
      res.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    port,
    url: (path = "/") => baseUrl + (path.startsWith("/") ? path : `/${path}`),
    requests,
    async waitForRequests(n, { timeoutMs = 30_000, filter = () => true } = {}) {
      return waitForItems(
        requests,
        n,
        { timeoutMs, filter },
        (found) =>
          `webhook server ${baseUrl}: ${found} of ${n} requests after ${timeoutMs} ms ` +
          `(all received: ${JSON.stringify(requests.map((r) => `${r.method} ${r.path}`))})`,
      );
    },
    clear: () => void requests.splice(0),
    stop: () =>
      new Promise<void>((resolvePromise) => {
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}
