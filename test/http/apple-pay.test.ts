// BOG's Apple Pay from the merchant's own page: create with config.apple_pay.external, the
// page's button gets a token from the device, the shop passes it to the accept link.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { applePayTestToken } from "../helpers/fixtures.ts";
import { startTestServer, startTwoMerchantServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import type { ShopClient } from "../helpers/shop.ts";

const external = (amount = 12.5, overrides: Record<string, unknown> = {}) => ({
  callback_url: "https://shop.example/cb",
  payment_method: ["apple_pay"],
  config: { apple_pay: { external: true } },
  application_type: "web",
  purchase_units: { currency: "GEL", total_amount: amount, basket: [{ product_id: "p", quantity: 1, unit_price: amount }] },
  ...overrides,
});

describe("Apple Pay from the merchant's page (BOG)", () => {
  let server: TestServer;
  let shopB: ShopClient;
  before(async () => {
    ({ server, shopB } = await startTwoMerchantServer());
  });
  after(() => server.close());

  const create = async (body = external()) => {
    const response = await server.request("POST", "/payments/v1/ecommerce/orders", { body });
    assert.equal(response.status, 200, response.text);
    return response.json;
  };
  const accept = (id: string, token: string, client: ShopClient = server) =>
    client.request("POST", `/payments/v1/ecommerce/orders/${id}/payment`, { body: { apple_pay_token: token } });

  it("the order answers what the button needs and where to send the token; the token pays it, completed, method apple_pay", async () => {
    const created = await create();
    assert.deepEqual(Object.keys(created), ["id", "result", "_links"]);
    assert.equal(created._links.accept.href, `${server.url}/payments/v1/ecommerce/orders/${created.id}/payment`);
    assert.deepEqual(created.result.total, { label: "Order", amount: "12.50", type: "final" });
    assert.equal(created.result.currencyCode, "GEL");

    const paid = await accept(created.id, applePayTestToken({ pan: "4242424242424242", amount: 1250 }));
    assert.equal(paid.status, 200, paid.text);
    assert.deepEqual(Object.keys(paid.json), ["id", "status", "order_details", "_links"]);
    assert.equal(paid.json.status, "completed");
    assert.equal(paid.json._links.details.href, `${server.url}/payments/v1/receipt/${created.id}`);
    const receipt = await server.receipt(created.id);
    assert.deepEqual(receipt.payment_detail.transfer_method, { key: "apple_pay", value: "Apple Pay" });
    assert.equal(receipt.payment_detail.payer_identifier, "424242xxxxxx4242");
    assert.equal(receipt.payment_detail.code, "100");
    assert.deepEqual(paid.json.order_details, receipt);
  });

  it("the device authenticated the buyer: a 3-D Secure card is not challenged; a declining card declines", async () => {
    const challenged = await create();
    assert.equal((await accept(challenged.id, applePayTestToken({ pan: "4000000000003220", amount: 1250 }))).json.status, "completed");
    const declined = await create();
    const answer = await accept(declined.id, applePayTestToken({ pan: "4000000000009995", amount: 1250 }));
    assert.equal(answer.json.status, "rejected");
    assert.equal(answer.json.order_details.payment_detail.code, "107");
  });

  it("a token for another amount or currency, a broken token, an encrypted one, or a second token is a 400; nothing is paid twice", async () => {
    const { id } = await create();
    const bad = [
      applePayTestToken({ pan: "4242424242424242", amount: 1249 }),
      applePayTestToken({ pan: "4242424242424242", amount: 1250, currencyCode: "840" }),
      applePayTestToken({ pan: "4242424242424241", amount: 1250 }),
      applePayTestToken({ pan: "4242424242424242", amount: 1250, expiry: "3912" }),
      "not json",
      JSON.stringify({ token: { paymentData: { version: "EC_v1", data: "ZW5jcnlwdGVk", signature: "x", header: {} } } }),
    ];
    for (const token of bad) {
      const response = await accept(id, token);
      assert.equal(response.status, 400, `${token.slice(0, 40)}: ${response.text}`);
      assert.match(response.json.errors[0].field, /^apple_pay_token/);
    }
    assert.equal((await server.receipt(id)).order_status.key, "created");
    assert.equal((await accept(id, applePayTestToken({ pan: "4242424242424242", amount: 1250 }))).status, 200);
    const again = await accept(id, applePayTestToken({ pan: "5555555555554444", amount: 1250 }));
    assert.equal(again.status, 400);
    assert.equal(again.json.key, "order_not_payable");
  });

  it("only an order made for it takes a token; another merchant's order is not found", async () => {
    const plain = await server.createOrder();
    assert.equal((await accept(plain, applePayTestToken({ pan: "4242424242424242", amount: 2550 }))).status, 400);
    const mixed = await server.request("POST", "/payments/v1/ecommerce/orders", { body: external(12.5, { payment_method: ["card", "apple_pay"] }) });
    assert.equal(mixed.status, 400);
    assert.equal(mixed.json.errors[0].field, "config.apple_pay.external");
    const { id } = await create();
    const theirs = await accept(id, applePayTestToken({ pan: "4242424242424242", amount: 1250 }), shopB);
    assert.equal(theirs.status, 404);
    assert.equal(theirs.json.key, "order_not_found");
  });
});

describe("Apple Pay from the merchant's page in live mode", () => {
  it("is refused at order creation with a clear 403: no upstream can open Apple Pay tokens yet", async () => {
    const server = await startTestServer({ TETRI_MODE: "live", TETRI_CARD_KEY: Buffer.alloc(32, 7).toString("base64") });
    try {
      const created = await server.request("POST", "/payments/v1/ecommerce/orders", { body: external(12.5, { callback_url: "https://shop.example/cb" }) });
      assert.equal(created.status, 403, created.text);
      assert.equal(created.json.key, "method_no_upstream");
      assert.match(created.json.message, /apple_pay/);
    } finally {
      await server.close();
    }
  });
});
