import * as crypto from "node:crypto";

const namespaces = new Map<string, Buffer>();

/** SHA-1 of the bytes: one-shot `crypto.hash` where Node has it (20.12+), a Hash object before. */
const sha1: (data: Buffer) => Buffer =
  typeof crypto.hash === "function"
    ? (data) => crypto.hash("sha1", data, "buffer")
    : (data) => crypto.createHash("sha1").update(data).digest();

/**
 * Name-based (version 5, SHA-1) UUIDs, RFC 9562 section 5.5: the same name always gives the
 * same id, so a rebuild writes the same flow definition byte for byte.
 */
export function uuidV5(namespace: string, name: string): string {
  let ns = namespaces.get(namespace);
  if (!ns) {
    ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
    if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
    namespaces.set(namespace, ns);
  }
  const b = sha1(Buffer.concat([ns, Buffer.from(name, "utf8")])).subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The namespace of pipegen's NiFi ids: uuidV5(URL namespace, "https://pipegen.dev/nifi"). */
export const PIPEGEN_NIFI_NAMESPACE = uuidV5(
  "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  "https://pipegen.dev/nifi",
);

/**
 * The two ids of a versioned component: `identifier` (the versioned id, what connections and
 * property values refer to) and `instanceIdentifier`, both derived from the pipeline and the
 * component's path in the flow (e.g. "ingest/shop_orders/processor/source").
 */
export function componentIds(
  pipeline: string,
  path: string,
): { identifier: string; instanceIdentifier: string } {
  // JSON-encoded parts: no pipeline/path pair can collide with another.
  const name = JSON.stringify([pipeline, path]);
  return {
    identifier: uuidV5(PIPEGEN_NIFI_NAMESPACE, name),
    instanceIdentifier: uuidV5(PIPEGEN_NIFI_NAMESPACE, `${name}#instance`),
  };
}
