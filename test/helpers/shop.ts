// The shop's side of tetri's HTTP API, one client for every kind of server: it gets the
// merchant's tokens (BOG and TBC, each fetched once), creates and pays orders and reads
// receipts, over a transport that carries each request. An in-process server is reached with
// Fastify's inject() (no socket), a child process with fetch over its socket.

import type { FastifyInstance, InjectOptions } from "fastify";
import { CARD, DEMO, orderBody, parseJsonOrUndefined } from "./fixtures.ts";
import type { MerchantCredentials, TestCard } from "./fixtures.ts";

/** An answer as the tests read it: `json` is undefined when the body is not JSON. */
export type TestResponse = { status: number; headers: Headers; text: string; json: any };

export type ShopRequest = { method: string; path: string; headers: Record<string, string>; body?: string };
/** Carries one request to a tetri and brings back its answer. Redirects are not followed. */
export type Transport = (request: ShopRequest) => Promise<{ status: number; headers: Headers; text: string }>;

/** Over the socket at `baseUrl` (http://host:port). */
export function fetchTransport(baseUrl: string): Transport {
  return async ({ method, path, headers, body }) => {
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body, redirect: "manual" });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
}

/** Into the Fastify app itself, without a socket. */
export function injectTransport(app: FastifyInstance): Transport {
  return async ({ method, path, headers, body }) => {
    const response = await app.inject({ method: method as InjectOptions["method"], url: path, headers, payload: body });
    return { status: response.statusCode, headers: toHeaders(response.headers), text: response.body };
  };
}

/** Node's header object (inject's, or an IncomingMessage's) as a fetch Headers, so tests call headers.get(). */
export function toHeaders(raw: Record<string, string | string[] | number | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, String(one));
  }
  return headers;
}

export type RequestOptions = {
  /** A string is sent as it is; anything else as JSON. Either way content-type defaults to JSON. */
  body?: unknown;
  /** The Bearer token; default the merchant's BOG token; null sends none. */
  token?: string | null;
  headers?: Record<string, string>;
};
/** A TBC TPay call: also the `apikey` header (default the merchant's; null sends none). */
export type TbcRequestOptions = RequestOptions & { apiKey?: string | null };

export type ShopClient = {
  merchant: MerchantCredentials;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  /** The merchant's BOG access token, fetched once. */
  token(): Promise<string>;
  /** A BOG access token for these credentials (HTTP Basic, client_credentials). */
  tokenFor(clientId: string, clientSecret: string): Promise<string>;
  /** Creates a BOG order (default orderBody()) and returns its id. */
  createOrder(body?: Record<string, unknown>, headers?: Record<string, string>): Promise<string>;
  /** Pays through the test-mode helper (the hosted page's path without a browser). */
  pay(orderId: string, card?: Partial<TestCard>, token?: string): Promise<TestResponse>;
  receipt(orderId: string, token?: string): Promise<Record<string, any>>;
  /** The merchant's TBC TPay access token (form body, apikey header), fetched once. */
  tbcToken(): Promise<string>;
  tbcTokenFor(clientId: string, clientSecret: string, apiKey: string): Promise<string>;
  /** A TBC TPay call with the merchant's apikey and TBC token unless told otherwise. */
  tbcRequest(method: string, path: string, options?: TbcRequestOptions): Promise<TestResponse>;
  /** The PEM that BOG callbacks are verified with (public, no token). */
  callbackPublicKey(): Promise<string>;
  /** The same server, as another merchant. */
  as(merchant: MerchantCredentials): ShopClient;
};

export function shopClient(transport: Transport, merchant: MerchantCredentials = DEMO): ShopClient {
  let cachedToken: string | undefined;
  let cachedTbcToken: string | undefined;

  const client: ShopClient = {
    merchant,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const token = options.token === undefined ? await client.token() : options.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
        headers["content-type"] ??= "application/json";
      }
      const response = await transport({ method, path, headers, body });
      return { ...response, json: parseJsonOrUndefined(response.text) };
    },
    async token() {
      cachedToken ??= await client.tokenFor(merchant.clientId, merchant.clientSecret);
      return cachedToken;
    },
    async tokenFor(clientId, clientSecret) {
      const response = await client.request("POST", "/auth/realms/bog/protocol/openid-connect/token", {
        token: null,
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "grant_type=client_credentials",
      });
      if (response.status !== 200 || !response.json?.access_token) throw new Error(`no token (${response.status}): ${response.text}`);
      return response.json.access_token as string;
    },
    async createOrder(body = orderBody(), headers = {}) {
      const response = await client.request("POST", "/payments/v1/ecommerce/orders", { body, headers });
      if (response.status !== 200) throw new Error(`create order: ${response.status} ${response.text}`);
      return response.json.id as string;
    },
    pay(orderId, card = {}, token) {
      return client.request("POST", `/_test/orders/${orderId}/pay`, { body: { ...CARD, ...card }, token });
    },
    async receipt(orderId, token) {
      const response = await client.request("GET", `/payments/v1/receipt/${orderId}`, { token });
      if (response.status !== 200) throw new Error(`receipt: ${response.status} ${response.text}`);
      return response.json;
    },
    async tbcToken() {
      cachedTbcToken ??= await client.tbcTokenFor(merchant.clientId, merchant.clientSecret, merchant.tbcApiKey);
      return cachedTbcToken;
    },
    async tbcTokenFor(clientId, clientSecret, apiKey) {
      const response = await client.request("POST", "/v1/tpay/access-token", {
        token: null,
        headers: { apikey: apiKey, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret }).toString(),
      });
      if (!response.json?.access_token) throw new Error(`no TBC token (${response.status}): ${response.text}`);
      return response.json.access_token as string;
    },
    async tbcRequest(method, path, options = {}) {
      const token = options.token === undefined ? await client.tbcToken() : options.token;
      const apiKey = options.apiKey === undefined ? merchant.tbcApiKey : options.apiKey;
      const headers: Record<string, string> = { ...(apiKey === null ? {} : { apikey: apiKey }), ...options.headers };
      return client.request(method, path, { body: options.body, token, headers });
    },
    async callbackPublicKey() {
      const response = await client.request("GET", "/payments/v1/callback-public-key", { token: null });
      if (response.status !== 200) throw new Error(`callback-public-key: ${response.status} ${response.text}`);
      return response.text;
    },
    as: (other) => shopClient(transport, other),
  };
  return client;
}
