// Starts real tetri servers (real SQLite file, real sockets) for HTTP-level tests.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";
import type { RunningServer } from "../../src/server.ts";

/** A BOG access token for these client credentials (HTTP Basic, client_credentials). */
export async function fetchBogToken(url: string, clientId: string, clientSecret: string): Promise<string> {
  const response = await fetch(`${url}/auth/realms/bog/protocol/openid-connect/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  const json = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || !json.access_token) throw new Error(`no token (${response.status}): ${JSON.stringify(json)}`);
  return json.access_token;
}

export function parseJsonOrUndefined(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function tempDir(prefix = "tetri-test-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A clock the test can move forward (order expiry, reconciliation delays). */
export class TestClock {
  offset = 0;
  now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

export const DEMO = { clientId: "demo-shop", clientSecret: "demo-secret-for-tests", tbcApiKey: "demo-tbc-api-key" };

/** Fast retries so delivery tests take milliseconds, not the production quarter-minute. */
export const FAST_ENV = {
  TETRI_LOG_LEVEL: "silent",
  TETRI_CALLBACK_BACKOFF_BASE_MS: "20",
  TETRI_CALLBACK_BACKOFF_MAX_MS: "200",
  TETRI_CALLBACK_TIMEOUT_MS: "1000",
  TETRI_CALLBACK_POLL_MS: "50",
  TETRI_RECONCILE_AFTER_MS: "0",
  TETRI_ACQUIRER_TIMEOUT_MS: "2000",
  TETRI_SWEEP_INTERVAL_MS: "100",
};

export type TestServer = RunningServer & {
  dataDir: string;
  clock: TestClock;
  /** Access token of the demo merchant, fetched once. */
  token(): Promise<string>;
  tokenFor(clientId: string, clientSecret: string): Promise<string>;
  request(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<TestResponse>;
  createOrder(body?: Record<string, unknown>, headers?: Record<string, string>): Promise<string>;
  pay(orderId: string, card?: Partial<TestCard>, token?: string): Promise<TestResponse>;
  receipt(orderId: string, token?: string): Promise<Record<string, any>>;
  /** TBC TPay access token of the demo merchant (form body, apikey header), fetched once. */
  tbcToken(): Promise<string>;
  tbcTokenFor(clientId: string, clientSecret: string, apiKey: string): Promise<string>;
  /**
   * A TBC TPay call: `apikey` (default the demo merchant's) and a Bearer token (default the
   * demo merchant's TBC token); pass null to leave either out.
   */
  tbcRequest(method: string, path: string, options?: TbcRequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
};

export type TbcRequestOptions = { body?: unknown; token?: string | null; apiKey?: string | null; headers?: Record<string, string> };

export type TestResponse = { status: number; headers: Headers; text: string; json: any };
export type TestCard = { card_number: string; expiry: string; cvc: string; cardholder: string };

export const CARD: TestCard = { card_number: "4242424242424242", expiry: "12/39", cvc: "123", cardholder: "Nino Beridze" };

export function orderBody(overrides: Record<string, unknown> = {}, callbackUrl = "http://127.0.0.1:9/callback"): Record<string, unknown> {
  return {
    callback_url: callbackUrl,
    external_order_id: "shop-1",
    purchase_units: {
      currency: "GEL",
      total_amount: 25.5,
      basket: [{ product_id: "sku-1", description: "Churchkhela", quantity: 3, unit_price: 8.5 }],
    },
    ...overrides,
  };
}

/** A TBC create-payment body (12.50 GEL, card only); overrides replace top-level keys. */
export function tbcPaymentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: { currency: "GEL", total: 12.5 },
    returnurl: "https://shop.example/return",
    methods: [5],
    language: "EN",
    merchantPaymentId: "shop-order-1",
    ...overrides,
  };
}

export type MerchantCredentials = { clientId: string; clientSecret: string; tbcApiKey: string };

/** Another merchant in the server's data directory, made with the CLI as an operator would. */
export function addMerchant(server: { dataDir: string }, name: string): MerchantCredentials {
  const created = JSON.parse(
    execFileSync(process.execPath, ["src/cli.ts", "merchants", "create", "--name", name, "--json"], {
      env: { ...process.env, TETRI_DATA_DIR: server.dataDir },
    }).toString(),
  ) as { client_id: string; client_secret: string; tbc_api_key: string };
  return { clientId: created.client_id, clientSecret: created.client_secret, tbcApiKey: created.tbc_api_key };
}

export async function startTestServer(env: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<TestServer> {
  const dir = options.dataDir ? { path: options.dataDir, remove() {} } : tempDir();
  const clock = new TestClock();
  const configOn = (port: number) =>
    loadConfig({
      ...FAST_ENV,
      PORT: String(port),
      TETRI_DATA_DIR: dir.path,
      TETRI_DEMO_CLIENT_ID: DEMO.clientId,
      TETRI_DEMO_CLIENT_SECRET: DEMO.clientSecret,
      TETRI_DEMO_TBC_API_KEY: DEMO.tbcApiKey,
      ...env,
    });
  // freePort() can lose its port to another process before we listen: then take another.
  let server: RunningServer | undefined;
  for (let attempt = 1; !server; attempt++) {
    try {
      server = await startServer(configOn(await freePort()), clock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 5) throw error;
    }
  }
  let cachedToken: string | undefined;
  let cachedTbcToken: string | undefined;

  const request: TestServer["request"] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? await testServer.token() : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, body, redirect: "manual" });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: parseJsonOrUndefined(text) };
  };

  const testServer: TestServer = {
    ...server,
    dataDir: dir.path,
    clock,
    tokenFor: (clientId, clientSecret) => fetchBogToken(server.url, clientId, clientSecret),
    async token() {
      cachedToken ??= await testServer.tokenFor(DEMO.clientId, DEMO.clientSecret);
      return cachedToken;
    },
    request,
    async createOrder(body = orderBody(), headers = {}) {
      const response = await request("POST", "/payments/v1/ecommerce/orders", { body, headers });
      if (response.status !== 200) throw new Error(`create order: ${response.status} ${response.text}`);
      return response.json.id as string;
    },
    async pay(orderId, card = {}, token) {
      return request("POST", `/_test/orders/${orderId}/pay`, { body: { ...CARD, ...card }, token });
    },
    async receipt(orderId, token) {
      const response = await request("GET", `/payments/v1/receipt/${orderId}`, { token });
      if (response.status !== 200) throw new Error(`receipt: ${response.status} ${response.text}`);
      return response.json;
    },
    async tbcTokenFor(clientId, clientSecret, apiKey) {
      const response = await fetch(`${server.url}/v1/tpay/access-token`, {
        method: "POST",
        headers: { apikey: apiKey, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret }).toString(),
      });
      const json = (await response.json()) as { access_token?: string };
      if (!json.access_token) throw new Error(`no TBC token: ${JSON.stringify(json)}`);
      return json.access_token;
    },
    async tbcToken() {
      cachedTbcToken ??= await testServer.tbcTokenFor(DEMO.clientId, DEMO.clientSecret, DEMO.tbcApiKey);
      return cachedTbcToken;
    },
    async tbcRequest(method, path, options = {}) {
      const token = options.token === undefined ? await testServer.tbcToken() : options.token;
      const apiKey = options.apiKey === undefined ? DEMO.tbcApiKey : options.apiKey;
      const headers: Record<string, string> = { ...(apiKey === null ? {} : { apikey: apiKey }), ...options.headers };
      return request(method, path, { body: options.body, token, headers });
    },
    async close() {
      await server.stop();
      dir.remove();
    },
  };
  return testServer;
}
