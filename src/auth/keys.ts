// Key material. The keys every node of one store must share (the RS256 pair that signs access
// tokens, the RSA pair that signs callbacks, the CSRF secret) live in the store's settings,
// sealed with the card key, so that a token minted on one node verifies on another and every
// callback verifies with the one published key. The card key itself cannot be sealed by
// itself: it is configured (TETRI_CARD_KEY), or in test mode generated into the data directory
// (mode 0600). Earlier versions kept the shared keys in the data directory too: a key found
// there is carried into the store, so shops keep verifying with the key they know.

import { createHash, createPrivateKey, createPublicKey, generateKeyPair, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { CardVault } from "../core/card-vault.ts";
import type { Store } from "../core/ports.ts";

export type RsaKeyPair = { kid: string; privateKey: KeyObject; publicKey: KeyObject; publicPem: string };

export type SharedKeys = { tokenSigning: RsaKeyPair; callbackSigning: RsaKeyPair; csrf: Buffer };

function readIfThere(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function readOrCreate(path: string, create: () => string): string {
  const existing = readIfThere(path);
  if (existing !== undefined) return existing;
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

function keysDir(dataDir: string): string {
  const dir = join(dataDir, "keys");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

export function rsaKeyPairOf(pem: string): RsaKeyPair {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const kid = createHash("sha256").update(publicPem).digest("base64url").slice(0, 16);
  return { kid, privateKey, publicKey, publicPem };
}

// On the thread pool: the first start makes two keys at once, and the event loop goes on meanwhile.
const generateRsaKeyPair = promisify(generateKeyPair);
const newRsaPem = async () => (await generateRsaKeyPair("rsa", { modulusLength: 2048 })).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const newSecret = () => randomBytes(32).toString("base64");

/**
 * One shared key: the store's, or else the data directory's from an earlier version, or else
 * a new one; the first node to write it decides for all.
 */
async function sharedKey(store: Store, vault: CardVault, dataDir: string, file: string, create: () => string | Promise<string>, now: number): Promise<string> {
  const name = `key:${file}`;
  const stored = await store.read((tx) => tx.settings.find(name));
  if (stored) return openSharedKey(vault, file, stored);
  // Made outside the transaction, so that the store is not held while a key is generated.
  const material = readIfThere(join(dataDir, "keys", file)) ?? (await create());
  const sealed = await store.transaction((tx) => tx.settings.insertIfAbsent(name, JSON.stringify(vault.seal(material)), now));
  return openSharedKey(vault, file, sealed);
}

function openSharedKey(vault: CardVault, file: string, sealed: string): string {
  const { ciphertext, keyId } = JSON.parse(sealed) as { ciphertext: string; keyId: string };
  try {
    return vault.open(ciphertext, keyId);
  } catch (error) {
    throw new Error(`the store's ${file} key was sealed with another card key (key id ${keyId}): set the TETRI_CARD_KEY it was sealed with`, {
      cause: error,
    });
  }
}

export async function loadSharedKeys(store: Store, vault: CardVault, dataDir: string, now: number): Promise<SharedKeys> {
  const [tokenSigning, callbackSigning, csrf] = await Promise.all([
    sharedKey(store, vault, dataDir, "token-signing.pem", newRsaPem, now),
    sharedKey(store, vault, dataDir, "callback-signing.pem", newRsaPem, now),
    sharedKey(store, vault, dataDir, "csrf.key", newSecret, now),
  ]);
  return { tokenSigning: rsaKeyPairOf(tokenSigning), callbackSigning: rsaKeyPairOf(callbackSigning), csrf: Buffer.from(csrf.trim(), "base64") };
}

export function loadCardKey(dataDir: string, configured: string | undefined): Buffer {
  if (configured !== undefined) return Buffer.from(configured, "base64");
  return Buffer.from(readOrCreate(join(keysDir(dataDir), "card.key"), newSecret).trim(), "base64");
}
