// An access token, fetched when first needed and kept until shortly before it expires. Calls
// that need it at the same time share one fetch: N concurrent calls make one token request.

import type { Clock } from "./transport.ts";

export type IssuedToken = { accessToken: string; expiresInSeconds: number };

/** Refresh this long before expiry: a tenth of the lifetime, at most a minute. */
function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 10);
}

export class TokenCache {
  readonly #fetchToken: () => Promise<IssuedToken>;
  readonly #clock: Clock;
  #current: { token: string; refreshAt: number } | undefined;
  #pending: Promise<string> | undefined;

  constructor(fetchToken: () => Promise<IssuedToken>, clock: Clock) {
    this.#fetchToken = fetchToken;
    this.#clock = clock;
  }

  /** A token valid for a while yet. */
  get(): Promise<string> {
    const current = this.#current;
    if (current && this.#clock.now() < current.refreshAt) return Promise.resolve(current.token);
    this.#pending ??= this.#fetch().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  /** Forgets `token` after the API refused it (a rotated key, a server restarted on new keys). */
  invalidate(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }

  async #fetch(): Promise<string> {
    // The lifetime counts from before the request, so the token is never thought younger than it is.
    const requestedAt = this.#clock.now();
    const { accessToken, expiresInSeconds } = await this.#fetchToken();
    const lifetimeMs = expiresInSeconds * 1000;
    this.#current = { token: accessToken, refreshAt: requestedAt + lifetimeMs - refreshMarginMs(lifetimeMs) };
    return accessToken;
  }
}
