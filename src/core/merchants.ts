import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { newMerchantId } from "./ids.ts";
import type { Store } from "./ports.ts";
import type { Merchant } from "./types.ts";

const scryptAsync = promisify(scrypt) as (secret: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

// N=2^14 keeps a token request near 20 ms: slow for a guesser, bearable for a shop.
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, KEY_LENGTH, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = await scryptAsync(secret, Buffer.from(salt, "base64"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(actual, expected);
}

/** TBC's apikey is a random 256-bit value: SHA-256 is enough to store it and look it up. */
export function hashApiKey(apiKey: string): string {
  return createHash("sha256").update(apiKey).digest("hex");
}

export type NewMerchantCredentials = { merchant: Merchant; clientSecret: string; tbcApiKey: string };

export async function createMerchant(
  store: Store,
  input: { name: string; clientId?: string; clientSecret?: string; tbcApiKey?: string; now: number },
): Promise<NewMerchantCredentials> {
  const clientSecret = input.clientSecret ?? randomBytes(24).toString("base64url");
  const tbcApiKey = input.tbcApiKey ?? randomBytes(24).toString("base64url");
  const merchant: Merchant = {
    id: newMerchantId(),
    name: input.name,
    clientId: input.clientId ?? String(randomInt(10_000_000, 99_999_999)),
    secretHash: await hashSecret(clientSecret),
    tbcApiKeyHash: hashApiKey(tbcApiKey),
    createdAt: input.now,
  };
  await store.transaction((tx) => tx.insertMerchant(merchant));
  return { merchant, clientSecret, tbcApiKey };
}

/** Returns the merchant whose client credentials these are, or undefined. Takes the same time for an unknown id. */
export async function authenticateMerchant(
  store: Store,
  clientId: string,
  clientSecret: string,
): Promise<Merchant | undefined> {
  const merchant = await store.read((tx) => tx.findMerchantByClientId(clientId));
  const ok = await verifySecret(clientSecret, merchant?.secretHash ?? UNKNOWN_CLIENT_HASH);
  return ok && merchant ? merchant : undefined;
}

// A real hash of a random secret, so that an unknown client id costs one scrypt like a known one.
const UNKNOWN_CLIENT_HASH = await hashSecret(randomBytes(16).toString("hex"));

/** The merchant whose TBC apikey this is, or undefined. */
export async function merchantByApiKey(store: Store, apiKey: string): Promise<Merchant | undefined> {
  return store.read((tx) => tx.findMerchantByTbcApiKeyHash(hashApiKey(apiKey)));
}
