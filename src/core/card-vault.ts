import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

// PANs are stored sealed with AES-256-GCM. The key id travels beside the ciphertext so
// keys can rotate: new cards use the current key, old ones still open with a retired one
// until card-key rotation (core/card-key-rotation.ts) has re-sealed them.

export type VaultKey = { id: string; key: Buffer };

export function vaultKeyFrom(key: Buffer): VaultKey {
  if (key.length !== 32) throw new RangeError("a card encryption key must be 32 bytes");
  return { id: createHash("sha256").update(key).digest("hex").slice(0, 12), key };
}

export class CardVault {
  readonly #current: VaultKey;
  readonly #keys: Map<string, Buffer>;

  constructor(current: VaultKey, retired: readonly VaultKey[] = []) {
    this.#current = current;
    this.#keys = new Map([current, ...retired].map((k) => [k.id, k.key]));
  }

  /** The id of the key new values are sealed with. */
  get currentKeyId(): string {
    return this.#current.id;
  }

  /** The ids of the retired keys: they still open, they no longer seal. */
  get retiredKeyIds(): string[] {
    return [...this.#keys.keys()].filter((id) => id !== this.#current.id);
  }

  seal(pan: string): { ciphertext: string; keyId: string } {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#current.key, iv);
    const sealed = Buffer.concat([cipher.update(pan, "utf8"), cipher.final()]);
    const tag = cipher.getAuthTag();
    return { ciphertext: Buffer.concat([iv, tag, sealed]).toString("base64"), keyId: this.#current.id };
  }

  open(ciphertext: string, keyId: string): string {
    const key = this.#keys.get(keyId);
    if (!key) throw new Error(`card key ${keyId} is not configured`);
    const raw = Buffer.from(ciphertext, "base64");
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}
