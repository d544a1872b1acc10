// TBC TPay v1 web payments over real HTTP: create (shape, key spellings, validation,
// idempotency), the payment's life (GET through pay, decline, expiry, pre-auth, cancel),
// the hosted page it leads to, and what typed clients need from every answer.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CARD, DEMO, tbcPaymentBody } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import type { TestResponse } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";

function assertProblem(response: TestResponse, status: number) {
  assert.equal(response.status, status, response.text);
  assert.match(String(response.headers.get("content-type")), /^application\/problem\+json/);
  assert.equal(response.json.status, String(status), response.text);
  for (const key of ["type", "title", "detail", "systemCode"]) {
    assert.equal(typeof response.json[key], "string", `${key} in ${response.text}`);
    assert.ok(response.json[key].length > 0, `${key} in ${response.text}`);
  }
}

/** A 400 problem that names `field` in its detail and in invalidParams. */
function assertFieldProblem(response: TestResponse, field: string, label: string) {
  assertProblem(response, 400);
  assert.equal(response.json.title, "Invalid Parameter", label);
  assert.ok(response.json.detail.includes(field), `${label}: detail "${response.json.detail}" does not name ${field}`);
  const names: string[] = (response.json.invalidParams ?? []).map((p: { name: string }) => p.name);
  assert.ok(names.some((n) => n === field || n.startsWith(`${field}.`)), `${label}: invalidParams ${JSON.stringify(names)} lack ${field}`);
}

const CREATE_KEYS = ["payId", "status", "currency", "amount", "links", "transactionId", "preAuth", "recId", "httpStatusCode", "developerMessage", "userMessage"];

function assertCreated(response: TestResponse, server: TestServer, expected: { currency?: string; amount?: number; preAuth?: boolean } = {}) {
  assert.equal(response.status, 200, response.text);
  assert.match(String(response.headers.get("content-type")), /^application\/json/);
  const body = response.json;
  assert.deepEqual(Object.keys(body), CREATE_KEYS);
  assert.equal(typeof body.payId, "string");
  assert.match(body.payId, /^[0-9a-z]{16,32}$/);
  assert.equal(body.status, "Created");
  assert.equal(body.currency, expected.currency ?? "GEL");
  assert.equal(body.amount, expected.amount ?? 12.5);
  assert.equal(typeof body.amount, "number");
  assert.deepEqual(body.links, [
    { uri: `${server.url}/v1/tpay/payments/${body.payId}`, method: "GET", rel: "self" },
    { uri: body.links[1].uri, method: "REDIRECT", rel: "approval_url" },
  ]);
  assert.ok(body.links[1].uri.startsWith(`${server.url}/`), body.links[1].uri);
  assert.equal(body.transactionId, null);
  assert.equal(body.preAuth, expected.preAuth ?? false);
  assert.equal(body.recId, null);
  assert.equal(body.httpStatusCode, 200);
  assert.equal(body.developerMessage, null);
  assert.equal(body.userMessage, null);
}

describe("TBC create payment", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const create = (body: unknown, headers: Record<string, string> = {}) => server.tbcRequest("POST", "/v1/tpay/payments", { body, headers });

  it("answers with exactly the documented keys, in order, and the self link reads the payment", async () => {
    const response = await create(tbcPaymentBody());
    assertCreated(response, server);
    const self = await server.tbcRequest("GET", new URL(response.json.links[0].uri).pathname);
    assert.equal(self.status, 200);
    assert.equal(self.json.payId, response.json.payId);
    assert.equal(self.json.status, "Created");
    assert.equal(self.json.merchantPaymentId, "shop-order-1");
  });

  it("echoes USD and EUR, preAuth, and the smallest amount", async () => {
    assertCreated(await create(tbcPaymentBody({ amount: { currency: "USD", total: 99.99 } })), server, { currency: "USD", amount: 99.99 });
    assertCreated(await create(tbcPaymentBody({ amount: { currency: "EUR", total: 0.01 }, preAuth: true })), server, { currency: "EUR", amount: 0.01, preAuth: true });
    assertCreated(await create(tbcPaymentBody({ amount: { currency: "GEL", total: "7.10" } })), server, { amount: 7.1 });
  });

  it("takes only amount and returnurl; the rest is optional (no methods = all methods)", async () => {
    assertCreated(await create({ amount: { currency: "GEL", total: 12.5 }, returnurl: "https://shop.example/r" }), server);
  });

  it("reads callbackurl in lower case, Name/Price/Quantity installment keys and subtotal", async () => {
    const response = await create(
      tbcPaymentBody({
        callbackurl: "https://shop.example/callback",
        methods: [5, 8],
        amount: { currency: "GEL", total: 30, subtotal: 30, Tax: 0, SHIPPING: 0 },
        installmentProducts: [
          { Name: "Churchkhela", Price: 10, Quantity: 2 },
          { NAME: "Tklapi", PRICE: 5, QUANTITY: 2 },
        ],
      }),
    );
    assertCreated(response, server, { amount: 30 });
    // The keys were read, not dropped: a sum that does not match is refused.
    const mismatch = await create(
      tbcPaymentBody({ methods: [5, 8], amount: { currency: "GEL", total: 30 }, installmentProducts: [{ Name: "a", Price: 10, Quantity: 2 }] }),
    );
    assertFieldProblem(mismatch, "installmentProducts", "sum mismatch, capitalized keys");
  });

  it("ignores unknown keys", async () => {
    assertCreated(await create(tbcPaymentBody({ somethingNew: { nested: [1, 2] }, another: "x" })), server);
  });

  it("an Idempotency-Key replays the same body and creates one payment; another body with it is 422", async () => {
    const count = async () => Object.values(await server.services.ctx.store.read((tx) => tx.orders.countByStatus())).reduce((a, b) => a + (b ?? 0), 0);
    const headers = { "idempotency-key": "tbc-create-1" };
    const before = await count();
    const first = await create(tbcPaymentBody(), headers);
    assertCreated(first, server);
    const replay = await create(tbcPaymentBody(), headers);
    assert.equal(replay.status, 200);
    assert.equal(replay.text, first.text);
    assert.equal(await count(), before + 1);
    const different = await create(tbcPaymentBody({ amount: { currency: "GEL", total: 13 } }), headers);
    assertProblem(different, 422);
    assert.equal(await count(), before + 1);
    // Another key is another payment.
    const other = await create(tbcPaymentBody(), { "idempotency-key": "tbc-create-2" });
    assert.notEqual(other.json.payId, first.json.payId);
    const bad = await create(tbcPaymentBody(), { "idempotency-key": "has space" });
    assertFieldProblem(bad, "Idempotency-Key", "bad key");
  });

  it("validation: each bad field is a 400 problem that names it", async () => {
    const amount = (total: unknown, currency = "GEL") => ({ amount: { currency, total } });
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["extra over 25 chars", { extra: "x".repeat(26) }, "extra"],
      ["extra non-ASCII", { extra: "გადახდა" }, "extra"],
      ["extra with a control character", { extra: "a\nb" }, "extra"],
      ["extra2 over 52 chars", { extra2: "y".repeat(53) }, "extra2"],
      ["description over 30 chars", { description: "d".repeat(31) }, "description"],
      ["expirationMinutes 0", { expirationMinutes: 0 }, "expirationMinutes"],
      ["expirationMinutes negative", { expirationMinutes: -5 }, "expirationMinutes"],
      ["expirationMinutes fractional", { expirationMinutes: 1.5 }, "expirationMinutes"],
      ["expirationMinutes as words", { expirationMinutes: "ten" }, "expirationMinutes"],
      ["expirationMinutes as fractional text", { expirationMinutes: "1.5" }, "expirationMinutes"],
      ["a method with an unknown id", { methods: [5, 3] }, "methods"],
      ["duplicate methods", { methods: [5, 5] }, "methods"],
      ["methods not a list", { methods: 5 }, "methods"],
      ["saveCardToDate month 13", { saveCard: true, saveCardToDate: "1399" }, "saveCardToDate"],
      ["saveCardToDate with a slash", { saveCard: true, saveCardToDate: "12/30" }, "saveCardToDate"],
      ["total 0 without saveCard", amount(0), "amount.total"],
      ["negative total", amount(-1), "amount.total"],
      ["3-decimal total", amount(1.005), "amount.total"],
      ["3-decimal total as text", amount("1.005"), "amount.total"],
      ["total not a number", amount("abc"), "amount.total"],
      ["total missing", { amount: { currency: "GEL" } }, "amount.total"],
      ["currency GBP", amount(10, "GBP"), "amount.currency"],
      ["currency lower case", amount(10, "gel"), "amount.currency"],
      ["amount missing", { amount: undefined }, "amount"],
      ["negative subTotal", { amount: { currency: "GEL", total: 5, subTotal: -1 } }, "amount.subTotal"],
      ["missing returnurl", { returnurl: undefined }, "returnurl"],
      ["empty returnurl", { returnurl: "" }, "returnurl"],
      ["returnurl not a URL", { returnurl: "not a url" }, "returnurl"],
      ["callbackUrl not a URL", { callbackUrl: "javascript:alert(1)" }, "callbackUrl"],
      ["installment sum mismatch", { methods: [8], amount: { currency: "GEL", total: 12.5 }, installmentProducts: [{ name: "a", price: 12, quantity: 1 }] }, "installmentProducts"],
      ["installment quantity 0", { methods: [8], installmentProducts: [{ name: "a", price: 12.5, quantity: 0 }] }, "installmentProducts"],
      ["method 8 without installmentProducts", { methods: [5, 8] }, "installmentProducts"],
      ["installments in USD", { methods: [8], amount: { currency: "USD", total: 12.5 }, installmentProducts: [{ price: 12.5, quantity: 1 }] }, "installmentProducts"],
      ["Ertguli points in USD", { methods: [6], amount: { currency: "USD", total: 12.5 } }, "methods"],
      ["saveCard with method 9", { saveCard: true, methods: [5, 9] }, "saveCard"],
      ["saveCard with method 4", { saveCard: true, methods: [4] }, "saveCard"],
      ["saveCard with method 8", { saveCard: true, methods: [8], installmentProducts: [{ price: 12.5, quantity: 1 }] }, "saveCard"],
      ["language DE", { language: "DE" }, "language"],
      ["preAuth as a word that is not true or false", { preAuth: "yes" }, "preAuth"],
      ["saveCard as a number", { saveCard: 1 }, "saveCard"],
    ];
    for (const [label, overrides, field] of cases) {
      const body = JSON.parse(JSON.stringify(tbcPaymentBody(overrides)));
      const response = await create(body);
      assertFieldProblem(response, field, label);
    }
  });

  it("several bad fields are named in one answer", async () => {
    const response = await create(tbcPaymentBody({ extra: "é", description: "d".repeat(40), language: "DE" }));
    assertProblem(response, 400);
    const names = response.json.invalidParams.map((p: { name: string }) => p.name);
    assert.ok(names.includes("extra") && names.includes("description"), JSON.stringify(names));
  });

  it("accepts the edges: extra of 25 ASCII chars, extra2 of 52, description of 30, KA/EN/RU/ka, total 0 with saveCard", async () => {
    assertCreated(await create(tbcPaymentBody({ extra: "GE00TB0000000000000000123", extra2: "z".repeat(52), description: "d".repeat(30) })), server);
    for (const language of ["KA", "EN", "RU", "ka", "en", "ru"]) assertCreated(await create(tbcPaymentBody({ language })), server);
    assertCreated(await create(tbcPaymentBody({ amount: { currency: "GEL", total: 0 }, saveCard: true, saveCardToDate: "1230" })), server, { amount: 0 });
    assertCreated(await create(tbcPaymentBody({ expirationMinutes: 1, userIpAddress: "203.0.113.7", skipInfoMessage: true })), server);
  });
});

describe("TBC payment life: GET through each outcome", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function created(overrides: Record<string, unknown> = {}): Promise<string> {
    const response = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody(overrides) });
    assert.equal(response.status, 200, response.text);
    return response.json.payId;
  }
  const get = async (payId: string) => {
    const response = await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`);
    assert.equal(response.status, 200, response.text);
    return response.json;
  };
  const pay = async (payId: string, card_number = CARD.card_number) => {
    const response = await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: { ...CARD, card_number } });
    assert.equal(response.status, 200, response.text);
    return response.json;
  };
  const cancel = (payId: string, body?: unknown) => server.tbcRequest("POST", `/v1/tpay/payments/${payId}/cancel`, { body });
  const complete = (payId: string, body?: unknown) => server.tbcRequest("POST", `/v1/tpay/payments/${payId}/completion`, { body });
  const OK = { httpStatusCode: 200, developerMessage: null, userMessage: null };

  it("Created, before anyone pays", async () => {
    const payId = await created({ extra: "GE00TB0000000000000000", extra2: "note" });
    const payment = await get(payId);
    assert.equal(payment.status, "Created");
    assert.equal(payment.confirmedAmount, 0);
    assert.equal(payment.returnedAmount, 0);
    assert.equal(payment.transactionId, null);
    assert.equal(payment.resultCode, null);
    assert.equal(payment.recurringCard, null);
    assert.equal(payment.extra, "GE00TB0000000000000000");
    assert.equal(payment.extra2, "note");
    assert.equal(payment.Initiator, "client");
    assert.deepEqual(payment.links.map((l: { rel: string }) => l.rel), ["self", "approval_url"]);
  });

  it("Succeeded after a card payment, with the card, RRN and transaction id", async () => {
    const payId = await created();
    assert.equal((await pay(payId)).outcome, "approved");
    const payment = await get(payId);
    assert.equal(payment.payId, payId);
    assert.equal(payment.status, "Succeeded");
    assert.equal(payment.amount, 12.5);
    assert.equal(payment.confirmedAmount, 12.5);
    assert.equal(payment.returnedAmount, 0);
    assert.equal(payment.resultCode, "approved");
    assert.equal(payment.paymentMethod, 5);
    assert.equal(payment.PaymentCardNumber, "424242******4242");
    assert.equal(typeof payment.transactionId, "string");
    assert.ok(payment.transactionId.length > 0);
    assert.match(payment.RRN, /^\d{12}$/);
    assert.equal(payment.preAuth, false);
    assert.equal(payment.Initiator, "client");
    assert.equal(payment.recurringCard, null);
    assert.equal(payment.recId, null);
    assert.deepEqual(payment.links.map((l: { rel: string }) => l.rel), ["self"], "no approval_url once paid");
    assert.equal(payment.httpStatusCode, 200);
  });

  it("Succeeded after 3-D Secure, and after an acquirer that answers late (Processing first)", async () => {
    const secure = await created();
    await pay(secure, "4000000000003220");
    assert.equal((await get(secure)).status, "Succeeded");

    const late = await created();
    assert.equal((await pay(late, "4000000000000085")).outcome, "pending");
    // Reconciliation runs every 100 ms in tests, so it may already have settled.
    assert.ok(["Processing", "Succeeded"].includes((await get(late)).status));
    const settled = await eventually(async () => {
      const payment = await get(late);
      return payment.status === "Succeeded" ? payment : undefined;
    });
    assert.equal(settled.resultCode, "approved");
    assert.equal(settled.confirmedAmount, 12.5);
  });

  it("Failed with the decline's resultCode", async () => {
    const declines: Array<[string, string]> = [
      // Every declining test card of design.md, to TBC's resultCode.
      ["4000000000009995", "decline_not_sufficient_funds"],
      ["4000000000000069", "decline_expired_card"],
      ["4000000000000002", "decline_general"],
      ["4000000000000036", "check_with_acquirer"],
      ["4000000000000127", "decline_invalid_card_number"],
      ["4000000000009987", "decline_restricted_card"],
      ["4000000000009979", "decline_general"],
      ["4000000000009961", "decline_general"],
      ["4000000000000119", "check_with_acquirer"],
      ["4000000000000101", "decline_general"],
    ];
    for (const [card, resultCode] of declines) {
      const payId = await created();
      assert.equal((await pay(payId, card)).outcome, "declined");
      const payment = await get(payId);
      assert.equal(payment.status, "Failed", card);
      assert.equal(payment.resultCode, resultCode, card);
      assert.equal(payment.confirmedAmount, 0, card);
      assert.equal(payment.PaymentCardNumber, `${card.slice(0, 6)}******${card.slice(-4)}`);
      assert.deepEqual(payment.links.map((l: { rel: string }) => l.rel), ["self"]);
      // A failed payment cannot be paid again, or cancelled.
      const again = await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
      assert.equal(again.status, 400);
      assertProblem(await cancel(payId, {}), 400);
    }
  });

  it("Expired once expirationMinutes pass unpaid", async () => {
    const payId = await created({ expirationMinutes: 1 });
    const other = await created(); // the default 12 minutes
    server.clock.advance(61_000);
    try {
      const payment = await eventually(async () => {
        const p = await get(payId);
        return p.status === "Expired" ? p : undefined;
      });
      assert.equal(payment.confirmedAmount, 0);
      assert.deepEqual(payment.links.map((l: { rel: string }) => l.rel), ["self"]);
      assert.equal((await get(other)).status, "Created");
      const paid = await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
      assert.equal(paid.status, 400);
      assertProblem(await cancel(payId), 400);
      server.clock.advance(11 * 60_000);
      await eventually(async () => ((await get(other)).status === "Expired" ? true : undefined));
    } finally {
      server.clock.offset = 0;
    }
  });

  it("preAuth: WaitingConfirm, then completion with a smaller amount → Succeeded with that amount", async () => {
    const payId = await created({ preAuth: true, amount: { currency: "GEL", total: 50 } });
    await pay(payId);
    let payment = await get(payId);
    assert.equal(payment.status, "WaitingConfirm");
    assert.equal(payment.preAuth, true);
    assert.equal(payment.confirmedAmount, 0);
    assert.equal(payment.resultCode, "approved");

    const over = await complete(payId, { amount: 50.01 });
    assertProblem(over, 400);
    const completion = await complete(payId, { amount: 30.5 });
    assert.equal(completion.status, 200, completion.text);
    assert.deepEqual(completion.json, { status: "Succeeded", amount: 50, confirmedAmount: 30.5, ...OK });
    payment = await get(payId);
    assert.equal(payment.status, "Succeeded");
    assert.equal(payment.amount, 50);
    assert.equal(payment.confirmedAmount, 30.5);
    // Completed once; a second completion is refused.
    assertProblem(await complete(payId, { amount: 1 }), 400);
    // A refund can return up to what was captured.
    assertProblem(await cancel(payId, { amount: 30.51 }), 400);
    assert.deepEqual((await cancel(payId, {})).json, OK);
    payment = await get(payId);
    assert.equal(payment.status, "Returned");
    assert.equal(payment.returnedAmount, 30.5);
  });

  it("preAuth: completion without an amount (or with an empty body) captures everything", async () => {
    for (const body of [{}, undefined]) {
      const payId = await created({ preAuth: true });
      await pay(payId);
      const completion = await complete(payId, body);
      assert.equal(completion.status, 200, completion.text);
      assert.deepEqual(completion.json, { status: "Succeeded", amount: 12.5, confirmedAmount: 12.5, ...OK });
    }
  });

  it("preAuth: completion is possible for 30 days; then the hold is released by itself (Returned)", async () => {
    const payId = await created({ preAuth: true, amount: { currency: "GEL", total: 20 } });
    await pay(payId);
    server.clock.advance(30 * 24 * 3600_000 + 1000);
    try {
      const token = await server.tbcTokenFor(DEMO.clientId, DEMO.clientSecret, DEMO.tbcApiKey);
      const late = await server.tbcRequest("POST", `/v1/tpay/payments/${payId}/completion`, { token, body: { amount: 20 } });
      assertProblem(late, 400);
      const released = await eventually(async () => {
        const payment = (await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`, { token })).json;
        return payment.status === "Returned" ? payment : undefined;
      });
      assert.deepEqual([released.confirmedAmount, released.returnedAmount], [0, 0]);
    } finally {
      server.clock.offset = 0;
    }
  });

  it("preAuth: a full cancel releases the hold (Returned); a partial cancel is 400", async () => {
    const payId = await created({ preAuth: true, amount: { currency: "GEL", total: 20 } });
    await pay(payId);
    assertFieldProblem(await cancel(payId, { amount: 5 }), "amount", "partial cancel of a hold");
    assert.equal((await get(payId)).status, "WaitingConfirm");
    const response = await cancel(payId, { amount: 20 });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.json, OK);
    const payment = await get(payId);
    assert.equal(payment.status, "Returned");
    assert.equal(payment.confirmedAmount, 0);
    assertProblem(await complete(payId, { amount: 20 }), 400);
    assertProblem(await cancel(payId, {}), 400);
  });

  it("cancel of a paid payment: partial → PartialReturned (once on the payment's day), the rest → Returned, over-refund 400", async () => {
    const payId = await created({ amount: { currency: "GEL", total: 10 } });
    await pay(payId);
    const first = await cancel(payId, { amount: 2.5, extra: "GE00TB0000000000000000", extra2: "2.50" });
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.json, OK);
    let payment = await get(payId);
    assert.equal(payment.status, "PartialReturned");
    assert.equal(payment.returnedAmount, 2.5);
    assert.equal(payment.confirmedAmount, 10);

    assertProblem(await cancel(payId, { amount: 7.51 }), 400);
    for (const amount of [0, -1, 1.001, "abc", true, 1e300]) {
      assertFieldProblem(await cancel(payId, { amount }), "amount", JSON.stringify(amount));
    }
    assert.equal((await get(payId)).returnedAmount, 2.5);

    // TBC: a partial amount can be cancelled only once on the payment's day (Georgian time);
    // later days allow more partial refunds.
    const sameDay = await cancel(payId, { amount: 3 });
    assertProblem(sameDay, 400);
    assert.equal(sameDay.json.systemCode, "PartialRefundLimit");
    const tbilisiNow = server.clock.now() + 4 * 3600_000;
    server.clock.advance(86_400_000 - (tbilisiNow % 86_400_000) + 60_000);
    try {
      assert.equal((await cancel(payId, { amount: 3 })).status, 200);
      payment = await get(payId);
      assert.equal(payment.status, "PartialReturned");
      assert.equal(payment.returnedAmount, 5.5);
    } finally {
      server.clock.offset = 0;
    }
    // No amount: everything left.
    const rest = await server.tbcRequest("POST", `/v1/tpay/payments/${payId}/cancel`);
    assert.equal(rest.status, 200, rest.text);
    payment = await get(payId);
    assert.equal(payment.status, "Returned");
    assert.equal(payment.returnedAmount, 10);
    assertProblem(await cancel(payId, { amount: 0.01 }), 400);
  });

  it("a full cancel with an empty JSON body refunds all", async () => {
    const payId = await created();
    await pay(payId);
    const response = await server.tbcRequest("POST", `/v1/tpay/payments/${payId}/cancel`, { body: "", headers: { "content-type": "application/json" } });
    assert.equal(response.status, 200, response.text);
    const payment = await get(payId);
    assert.equal(payment.status, "Returned");
    assert.equal(payment.returnedAmount, 12.5);
  });

  it("cancel or completion of an unpaid payment is 400, and it stays payable", async () => {
    const payId = await created();
    assertProblem(await cancel(payId, {}), 400);
    assertProblem(await cancel(payId, { amount: 1 }), 400);
    assertProblem(await complete(payId, { amount: 1 }), 400);
    const automatic = await created();
    await pay(automatic);
    assertProblem(await complete(automatic, { amount: 1 }), 400);
    assert.equal((await get(payId)).status, "Created");
    await pay(payId);
    assert.equal((await get(payId)).status, "Succeeded");
  });

  it("a cancel replayed with its Idempotency-Key refunds once", async () => {
    const payId = await created({ amount: { currency: "GEL", total: 10 } });
    await pay(payId);
    const headers = { "idempotency-key": "tbc-cancel-1" };
    const first = await server.tbcRequest("POST", `/v1/tpay/payments/${payId}/cancel`, { body: { amount: 4 }, headers });
    const replay = await server.tbcRequest("POST", `/v1/tpay/payments/${payId}/cancel`, { body: { amount: 4 }, headers });
    assert.equal(first.status, 200);
    assert.equal(replay.status, 200);
    assert.equal((await get(payId)).returnedAmount, 4);
  });

  it("a saveCard payment of 0 verifies the card: Succeeded with a saved card, nothing charged", async () => {
    const payId = await created({ amount: { currency: "GEL", total: 0 }, saveCard: true });
    await pay(payId);
    const payment = await get(payId);
    assert.equal(payment.status, "Succeeded");
    assert.equal(payment.amount, 0);
    assert.equal(typeof payment.recId, "string");
    assert.equal(payment.recurringCard.recId, payment.recId);
  });
});

describe("the hosted page of a TBC payment", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function page(overrides: Record<string, unknown>): Promise<string> {
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody(overrides) });
    assert.equal(created.status, 200, created.text);
    const approval = created.json.links.find((l: { rel: string }) => l.rel === "approval_url");
    assert.equal(approval, created.json.links[1]);
    const response = await fetch(approval.uri);
    assert.equal(response.status, 200);
    assert.match(String(response.headers.get("content-type")), /^text\/html/);
    return response.text();
  }

  it("speaks English for EN, Russian for RU and Georgian for KA (and by default)", async () => {
    const english = await page({ language: "EN" });
    assert.match(english, /<html lang="en"/);
    assert.ok(english.includes("Card number"));
    assert.ok(english.includes("12.50 GEL"));
    const georgian = await page({ language: "KA" });
    assert.match(georgian, /<html lang="ka"/);
    assert.ok(georgian.includes("ბარათის ნომერი"));
    assert.ok(!georgian.includes("Card number"));
    const russian = await page({ language: "RU" });
    assert.match(russian, /<html lang="ru"/);
    for (const text of ["Номер карты", "Имя владельца карты", "Оплатить 12.50 GEL", "Тестовый режим"]) assert.ok(russian.includes(text), text);
    assert.ok(!russian.includes("Card number"));
    // The buyer may switch to either other language.
    assert.match(russian, /hreflang="ka">ქართული</);
    assert.match(russian, /hreflang="en">English</);
    const fallback = await page({ language: undefined });
    assert.ok(fallback.includes("ბარათის ნომერი"));
  });

  it("with methods [5, 9] links Apple Pay's simulated page beside the card form", async () => {
    const html = await page({ methods: [5, 9] });
    assert.match(html, /data-method="apple_pay">Pay with Apple Pay <span class="simulated-badge">\(Simulated\)</);
    assert.ok(html.includes('name="card_number"'));
    const georgian = await page({ methods: [5, 9], language: "KA" });
    assert.ok(georgian.includes("გადახდა: Apple Pay <span class=\"simulated-badge\">(სიმულაცია)"));
    const cardOnly = await page({ methods: [5] });
    assert.ok(!cardOnly.includes("Apple Pay"));
  });

  it("shows the description as the item when there is no basket", async () => {
    const html = await page({ description: "Two churchkhelas", merchantPaymentId: undefined });
    assert.ok(html.includes("Two churchkhelas"));
  });
});

describe("TBC API answers 4xx problems, never 500", () => {
  let server: TestServer;
  let payId: string;
  before(async () => {
    server = await startTestServer();
    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody() });
    payId = created.json.payId;
  });
  after(() => server.close());

  it("malformed JSON, wrong shapes and huge numbers on every endpoint", async () => {
    const paths = [
      "/v1/tpay/payments",
      `/v1/tpay/payments/${payId}/cancel`,
      `/v1/tpay/payments/${payId}/completion`,
      "/v1/tpay/payments/execution",
      "/v1/tpay/payments/0123456789abcdef0123456789abcdef/delete",
      "/v1/payments/execution",
      `/v1/payments/${payId}/completion`,
    ];
    const bodies = [
      "{bad",
      "{\"amount\":",
      "[]",
      "[{\"amount\":1}]",
      "\"a string\"",
      "42",
      "null",
      "true",
      "{\"amount\":1e400}",
      "{\"amount\":-1e400}",
      "{\"amount\":1e308}",
      "{\"amount\":123456789012345678901234567890}",
      "{\"amount\":\"1e5\"}",
      "{\"amount\":\"NaN\"}",
      "{\"amount\":\"Infinity\"}",
      "{\"amount\":{\"currency\":\"GEL\",\"total\":1e308},\"returnurl\":\"https://a.example/\"}",
      "{\"amount\":{\"currency\":\"GEL\",\"total\":0.1e-400},\"returnurl\":\"https://a.example/\"}",
      "{\"amount\":{\"currency\":null,\"total\":null},\"returnurl\":null}",
      "{\"amount\":[],\"returnurl\":[]}",
      "{\"amount\":\"12\",\"returnurl\":{}}",
      "{\"recId\":1e400,\"money\":{\"amount\":1e400,\"currency\":\"GEL\"}}",
      "{\"recId\":\"0123456789abcdef0123456789abcdef\",\"money\":{\"amount\":99999999999999999999,\"currency\":\"GEL\"}}",
      "{\"recId\":\"0123456789abcdef0123456789abcdef\",\"money\":[]}",
      "{\"recId\":\"0123456789abcdef0123456789abcdef\",\"money\":{\"amount\":1,\"currency\":\"XXX\"}}",
      "{\"__proto__\":{\"admin\":true}}",
      "{\"constructor\":{\"prototype\":{\"x\":1}}}",
      `{"installmentProducts":[{"price":1e308,"quantity":100000}],"methods":[8],"amount":{"currency":"GEL","total":1},"returnurl":"https://a.example/"}`,
      `${"[".repeat(64)}${"]".repeat(64)}`,
      `{"a":${"{\"a\":".repeat(40)}1${"}".repeat(40)}}`,
    ];
    for (const path of paths) {
      for (const body of bodies) {
        const response = await server.tbcRequest("POST", path, { body, headers: { "content-type": "application/json" } });
        assert.ok(response.status >= 400 && response.status < 500, `${path} ${body.slice(0, 60)}: ${response.status} ${response.text}`);
        assertProblem(response, response.status);
      }
    }
    // The payment is untouched.
    assert.equal((await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`)).json.status, "Created");
  });

  it("other content types, odd methods and unknown paths", async () => {
    const cases: Array<[string, string, string | undefined, Record<string, string>]> = [
      ["POST", "/v1/tpay/payments", "amount=1", { "content-type": "application/x-www-form-urlencoded" }],
      ["POST", "/v1/tpay/payments", "<xml/>", { "content-type": "application/xml" }],
      ["POST", "/v1/tpay/payments", "{}", { "content-type": "text/plain" }],
      ["POST", "/v1/tpay/access-token", "client_id=x", { "content-type": "text/plain" }],
      ["POST", "/v1/tpay/payments", undefined, {}],
      ["PUT", `/v1/tpay/payments/${payId}`, "{}", { "content-type": "application/json" }],
      ["DELETE", `/v1/tpay/payments/${payId}`, undefined, {}],
      ["GET", "/v1/tpay/payments/execution", undefined, {}],
      ["GET", "/v1/tpay/nothing-here", undefined, {}],
      ["GET", "/v1/tpay/payments/x/y/z", undefined, {}],
    ];
    for (const [method, path, body, headers] of cases) {
      const response = await server.tbcRequest(method, path, { body, headers });
      assert.ok(response.status >= 400 && response.status < 500, `${method} ${path.slice(0, 60)}: ${response.status} ${response.text}`);
      assertProblem(response, response.status);
    }
  });

  it("a form body is refused outside the token call (cancel, completion, execution)", async () => {
    const paid = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ preAuth: true }) });
    await server.tbcRequest("POST", `/_test/orders/${paid.json.payId}/pay`, { body: CARD });
    const form = { "content-type": "application/x-www-form-urlencoded" };
    for (const path of [`/v1/tpay/payments/${paid.json.payId}/cancel`, `/v1/tpay/payments/${paid.json.payId}/completion`, "/v1/tpay/payments/execution"]) {
      assertProblem(await server.tbcRequest("POST", path, { body: "amount=5", headers: form }), 415);
    }
    assert.equal((await server.tbcRequest("GET", `/v1/tpay/payments/${paid.json.payId}`)).json.status, "WaitingConfirm");
  });

  // Fastify's router rejects these before any route; app.ts renders them in each API's shape.
  it("a malformed percent-escape or an over-long id in the path", async () => {
    for (const path of ["/v1/tpay/payments/%ZZ/cancel", `/v1/tpay/payments/${"a".repeat(5000)}`]) {
      const response = await server.tbcRequest("POST", path, { body: {} });
      assert.ok(response.status >= 400 && response.status < 500, `${path.slice(0, 40)}: ${response.status}`);
      assertProblem(response, response.status);
    }
  });

  it("a body over the size limit is 413", async () => {
    const response = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ pad: "x".repeat(300 * 1024) }) });
    assertProblem(response, 413);
  });
});

describe("what typed clients need (spec section 11)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const nonEmptyString = (value: unknown, label: string) => {
    assert.equal(typeof value, "string", label);
    assert.ok((value as string).length > 0, label);
  };
  const decimal = (value: unknown, label: string) => {
    if (value === undefined || value === null) return;
    assert.equal(typeof value, "number", label);
    assert.ok(Number.isFinite(value as number), label);
  };
  /** The Python client's checks of a payment body (create, GET, execution). */
  function assertPaymentBody(body: Record<string, any>, label: string) {
    assert.equal(typeof body, "object", label);
    assert.ok(body !== null && !Array.isArray(body), label);
    nonEmptyString(body.payId, `${label} payId`);
    nonEmptyString(body.status, `${label} status`);
    // The Swift client decodes these two as required.
    nonEmptyString(body.currency, `${label} currency`);
    decimal(body.amount, `${label} amount`);
    assert.equal(typeof body.amount, "number", `${label} amount`);
    decimal(body.confirmedAmount, `${label} confirmedAmount`);
    decimal(body.returnedAmount, `${label} returnedAmount`);
    assert.ok(body.links === null || body.links === undefined || Array.isArray(body.links), `${label} links`);
    for (const link of body.links ?? []) {
      nonEmptyString(link.uri, `${label} link.uri`);
      nonEmptyString(link.method, `${label} link.method`);
      nonEmptyString(link.rel, `${label} link.rel`);
    }
    if (body.recurringCard !== undefined && body.recurringCard !== null) {
      nonEmptyString(body.recurringCard.recId, `${label} recurringCard.recId`);
    }
    assert.ok(
      ["Created", "Processing", "Succeeded", "Failed", "Expired", "WaitingConfirm", "CancelPaymentProcessing", "PaymentCompletionProcessing", "Returned", "PartialReturned"].includes(body.status),
      `${label} status ${body.status}`,
    );
  }

  it("token, create, GET, completion, execution, cancel and delete bodies pass the client's checks", async () => {
    const token = await server.tbcRequest("POST", "/v1/tpay/access-token", {
      token: null,
      body: `client_id=${DEMO.clientId}&client_secret=${DEMO.clientSecret}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(token.status, 200);
    nonEmptyString(token.json.access_token, "access_token");
    assert.equal(typeof token.json.expires_in, "number");
    assert.ok(Number.isInteger(token.json.expires_in) && token.json.expires_in > 0, "expires_in is a positive integer");
    assert.ok(/"expires_in":\d+[,}]/.test(token.text), `expires_in written as an integer: ${token.text.slice(-40)}`);

    const created = await server.tbcRequest("POST", "/v1/tpay/payments", { body: tbcPaymentBody({ preAuth: true, saveCard: true }) });
    assertPaymentBody(created.json, "create");
    // approval_url: the first link with that rel, and the second link for PHP/Node shops.
    const approval = created.json.links.find((l: { rel: string }) => l.rel === "approval_url");
    assert.equal(approval.uri, created.json.links[1].uri);
    const payId = created.json.payId;
    assertPaymentBody((await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`)).json, "get created");
    await server.tbcRequest("POST", `/_test/orders/${payId}/pay`, { body: CARD });
    const waiting = (await server.tbcRequest("GET", `/v1/tpay/payments/${payId}`)).json;
    assertPaymentBody(waiting, "get waiting");
    assert.equal(typeof waiting.preAuth, "boolean");
    assert.match(waiting.RRN, /^\S+$/);
    nonEmptyString(waiting.PaymentCardNumber, "PaymentCardNumber");

    const completion = await server.tbcRequest("POST", `/v1/tpay/payments/${payId}/completion`, { body: { amount: 12.5 } });
    nonEmptyString(completion.json.status, "completion status");
    decimal(completion.json.amount, "completion amount");
    decimal(completion.json.confirmedAmount, "completion confirmedAmount");

    const execution = await server.tbcRequest("POST", "/v1/tpay/payments/execution", { body: { recId: waiting.recId, money: { amount: 3, currency: "GEL" } } });
    assert.equal(execution.status, 200, execution.text);
    assertPaymentBody(execution.json, "execution");

    const cancel = await server.tbcRequest("POST", `/v1/tpay/payments/${payId}/cancel`, { body: {} });
    assert.equal(cancel.status, 200);
    assert.deepEqual(cancel.json, { httpStatusCode: 200, developerMessage: null, userMessage: null });
    const deleted = await server.tbcRequest("POST", `/v1/tpay/payments/${waiting.recId}/delete`, { body: {} });
    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.json, { httpStatusCode: 200, developerMessage: null, userMessage: null });
  });

  it("error bodies are objects with a string status, detail and title", async () => {
    const response = await server.tbcRequest("GET", "/v1/tpay/payments/0123456789abcdef0123456789abcdef");
    assertProblem(response, 404);
    assert.equal(response.json.title, "Payment Not Found");
  });
});
