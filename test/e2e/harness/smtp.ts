// A local SMTP sink on 127.0.0.1 that records every message it is sent (plain SMTP, no TLS), for
// the e-mail notifications of generated DAGs. It speaks enough ESMTP for Python's smtplib and
// aiosmtplib (what Airflow's SMTP provider uses): EHLO/HELO, AUTH PLAIN and LOGIN (any
// credentials are accepted and recorded), MAIL, RCPT, DATA (dot-unstuffed), RSET, NOOP, QUIT.
// STARTTLS is refused, so a connection that does not disable TLS fails visibly.
//
// An Airflow SMTP connection for it (the provider's extras: no SSL, no STARTTLS):
//   AIRFLOW_CONN_SMTP_DEFAULT = smtpConnectionJson(smtp)
//   = {"conn_type":"smtp","host":"127.0.0.1","port":<port>,
//      "extra":{"disable_ssl":true,"disable_tls":true,"from_email":"airflow@example.com"}}
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { waitForItems } from "./process.js";

export interface MimePart {
  contentType: string;
  /** Decoded (base64 / quoted-printable) body as UTF-8 text. */
  text: string;
  filename?: string;
}

export interface ReceivedMail {
  /** Envelope sender (MAIL FROM), without the angle brackets. */
  from: string;
  /** Envelope recipients (RCPT TO), in order. */
  to: string[];
  /** Credentials of AUTH on that connection, if the client logged in. */
  auth?: { mechanism: string; user: string; password: string };
  /** The message as sent after DATA (dot-unstuffed, CRLF line ends). */
  raw: string;
  /** Header names lower-cased, values unfolded and RFC 2047-decoded; first occurrence wins. */
  headers: Record<string, string>;
  subject: string;
  /** Leaf parts of the (possibly multipart) body, decoded. */
  parts: MimePart[];
  /** The text/* parts joined with newlines. */
  text: string;
  receivedAt: Date;
}

export interface SmtpServer {
  host: string;
  port: number;
  messages: ReceivedMail[];
  /** Resolves with the messages once at least `n` (matching `filter`) have arrived. */
  waitForMessages(
    n: number,
    opts?: { timeoutMs?: number; filter?: (m: ReceivedMail) => boolean },
  ): Promise<ReceivedMail[]>;
  clear(): void;
  stop(): Promise<void>;
}

/** An Airflow connection (JSON form, for AIRFLOW_CONN_<ID>) for this SMTP server. */
export function smtpConnectionJson(
  smtp: Pick<SmtpServer, "host" | "port">,
  opts: { fromEmail?: string; login?: string; password?: string } = {},
): string {
  return JSON.stringify({
    conn_type: "smtp",
    host: smtp.host,
    port: smtp.port,
    ...(opts.login !== undefined ? { login: opts.login } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    extra: {
      disable_ssl: true,
      disable_tls: true,
      from_email: opts.fromEmail ?? "airflow@example.com",
      timeout: 10,
      retry_limit: 1,
    },
  });
}

function decodeQuotedPrintable(s: string, header = false): Buffer {
  const src = header ? s.replace(/_/g, " ") : s.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "=" && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  return Buffer.from(bytes);
}

function bufferToText(buf: Buffer, charset: string): string {
  return /^(us-ascii|ascii|iso-8859-1|latin1)$/i.test(charset)
    ? buf.toString("latin1")
    : buf.toString("utf8");
}

/** RFC 2047 encoded words (=?utf-8?B?...?= / =?utf-8?Q?...?=) in a header value. */
function decodeHeaderValue(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?") // whitespace between adjacent encoded words is dropped
    .replace(
      /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
      (_m, charset: string, enc: string, text: string) =>
        bufferToText(
          enc.toUpperCase() === "B"
            ? Buffer.from(text, "base64")
            : decodeQuotedPrintable(text, true),
          charset,
        ),
    );
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const unfolded = block.replace(/\r?\n[ \t]+/g, " ");
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!(name in headers)) headers[name] = decodeHeaderValue(line.slice(i + 1).trim());
  }
  return headers;
}

function splitHeadersBody(raw: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? [raw.slice(0, m.index), raw.slice(m.index + m[0].length)] : [raw, ""];
}

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, "i").exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

function parseMime(headers: Record<string, string>, body: string, depth = 0): MimePart[] {
  const contentType = headers["content-type"] ?? "text/plain";
  const boundary = param(contentType, "boundary");
  if (/^multipart\//i.test(contentType) && boundary && depth < 10) {
    const parts: MimePart[] = [];
    const sections = body.split(
      new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
    );
    for (const section of sections.slice(1)) {
      if (section.startsWith("--")) break; // the closing delimiter
      const [h, b] = splitHeadersBody(section.replace(/^[ \t]*\r?\n/, ""));
      parts.push(...parseMime(parseHeaders(h), b, depth + 1));
    }
    return parts;
  }
  const encoding = (headers["content-transfer-encoding"] ?? "7bit").toLowerCase();
  const charset = param(contentType, "charset") ?? "utf-8";
  let text: string;
  if (encoding === "base64") text = bufferToText(Buffer.from(body, "base64"), charset);
  else if (encoding === "quoted-printable")
    text = bufferToText(decodeQuotedPrintable(body), charset);
  else text = body;
  const filename =
    param(headers["content-disposition"] ?? "", "filename") ?? param(contentType, "name");
  return [
    {
      contentType: contentType.split(";")[0]!.trim().toLowerCase(),
      text,
      ...(filename ? { filename } : {}),
    },
  ];
}

export function parseMail(
  raw: string,
  envelope: { from: string; to: string[]; auth?: ReceivedMail["auth"] },
): ReceivedMail {
  const [headerBlock, body] = splitHeadersBody(raw);
  const headers = parseHeaders(headerBlock);
  const parts = parseMime(headers, body);
  return {
    ...envelope,
    raw,
    headers,
    subject: headers.subject ?? "",
    parts,
    text: parts
      .filter((p) => p.contentType.startsWith("text/"))
      .map((p) => p.text)
      .join("\n"),
    receivedAt: new Date(),
  };
}

function stripAngles(s: string): string {
  const m = /<([^>]*)>/.exec(s);
  return (m ? m[1]! : s.split(/\s+/)[0]!).trim();
}

export async function startSmtpServer(
  opts: { port?: number; hostname?: string } = {},
): Promise<SmtpServer> {
  const messages: ReceivedMail[] = [];
  const sockets = new Set<Socket>();
  const name = opts.hostname ?? "pipegen-smtp-sink";

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setEncoding("utf8");
    const send = (line: string) => socket.write(`${line}\r\n`);

    let buffer = "";
    let mode: "command" | "data" | "auth-plain" | "auth-login-user" | "auth-login-pass" = "command";
    let from = "";
    let to: string[] = [];
    let dataLines: string[] = [];
    let auth: ReceivedMail["auth"];
    let loginUser = "";

    const handle = (line: string) => {
      if (mode === "data") {
        if (line === ".") {
          mode = "command";
          messages.push(
            parseMail(dataLines.join("\r\n") + "\r\n", {
              from,
              to: [...to],
              ...(auth ? { auth } : {}),
            }),
          );
          from = "";
          to = [];
          dataLines = [];
          send("250 2.0.0 OK: queued");
        } else {
          dataLines.push(line.startsWith(".") ? line.slice(1) : line);
        }
        return;
      }
      if (mode === "auth-plain") {
        const [, user = "", password = ""] = Buffer.from(line, "base64")
          .toString("utf8")
          .split("\0");
        auth = { mechanism: "PLAIN", user, password };
        mode = "command";
        send("235 2.7.0 Authentication successful");
        return;
      }
      if (mode === "auth-login-user") {
        loginUser = Buffer.from(line, "base64").toString("utf8");
        mode = "auth-login-pass";
        send("334 UGFzc3dvcmQ6"); // "Password:"
        return;
      }
      if (mode === "auth-login-pass") {
        auth = {
          mechanism: "LOGIN",
          user: loginUser,
          password: Buffer.from(line, "base64").toString("utf8"),
        };
        mode = "command";
        send("235 2.7.0 Authentication successful");
        return;
      }
      const [verb = "", ...rest] = line.split(" ");
      const arg = rest.join(" ");
      switch (verb.toUpperCase()) {
        case "EHLO":
          socket.write(
            `250-${name}\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n`,
          );
          break;
        case "HELO":
          send(`250 ${name}`);
          break;
        case "MAIL":
          from = stripAngles(arg.replace(/^FROM:\s*/i, ""));
          to = [];
          send("250 2.1.0 OK");
          break;
        case "RCPT":
          to.push(stripAngles(arg.replace(/^TO:\s*/i, "")));
          send("250 2.1.5 OK");
          break;
        case "DATA":
          if (!to.length) {
            send("503 5.5.1 RCPT first");
            break;
          }
          mode = "data";
          dataLines = [];
          send("354 End data with <CR><LF>.<CR><LF>");
          break;
        case "AUTH": {
          const [mech = "", initial] = arg.split(" ");
          if (mech.toUpperCase() === "PLAIN") {
            if (initial) {
              mode = "auth-plain";
              handle(initial);
            } else {
              mode = "auth-plain";
              send("334 ");
            }
          } else if (mech.toUpperCase() === "LOGIN") {
            if (initial) {
              mode = "auth-login-user";
              handle(initial);
            } else {
              mode = "auth-login-user";
              send("334 VXNlcm5hbWU6"); // "Username:"
            }
          } else {
            send("504 5.5.4 Unrecognized authentication type");
          }
          break;
        }
        case "RSET":
          from = "";
          to = [];
          send("250 2.0.0 OK");
          break;
        case "NOOP":
          send("250 2.0.0 OK");
          break;
        case "STARTTLS":
          send("454 4.7.0 TLS not available (pipegen test SMTP sink)");
          break;
        case "QUIT":
          send("221 2.0.0 Bye");
          socket.end();
          break;
        default:
          send("502 5.5.2 Command not recognized");
      }
    };

    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, i).replace(/\r$/, "");
        buffer = buffer.slice(i + 1);
        handle(line);
      }
    });
    send(`220 ${name} ESMTP ready`);
  });

  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolvePromise());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host: "127.0.0.1",
    port,
    messages,
    async waitForMessages(n, { timeoutMs = 30_000, filter = () => true } = {}) {
      return waitForItems(
        messages,
        n,
        { timeoutMs, filter },
        (found) =>
          `SMTP sink 127.0.0.1:${port}: ${found} of ${n} messages after ${timeoutMs} ms ` +
          `(all received: ${JSON.stringify(messages.map((m) => `${m.to.join(",")}: ${m.subject}`))})`,
      );
    },
    clear: () => void messages.splice(0),
    stop: () =>
      new Promise<void>((resolvePromise) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolvePromise());
      }),
  };
}
