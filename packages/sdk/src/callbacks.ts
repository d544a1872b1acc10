// Checks a callback's signature: SHA256withRSA over the raw body bytes, base64 in the
// `Callback-Signature` header, with the gateway's published public key (PEM).

import { createPublicKey, verify } from "node:crypto";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Parsed keys by PEM: a shop verifies every callback with the same one or two keys. */
const keys = new Map<string, ReturnType<typeof createPublicKey>>();

/**
 * True only when `signature` signs exactly `rawBody` (the bytes as received: verify before
 * parsing, a re-serialized body may differ). A missing or malformed signature is false; a key
 * that is not an RSA public key in PEM throws, as that is a configuration mistake.
 */
export function verifyCallbackSignature(rawBody: string | Uint8Array, signature: string | null | undefined, publicKeyPem: string): boolean {
  let key = keys.get(publicKeyPem);
  if (!key) {
    key = createPublicKey(publicKeyPem);
    keys.set(publicKeyPem, key);
  }
  const text = signature?.trim() ?? "";
  if (!BASE64.test(text)) return false;
  const bytes = typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody;
  return verify("sha256", bytes, key, Buffer.from(text, "base64"));
}
