// BOG saved cards (section 6 of the notes): PUT /orders/{id}/cards and /subscriptions before
// the buyer pays, a new order from a saved card (the buyer confirms on the page), the
// automatic charge /subscribe, DELETE /charges/card/{id}; receipts and callbacks that carry
// parent_order_id, saved_card_type and the masked card; every error a shop can cause.

import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { CARD, orderBody, purchaseOf, tbcPaymentBody } from "../helpers/fixtures.ts";
import { startTwoMerchantServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import type { ShopClient, TestResponse } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";

type SavedCardType = "recurrent" | "subscription";
const TYPES: readonly SavedCardType[] = ["recurrent", "subscription"];
const PUT_PATH: Readonly<Record<SavedCardType, string>> = { recurrent: "cards", subscription: "subscriptions" };
const UNKNOWN = "0b7e9a4c-1f2d-4e5a-8b6c-7d8e9f0a1b2c";

function assertError(response: TestResponse, status: number, key: string) {
  assert.equal(response.status, status, response.text);
  assert.equal(response.json?.key, key, response.text);
  assert.equal(typeof response.json.message, "string");
  assert.doesNotMatch(response.text, /stack|at .*\.ts/);
}

function assertAccepted(response: TestResponse) {
  assert.equal(response.status, 202, response.text);
  assert.equal(response.text, "");
}

describe("BOG saved cards", () => {
  let server: TestServer;
  let shopB: ShopClient;
  let receiver: Receiver;
  before(async () => {
    ({ server, shopB } = await startTwoMerchantServer());
    receiver = await startReceiver({ publicKey: () => publicKey });
    publicKey = createPublicKey(await server.callbackPublicKey());
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });
  let publicKey: ReturnType<typeof createPublicKey> | undefined;

  const markForSaving = (orderId: string, type: SavedCardType, headers: Record<string, string> = {}, client: ShopClient = server) =>
    client.request("PUT", `/payments/v1/orders/${orderId}/${PUT_PATH[type]}`, { headers });
  const subscribe = (parentId: string, body?: unknown, headers: Record<string, string> = {}, client: ShopClient = server) =>
    client.request("POST", `/payments/v1/ecommerce/orders/${parentId}/subscribe`, { body, headers });
  const orderFromCard = (parentId: string, body: unknown = orderBody({}, receiver.url), headers: Record<string, string> = {}, client: ShopClient = server) =>
    client.request("POST", `/payments/v1/ecommerce/orders/${parentId}`, { body, headers });
  const deleteCard = (parentId: string, client: ShopClient = server) => client.request("DELETE", `/payments/v1/charges/card/${parentId}`);
  const callbacksOf = (orderId: string) => receiver.received.filter((c) => JSON.parse(c.body).body.order_id === orderId);

  /** A paid order whose card was saved for `type`; returns its id (the parent of later charges). */
  async function parentOrder(type: SavedCardType, card = CARD.card_number, body = orderBody({ external_order_id: "parent-1" }, receiver.url)): Promise<string> {
    const id = await server.createOrder(body);
    assertAccepted(await markForSaving(id, type));
    const paid = await server.pay(id, { card_number: card });
    assert.equal(paid.json.outcome, "approved", paid.text);
    return id;
  }

  it("PUT /orders/{id}/cards and /subscriptions answer 202 with no body; the paid parent shows saved_card_type", async () => {
    for (const type of TYPES) {
      const id = await server.createOrder();
      assertAccepted(await markForSaving(id, type));
      const unpaid = await server.receipt(id);
      assert.equal(unpaid.order_status.key, "created");
      assert.equal(unpaid.payment_detail.saved_card_type, null, "nothing is saved before the buyer pays");
      await server.pay(id);
      const paid = await server.receipt(id);
      assert.equal(paid.order_status.key, "completed");
      assert.equal(paid.payment_detail.saved_card_type, type);
      assert.equal(paid.payment_detail.payment_option, "direct_debit");
      assert.equal(paid.payment_detail.parent_order_id, null);
      assert.equal(paid.payment_detail.payer_identifier, "424242xxxxxx4242");
    }
  });

  it("an order that did not ask to save its card shows saved_card_type null, and a declined one saves nothing", async () => {
    const plain = await server.createOrder();
    await server.pay(plain);
    assert.equal((await server.receipt(plain)).payment_detail.saved_card_type, null);
    const declined = await server.createOrder();
    assertAccepted(await markForSaving(declined, "recurrent"));
    await server.pay(declined, { card_number: "4000000000000002" });
    assert.equal((await server.receipt(declined)).payment_detail.saved_card_type, null);
    assertError(await orderFromCard(declined), 400, "parent_order_not_paid");
  });

  it("marking a card twice (either type) is 409; after the buyer paid, or on an expired order, it is 400", async () => {
    for (const first of TYPES) {
      const id = await server.createOrder();
      assertAccepted(await markForSaving(id, first));
      for (const again of TYPES) assertError(await markForSaving(id, again), 409, "card_save_already_requested");
    }
    const paid = await server.createOrder();
    await server.pay(paid);
    for (const type of TYPES) assertError(await markForSaving(paid, type), 400, "card_save_too_late");
    const expiring = await server.createOrder(orderBody({ ttl: 2 }));
    server.clock.advance(3 * 60_000);
    try {
      assertError(await markForSaving(expiring, "recurrent"), 400, "card_save_too_late");
    } finally {
      server.clock.offset = 0;
    }
  });

  it("marking with an Idempotency-Key replays 202; unknown, malformed, another merchant's and TBC orders are the same 404", async () => {
    const id = await server.createOrder();
    const key = { "idempotency-key": "save-card-1" };
    assertAccepted(await markForSaving(id, "subscription", key));
    assertAccepted(await markForSaving(id, "subscription", key));
    assertError(await markForSaving(id, "subscription"), 409, "card_save_already_requested");

    const unknown = await markForSaving(UNKNOWN, "recurrent");
    assertError(unknown, 404, "order_not_found");
    assertError(await markForSaving("not-an-id", "recurrent"), 404, "order_not_found");
    const foreign = await markForSaving(await server.createOrder(), "recurrent", {}, shopB);
    assert.deepEqual([foreign.status, foreign.json], [unknown.status, unknown.json]);
    const tbc = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody() });
    assert.deepEqual((await markForSaving(tbc.json.payId, "recurrent")).json, unknown.json);
    assertError(await server.request("PUT", `/payments/v1/orders/${id}/cards`, { token: null }), 401, "unauthenticated");
  });

  it("a new order from a recurrent card: {id, _links}; the buyer pays without a card; the receipt and callback say recurrent", async () => {
    const parent = await parentOrder("recurrent");
    const created = await orderFromCard(parent, orderBody({ external_order_id: "repeat-1", purchase_units: purchaseOf(7.25) }, receiver.url));
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(Object.keys(created.json._links).sort(), ["details", "redirect"]);
    const id: string = created.json.id;
    assert.notEqual(id, parent);
    assert.match(created.json._links.redirect.href, new RegExp(`order_id=${id}`));

    const waiting = await server.receipt(id);
    assert.equal(waiting.order_status.key, "created");
    assert.equal(waiting.payment_detail.parent_order_id, parent);
    assert.equal(waiting.purchase_units.request_amount, "7.25");

    const paid = await server.request("POST", `/_test/orders/${id}/pay`, { body: {} });
    assert.equal(paid.json.outcome, "approved", paid.text);
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "completed");
    assert.equal(receipt.external_order_id, "repeat-1");
    assert.equal(receipt.purchase_units.transfer_amount, "7.25");
    assert.equal(receipt.payment_detail.payment_option, "recurrent");
    assert.equal(receipt.payment_detail.saved_card_type, "recurrent");
    assert.equal(receipt.payment_detail.parent_order_id, parent);
    assert.equal(receipt.payment_detail.payer_identifier, "424242xxxxxx4242");
    assert.equal(receipt.payment_detail.code, "100");

    const [callback] = await eventually(() => (callbacksOf(id).length > 0 ? callbacksOf(id) : undefined));
    assert.equal(callback?.signatureValid, true);
    const detail = JSON.parse(callback!.body).body.payment_detail;
    assert.deepEqual(
      { option: detail.payment_option, type: detail.saved_card_type, parent: detail.parent_order_id, card: detail.payer_identifier },
      { option: "recurrent", type: "recurrent", parent, card: "424242xxxxxx4242" },
    );
    // The parent is untouched and can be used again.
    assert.equal((await server.receipt(parent)).purchase_units.transfer_amount, "25.5");
    assert.equal((await orderFromCard(parent)).status, 200);
  });

  it("the test helper pays a saved-card order with its saved card (one saved through 3-D Secure too), whatever card it is sent", async () => {
    const parent = await parentOrder("recurrent", "4000000000003220");
    const { json } = await orderFromCard(parent);
    const typed = await server.pay(json.id, { card_number: "5555555555554444" });
    assert.equal(typed.json.outcome, "approved", "the helper pays a saved-card order with its saved card, whatever is typed");
    const receipt = await server.receipt(json.id);
    assert.equal(receipt.order_status.key, "completed");
    assert.equal(receipt.payment_detail.payer_identifier, "400000xxxxxx3220");
  });

  it("subscribe charges the parent's fixed amount without the buyer: {id, _links.details} only, a callback to the parent's URL", async () => {
    const parent = await parentOrder("subscription", CARD.card_number, orderBody({ external_order_id: "plan-1", capture: "automatic", purchase_units: purchaseOf(9.99) }, receiver.url));
    for (const body of [undefined, {}]) {
      const response = await subscribe(parent, body);
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(Object.keys(response.json).sort(), ["_links", "id"]);
      assert.deepEqual(Object.keys(response.json._links), ["details"]);
      const id: string = response.json.id;
      assert.equal(response.json._links.details.href, `${server.url}/payments/v1/receipt/${id}`);
      const receipt = await server.receipt(id);
      assert.equal(receipt.order_status.key, "completed");
      assert.equal(receipt.purchase_units.request_amount, "9.99");
      assert.equal(receipt.purchase_units.transfer_amount, "9.99");
      assert.equal(receipt.purchase_units.currency_code, "GEL");
      assert.equal(receipt.external_order_id, "plan-1");
      assert.deepEqual(receipt.purchase_units.items.map((i: { external_item_id: string }) => i.external_item_id), ["sku-1"]);
      assert.equal(receipt.payment_detail.payment_option, "subscription");
      assert.equal(receipt.payment_detail.saved_card_type, "subscription");
      assert.equal(receipt.payment_detail.parent_order_id, parent);
      assert.equal(receipt.payment_detail.payer_identifier, "424242xxxxxx4242");
      const [callback] = await eventually(() => (callbacksOf(id).length > 0 ? callbacksOf(id) : undefined));
      assert.equal(callback?.signatureValid, true);
      assert.equal(JSON.parse(callback!.body).body.payment_detail.payment_option, "subscription");
    }
  });

  it("subscribe takes its own callback_url and external_order_id; a charge can be refunded like any order", async () => {
    const parent = await parentOrder("subscription", CARD.card_number, orderBody({}, "http://127.0.0.1:9/parent-callback"));
    const response = await subscribe(parent, { callback_url: receiver.url, external_order_id: "renewal-2026-12" });
    assert.equal(response.status, 200, response.text);
    const id: string = response.json.id;
    const receipt = await server.receipt(id);
    assert.equal(receipt.external_order_id, "renewal-2026-12");
    await eventually(() => (callbacksOf(id).length > 0 ? true : undefined));
    const refund = await server.request("POST", `/payments/v1/payment/refund/${id}`, { body: {} });
    assert.equal(refund.status, 200, refund.text);
    assert.equal((await server.receipt(id)).order_status.key, "refunded");
  });

  it("a manual-capture parent makes held subscription charges, approved later", async () => {
    const parent = await parentOrder("subscription", CARD.card_number, orderBody({ capture: "manual" }, receiver.url));
    const { json } = await subscribe(parent, {});
    const receipt = await server.receipt(json.id);
    assert.equal(receipt.order_status.key, "blocked");
    assert.equal(receipt.payment_detail.code, "200");
    const approve = await server.request("POST", `/payments/v1/payment/authorization/approve/${json.id}`, { body: {} });
    assert.equal(approve.status, 200, approve.text);
    assert.equal((await server.receipt(json.id)).order_status.key, "completed");
  });

  it("subscribe replayed with its Idempotency-Key charges once; a different body with the key is 422", async () => {
    const parent = await parentOrder("subscription");
    const headers = { "idempotency-key": "renewal-1" };
    const first = await subscribe(parent, { external_order_id: "r-1" }, headers);
    const replay = await subscribe(parent, { external_order_id: "r-1" }, headers);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(replay.json, first.json);
    assertError(await subscribe(parent, { external_order_id: "r-2" }, headers), 422, "idempotency_key_reused");
    const repeatParent = await parentOrder("recurrent");
    const created = await orderFromCard(repeatParent, orderBody(), { "idempotency-key": "repeat-1" });
    const again = await orderFromCard(repeatParent, orderBody(), { "idempotency-key": "repeat-1" });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(again.json, created.json);
  });

  for (const type of TYPES) {
    const charge = (parent: string, client: ShopClient = server) => (type === "recurrent" ? orderFromCard(parent, orderBody(), {}, client) : subscribe(parent, {}, {}, client));
    const other: SavedCardType = type === "recurrent" ? "subscription" : "recurrent";

    it(`${type}: unknown, malformed, another merchant's and TBC parents are the same 404`, async () => {
      const unknown = await charge(UNKNOWN);
      assertError(unknown, 404, "order_not_found");
      assertError(await charge("nope"), 404, "order_not_found");
      const parent = await parentOrder(type);
      const foreign = await charge(parent, shopB);
      assert.deepEqual([foreign.status, foreign.json], [unknown.status, unknown.json]);
      const foreignDelete = await deleteCard(parent, shopB);
      assert.deepEqual([foreignDelete.status, foreignDelete.json], [unknown.status, unknown.json]);
      // A card saved through TBC is not one of the BOG API's, and a BOG card is no TBC recId.
      const tbc = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ saveCard: true }) });
      await server.tbcRequest("POST", `/_test/orders/${tbc.json.payId}/pay`, { body: CARD });
      assert.deepEqual((await charge(tbc.json.payId)).json, unknown.json);
      assert.deepEqual((await deleteCard(tbc.json.payId)).json, unknown.json);
      const bogCard = await server.request("GET", `/payments/v1/receipt/${parent}`);
      assert.equal(bogCard.status, 200);
      const savedCardId = await savedCardIdOf(parent);
      const execution = await server.tbcRequest("POST", "/v1/tpay/payments/execution", { body: { recId: savedCardId, money: { amount: 1, currency: "GEL" } } });
      assert.equal(execution.status, 404, execution.text);
      assert.equal(execution.json.systemCode, "RecurringPaymentNotFound");
    });

    it(`${type}: a parent not paid, not saved, or saved for the other type is 400 naming why`, async () => {
      const unpaid = await server.createOrder();
      assertAccepted(await markForSaving(unpaid, type));
      assertError(await charge(unpaid), 400, "parent_order_not_paid");
      const notSaved = await server.createOrder();
      assertError(await charge(notSaved), 400, "parent_card_not_saved");
      await server.pay(notSaved);
      assertError(await charge(notSaved), 400, "parent_card_not_saved");
      assertError(await charge(await parentOrder(other)), 400, "saved_card_other_use");
    });

    it(`${type}: after DELETE (202) a charge is a rejected order with code 102; a second DELETE is 404`, async () => {
      const parent = await parentOrder(type);
      assertAccepted(await deleteCard(parent));
      assert.equal((await server.receipt(parent)).payment_detail.saved_card_type, null);
      const response = await charge(parent);
      assert.equal(response.status, 200, response.text);
      const receipt = await server.receipt(response.json.id);
      assert.equal(receipt.order_status.key, "rejected");
      assert.equal(receipt.payment_detail.code, "102");
      assert.equal(receipt.payment_detail.code_description, "Saved card not found");
      assert.equal(receipt.reject_reason, "Saved card not found");
      assert.equal(receipt.payment_detail.parent_order_id, parent);
      assert.equal(receipt.payment_detail.payer_identifier, "424242xxxxxx4242");
      assert.equal(receipt.purchase_units.transfer_amount, "0.0");
      assertError(await deleteCard(parent), 404, "saved_card_not_found");
    });

    it(`${type}: a saved card that has expired since declines with code 105`, async () => {
      const now = new Date();
      const expiry = `${String(now.getUTCMonth() + 1).padStart(2, "0")}/${String(now.getUTCFullYear() % 100).padStart(2, "0")}`;
      const id = await server.createOrder();
      assertAccepted(await markForSaving(id, type));
      await server.pay(id, { expiry });
      server.clock.advance(62 * 24 * 3600_000);
      try {
        const client = server.as(server.merchant);
        const response = await charge(id, client);
        assert.equal(response.status, 200, response.text);
        if (type === "recurrent") await client.request("POST", `/_test/orders/${response.json.id}/pay`, { body: {} });
        const receipt = await client.receipt(response.json.id);
        assert.equal(receipt.order_status.key, "rejected");
        assert.equal(receipt.payment_detail.code, "105");
      } finally {
        server.clock.offset = 0;
      }
    });

    it(`${type}: the test acquirer's saved-card declines (card 0051: insufficient funds 107; card 0259: restricted 101)`, async () => {
      for (const [card, code] of [["4000000000000051", "107"], ["4000000000000259", "101"]] as const) {
        const parent = await parentOrder(type, card);
        assert.equal((await server.receipt(parent)).order_status.key, "completed", "approved when typed");
        const response = await charge(parent);
        assert.equal(response.status, 200, response.text);
        if (type === "recurrent") {
          const paid = await server.request("POST", `/_test/orders/${response.json.id}/pay`, { body: {} });
          assert.equal(paid.json.outcome, "declined", paid.text);
        }
        const receipt = await server.receipt(response.json.id);
        assert.equal(receipt.order_status.key, "rejected");
        assert.equal(receipt.payment_detail.code, code);
      }
    });
  }

  it("a recurrent order whose card is deleted before the buyer pays declines with 102 on the page's Pay", async () => {
    const parent = await parentOrder("recurrent");
    const { json } = await orderFromCard(parent);
    assertAccepted(await deleteCard(parent));
    const paid = await server.request("POST", `/_test/orders/${json.id}/pay`, { body: {} });
    assert.equal(paid.json.outcome, "declined", paid.text);
    assert.equal(paid.json.decline_reason, "saved_card_not_found");
    assert.equal((await server.receipt(json.id)).payment_detail.code, "102");
  });

  it("amounts and currency: a recurrent order follows create order's rules; subscribe refuses an amount of its own", async () => {
    const parent = await parentOrder("recurrent");
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ purchase_units: { ...purchaseOf(1), total_amount: 0 } }, "purchase_units.total_amount"],
      [{ purchase_units: { ...purchaseOf(1), total_amount: -5 } }, "purchase_units.total_amount"],
      [{ purchase_units: { ...purchaseOf(1), total_amount: 1.001 } }, "purchase_units.total_amount"],
      [{ purchase_units: { ...purchaseOf(1), currency: "XYZ" } }, "purchase_units.currency"],
      [{ purchase_units: { ...purchaseOf(1), total_amount: "ten" } }, "purchase_units.total_amount"],
      [{ callback_url: "not a url" }, "callback_url"],
    ];
    for (const [overrides, field] of cases) {
      const response = await orderFromCard(parent, orderBody(overrides));
      assertError(response, 400, "validation");
      assert.ok(response.json.errors.some((e: { field: string }) => e.field === field), response.text);
    }
    const usd = await orderFromCard(parent, orderBody({ purchase_units: { ...purchaseOf(3), currency: "USD" } }));
    assert.equal(usd.status, 200, usd.text);
    await server.request("POST", `/_test/orders/${usd.json.id}/pay`, { body: {} });
    assert.equal((await server.receipt(usd.json.id)).purchase_units.currency_code, "USD");

    const plan = await parentOrder("subscription");
    for (const [body, field] of [
      [{ purchase_units: purchaseOf(1) }, "purchase_units"],
      [{ callback_url: "ftp://shop.example/cb" }, "callback_url"],
      [{ external_order_id: 12 }, "external_order_id"],
    ] as const) {
      const response = await subscribe(plan, body);
      assertError(response, 400, "validation");
      assert.ok(response.json.errors.some((e: { field: string }) => e.field === field), response.text);
    }
    assertError(await subscribe(plan, "not json"), 400, "malformed_body");
  });

  it("the OpenAPI document lists the saved-card operations", async () => {
    const doc = (await server.request("GET", "/payments/v1/openapi.json", { token: null })).json;
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    for (const expected of [
      "PUT /payments/v1/orders/{order_id}/cards",
      "PUT /payments/v1/orders/{order_id}/subscriptions",
      "DELETE /payments/v1/charges/card/{order_id}",
      "POST /payments/v1/ecommerce/orders/{order_id}",
      "POST /payments/v1/ecommerce/orders/{order_id}/subscribe",
    ]) {
      assert.ok(operations.includes(expected), `${expected} in ${operations.join(", ")}`);
    }
  });

  /** The saved card's id (TBC's recId shape) of a BOG parent, read as an operator would: from the store. */
  async function savedCardIdOf(parentId: string): Promise<string> {
    const { services } = server;
    const card = await services.ctx.store.read((tx) => tx.savedCards.ofOrder(parentId as never));
    assert.ok(card);
    return card.id;
  }
});
