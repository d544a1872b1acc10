// BOG's Google Pay from the merchant's own page: the order is created with the token the page's
// Google Pay button got (config.google_pay.external), and paid at once; a card that needs 3-D
// Secure (a PAN_ONLY token) gets the challenge page as _links.redirect.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CARD, googlePayTestToken } from "../helpers/fixtures.ts";
import { csrfCookieOf, csrfTokenOf } from "../helpers/hosted-page.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";

const ORDERS = "/payments/v1/ecommerce/orders";
const TOKEN_FIELD = "config.google_pay.google_pay_token";

const external = (token: string | undefined, overrides: Record<string, unknown> = {}) => ({
  callback_url: "https://shop.example/cb",
  payment_method: ["google_pay"],
  config: { google_pay: { external: true, ...(token === undefined ? {} : { google_pay_token: token }) } },
  purchase_units: { currency: "GEL", total_amount: 12.5, basket: [{ product_id: "p", quantity: 1, unit_price: 12.5 }] },
  ...overrides,
});

describe("Google Pay from the merchant's page (BOG)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const count = async () => Object.values(await server.services.ctx.store.read((tx) => tx.orders.countByStatus())).reduce((a, b) => a + (b ?? 0), 0);

  it("the token pays the order at once: completed, method google_pay, the card masked", async () => {
    const created = await server.request("POST", ORDERS, { body: external(googlePayTestToken({ pan: "4242424242424242" })) });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(Object.keys(created.json), ["id", "status", "order_details", "_links"]);
    assert.equal(created.json.status, "completed");
    assert.deepEqual(Object.keys(created.json._links), ["details"]);
    const receipt = await server.receipt(created.json.id);
    assert.deepEqual(receipt.payment_detail.transfer_method, { key: "google_pay", value: "Google Pay" });
    assert.equal(receipt.payment_detail.payer_identifier, "424242xxxxxx4242");
    assert.equal(receipt.payment_detail.code, "100");
    assert.deepEqual(created.json.order_details, receipt);
  });

  it("PAN_ONLY with a 3-D Secure card waits in the challenge, linked as _links.redirect; a device cryptogram is not challenged", async () => {
    const created = await server.request("POST", ORDERS, { body: external(googlePayTestToken({ pan: "4000000000003220" })) });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.status, "processing");
    const redirect = created.json._links.redirect.href as string;
    assert.equal(redirect, `${server.url}/?order_id=${created.json.id}`);

    // The buyer passes the challenge on tetri's page; the order completes.
    const page = await fetch(redirect, { redirect: "follow" });
    const html = await page.text();
    assert.match(page.url, /\/checkout\/3ds/);
    const attempt = /name="attempt_id" value="([^"]+)"/.exec(html)?.[1];
    const answer = await fetch(`${server.url}/checkout/3ds`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookieOf(page.headers) ?? "" },
      body: new URLSearchParams({ order_id: created.json.id, attempt_id: attempt ?? "", csrf: csrfTokenOf(html) ?? "", result: "complete", lang: "ka" }).toString(),
    });
    assert.equal(answer.status, 303, await answer.text());
    assert.equal((await server.receipt(created.json.id)).order_status.key, "completed");

    const device = await server.request("POST", ORDERS, { body: external(googlePayTestToken({ pan: "4000000000003220", authMethod: "CRYPTOGRAM_3DS" })) });
    assert.equal(device.json.status, "completed");
    assert.equal(device.json._links.redirect, undefined);
  });

  it("a declining card declines with its code; a replayed request answers the same order without paying again", async () => {
    const declined = await server.request("POST", ORDERS, { body: external(googlePayTestToken({ pan: "4000000000009995" })) });
    assert.equal(declined.json.status, "rejected");
    assert.equal(declined.json.order_details.payment_detail.code, "107");

    const headers = { "idempotency-key": "google-pay-once" };
    const body = external(googlePayTestToken({ pan: "4242424242424242" }));
    const latestAttempt = (id: string) => server.services.ctx.store.read((tx) => tx.attempts.latestOfOrder(id as never));
    const first = await server.request("POST", ORDERS, { body, headers });
    const paidBy = (await latestAttempt(first.json.id))?.id;
    const again = await server.request("POST", ORDERS, { body, headers });
    assert.equal(again.status, 200, again.text);
    assert.equal(again.json.id, first.json.id);
    assert.equal(again.json.status, "completed");
    assert.ok(paidBy);
    assert.equal((await latestAttempt(first.json.id))?.id, paidBy, "no second payment attempt");
  });

  it("a missing, malformed, encrypted or expired token, a bad card or a wrong method list is a 400 that makes no order", async () => {
    const before = await count();
    const cases: Array<[Record<string, unknown>, string]> = [
      [external(undefined), TOKEN_FIELD],
      [external("not json"), TOKEN_FIELD],
      [external(JSON.stringify({ protocolVersion: "ECv2", signedMessage: "{\"encryptedMessage\":\"...\"}" })), TOKEN_FIELD],
      [external(googlePayTestToken({ pan: "4242424242424242", messageExpiration: "1000" })), TOKEN_FIELD],
      [external(googlePayTestToken({ pan: "4242424242424242", authMethod: "MAGIC" })), TOKEN_FIELD],
      [external(googlePayTestToken({ pan: "4242424242424241" })), `${TOKEN_FIELD}.card_number`],
      [external(googlePayTestToken({ pan: "4242424242424242", expirationMonth: 13 })), `${TOKEN_FIELD}.expiry`],
      [external(googlePayTestToken({ pan: "4242424242424242" }), { payment_method: ["card", "google_pay"] }), "config.google_pay.external"],
    ];
    for (const [body, field] of cases) {
      const response = await server.request("POST", ORDERS, { body });
      assert.equal(response.status, 400, `${field}: ${response.text}`);
      assert.equal(response.json.errors[0].field, field, response.text);
    }
    assert.equal(await count(), before);
  });

  it("the card number never appears in the answer or the receipt", async () => {
    const created = await server.request("POST", ORDERS, { body: external(googlePayTestToken({ pan: CARD.card_number })) });
    assert.doesNotMatch(created.text, new RegExp(CARD.card_number));
  });
});
