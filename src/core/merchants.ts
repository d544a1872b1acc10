import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { newMerchantId } from "./ids.ts";
import type { MerchantId } from "./ids.ts";
import type { Store, StoreTx } from "./ports.ts";
import type { DialectCredential, DialectId, Merchant } from "./types.ts";

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

/** A random 256-bit key (an API key) is stored and looked up by its SHA-256: no slow hash needed. */
export function hashRandomKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** A fresh random key, as given to merchants (client secrets, API keys). */
export function randomKey(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * How one dialect makes its own credential for a new merchant, beside the client id and
 * secret every merchant has. `fixed` is the value configuration asks for (a demo merchant
 * with known keys, for scripts and CI).
 */
export type CredentialIssuer = {
  dialect: DialectId;
  /** The one name it is shown under: a JSON key of the CLI, a line of the start banner. */
  name: string;
  /** Why a value configuration fixes cannot be this credential (checked at start); undefined when it can. */
  problemWithFixed?(fixed: string): string | undefined;
  /** `seal` encrypts a secret the dialect must read back later (to verify a checksum made with it). */
  issue(fixed: string | undefined, seal: SealSecret): Promise<{ credential: Pick<DialectCredential, "lookup" | "sealedSecret" | "details">; shown: string }>;
};

export type SealSecret = (secret: string) => NonNullable<DialectCredential["sealedSecret"]>;

const NO_SEAL: SealSecret = () => {
  throw new Error("this credential keeps a sealed secret: create the merchant with the card key at hand");
};

export type NewMerchant = {
  merchant: Merchant;
  clientSecret: string;
  /** Each dialect credential by its issuer's name, shown only now. */
  credentials: Record<string, string>;
};

type MerchantInput = {
  name: string;
  clientId?: string;
  clientSecret?: string;
  fixedCredentials?: Readonly<Record<string, string | undefined>>;
  seal?: SealSecret;
  now: number;
};

type PreparedMerchant = NewMerchant & { rows: DialectCredential[] };

/** A new merchant with its secrets hashed and its dialect credentials issued, not stored yet. */
async function prepareMerchant(issuers: readonly CredentialIssuer[], input: MerchantInput): Promise<PreparedMerchant> {
  const clientSecret = input.clientSecret ?? randomKey();
  const merchant: Merchant = {
    id: newMerchantId(),
    name: input.name,
    clientId: input.clientId ?? String(randomInt(10_000_000, 99_999_999)),
    secretHash: await hashSecret(clientSecret),
    createdAt: input.now,
  };
  const seal = input.seal ?? NO_SEAL;
  const issued = await Promise.all(issuers.map(async (issuer) => ({ issuer, ...(await issuer.issue(input.fixedCredentials?.[issuer.name], seal)) })));
  return {
    merchant,
    clientSecret,
    credentials: Object.fromEntries(issued.map(({ issuer, shown }) => [issuer.name, shown])),
    rows: issued.map(({ issuer, credential }) => ({ ...credential, dialect: issuer.dialect, merchantId: merchant.id, createdAt: input.now })),
  };
}

async function insertMerchant(tx: StoreTx, prepared: PreparedMerchant): Promise<NewMerchant> {
  await tx.merchants.insert(prepared.merchant);
  for (const credential of prepared.rows) await tx.credentials.insert(credential);
  const { rows: _rows, ...created } = prepared;
  return created;
}

export async function createMerchant(store: Store, issuers: readonly CredentialIssuer[], input: MerchantInput): Promise<NewMerchant> {
  const prepared = await prepareMerchant(issuers, input);
  return store.transaction((tx) => insertMerchant(tx, prepared));
}

/**
 * Gives the merchant a new client secret, shown only in this answer: the old one stops working
 * for new tokens and sign-ins at once, and every dashboard session of the merchant but `keepSession`
 * ends. Access tokens already issued stay valid until they expire.
 */
export async function rotateClientSecret(store: Store, merchantId: MerchantId, keepSession: string | undefined): Promise<string> {
  const secret = randomKey();
  const secretHash = await hashSecret(secret);
  await store.transaction(async (tx) => {
    await tx.merchants.updateSecretHash(merchantId, secretHash);
    await tx.sessions.deleteOfMerchant(merchantId, keepSession);
  });
  return secret;
}

/** Returns the merchant whose client credentials these are, or undefined. Takes the same time for an unknown id. */
export async function authenticateMerchant(
  store: Store,
  clientId: string,
  clientSecret: string,
): Promise<Merchant | undefined> {
  const merchant = await store.read((tx) => tx.merchants.findByClientId(clientId));
  const ok = await verifySecret(clientSecret, merchant?.secretHash ?? (await UNKNOWN_CLIENT_HASH));
  return ok && merchant ? merchant : undefined;
}

// A real hash of a random secret, so that an unknown client id costs one scrypt like a known one.
// Made at start on the thread pool, not awaited there: loading this module does not wait for it.
const UNKNOWN_CLIENT_HASH = hashSecret(randomBytes(16).toString("hex"));

/** The merchant a dialect credential belongs to, with the credential, or undefined. */
export async function merchantByCredential(
  store: Store,
  dialect: DialectId,
  lookup: string,
): Promise<{ merchant: Merchant; credential: DialectCredential } | undefined> {
  return store.read(async (tx) => {
    const credential = await tx.credentials.findByLookup(dialect, lookup);
    const merchant = credential && (await tx.merchants.find(credential.merchantId));
    return merchant && credential ? { merchant, credential } : undefined;
  });
}

/** A merchant by its id or by its client id (the login a dialect may name it by), or undefined. */
export async function findMerchant(store: Store, by: { id: MerchantId } | { clientId: string }): Promise<Merchant | undefined> {
  return store.read((tx) => ("id" in by ? tx.merchants.find(by.id) : tx.merchants.findByClientId(by.clientId)));
}

/** The merchant's own credential of one dialect, if that dialect gives one. */
export async function credentialOfMerchant(store: Store, dialect: DialectId, merchantId: MerchantId): Promise<DialectCredential | undefined> {
  return store.read((tx) => tx.credentials.ofMerchant(dialect, merchantId));
}

export type DemoMerchant = {
  clientId: string;
  /** Known only when this start created it, or when configuration fixes it. */
  clientSecret: string | undefined;
  credentials: Record<string, string | undefined>;
  created: boolean;
};

/**
 * The demo merchant: created on the first start of an empty store, or with the credentials
 * configuration fixes. Its secrets are known only at creation (or from configuration). Nodes
 * starting together on one empty store make one: the first to claim it in the store's
 * settings creates it, the others find it made.
 */
export async function ensureDemoMerchant(
  store: Store,
  issuers: readonly CredentialIssuer[],
  fixed: { clientId: string | undefined; clientSecret: string | undefined; credentials: Readonly<Record<string, string | undefined>> },
  now: number,
  seal: SealSecret,
): Promise<DemoMerchant | undefined> {
  // Made before (by an earlier start, or by another node just now): known only as configured.
  const madeBefore = (clientId: string | undefined): DemoMerchant | undefined =>
    clientId === undefined
      ? undefined
      : {
          clientId,
          clientSecret: fixed.clientSecret,
          credentials: Object.fromEntries(issuers.map((issuer) => [issuer.name, fixed.credentials[issuer.name]])),
          created: false,
        };
  if (fixed.clientId !== undefined) {
    const existing = await store.read((tx) => tx.merchants.findByClientId(fixed.clientId ?? ""));
    if (existing) return madeBefore(existing.clientId);
  } else if ((await store.read((tx) => tx.merchants.count())) > 0) {
    return undefined;
  }
  const prepared = await prepareMerchant(issuers, {
    name: "Demo shop",
    clientId: fixed.clientId,
    clientSecret: fixed.clientSecret,
    fixedCredentials: fixed.credentials,
    seal,
    now,
  });
  const created = await store.transaction(async (tx) => {
    const claimedBy = await tx.settings.insertIfAbsent(`demo_merchant:${fixed.clientId ?? ""}`, prepared.merchant.id, now);
    return claimedBy === prepared.merchant.id ? insertMerchant(tx, prepared) : undefined;
  });
  if (!created) return madeBefore(fixed.clientId);
  return { clientId: created.merchant.clientId, clientSecret: created.clientSecret, credentials: created.credentials, created: true };
}
