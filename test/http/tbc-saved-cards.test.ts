// TBC TPay v1 saved cards (recurring payments: saveCard, execution, delete) and TBC
// callbacks ({"PaymentId": ...}, unsigned), over real HTTP.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CARD, DEMO, tbcPaymentBody } from "../helpers/fixtures.ts";
import { startTestServer, startTwoMerchantServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import type { ShopClient, TestResponse } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";

function assertProblem(response: TestResponse, status: number, title?: string) {
  assert.equal(response.status, status, response.text);
  assert.match(String(response.headers.get("content-type")), /^application\/problem\+json/);
  assert.equal(response.json.status, String(status));
  for (const key of ["type", "title", "detail", "systemCode"]) assert.equal(typeof response.json[key], "string", key);
  if (title !== undefined) assert.equal(response.json.title, title);
}

const OK = { httpStatusCode: 200, developerMessage: null, userMessage: null };

describe("TBC saved cards", () => {
  let server: TestServer;
  let shopB: ShopClient;
  before(async () => {
    ({ server, shopB } = await startTwoMerchantServer());
  });
  after(() => server.close());

  const get = async (payId: string) => {
    const response = await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`);
    assert.equal(response.status, 200, response.text);
    return response.json;
  };
  const execute = (body: unknown, path = "/v1/tpay/payments/execution", headers: Record<string, string> = {}) =>
    server.tbcRequest("POST", path, { body, headers });

  /** A paid payment that saved its card; returns its payId and the card's recId. */
  async function savedCard(overrides: Record<string, unknown> = {}, card = CARD.card_number): Promise<{ payId: string; recId: string }> {
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ saveCard: true, saveCardToDate: "1230", ...overrides }) });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.json.recId, null, "no card before payment");
    const paid = await server.tbcRequest("POST", `/_test/orders/${created.json.payId}/pay`, { body: { ...CARD, card_number: card } });
    assert.equal(paid.status, 200, paid.text);
    const payment = await get(created.json.payId);
    assert.equal(typeof payment.recId, "string");
    return { payId: created.json.payId, recId: payment.recId };
  }

  it("a paid saveCard payment carries recurringCard {recId, cardMask, expiryDate MMYY} and recId", async () => {
    const { payId, recId } = await savedCard();
    const payment = await get(payId);
    assert.equal(payment.status, "Succeeded");
    assert.deepEqual(payment.recurringCard, { recId, cardMask: "424242******4242", expiryDate: "1239" });
    assert.match(payment.recurringCard.expiryDate, /^(0[1-9]|1[0-2])\d{2}$/);
    assert.match(recId, /^[0-9a-z]+$/);
  });

  it("a payment without saveCard, or a declined saveCard payment, saves nothing", async () => {
    const plain = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody() });
    await server.tbcRequest("POST", `/_test/orders/${plain.json.payId}/pay`, { body: CARD });
    const declined = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ saveCard: true }) });
    await server.tbcRequest("POST", `/_test/orders/${declined.json.payId}/pay`, { body: { ...CARD, card_number: "4000000000000002" } });
    for (const payId of [plain.json.payId, declined.json.payId]) {
      const payment = await get(payId);
      assert.equal(payment.recurringCard, null);
      assert.equal(payment.recId, null);
    }
  });

  it("execution charges the saved card: a new payment, Succeeded, Initiator Merchant, no approval_url", async () => {
    const { payId, recId } = await savedCard();
    const response = await execute({ recId, money: { amount: 9.99, currency: "GEL" }, initiator: "merchant", merchantPaymentId: "sub-2026-11", extra: "order", extra2: "subscription" });
    assert.equal(response.status, 200, response.text);
    const charge = response.json;
    assert.notEqual(charge.payId, payId);
    assert.equal(charge.status, "Succeeded");
    assert.equal(charge.amount, 9.99);
    assert.equal(charge.confirmedAmount, 9.99);
    assert.equal(charge.currency, "GEL");
    assert.equal(charge.Initiator, "Merchant");
    assert.equal(charge.paymentMethod, 5, "the saved card's method: card");
    assert.equal(charge.resultCode, "approved");
    assert.equal(charge.preAuth, false);
    assert.equal(charge.PaymentCardNumber, "424242******4242");
    assert.equal(charge.merchantPaymentId, "sub-2026-11");
    assert.equal(charge.extra, "order");
    assert.equal(charge.extra2, "subscription");
    assert.deepEqual(charge.links.map((l: { rel: string }) => l.rel), ["self"]);
    assert.ok(!charge.links.some((l: { rel: string }) => l.rel === "approval_url"));
    // GET reads the same, and the saving payment is untouched.
    const read = await get(charge.payId);
    assert.equal(read.status, "Succeeded");
    assert.equal(read.Initiator, "Merchant");
    const original = await get(payId);
    assert.equal(original.confirmedAmount, 12.5);
    assert.equal(original.recId, recId);
    // A charge can be refunded like any payment.
    assert.deepEqual((await server.tbcRequest("POST", `/v1/tpay/payments/${charge.payId}/cancel`, { body: { amount: 4.99 } })).json, OK);
    const refunded = await get(charge.payId);
    assert.equal(refunded.status, "PartialReturned");
    assert.equal(refunded.returnedAmount, 4.99);
  });

  it("an execution without initiator counts as customer-initiated", async () => {
    const { recId } = await savedCard();
    const response = await execute({ recId, money: { amount: 1, currency: "GEL" } });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.status, "Succeeded");
    assert.equal(response.json.Initiator, "client");
  });

  it("a card saved through 3-D Secure is charged later without a challenge", async () => {
    const { recId } = await savedCard({}, "4000000000003220");
    const response = await execute({ recId, money: { amount: 5, currency: "GEL" }, initiator: "merchant" });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.status, "Succeeded");
    assert.equal(response.json.PaymentCardNumber, "400000******3220");
  });

  it("once the saveCardToDate month has passed, a charge fails as an expired card", async () => {
    const now = new Date();
    const mmyy = `${String(now.getUTCMonth() + 1).padStart(2, "0")}${String(now.getUTCFullYear() % 100).padStart(2, "0")}`;
    const { recId } = await savedCard({ saveCardToDate: mmyy });
    server.clock.advance(62 * 24 * 3600_000);
    try {
      // The cached token has expired by now; a fresh one is issued at the moved clock.
      const token = await server.tbcTokenFor(DEMO.clientId, DEMO.clientSecret, DEMO.tbcApiKey);
      const response = await server.tbcRequest("POST", "/v1/tpay/payments/execution", { token, body: { recId, money: { amount: 5, currency: "GEL" } } });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.status, "Failed");
      assert.equal(response.json.resultCode, "decline_expired_card");
      assert.equal(response.json.confirmedAmount, 0);
    } finally {
      server.clock.offset = 0;
    }
  });

  it("a saveCardToDate month that has already passed keeps the card for as long as the card is valid, as TBC documents", async () => {
    const response = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ saveCard: true, saveCardToDate: "0120" }) });
    assert.equal(response.status, 200, response.text);
    await server.tbcRequest("POST", `/_test/orders/${response.json.payId}/pay`, { body: CARD });
    const { recurringCard } = await get(response.json.payId);
    const charge = await execute({ recId: recurringCard.recId, money: { amount: 1, currency: "GEL" } });
    assert.equal(charge.json.status, "Succeeded", charge.text);
  });

  it("execution with preAuth holds (WaitingConfirm); completion then captures", async () => {
    const { recId } = await savedCard();
    const response = await execute({ recId, money: { amount: 20, currency: "GEL" }, preAuth: true, initiator: "merchant" });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.json.status, "WaitingConfirm");
    assert.equal(response.json.preAuth, true);
    assert.equal(response.json.confirmedAmount, 0);
    const completion = await server.tbcRequest("POST", `/v1/tpay/payments/${response.json.payId}/completion`, { body: { amount: 15 } });
    assert.equal(completion.status, 200, completion.text);
    assert.deepEqual(completion.json, { status: "Succeeded", amount: 20, confirmedAmount: 15, ...OK });
    assert.equal((await get(response.json.payId)).confirmedAmount, 15);
  });

  it("execution in another currency than the saving payment's charges in that currency", async () => {
    const { recId } = await savedCard();
    for (const currency of ["USD", "EUR"]) {
      const response = await execute({ recId, money: { amount: 3.5, currency } });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.json.status, "Succeeded");
      assert.equal(response.json.currency, currency);
      assert.equal(response.json.amount, 3.5);
    }
  });

  it("bad execution bodies are 400 problems naming the field", async () => {
    const { recId } = await savedCard();
    const cases: Array<[unknown, string]> = [
      [{ recId, money: { amount: 0, currency: "GEL" } }, "money.amount"],
      [{ recId, money: { amount: -1, currency: "GEL" } }, "money.amount"],
      [{ recId, money: { amount: 1.001, currency: "GEL" } }, "money.amount"],
      [{ recId, money: { amount: 1, currency: "GBP" } }, "money.currency"],
      [{ recId, money: { amount: 1 } }, "money.currency"],
      [{ recId, amount: { total: 1, currency: "GEL" } }, "money"],
      [{ money: { amount: 1, currency: "GEL" } }, "recId"],
      [{ recId, money: { amount: 1, currency: "GEL" }, extra: "x".repeat(26) }, "extra"],
      [{ recId, money: { amount: 1, currency: "GEL" }, extra2: "ü" }, "extra2"],
      [{ recId, money: { amount: 1, currency: "GEL" }, preAuth: "yes" }, "preAuth"],
    ];
    for (const [body, field] of cases) {
      const response = await execute(body);
      assertProblem(response, 400);
      assert.ok(response.json.detail.includes(field), `${JSON.stringify(body)}: ${response.json.detail}`);
    }
  });

  it("an unknown or malformed recId is 404", async () => {
    for (const recId of ["0123456789abcdef0123456789abcdef", "nope", "'; drop table saved_cards; --"]) {
      assertProblem(await execute({ recId, money: { amount: 1, currency: "GEL" } }), 404, "Recurring Payment Not Found");
    }
    assertProblem(await server.tbcRequest("POST", "/v1/tpay/payments/0123456789abcdef0123456789abcdef/delete", { body: {} }), 404);
    assertProblem(await server.tbcRequest("POST", "/v1/tpay/payments/nope/delete"), 404);
  });

  it("delete: 200 with the envelope (empty JSON body or none); later charges and deletes are 404", async () => {
    const { payId, recId } = await savedCard();
    const deleted = await server.tbcRequest("POST", `/v1/tpay/payments/${recId}/delete`, { body: {} });
    assert.equal(deleted.status, 200, deleted.text);
    assert.deepEqual(deleted.json, OK);
    assertProblem(await execute({ recId, money: { amount: 1, currency: "GEL" } }), 404, "Recurring Payment Not Found");
    assertProblem(await server.tbcRequest("POST", `/v1/tpay/payments/${recId}/delete`, { body: {} }), 404);
    // The saving payment no longer shows the card.
    const payment = await get(payId);
    assert.equal(payment.recurringCard, null);
    assert.equal(payment.recId, null);

    const other = await savedCard();
    const noBody = await server.tbcRequest("POST", `/v1/tpay/payments/${other.recId}/delete`);
    assert.equal(noBody.status, 200, noBody.text);
    const emptyJson = await savedCard();
    const empty = await server.tbcRequest("POST", `/v1/tpay/payments/${emptyJson.recId}/delete`, { body: "", headers: { "content-type": "application/json" } });
    assert.equal(empty.status, 200, empty.text);
  });

  it("merchant B can neither charge nor delete A's card, and learns nothing", async () => {
    const { recId } = await savedCard();
    const unknown = "0123456789abcdef0123456789abcdef";
    const charge = await shopB.tbcRequest("POST", "/v1/tpay/payments/execution", { body: { recId, money: { amount: 1, currency: "GEL" } } });
    const chargeUnknown = await shopB.tbcRequest("POST", "/v1/tpay/payments/execution", { body: { recId: unknown, money: { amount: 1, currency: "GEL" } } });
    assertProblem(charge, 404);
    assert.deepEqual(charge.json, chargeUnknown.json);
    const deleted = await shopB.tbcRequest("POST", `/v1/tpay/payments/${recId}/delete`, { body: {} });
    const deletedUnknown = await shopB.tbcRequest("POST", `/v1/tpay/payments/${unknown}/delete`, { body: {} });
    assertProblem(deleted, 404);
    assert.deepEqual(deleted.json, deletedUnknown.json);
    // A's card still works for A.
    const mine = await execute({ recId, money: { amount: 1, currency: "GEL" } });
    assert.equal(mine.json.status, "Succeeded");
  });

  it("the paths without /tpay: /v1/payments/execution and /v1/payments/{payId}/completion", async () => {
    const { recId } = await savedCard();
    const held = await execute({ recId, money: { amount: 8, currency: "GEL" }, preAuth: true }, "/v1/payments/execution");
    assert.equal(held.status, 200, held.text);
    assert.equal(held.json.status, "WaitingConfirm");
    const completion = await server.tbcRequest("POST", `/v1/payments/${held.json.payId}/completion`, { body: { amount: 8 } });
    assert.equal(completion.status, 200, completion.text);
    assert.deepEqual(completion.json, { status: "Succeeded", amount: 8, confirmedAmount: 8, ...OK });
    assert.equal((await get(held.json.payId)).status, "Succeeded");
    // Only these two: the rest of the API has no alias.
    const get404 = await server.tbcRequest("GET", `/v1/payments/${held.json.payId}`);
    assertProblem(get404, 404);
  });

  it("an execution replayed with its Idempotency-Key charges once", async () => {
    const { recId } = await savedCard();
    const headers = { "idempotency-key": "charge-2026-11" };
    const body = { recId, money: { amount: 2, currency: "GEL" }, initiator: "merchant" };
    const first = await execute(body, undefined, headers);
    const replay = await execute(body, undefined, headers);
    assert.equal(first.status, 200, first.text);
    assert.equal(replay.status, 200, replay.text);
    assert.equal(replay.json.payId, first.json.payId);
    assertProblem(await execute({ ...body, money: { amount: 3, currency: "GEL" } }, undefined, headers), 422);
  });
});

describe("TBC callbacks", () => {
  let server: TestServer;
  let receiver: Receiver;
  before(async () => {
    server = await startTestServer();
    receiver = await startReceiver();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  const callbacksFor = (payId: string) => receiver.received.filter((c) => c.body.includes(payId));

  it("a paid payment POSTs exactly {\"PaymentId\":\"<payId>\"} as JSON, unsigned", async () => {
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ callbackUrl: receiver.url }) });
    const payId: string = created.json.payId;
    await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
    const [callback] = await eventually(() => (callbacksFor(payId).length > 0 ? callbacksFor(payId) : undefined));
    assert.ok(callback);
    assert.equal(callback.body, `{"PaymentId":"${payId}"}`);
    assert.equal(callback.headers["content-type"], "application/json");
    assert.equal(callback.headers["callback-signature"], undefined);
    assert.ok(!Object.keys(callback.headers).some((h) => /signature|hmac/i.test(h)), Object.keys(callback.headers).join(", "));
  });

  it("callbackurl in lower case is used too", async () => {
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ callbackurl: receiver.url }) });
    const payId: string = created.json.payId;
    await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: { ...CARD, card_number: "4000000000000002" } });
    const [callback] = await eventually(() => (callbacksFor(payId).length > 0 ? callbacksFor(payId) : undefined));
    assert.equal(callback?.body, `{"PaymentId":"${payId}"}`);
  });

  it("an execution charge calls back the saving payment's callbackUrl with the new payId", async () => {
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ callbackUrl: receiver.url, saveCard: true }) });
    const payId: string = created.json.payId;
    await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
    await eventually(() => (callbacksFor(payId).length > 0 ? true : undefined));
    const recId = (await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`)).json.recId;
    const charge = await server.tbcRequest("POST", "/v1/tpay/payments/execution", { body: { recId, money: { amount: 1, currency: "GEL" }, initiator: "merchant" } });
    assert.equal(charge.status, 200, charge.text);
    const chargeId: string = charge.json.payId;
    const [callback] = await eventually(() => (callbacksFor(chargeId).length > 0 ? callbacksFor(chargeId) : undefined));
    assert.equal(callback?.body, `{"PaymentId":"${chargeId}"}`);
  });

  it("each refund, and expiry, call back too, always with the same body", async () => {
    const paid = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ callbackUrl: receiver.url, amount: { currency: "GEL", total: 10 } }) });
    const paidId: string = paid.json.payId;
    await server.tbcRequest("POST", `/_test/orders/${paidId}/pay`, { body: CARD });
    await server.tbcRequest("POST", `/v1/tpay/payments/${paidId}/cancel`, { body: { amount: 4 } });
    await server.tbcRequest("POST", `/v1/tpay/payments/${paidId}/cancel`, { body: {} });
    // Succeeded, PartialReturned, Returned.
    const refunds = await eventually(() => (callbacksFor(paidId).length >= 3 ? callbacksFor(paidId) : undefined));
    await server.services.worker.deliverDue();
    assert.deepEqual(callbacksFor(paidId).map((c) => c.body), Array(3).fill(`{"PaymentId":"${paidId}"}`));
    assert.equal(refunds.length, 3);

    const expiring = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ callbackUrl: receiver.url, expirationMinutes: 1 }) });
    const expiringId: string = expiring.json.payId;
    server.clock.advance(61_000);
    try {
      const [expired] = await eventually(() => (callbacksFor(expiringId).length > 0 ? callbacksFor(expiringId) : undefined));
      assert.equal(expired?.body, `{"PaymentId":"${expiringId}"}`);
    } finally {
      server.clock.offset = 0;
    }
    assert.equal((await server.tbcRequest("GET", `/v1/tpay/payments/${expiringId}`)).json.status, "Expired");
  });

  it("the body parses to what the Python client's parse_callback needs, and GET tells the rest", async () => {
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ callbackUrl: receiver.url, preAuth: true }) });
    const payId: string = created.json.payId;
    await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
    const [callback] = await eventually(() => (callbacksFor(payId).length > 0 ? callbacksFor(payId) : undefined));
    const parsed = JSON.parse(callback!.body);
    assert.deepEqual(Object.keys(parsed), ["PaymentId"]);
    const payment = await server.tbcRequest("GET", `/v1/tpay/payments/${parsed.PaymentId}`);
    assert.equal(payment.json.status, "WaitingConfirm");
  });
});
