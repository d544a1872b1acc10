// Key material lives in files under the data directory (mode 0600), never in the database:
// an RS256 pair for access tokens, an RSA pair for callback signatures, and, in test mode
// when TETRI_CARD_KEY is unset, the AES key that seals card numbers.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type RsaKeyPair = { kid: string; privateKey: KeyObject; publicKey: KeyObject; publicPem: string };

function readOrCreate(path: string, create: () => string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const content = create();
    // "wx": if another process created it meanwhile, fail rather than overwrite its key.
    try {
      writeFileSync(path, content, { mode: 0o600, flag: "wx" });
      return content;
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(path, "utf8");
      throw raced;
    }
  }
}

export function loadRsaKeyPair(dataDir: string, name: string): RsaKeyPair {
  const dir = join(dataDir, "keys");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pem = readOrCreate(join(dir, `${name}.pem`), () =>
    generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  );
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const kid = createHash("sha256").update(publicPem).digest("base64url").slice(0, 16);
  return { kid, privateKey, publicKey, publicPem };
}

/** A random 32-byte secret kept in the data directory (e.g. the CSRF key). */
export function loadSecret(dataDir: string, name: string): Buffer {
  const dir = join(dataDir, "keys");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return Buffer.from(readOrCreate(join(dir, `${name}.key`), () => randomBytes(32).toString("base64")).trim(), "base64");
}

export function loadCardKey(dataDir: string, configured: string | undefined): Buffer {
  return configured !== undefined ? Buffer.from(configured, "base64") : loadSecret(dataDir, "card");
}
