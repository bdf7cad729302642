// A real S3-compatible server for the e2e tests: MinIO, built from the Go module proxy by
// test/e2e/engines/minio/install.sh into $CACHE/minio-<pseudo-version>/bin/minio and run as
//   MINIO_ROOT_USER=... MINIO_ROOT_PASSWORD=... minio server <dir>/data \
//     --address 127.0.0.1:<free> --console-address 127.0.0.1:<free>
// One server per startS3(), single drive, in a fresh temp dir. Ready when /minio/health/ready
// answers 200. The returned client speaks plain S3 (AWS Signature V4, path-style, written here on
// node:crypto, so reading back what Spark wrote does not go through Spark or Hadoop):
// createBucket, list, get, put.
//
// For Spark's S3A (hadoop-aws + AWS SDK bundle from $CACHE/spark-s3-jars-<hadoop>): s3aConf()
// gives the spark.hadoop.fs.s3a.* settings for this server (endpoint, path style, no TLS, region,
// credentials from the environment only) and s3aEnv() the AWS_* variables they read.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachePaths, REPO_ROOT } from "./paths.js";
import { freePorts, startServer, waitForServer } from "./process.js";

export const MINIO_ENGINE_DIR = join(REPO_ROOT, "test", "e2e", "engines", "minio");

export interface S3Options {
  /** Give up (and kill it) when it is not ready in time; default 60 s. */
  startTimeoutMs?: number;
  /** Buckets to create once it is up. */
  buckets?: string[];
}

export interface S3Object {
  key: string;
  size: number;
}

export interface S3Server {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  region: string;
  accessKey: string;
  secretKey: string;
  dir: string;
  logFile: string;
  createBucket(bucket: string): Promise<void>;
  /** Every object under the prefix (ListObjectsV2, all pages), sorted by key. */
  list(bucket: string, prefix?: string): Promise<S3Object[]>;
  get(bucket: string, key: string): Promise<Buffer>;
  put(bucket: string, key: string, body: Buffer | string): Promise<void>;
  /** SIGTERM, SIGKILL after 10 s, then remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** The MinIO binary that engines/minio/install.sh built (the newest minio-* in the cache). */
export function minioBinary(): string {
  const cache = cachePaths().cacheDir;
  const dirs = existsSync(cache)
    ? readdirSync(cache)
        .filter((d) => d.startsWith("minio-") && existsSync(join(cache, d, "bin", "minio")))
        .sort()
    : [];
  const script = readFileSync(join(MINIO_ENGINE_DIR, "install.sh"), "utf8");
  const want = /^MINIO_VERSION=v0\.0\.0-(\S+)$/m.exec(script)?.[1];
  const dir = want ? dirs.find((d) => d === `minio-${want}`) : dirs[dirs.length - 1];
  if (!dir)
    throw new Error(`no MinIO in ${cache}: run bash test/e2e/engines/minio/install.sh first`);
  return join(cache, dir, "bin", "minio");
}

/** The hadoop-aws + AWS SDK jars for Spark's s3a:// (absolute paths). */
export function s3aJars(): string[] {
  const pom = readFileSync(join(MINIO_ENGINE_DIR, "pom.xml"), "utf8");
  const hadoop = /<hadoop\.version>([^<]+)<\/hadoop\.version>/.exec(pom)?.[1];
  const dir = join(cachePaths().cacheDir, `spark-s3-jars-${hadoop}`);
  if (!existsSync(join(dir, ".installed")))
    throw new Error(`no S3A jars in ${dir}: run bash test/e2e/engines/minio/install.sh first`);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".jar"))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * spark.hadoop.fs.s3a.* for this server. Credentials are not in it: S3A reads them from the
 * environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, see s3aEnv()) through the SDK's
 * EnvironmentVariableCredentialsProvider, the only provider configured, so nothing ever asks an
 * instance-metadata endpoint.
 */
export function s3aConf(s3: Pick<S3Server, "endpoint" | "region">): Record<string, string> {
  return {
    "spark.hadoop.fs.s3a.endpoint": s3.endpoint,
    "spark.hadoop.fs.s3a.endpoint.region": s3.region,
    "spark.hadoop.fs.s3a.path.style.access": "true",
    "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
    "spark.hadoop.fs.s3a.aws.credentials.provider":
      "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
    // Small local runs: fail fast instead of retrying for minutes.
    "spark.hadoop.fs.s3a.attempts.maximum": "3",
    "spark.hadoop.fs.s3a.retry.limit": "3",
  };
}

/** The environment S3A (and any AWS SDK) reads the credentials and region from. */
export function s3aEnv(
  s3: Pick<S3Server, "accessKey" | "secretKey" | "region">,
): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: s3.accessKey,
    AWS_SECRET_ACCESS_KEY: s3.secretKey,
    AWS_REGION: s3.region,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

// --- AWS Signature Version 4 (path-style requests to one endpoint) -------------------------------

const sha256hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) =>
  createHmac("sha256", key).update(data).digest();
/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept). */
const uriEncode = (s: string, keepSlash: boolean) =>
  [...Buffer.from(s, "utf8")]
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) return c;
      return `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");

async function s3Request(
  s3: { endpoint: string; region: string; accessKey: string; secretKey: string },
  method: string,
  path: string,
  query: Record<string, string> = {},
  body: Buffer = Buffer.alloc(0),
): Promise<{ status: number; body: Buffer }> {
  const url = new URL(s3.endpoint);
  const now = new Date();
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256hex(body);
  const canonicalUri = uriEncode(path, true);
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${uriEncode(k, false)}=${uriEncode(query[k]!, false)}`)
    .join("&");
  const headers: Record<string, string> = {
    host: url.host,
    "x-amz-content-sha256": payloadHash,
    "x-amz-date": amzDate,
  };
  const signedHeaders = Object.keys(headers).sort().join(";");
  const canonicalHeaders = Object.keys(headers)
    .sort()
    .map((k) => `${k}:${headers[k]}\n`)
    .join("");
  const canonicalRequest = [
    method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${day}/${s3.region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonicalRequest)].join("\n");
  const kSigning = hmac(
    hmac(hmac(hmac(`AWS4${s3.secretKey}`, day), s3.region), "s3"),
    "aws4_request",
  );
  const signature = createHmac("sha256", kSigning).update(toSign).digest("hex");
  const res = await fetch(
    `${s3.endpoint}${canonicalUri}${canonicalQuery ? `?${canonicalQuery}` : ""}`,
    {
      method,
      headers: {
        ...headers,
        authorization: `AWS4-HMAC-SHA256 Credential=${s3.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      },
      body: method === "GET" || method === "HEAD" ? undefined : new Uint8Array(body),
    },
  );
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

const xmlValues = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]!);
const xmlUnescape = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");

// --- the server ------------------------------------------------------------------------------------

export async function startS3(opts: S3Options = {}): Promise<S3Server> {
  const bin = minioBinary();
  const dir = await mkdtemp(join(tmpdir(), "pipegen-minio-"));
  mkdirSync(join(dir, "data"));
  const logFile = join(dir, "minio.log");
  const [port, consolePort] = await freePorts(2);
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKey = `pipegen${randomBytes(4).toString("hex")}`;
  const secretKey = randomBytes(16).toString("hex");
  const region = "us-east-1";
  const minio = startServer({
    name: "MinIO",
    command: bin,
    args: [
      "server",
      join(dir, "data"),
      "--address",
      `127.0.0.1:${port}`,
      "--console-address",
      `127.0.0.1:${consolePort}`,
      "--quiet",
    ],
    dir,
    outFile: logFile,
    env: {
      HOME: dir, // MinIO keeps ~/.minio (certs dir) there
      MINIO_ROOT_USER: accessKey,
      MINIO_ROOT_PASSWORD: secretKey,
      MINIO_REGION: region,
      MINIO_BROWSER: "off",
      MINIO_UPDATE: "off",
      MINIO_CALLHOME_ENABLE: "off",
    },
    stopGraceMs: 10_000,
  });

  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  let last = "";
  await waitForServer(
    minio,
    async () => {
      try {
        const res = await fetch(`${endpoint}/minio/health/ready`, {
          signal: AbortSignal.timeout(2000),
        });
        if (res.status === 200) return true;
        last = `HTTP ${res.status}`;
      } catch (e) {
        last = String(e);
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 200, notReady: `not ready on ${endpoint}`, why: () => last },
  );

  const creds = { endpoint, region, accessKey, secretKey };
  const check = (what: string, r: { status: number; body: Buffer }, ok: number[] = [200]) => {
    if (!ok.includes(r.status))
      throw new Error(`S3 ${what}: HTTP ${r.status}\n${r.body.toString()}`);
  };
  const server: S3Server = {
    endpoint,
    port: port!,
    region,
    accessKey,
    secretKey,
    dir,
    logFile,
    async createBucket(bucket) {
      check(`create bucket ${bucket}`, await s3Request(creds, "PUT", `/${bucket}`));
    },
    async list(bucket, prefix = "") {
      const out: S3Object[] = [];
      let token: string | undefined;
      for (;;) {
        const query: Record<string, string> = { "list-type": "2", prefix };
        if (token) query["continuation-token"] = token;
        const r = await s3Request(creds, "GET", `/${bucket}`, query);
        check(`list ${bucket}/${prefix}`, r);
        const xml = r.body.toString();
        for (const c of xmlValues(xml, "Contents"))
          out.push({
            key: xmlUnescape(xmlValues(c, "Key")[0] ?? ""),
            size: Number(xmlValues(c, "Size")[0] ?? 0),
          });
        if (xmlValues(xml, "IsTruncated")[0] !== "true") break;
        token = xmlUnescape(xmlValues(xml, "NextContinuationToken")[0] ?? "");
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async get(bucket, key) {
      const r = await s3Request(creds, "GET", `/${bucket}/${key}`);
      check(`get ${bucket}/${key}`, r);
      return r.body;
    },
    async put(bucket, key, body) {
      const buf = typeof body === "string" ? Buffer.from(body) : body;
      check(`put ${bucket}/${key}`, await s3Request(creds, "PUT", `/${bucket}/${key}`, {}, buf));
    },
    stop: minio.stop,
  };
  for (const b of opts.buckets ?? []) await server.createBucket(b);
  return server;
}
