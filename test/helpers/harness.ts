// Starts real tetri servers (real SQLite file, real sockets) for HTTP-level tests.

import { loadConfig } from "../../src/config.ts";
import { startServer } from "../../src/server.ts";
import type { RunningServer } from "../../src/server.ts";
import { CARD, DEMO, DEMO_ENV, FAST_ENV, TestClock, fetchBogToken, freePort, orderBody, parseJsonOrUndefined, tempDir } from "./fixtures.ts";
import type { TestCard } from "./fixtures.ts";

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

export async function startTestServer(env: Record<string, string> = {}, options: { dataDir?: string } = {}): Promise<TestServer> {
  const dir = options.dataDir ? { path: options.dataDir, remove() {} } : tempDir();
  const clock = new TestClock();
  const configOn = (port: number) =>
    loadConfig({
      TETRI_LOG_LEVEL: "silent",
      ...FAST_ENV,
      ...DEMO_ENV,
      PORT: String(port),
      TETRI_DATA_DIR: dir.path,
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
