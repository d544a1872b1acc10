// tetri's own subscriptions API (/tetri/v1/subscriptions) over HTTP: created with either bank
// API's tokens on a card saved through that API, charged by the gateway's own scheduler (each
// charge an order of that API, with its callback), listed, read, paused, resumed, cancelled;
// every error a shop can cause in tetri's error shape.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CARD, orderBody, purchaseOf, tbcPaymentBody } from "../helpers/fixtures.ts";
import { startTwoMerchantServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import type { ShopClient, TestResponse } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";

const PATH = "/tetri/v1/subscriptions";
const TODAY = () => new Date().toISOString().slice(0, 10);

function assertError(response: TestResponse, status: number, key: string, field?: string) {
  assert.equal(response.status, status, response.text);
  assert.equal(response.json?.key, key, response.text);
  assert.equal(typeof response.json.message, "string");
  if (field !== undefined) assert.ok(response.json.errors?.some((e: { field: string }) => e.field === field), `${field}: ${response.text}`);
}

describe("tetri subscriptions API", () => {
  let server: TestServer;
  let shopB: ShopClient;
  let receiver: Receiver;
  before(async () => {
    ({ server, shopB } = await startTwoMerchantServer());
    receiver = await startReceiver();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  const bog = (method: string, path: string, body?: unknown, client: ShopClient = server, headers: Record<string, string> = {}) => client.request(method, path, { body, headers });
  const tbc = (method: string, path: string, body?: unknown, client: ShopClient = server) => client.tbcRequest(method, path, { body });

  /** A paid BOG order that saved its card for `type` charges. */
  async function bogParent(type: "subscriptions" | "cards" = "subscriptions", amount = 25.5): Promise<string> {
    const id = await server.createOrder(orderBody({ purchase_units: purchaseOf(amount) }, receiver.url));
    assert.equal((await server.request("PUT", `/payments/v1/orders/${id}/${type}`)).status, 202);
    assert.equal((await server.pay(id)).json.outcome, "approved");
    return id;
  }

  const plan = (orderId: string, changes: Record<string, unknown> = {}) => ({ order_id: orderId, amount: 9.99, currency: "GEL", interval: "monthly", ...changes });

  it("a BOG merchant subscribes a saved card: 201, and the gateway charges the first period at once, as a BOG order with its callback", async () => {
    const parent = await bogParent();
    const created = await bog("POST", PATH, plan(parent, { external_id: "plan-gold" }));
    assert.equal(created.status, 201, created.text);
    const s = created.json;
    assert.match(s.id, /^sub_[0-9a-f]{32}$/);
    assert.equal(s.status, "active");
    assert.equal(s.order_id, parent);
    assert.deepEqual(s.card, { mask: "424242******4242", expiry: "12/39" });
    assert.deepEqual([s.amount, s.currency, s.interval, s.day_of_month, s.start_date], ["9.99", "GEL", "monthly", Number(TODAY().slice(8)), TODAY()]);
    assert.equal(s.next_charge_at, `${TODAY()}T00:00:00.000Z`);

    const charged = await eventually(async () => {
      const read = await bog("GET", `${PATH}/${s.id}`);
      // Charged and settled: one charge, and the schedule moved on to the next period.
      return read.json.charges.length === 1 && read.json.next_charge_at !== s.next_charge_at ? read.json : undefined;
    });
    const [charge] = charged.charges;
    assert.deepEqual([charge.period, charge.retry], [0, 0]);
    const receipt = await server.receipt(charge.order_id);
    assert.equal(receipt.order_status.key, "completed");
    assert.equal(receipt.purchase_units.transfer_amount, "9.99");
    assert.equal(receipt.external_order_id, "plan-gold");
    assert.equal(receipt.payment_detail.payment_option, "subscription");
    assert.equal(receipt.payment_detail.parent_order_id, parent);
    const callback = await eventually(() => receiver.received.find((c) => JSON.parse(c.body).body.order_id === charge.order_id));
    assert.equal(JSON.parse(callback.body).event, "order_payment");
    // The next charge is next month, on the same day (or the month's last).
    assert.ok(Date.parse(charged.next_charge_at) > Date.now());
  });

  it("a TBC merchant subscribes the card of a saveCard payment by its payId; the charges are TBC payments", async () => {
    const created = await tbc("POST", "/v1/tpay/payments", tbcPaymentBody({ saveCard: true, callbackUrl: receiver.url }));
    await server.tbcRequest("POST", `/_test/orders/${created.json.payId}/pay`, { body: CARD });
    const subscribed = await tbc("POST", PATH, plan(created.json.payId, { amount: "3.50", interval: "weekly" }));
    assert.equal(subscribed.status, 201, subscribed.text);
    assert.equal(subscribed.json.day_of_month, null);
    const charge = await eventually(async () => (await tbc("GET", `${PATH}/${subscribed.json.id}`)).json.charges[0]);
    const payment = await eventually(async () => {
      const read = await tbc("GET", `/v1/tpay/payments/${charge.order_id}`);
      return read.json.status === "Succeeded" ? read.json : undefined;
    });
    assert.equal(payment.amount, 3.5);
    assert.equal(payment.Initiator, "Merchant", "the scheduler's charge is merchant-initiated");
    await eventually(() => receiver.received.find((c) => c.body === `{"PaymentId":"${payment.payId}"}`));
    // One merchant, one API: the BOG token does not see the TBC subscription.
    assertError(await bog("GET", `${PATH}/${subscribed.json.id}`), 404, "subscription_not_found");
    assert.ok(!(await bog("GET", PATH)).json.subscriptions.some((x: { id: string }) => x.id === subscribed.json.id));
  });

  it("the card must be saved for charges without the buyer, by this merchant, through this API; else the parent errors", async () => {
    const unknown = await bog("POST", PATH, plan("0b7e9a4c-1f2d-4e5a-8b6c-7d8e9f0a1b2c"));
    assertError(unknown, 404, "order_not_found");
    assertError(await bog("POST", PATH, plan("not-an-order")), 404, "order_not_found");
    const parent = await bogParent();
    const foreign = await bog("POST", PATH, plan(parent), shopB);
    assert.deepEqual([foreign.status, foreign.json], [unknown.status, unknown.json]);
    const tbcSaved = await tbc("POST", "/v1/tpay/payments", tbcPaymentBody({ saveCard: true }));
    await server.tbcRequest("POST", `/_test/orders/${tbcSaved.json.payId}/pay`, { body: CARD });
    assert.deepEqual((await bog("POST", PATH, plan(tbcSaved.json.payId))).json, unknown.json);

    assertError(await bog("POST", PATH, plan(await bogParent("cards"))), 400, "saved_card_other_use");
    const plain = await server.createOrder();
    await server.pay(plain);
    assertError(await bog("POST", PATH, plan(plain)), 400, "parent_card_not_saved");
    const unpaid = await server.createOrder();
    await server.request("PUT", `/payments/v1/orders/${unpaid}/subscriptions`);
    assertError(await bog("POST", PATH, plan(unpaid)), 400, "parent_order_not_paid");
    const deleted = await bogParent();
    assert.equal((await server.request("DELETE", `/payments/v1/charges/card/${deleted}`)).status, 202);
    assertError(await bog("POST", PATH, plan(deleted)), 404, "saved_card_not_found");
    assertError(await server.request("POST", PATH, { body: plan(parent), token: null }), 401, "unauthenticated");
    assertError(await server.tbcRequest("POST", PATH, { body: plan(parent), apiKey: null }), 401, "unauthenticated");
  });

  it("bad plans are 400 naming the field", async () => {
    const parent = await bogParent();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ amount: 0 }, "amount"],
      [{ amount: -1 }, "amount"],
      [{ amount: 1.001 }, "amount"],
      [{ amount: "ten" }, "amount"],
      [{ amount: 1e13 }, "amount"],
      [{ currency: "XYZ" }, "currency"],
      [{ interval: "yearly" }, "interval"],
      [{ interval: undefined }, "interval"],
      [{ day_of_month: 0 }, "day_of_month"],
      [{ day_of_month: 32 }, "day_of_month"],
      [{ day_of_month: 1.5 }, "day_of_month"],
      [{ interval: "weekly", day_of_month: 3 }, "day_of_month"],
      [{ start_date: "2020-01-01" }, "start_date"],
      [{ start_date: "2031-02-30" }, "start_date"],
      [{ start_date: "tomorrow" }, "start_date"],
      [{ callback_url: "not a url" }, "callback_url"],
      [{ order_id: 12 }, "order_id"],
      [{ external_id: "x".repeat(256) }, "external_id"],
    ];
    for (const [changes, field] of cases) assertError(await bog("POST", PATH, plan(parent, changes)), 400, "validation", field);
    assertError(await bog("POST", PATH, "{not json"), 400, "malformed_body");
    assert.equal((await bog("GET", PATH)).json.subscriptions.filter((x: { order_id: string }) => x.order_id === parent).length, 0, "nothing was created");
  });

  it("pause, resume, cancel; an ended subscription refuses pause and resume (409); another merchant's is not found", async () => {
    const parent = await bogParent();
    const { json: s } = await bog("POST", PATH, plan(parent, { start_date: "2031-01-15", interval: "daily" }));
    const paused = await bog("POST", `${PATH}/${s.id}/pause`);
    assert.equal(paused.status, 200, paused.text);
    assert.deepEqual([paused.json.status, paused.json.next_charge_at], ["paused", null]);
    assert.equal((await bog("POST", `${PATH}/${s.id}/pause`, {})).json.status, "paused", "pausing twice changes nothing");
    const resumed = await bog("POST", `${PATH}/${s.id}/resume`);
    assert.deepEqual([resumed.json.status, resumed.json.next_charge_at], ["active", "2031-01-15T00:00:00.000Z"]);
    for (const client of [shopB]) {
      for (const action of ["pause", "resume", "cancel"]) assertError(await bog("POST", `${PATH}/${s.id}/${action}`, undefined, client), 404, "subscription_not_found");
      assertError(await bog("GET", `${PATH}/${s.id}`, undefined, client), 404, "subscription_not_found");
    }
    assertError(await bog("GET", `${PATH}/sub_nope`), 404, "subscription_not_found");
    const cancelled = await bog("POST", `${PATH}/${s.id}/cancel`);
    assert.deepEqual([cancelled.json.status, cancelled.json.next_charge_at], ["cancelled", null]);
    assert.equal((await bog("POST", `${PATH}/${s.id}/cancel`)).json.status, "cancelled");
    assertError(await bog("POST", `${PATH}/${s.id}/pause`), 409, "subscription_ended");
    assertError(await bog("POST", `${PATH}/${s.id}/resume`), 409, "subscription_ended");
  });

  it("lists newest first in pages; Idempotency-Key replays a create, and refuses another body with it (422)", async () => {
    const parent = await bogParent();
    const headers = { "idempotency-key": "plan-page-1" };
    const first = await bog("POST", PATH, plan(parent, { start_date: "2031-03-01" }), server, headers);
    const replay = await bog("POST", PATH, plan(parent, { start_date: "2031-03-01" }), server, headers);
    assert.equal(first.status, 201, first.text);
    assert.equal(replay.json.id, first.json.id);
    assertError(await bog("POST", PATH, plan(parent, { start_date: "2031-03-02" }), server, headers), 422, "idempotency_key_reused");
    const ids = [first.json.id];
    for (const day of ["02", "03"]) ids.push((await bog("POST", PATH, plan(parent, { start_date: `2031-03-${day}` }))).json.id);

    const page1 = await bog("GET", `${PATH}?limit=2`);
    assert.equal(page1.status, 200, page1.text);
    assert.deepEqual(page1.json.subscriptions.map((x: { id: string }) => x.id), [ids[2], ids[1]]);
    assert.equal(page1.json.next_after, ids[1]);
    const page2 = await bog("GET", `${PATH}?limit=2&after=${page1.json.next_after}`);
    assert.equal(page2.json.subscriptions[0].id, ids[0]);
    assertError(await bog("GET", `${PATH}?limit=0`), 400, "validation", "limit");
    assertError(await bog("GET", `${PATH}?after=sub_${"0".repeat(32)}`), 404, "subscription_not_found");
    assert.equal((await bog("GET", PATH, undefined, shopB)).json.subscriptions.length, 0, "another merchant's list is its own");
  });

  it("serves its own OpenAPI document at /tetri/v1/openapi.json, without a token", async () => {
    const doc = (await server.request("GET", "/tetri/v1/openapi.json", { token: null })).json;
    assert.match(doc.info.title, /Subscriptions/);
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    assert.deepEqual(operations.sort(), [
      "GET /tetri/v1/subscriptions",
      "GET /tetri/v1/subscriptions/{subscription_id}",
      "POST /tetri/v1/subscriptions",
      "POST /tetri/v1/subscriptions/{subscription_id}/cancel",
      "POST /tetri/v1/subscriptions/{subscription_id}/pause",
      "POST /tetri/v1/subscriptions/{subscription_id}/resume",
    ]);
  });
});
