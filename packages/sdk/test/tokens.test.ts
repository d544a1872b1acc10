// The SDK's access token against a real tetri server whose clock the test moves: fetched once
// for many concurrent calls, refreshed before it expires, fetched again when the API refuses it.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer } from "../../../test/helpers/harness.ts";
import type { TestServer } from "../../../test/helpers/harness.ts";
import { DEMO, TestClock } from "../../../test/helpers/fixtures.ts";
import { BOG_TOKEN_PATH, BogClient, TbcClient, TetriApiError } from "../src/index.ts";

/** A fetch that counts the token requests it passes on. */
function countingFetch(isTokenRequest: (url: string) => boolean) {
  const counted = { tokens: 0, calls: 0 };
  const fetchCounted: typeof fetch = (input, init) => {
    if (isTokenRequest(String(input))) counted.tokens++;
    else counted.calls++;
    return fetch(input, init);
  };
  return { counted, fetch: fetchCounted };
}

const body = (callbackUrl: string) => ({
  callback_url: callbackUrl,
  purchase_units: { currency: "GEL", total_amount: 1, basket: [{ product_id: "sku", quantity: 1, unit_price: 1 }] },
});

describe("SDK access tokens", { timeout: 60_000 }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const bogClient = (clock: { now(): number }) => {
    const counting = countingFetch((url) => url.endsWith(BOG_TOKEN_PATH));
    const client = new BogClient({ clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, baseUrl: server.url, clock, fetch: counting.fetch });
    return { client, counted: counting.counted };
  };

  it("twenty concurrent calls on a new client fetch one token", async () => {
    const { client, counted } = bogClient(server.clock);
    const orders = await Promise.all(Array.from({ length: 20 }, () => client.createOrder(body("http://127.0.0.1:9/cb"))));
    assert.equal(new Set(orders.map((o) => o.id)).size, 20);
    assert.equal(counted.tokens, 1);
    await Promise.all(orders.map((o) => client.getReceipt(o.id)));
    assert.equal(counted.tokens, 1, "the cached token serves later calls");
  });

  it("the token is refreshed shortly before it expires (900 s: a minute before), and works across the old one's expiry", async () => {
    const clock = new TestClock();
    clock.offset = server.clock.offset;
    const { client, counted } = bogClient(clock);
    const { id } = await client.createOrder(body("http://127.0.0.1:9/cb"));
    const first = await client.accessToken();
    assert.equal(counted.tokens, 1);

    const move = (ms: number) => {
      clock.advance(ms);
      server.clock.advance(ms);
    };
    move(800_000);
    await client.getReceipt(id);
    assert.equal(counted.tokens, 1, "at 800 s the token is still fresh");

    move(50_000);
    await client.getReceipt(id);
    assert.equal(counted.tokens, 2, "at 850 s, 50 s before expiry, a new token is fetched");
    assert.notEqual(await client.accessToken(), first);

    move(100_000);
    await Promise.all([client.getReceipt(id), client.getReceipt(id), client.refund(id).catch(() => undefined)]);
    assert.equal(counted.tokens, 2, "past the first token's expiry the second one serves");
    const refused = await server.request("GET", `/payments/v1/receipt/${id}`, { token: first });
    assert.equal(refused.status, 401, "the first token has expired on the server");
  });

  it("a token the API refuses (the client's clock behind the server's) is fetched again once and the call succeeds", async () => {
    const clock = new TestClock();
    clock.offset = server.clock.offset;
    const { client, counted } = bogClient(clock);
    const { id } = await client.createOrder(body("http://127.0.0.1:9/cb"));
    server.clock.advance(1_000_000);
    const receipt = await client.getReceipt(id);
    assert.equal(receipt.order_id, id);
    assert.equal(counted.tokens, 2);
  });

  it("credentials the token endpoint refuses fail the call with its OAuth error, after one token request and no API call", async () => {
    const counting = countingFetch((url) => url.endsWith(BOG_TOKEN_PATH));
    const client = new BogClient({ clientId: DEMO.clientId, clientSecret: "wrong", baseUrl: server.url, fetch: counting.fetch });
    const error = await client.getReceipt("00000000-0000-4000-8000-000000000000").catch((e: unknown) => e);
    assert.ok(error instanceof TetriApiError);
    assert.deepEqual([error.status, error.code], [401, "invalid_client"]);
    assert.deepEqual(counting.counted, { tokens: 1, calls: 0 });
  });

  it("TBC: concurrent calls share one token too", async () => {
    const counting = countingFetch((url) => url.endsWith("/access-token"));
    const tbc = new TbcClient({ apiKey: DEMO.tbcApiKey, clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, baseUrl: server.url, clock: server.clock, fetch: counting.fetch });
    const payments = await Promise.all(
      Array.from({ length: 10 }, () => tbc.createPayment({ amount: { currency: "GEL", total: 1 }, returnurl: "https://shop.example/r" })),
    );
    assert.equal(payments.length, 10);
    assert.equal(counting.counted.tokens, 1);
  });
});
