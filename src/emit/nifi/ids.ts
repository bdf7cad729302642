import { hashHex } from "../../ir/hash.js";

const namespaces = new Map<string, Buffer>();

/** The variant's hex digit for each digit of the hash: its two high bits set to 10 (RFC 4122). */
const variantDigit = "89ab89ab89ab89ab";

/**
 * Name-based (version 5, SHA-1) UUIDs, RFC 9562 section 5.5: the same name always gives the
 * same id, so a rebuild writes the same flow definition byte for byte. The version and variant
 * bits are set in the hash's hex digits: digit 12 becomes 5, digit 16 keeps its two low bits.
 */
export function uuidV5(namespace: string, name: string): string {
  let ns = namespaces.get(namespace);
  if (!ns) {
    ns = Buffer.from(namespace.replace(/-/g, ""), "hex");
    if (ns.length !== 16) throw new Error(`not a UUID: ${namespace}`);
    namespaces.set(namespace, ns);
  }
  const data = Buffer.allocUnsafe(16 + Buffer.byteLength(name, "utf8"));
  ns.copy(data, 0);
  data.write(name, 16, "utf8");
  const h = hashHex("sha1", data);
  const variant = variantDigit[parseInt(h[16]!, 16)]!;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
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
