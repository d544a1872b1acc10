// TBC TPay v1 authentication: the access-token call, the apikey + Bearer pair every other
// call needs, and the wall between merchants and between the BOG and TBC APIs.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CARD, DEMO, TBC_OPERATIONS, orderBody, tbcPaymentBody } from "../helpers/fixtures.ts";
import { startTestServer, startTwoMerchantServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import type { ShopClient, TestResponse } from "../helpers/shop.ts";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** A TBC problem+json body as TBC sends it: status is a string. */
function assertProblem(response: TestResponse, status: number, title?: string, label = "") {
  assert.equal(response.status, status, `${label} ${response.text}`);
  assert.match(String(response.headers.get("content-type")), /^application\/problem\+json/);
  assert.equal(typeof response.json, "object");
  assert.equal(response.json.status, String(status), response.text);
  assert.equal(response.json.type, `https://developers.tbcbank.ge/docs/error-type-${status}`);
  assert.equal(typeof response.json.title, "string");
  assert.ok(response.json.title.length > 0);
  assert.equal(typeof response.json.detail, "string");
  assert.ok(response.json.detail.length > 0);
  assert.equal(typeof response.json.systemCode, "string");
  assert.ok(response.json.systemCode.length > 0);
  if (title !== undefined) assert.equal(response.json.title, title, `${label} ${response.text}`);
}

describe("TBC access token", () => {
  let server: TestServer;
  let shopB: ShopClient;
  before(async () => {
    ({ server, shopB } = await startTwoMerchantServer());
  });
  after(() => server.close());

  const tokenCall = (body: string | Record<string, unknown> | undefined, headers: Record<string, string> = {}, apiKey: string | null = DEMO.tbcApiKey) =>
    server.tbcRequest("POST", "/v1/tpay/access-token", {
      token: null,
      apiKey,
      body,
      headers: typeof body === "string" ? { ...FORM, ...headers } : headers,
    });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  function assertToken(response: TestResponse) {
    assert.equal(response.status, 200, response.text);
    assert.match(String(response.headers.get("content-type")), /^application\/json/);
    assert.deepEqual(Object.keys(response.json), ["access_token", "token_type", "expires_in"]);
    assert.equal(typeof response.json.access_token, "string");
    assert.ok(response.json.access_token.length > 0);
    assert.equal(response.json.token_type, "Bearer");
    assert.ok(Number.isInteger(response.json.expires_in), `expires_in ${response.json.expires_in}`);
    assert.equal(response.json.expires_in, 86_400, "a day, as TBC documents");
  }

  it("a form body with client_id and client_secret gets a Bearer token that opens the API", async () => {
    const response = await tokenCall(form({ client_id: DEMO.clientId, client_secret: DEMO.clientSecret }));
    assertToken(response);
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { token: response.json.access_token, body: tbcPaymentBody() });
    assert.equal(created.status, 200, created.text);
  });

  it("reads client_Id (the docs sample's spelling) and other cases of the keys", async () => {
    assertToken(await tokenCall(`client_Id=${DEMO.clientId}&client_secret=${DEMO.clientSecret}`));
    assertToken(await tokenCall(`CLIENT_ID=${DEMO.clientId}&Client_Secret=${DEMO.clientSecret}`));
  });

  it("accepts a JSON body too", async () => {
    assertToken(await tokenCall({ client_id: DEMO.clientId, client_secret: DEMO.clientSecret }));
  });

  it("a missing or wrong apikey is 401 Invalid Api Key, even with good credentials", async () => {
    const body = form({ client_id: DEMO.clientId, client_secret: DEMO.clientSecret });
    assertProblem(await tokenCall(body, {}, null), 401, "Invalid Api Key");
    assertProblem(await tokenCall(body, {}, "not-a-key"), 401, "Invalid Api Key");
    assertProblem(await tokenCall(body, {}, ""), 401, "Invalid Api Key");
    assertProblem(await tokenCall(body, {}, `${DEMO.tbcApiKey}x`), 401, "Invalid Api Key");
  });

  it("merchant B's apikey with merchant A's credentials is 401, and so is the reverse", async () => {
    assertProblem(await tokenCall(form({ client_id: DEMO.clientId, client_secret: DEMO.clientSecret }), {}, shopB.merchant.tbcApiKey), 401);
    assertProblem(await tokenCall(form({ client_id: shopB.merchant.clientId, client_secret: shopB.merchant.clientSecret }), {}, DEMO.tbcApiKey), 401);
    // Each with its own key works.
    assertToken(await tokenCall(form({ client_id: shopB.merchant.clientId, client_secret: shopB.merchant.clientSecret }), {}, shopB.merchant.tbcApiKey));
  });

  it("a wrong secret or an unknown client is 401", async () => {
    assertProblem(await tokenCall(form({ client_id: DEMO.clientId, client_secret: "wrong" })), 401);
    assertProblem(await tokenCall(form({ client_id: DEMO.clientId, client_secret: "" })), 401);
    assertProblem(await tokenCall(form({ client_id: "no-such-shop", client_secret: DEMO.clientSecret })), 401);
    // B's secret is not A's.
    assertProblem(await tokenCall(form({ client_id: DEMO.clientId, client_secret: shopB.merchant.clientSecret })), 401);
  });

  it("missing credentials are 400 naming the field", async () => {
    for (const body of ["", form({ client_id: DEMO.clientId }), form({ client_secret: DEMO.clientSecret }), "client_id=a&client_id=b&client_secret=x"]) {
      const response = await tokenCall(body);
      assertProblem(response, 400);
      assert.match(response.json.detail, /client_id|client_secret/, body);
    }
    for (const body of [{}, [], "text", { client_id: 1, client_secret: 2 }]) {
      const response = await tokenCall(JSON.stringify(body), { "content-type": "application/json" });
      assertProblem(response, 400);
    }
    // No body at all.
    assertProblem(await server.tbcRequest("POST", "/v1/tpay/access-token", { token: null }), 400);
  });

  it("a token needs no Bearer header; a stale Bearer header on the token call is ignored", async () => {
    assertToken(await server.tbcRequest("POST", "/v1/tpay/access-token", {
      token: "garbage",
      body: form({ client_id: DEMO.clientId, client_secret: DEMO.clientSecret }),
      headers: FORM,
    }));
  });
});

describe("TBC endpoints refuse calls without the right apikey and token", () => {
  let server: TestServer;
  let shopB: ShopClient;
  let bogToken: string;
  let payId: string;
  let recId: string;

  before(async () => {
    ({ server, shopB } = await startTwoMerchantServer());
    bogToken = await server.token();
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ saveCard: true, preAuth: true }) });
    assert.equal(created.status, 200, created.text);
    payId = created.json.payId;
    const paid = await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
    assert.equal(paid.status, 200, paid.text);
    recId = (await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`)).json.recId;
    assert.equal(typeof recId, "string");
  });
  after(() => server.close());

  const endpoints = (): Array<[string, string, unknown]> => [
    ["POST", "/v1/tpay/payments", tbcPaymentBody()],
    ["GET", `/v1/tpay/payments/${payId}`, undefined],
    ["POST", `/v1/tpay/payments/${payId}/cancel`, {}],
    ["POST", `/v1/tpay/payments/${payId}/completion`, { amount: 1 }],
    ["POST", "/v1/tpay/payments/execution", { recId, money: { amount: 1, currency: "GEL" } }],
    ["POST", `/v1/tpay/payments/${recId}/delete`, {}],
    ["POST", `/v1/payments/${payId}/completion`, { amount: 1 }],
    ["POST", "/v1/payments/execution", { recId, money: { amount: 1, currency: "GEL" } }],
  ];

  it("every endpoint: no apikey, a wrong apikey, no token, a BOG token, a garbage token, the other merchant's token or apikey → 401", async () => {
    const tokenA = await server.tbcToken();
    const tokenB = await shopB.tbcToken();
    const cases: Array<[string, { token: string | null; apiKey: string | null }, string]> = [
      ["no apikey", { token: tokenA, apiKey: null }, "Invalid Api Key"],
      ["wrong apikey", { token: tokenA, apiKey: "wrong-key" }, "Invalid Api Key"],
      ["no token", { token: null, apiKey: DEMO.tbcApiKey }, "Unauthorized"],
      ["BOG token", { token: bogToken, apiKey: DEMO.tbcApiKey }, "Unauthorized"],
      ["garbage token", { token: "abc.def.ghi", apiKey: DEMO.tbcApiKey }, "Unauthorized"],
      ["B's token, A's apikey", { token: tokenB, apiKey: DEMO.tbcApiKey }, "Unauthorized"],
      ["A's token, B's apikey", { token: tokenA, apiKey: shopB.merchant.tbcApiKey }, "Unauthorized"],
    ];
    for (const [method, path, body] of endpoints()) {
      for (const [label, auth, title] of cases) {
        const response = await server.tbcRequest(method, path, { ...auth, body });
        assertProblem(response, 401, title, `${label}: ${method} ${path}`);
      }
    }
    // Nothing happened to the payment or the card.
    const payment = await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`);
    assert.equal(payment.json.status, "WaitingConfirm");
    assert.equal(payment.json.recId, recId);
  });

  it("an expired token is 401", async () => {
    const token = await server.tbcTokenFor(DEMO.clientId, DEMO.clientSecret, DEMO.tbcApiKey);
    server.clock.advance(24 * 3600_000 + 1000);
    try {
      assertProblem(await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`, { token }), 401, "Unauthorized");
    } finally {
      server.clock.offset = 0;
    }
  });

  it("a TBC token does not open the BOG API", async () => {
    const tokenA = await server.tbcToken();
    const bogOrder = await server.createOrder();
    for (const [method, path] of [
      ["GET", `/payments/v1/receipt/${bogOrder}`],
      ["GET", `/payments/v1/ecommerce/orders/${bogOrder}`],
      ["POST", "/payments/v1/ecommerce/orders"],
    ] as const) {
      const response = await server.request(method, path, { token: tokenA, body: method === "POST" ? orderBody() : undefined });
      assert.equal(response.status, 401, `${method} ${path}: ${response.text}`);
    }
  });
});

describe("one server, two merchants, two bank APIs", () => {
  let server: TestServer;
  let shopB: ShopClient;
  before(async () => {
    ({ server, shopB } = await startTwoMerchantServer());
  });
  after(() => server.close());

  it("A pays through BOG, B through TBC; each sees only its own, through its own API", async () => {
    const bogOrder = await server.createOrder();
    assert.equal((await server.pay(bogOrder)).status, 200);
    assert.equal((await server.receipt(bogOrder)).order_status.key, "completed");

    const created = await shopB.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody() });
    assert.equal(created.status, 200, created.text);
    const payId: string = created.json.payId;
    const paid = await shopB.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
    assert.equal(paid.status, 200, paid.text);
    assert.equal((await shopB.tbcRequest("GET", `/v1/tpay/payments/${payId}`)).json.status, "Succeeded");

    // A's BOG order through B's TBC API, in both spellings of the id.
    const compact = bogOrder.replaceAll("-", "");
    for (const id of [bogOrder, compact]) {
      const response = await shopB.tbcRequest("GET", `/v1/tpay/payments/${id}`);
      assertProblem(response, 404, "Payment Not Found");
      assertProblem(await shopB.tbcRequest("POST", `/v1/tpay/payments/${id}/cancel`, { body: {} }), 404);
    }
    // B's TBC payment through A's BOG API.
    const dashed = `${payId.slice(0, 8)}-${payId.slice(8, 12)}-${payId.slice(12, 16)}-${payId.slice(16, 20)}-${payId.slice(20)}`;
    for (const path of [`/payments/v1/receipt/${dashed}`, `/payments/v1/receipt/${payId}`, `/payments/v1/ecommerce/orders/${dashed}`]) {
      const response = await server.request("GET", path);
      assert.equal(response.status, 404, `${path}: ${response.text}`);
    }
    assert.equal((await server.request("POST", `/payments/v1/payment/refund/${dashed}`, { body: {} })).status, 404);
    // Even A's own BOG order is not visible through A's TBC API: an order belongs to the API that made it.
    assertProblem(await server.tbcRequest("GET", `/v1/tpay/payments/${compact}`), 404, "Payment Not Found");
    assertProblem(await server.tbcRequest("POST", `/v1/tpay/payments/${compact}/cancel`, { body: {} }), 404);
    // And B's TBC payment is not visible through A's TBC API.
    assertProblem(await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`), 404, "Payment Not Found");
    // Neither test-helper route pays the other's order.
    const viaA = await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
    assert.equal(viaA.status, 404, viaA.text);
    // Nothing changed.
    assert.equal((await server.receipt(bogOrder)).order_status.key, "completed");
    assert.equal((await shopB.tbcRequest("GET", `/v1/tpay/payments/${payId}`)).json.status, "Succeeded");
  });

  it("an unknown or malformed payId is the same 404 as someone else's", async () => {
    const unknown = await server.tbcRequest("GET", "/v1/tpay/payments/0123456789abcdef0123456789abcdef");
    assertProblem(unknown, 404, "Payment Not Found");
    for (const bad of ["123", "not-an-id", "%27%20OR%201%3D1", "iffv0yv1631116832"]) {
      const response = await server.tbcRequest("GET", `/v1/tpay/payments/${bad}`);
      assertProblem(response, 404, "Payment Not Found");
      assert.deepEqual(response.json, unknown.json, bad);
    }
  });
});

describe("TBC OpenAPI document", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("is public and lists every TBC endpoint and nothing of BOG's", async () => {
    const response = await server.request("GET", "/v1/tpay/openapi.json", { token: null });
    assert.equal(response.status, 200);
    const doc = response.json as { info: { title: string }; paths: Record<string, Record<string, unknown>> };
    assert.match(doc.info.title, /TBC/);
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    for (const expected of TBC_OPERATIONS) {
      assert.ok(operations.includes(expected), `${expected} missing from ${operations.join(", ")}`);
    }
    assert.ok(operations.every((op) => op.includes(" /v1/")), operations.join(", "));
  });
});
