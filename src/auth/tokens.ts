// OAuth2 client-credentials access tokens: RS256 JWTs signed with the data directory's
// key, verified on every call, public key published as a JWKS.

import { randomUUID } from "node:crypto";
import { exportJWK, jwtVerify, SignJWT } from "jose";
import type { JWK } from "jose";
import type { MerchantId } from "../core/ids.ts";
import type { Clock } from "../core/ports.ts";
import type { DialectId, Merchant } from "../core/types.ts";
import type { RsaKeyPair } from "./keys.ts";

/** A token is good for one bank API (dialect) only: a token of one never opens another's API. */
export type TokenAudience = DialectId;

export type IssuedToken = { accessToken: string; expiresIn: number };

export class TokenService {
  readonly #keys: RsaKeyPair;
  readonly #audiences: ReadonlyMap<TokenAudience, { issuer: string; ttlSeconds: number }>;
  readonly #clock: Clock;
  readonly #verified = new Map<string, { merchantId: MerchantId; expiresAt: number }>();
  readonly #maxVerified: number;

  /** `audiences`: each dialect's token issuer and token lifetime; `maxVerified`: how many verified tokens are remembered (TETRI_TOKEN_CACHE_SIZE). */
  constructor(keys: RsaKeyPair, audiences: ReadonlyMap<TokenAudience, { issuer: string; ttlSeconds: number }>, clock: Clock, maxVerified = 10_000) {
    this.#keys = keys;
    this.#audiences = audiences;
    this.#clock = clock;
    this.#maxVerified = maxVerified;
  }

  /** `lifetimeSeconds`: the merchant's own token lifetime for this API, when it set one. */
  async issue(merchant: Merchant, audience: TokenAudience, lifetimeSeconds?: number): Promise<IssuedToken> {
    const nowSeconds = Math.floor(this.#clock.now() / 1000);
    const { issuer, ttlSeconds: defaultTtl } = this.#audienceOf(audience);
    const ttlSeconds = lifetimeSeconds ?? defaultTtl;
    const accessToken = await new SignJWT({ azp: merchant.clientId, typ: "Bearer" })
      .setProtectedHeader({ alg: "RS256", kid: this.#keys.kid, typ: "JWT" })
      .setIssuer(issuer)
      .setSubject(merchant.id)
      .setAudience(audience)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(nowSeconds + ttlSeconds)
      .setJti(randomUUID())
      .sign(this.#keys.privateKey);
    return { accessToken, expiresIn: ttlSeconds };
  }

  /** The merchant a token was issued to, or undefined for any token that is not valid right now. */
  async verify(token: string, audience: TokenAudience): Promise<MerchantId | undefined> {
    // A shop sends the same token for its whole lifetime: its signature is checked once, and
    // later calls only check that it has not expired. Only valid tokens are remembered.
    const cacheKey = `${audience} ${token}`;
    const known = this.#verified.get(cacheKey);
    if (known) {
      if (this.#clock.now() < known.expiresAt) return known.merchantId;
      this.#verified.delete(cacheKey);
      return undefined;
    }
    const verified = await this.#verifySignature(token, audience);
    if (!verified) return undefined;
    if (this.#verified.size >= this.#maxVerified) this.#verified.clear();
    if (this.#maxVerified > 0) this.#verified.set(cacheKey, { merchantId: verified.id, expiresAt: verified.expiresAt });
    return verified.id;
  }

  async #verifySignature(token: string, audience: TokenAudience): Promise<{ id: MerchantId; expiresAt: number } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#keys.publicKey, {
        issuer: this.#audienceOf(audience).issuer,
        audience,
        algorithms: ["RS256"],
        currentDate: new Date(this.#clock.now()),
      });
      if (typeof payload.sub !== "string" || typeof payload.exp !== "number") return undefined;
      return { id: payload.sub as MerchantId, expiresAt: payload.exp * 1000 };
    } catch {
      return undefined;
    }
  }

  #audienceOf(audience: TokenAudience): { issuer: string; ttlSeconds: number } {
    const known = this.#audiences.get(audience);
    if (!known) throw new Error(`no token issuer for "${audience}"`);
    return known;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const jwk = await exportJWK(this.#keys.publicKey);
    return { keys: [{ ...jwk, kid: this.#keys.kid, alg: "RS256", use: "sig" }] };
  }
}
