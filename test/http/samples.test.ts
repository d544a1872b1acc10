// The banks' own request samples, as ../shared/specs quotes them (and, for TBC, as issue #16
// quotes TBC's page), sent verbatim with only hosts and callback URLs pointed at the test:
// each must succeed and answer the documented shape. A shop never changes a request the
// real bank accepts.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { CARD, DEMO } from "../helpers/fixtures.ts";

const BOG = "/payments/v1";

describe("the banks' request samples", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const paidBogOrder = async (capture?: "manual") => {
    const created = await server.request("POST", `${BOG}/ecommerce/orders`, {
      body: { callback_url: "https://example.com/callback", ...(capture ? { capture } : {}), purchase_units: { total_amount: 10.5, basket: [{ quantity: 1, unit_price: 10.5, product_id: "p" }] } },
    });
    assert.equal((await server.pay(created.json.id)).json.outcome, "approved");
    return created.json.id as string;
  };

  describe("BOG", () => {
    it("the token call as the docs' curl sends it (-u id:secret --data-urlencode grant_type=client_credentials)", async () => {
      const response = await server.request("POST", "/auth/realms/bog/protocol/openid-connect/token", {
        token: null,
        headers: { authorization: `Basic ${Buffer.from(`${DEMO.clientId}:${DEMO.clientSecret}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.token_type, "Bearer");
      assert.equal(typeof response.json.expires_in, "number");
    });

    it("the docs' minimal create-order example", async () => {
      const response = await server.request("POST", `${BOG}/ecommerce/orders`, {
        body: {
          callback_url: "https://example.com/callback",
          external_order_id: "id123",
          purchase_units: { currency: "GEL", total_amount: 1, basket: [{ quantity: 1, unit_price: 1, product_id: "product123" }] },
          redirect_urls: { fail: "https://example.com/fail", success: "https://example.com/success" },
        },
      });
      assert.equal(response.status, 200, response.text);
      assert.match(response.json.id, /^[0-9a-f-]{36}$/);
      assert.equal(typeof response.json._links.details.href, "string");
      assert.equal(typeof response.json._links.redirect.href, "string");
    });

    it("numbers as the numeric text clients send: quantity, ttl, vat_percent, loan month, amounts", async () => {
      const response = await server.request("POST", `${BOG}/ecommerce/orders`, {
        body: {
          callback_url: "https://example.com/callback",
          ttl: "20",
          purchase_units: { currency: "GEL", total_amount: "21.00", basket: [{ product_id: "p", quantity: "2", unit_price: "10.5", vat_percent: "18" }] },
          config: { loan: { type: "STANDARD", month: "12" } },
        },
      });
      assert.equal(response.status, 200, response.text);
      const receipt = await server.receipt(response.json.id);
      assert.equal(Date.parse(receipt.zoned_expire_date) - Date.parse(receipt.zoned_create_date), 20 * 60_000);
      assert.deepEqual([receipt.purchase_units.items[0].quantity, receipt.purchase_units.items[0].vat_percent], ["2", "18"]);
      for (const bad of [{ ttl: "twenty" }, { ttl: "1" }, { ttl: "20.5" }]) {
        const refused = await server.request("POST", `${BOG}/ecommerce/orders`, {
          body: { callback_url: "https://example.com/callback", ...bad, purchase_units: { total_amount: 1, basket: [{ product_id: "p", quantity: 1, unit_price: 1 }] } },
        });
        assert.equal(refused.status, 400, `${JSON.stringify(bad)}: ${refused.text}`);
        assert.equal(refused.json.errors[0].field, "ttl");
      }
    });

    it("the docs' refund example, with the amount as a string", async () => {
      const id = await paidBogOrder();
      const response = await server.request("POST", `${BOG}/payment/refund/${id}`, { body: { amount: "10.5" } });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(Object.keys(response.json), ["key", "message", "action_id"]);
      assert.equal((await server.receipt(id)).order_status.key, "refunded");
    });

    it("the docs' approve and cancel examples of a pre-authorization", async () => {
      const approved = await paidBogOrder("manual");
      const approve = await server.request("POST", `${BOG}/payment/authorization/approve/${approved}`, { body: { amount: 10.5, description: "string" } });
      assert.equal(approve.status, 200, approve.text);
      assert.equal(approve.json.message, "Pre-authorization payment approval request received");
      const cancelled = await paidBogOrder("manual");
      const cancel = await server.request("POST", `${BOG}/payment/authorization/cancel/${cancelled}`, { body: { description: "string" } });
      assert.equal(cancel.status, 200, cancel.text);
      assert.equal(cancel.json.message, "Pre-authorization payment cancellation request received");
    });
  });

  describe("TBC", () => {
    it("the access-token sample spelt client_Id, as one docs curl and the Swift client send it", async () => {
      const response = await server.tbcRequest("POST", "/v1/tpay/access-token", {
        token: null,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_Id: DEMO.clientId, client_secret: DEMO.clientSecret }).toString(),
      });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.token_type, "Bearer");
    });

    it("TBC's create-payment sample: expirationMinutes and preAuth as text, a return URL without a scheme, a past saveCardToDate", async () => {
      const response = await server.tbcRequest("POST", "/v1/tpay/payments", {
        body: {
          amount: { currency: "GEL", total: 10, subtotal: 0, tax: 0, shipping: 0 },
          returnurl: "test.ge/callback",
          extra: "GE60TB4730336080100003",
          expirationMinutes: "5",
          methods: [5, 7],
          callbackurl: "https://google.com",
          preAuth: "true",
          language: "EN",
          merchantPaymentId: "1",
          saveCard: "true",
          saveCardToDate: "0321",
        },
      });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.status, "Created");
      assert.equal(response.json.preAuth, true);
      const payId = response.json.payId as string;
      const paid = await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
      assert.equal(paid.json.outcome, "approved");
      const payment = (await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`)).json;
      assert.equal(payment.status, "WaitingConfirm");
      // A keep-until month that has passed: the card is kept for as long as it is valid.
      assert.equal(payment.recurringCard.expiryDate, CARD.expiry.replace("/", ""));
    });

    it("installment products with the capitalised keys the Swift and TS clients send, quantities as text", async () => {
      const response = await server.tbcRequest("POST", "/v1/tpay/payments", {
        body: {
          amount: { currency: "GEL", total: 20 },
          returnurl: "https://shop.example/return",
          methods: [8],
          installmentProducts: [{ Name: "t-shirt", Price: 10, Quantity: "2" }],
        },
      });
      assert.equal(response.status, 200, response.text);
    });

    it("the cancel, completion and execution samples", async () => {
      const sale = await server.tbcRequest("POST", "/v1/tpay/payments", { body: { amount: { currency: "GEL", total: 12 }, returnurl: "https://shop.example/r", saveCard: true } });
      await server.tbcRequest("POST", `/_test/orders/${sale.json.payId}/pay`, { body: CARD });
      const cancel = await server.tbcRequest("POST", `/v1/tpay/payments/${sale.json.payId}/cancel`, { body: { amount: 2.0, extra: "GE00TB", extra2: "2.00" } });
      assert.equal(cancel.status, 200, cancel.text);
      assert.deepEqual(cancel.json, { httpStatusCode: 200, developerMessage: null, userMessage: null });

      const held = await server.tbcRequest("POST", "/v1/tpay/payments", { body: { amount: { currency: "GEL", total: 10 }, returnurl: "https://shop.example/r", preAuth: true } });
      await server.tbcRequest("POST", `/_test/orders/${held.json.payId}/pay`, { body: CARD });
      const completion = await server.tbcRequest("POST", `/v1/tpay/payments/${held.json.payId}/completion`, { body: { amount: 10.0 } });
      assert.equal(completion.status, 200, completion.text);
      assert.deepEqual(completion.json, { status: "Succeeded", amount: 10, confirmedAmount: 10, httpStatusCode: 200, developerMessage: null, userMessage: null });

      const recId = (await server.tbcRequest("GET", `/v1/tpay/payments/${sale.json.payId}`)).json.recurringCard.recId as string;
      const execution = await server.tbcRequest("POST", "/v1/tpay/payments/execution", {
        body: { recId, money: { amount: 9.99, currency: "GEL" }, preAuth: "false", initiator: "merchant", merchantPaymentId: "sub-2026-11", extra: "order", extra2: "subscription" },
      });
      assert.equal(execution.status, 200, execution.text);
      assert.equal(execution.json.status, "Succeeded");
    });
  });
});
