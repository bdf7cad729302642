import * as crypto from "node:crypto";

/**
 * A digest in hex: one-shot `crypto.hash` where Node has it (20.12+; no Hash object per call),
 * a Hash before. For the hashes computed per file and per component (write/manifest.ts,
 * emit/nifi/ids.ts).
 */
export const hashHex: (algorithm: "sha1" | "sha256", data: string | Buffer) => string =
  typeof crypto.hash === "function"
    ? (algorithm, data) => crypto.hash(algorithm, data, "hex")
    : (algorithm, data) => crypto.createHash(algorithm).update(data).digest("hex");
