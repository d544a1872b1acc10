// JSON calls with a Bearer token from the cache, shared by the API clients. A 401 on a cached
// token (the server's keys changed, the token was revoked) fetches a new token and tries once
// more, with the same Idempotency-Key.

import { TetriApiError } from "./errors.ts";
import type { TokenCache } from "./token-cache.ts";
import type { CallOptions, Transport } from "./transport.ts";

export type JsonCall = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  /** A mutating call: sent with an Idempotency-Key. */
  mutating: boolean;
  json?: unknown;
  headers?: Record<string, string>;
};

export class AuthorizedApi {
  readonly #transport: Transport;
  readonly #tokens: TokenCache;
  readonly #headers: Record<string, string>;
  readonly #authorize: (token: string) => Record<string, string>;

  /** `authorize`: the header that carries the token (a Bearer token unless the API says otherwise). */
  constructor(
    transport: Transport,
    tokens: TokenCache,
    headers: Record<string, string> = {},
    authorize: (token: string) => Record<string, string> = (token) => ({ authorization: `Bearer ${token}` }),
  ) {
    this.#transport = transport;
    this.#tokens = tokens;
    this.#headers = headers;
    this.#authorize = authorize;
  }

  async call<T>(call: JsonCall, options: CallOptions = {}): Promise<T> {
    const idempotencyKey = call.mutating ? this.#transport.idempotencyKeyFor(options) : undefined;
    const headers: Record<string, string> = {
      accept: "application/json",
      ...this.#headers,
      ...call.headers,
      ...(call.json !== undefined ? { "content-type": "application/json" } : {}),
      ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
    };
    const body = call.json === undefined ? undefined : JSON.stringify(call.json);
    const send = (token: string) =>
      this.#transport.send({ method: call.method, url: call.url, headers: { ...headers, ...this.#authorize(token) }, body }, options);
    const token = await this.#tokens.get();
    let response;
    try {
      response = await send(token);
    } catch (error) {
      if (!(error instanceof TetriApiError && error.status === 401)) throw error;
      this.#tokens.invalidate(token);
      response = await send(await this.#tokens.get());
    }
    return (response.text === "" ? undefined : JSON.parse(response.text)) as T;
  }
}
