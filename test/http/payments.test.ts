import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CARD, DEMO, addMerchant, orderBody } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { ShopClient } from "../helpers/shop.ts";
import { eventually } from "../helpers/wait.ts";

const refundPath = (id: string) => `/payments/v1/payment/refund/${id}`;
const approvePath = (id: string) => `/payments/v1/payment/authorization/approve/${id}`;
const cancelPath = (id: string) => `/payments/v1/payment/authorization/cancel/${id}`;

describe("paying through the test helper, with each test card", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const outcomes: Array<[string, string, string, string]> = [
    ["4242424242424242", "completed", "100", "visa"],
    ["5555555555554444", "completed", "100", "mc"],
    ["4000000000003220", "completed", "100", "visa"],
    ["4111111111111111", "completed", "100", "visa"],
    ["4000000000000002", "rejected", "112", "visa"],
    ["4000000000000036", "rejected", "122", "visa"],
    ["4000000000009995", "rejected", "107", "visa"],
    ["4000000000000069", "rejected", "105", "visa"],
    ["4000000000000127", "rejected", "103", "visa"],
    ["4000000000009987", "rejected", "101", "visa"],
    ["4000000000009979", "rejected", "104", "visa"],
    ["4000000000009961", "rejected", "106", "visa"],
    ["4000000000000119", "rejected", "109", "visa"],
    ["4000000000000101", "rejected", "111", "visa"],
  ];
  for (const [card, status, code, brand] of outcomes) {
    it(`${card} → ${status} with code ${code}`, async () => {
      const id = await server.createOrder();
      const paid = await server.pay(id, { card_number: card });
      assert.equal(paid.status, 200, paid.text);
      const receipt = await server.receipt(id);
      assert.equal(receipt.order_status.key, status);
      assert.equal(receipt.payment_detail.code, code);
      assert.equal(typeof receipt.payment_detail.code_description, "string");
      assert.equal(receipt.payment_detail.card_type, brand);
      assert.equal(receipt.payment_detail.payer_identifier, `${card.slice(0, 6)}xxxxxx${card.slice(-4)}`);
      assert.equal(receipt.payment_detail.transfer_method.key, "card");
      if (status === "completed") {
        assert.equal(receipt.purchase_units.transfer_amount, "25.5");
        assert.match(receipt.payment_detail.transaction_id, /^\d{12}$/);
        assert.equal(receipt.reject_reason, null);
      } else {
        assert.equal(receipt.purchase_units.transfer_amount, "0.0");
        assert.equal(receipt.reject_reason, receipt.payment_detail.code_description);
      }
    });
  }

  it("payment_detail says how the order was paid: method, option and the terminal used", async () => {
    const plain = await server.createOrder();
    const tagged = await server.createOrder(orderBody({ config: { account: { tag: "pos-9" } } }));
    for (const id of [plain, tagged]) assert.equal((await server.pay(id)).json.outcome, "approved");
    const before = await server.receipt(await server.createOrder());
    assert.deepEqual([before.payment_detail.transfer_method, before.payment_detail.payment_option, before.payment_detail.transfer_account_tag], [null, null, null]);
    const [a, b] = await Promise.all([server.receipt(plain), server.receipt(tagged)]);
    assert.deepEqual(a.payment_detail.transfer_method, { key: "card", value: "ბარათით გადახდა" });
    assert.equal(a.payment_detail.payment_option, "direct_debit");
    assert.deepEqual([a.payment_detail.request_account_tag, a.payment_detail.transfer_account_tag], [null, "default"]);
    assert.deepEqual([b.payment_detail.request_account_tag, b.payment_detail.transfer_account_tag], ["pos-9", "pos-9"]);
  });

  it("a card past its expiry date declines as expired (105)", async () => {
    const id = await server.createOrder();
    await server.pay(id, { expiry: "01/20" });
    const receipt = await server.receipt(id);
    assert.equal(receipt.payment_detail.code, "105");
  });

  it("a Luhn-invalid number is refused without an attempt", async () => {
    const id = await server.createOrder();
    const response = await server.pay(id, { card_number: "4242424242424241" });
    assert.equal(response.status, 400);
    assert.equal(response.json.key, "card_invalid");
    assert.deepEqual(response.json.errors, [{ field: "card_number", message: "fails the Luhn check" }]);
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "created");
    assert.equal(receipt.payment_detail.payer_identifier, null);
  });

  it("an order cannot be paid twice", async () => {
    const id = await server.createOrder();
    assert.equal((await server.pay(id)).status, 200);
    const again = await server.pay(id);
    assert.equal(again.status, 400);
    assert.equal(again.json.key, "order_not_payable");
  });

  it("a declined order is final", async () => {
    const id = await server.createOrder();
    await server.pay(id, { card_number: "4000000000000002" });
    const again = await server.pay(id);
    assert.equal(again.status, 400);
    assert.equal((await server.receipt(id)).order_status.key, "rejected");
  });

  it("an acquirer that answers too late leaves the order processing until reconciliation finds it approved", async () => {
    const id = await server.createOrder();
    const paid = await server.pay(id, { card_number: "4000000000000085" });
    assert.equal(paid.status, 200);
    assert.equal(paid.json.outcome, "pending");
    const settled = await eventually(async () => {
      const receipt = await server.receipt(id);
      return receipt.order_status.key === "completed" ? receipt : undefined;
    });
    assert.equal(settled.payment_detail.code, "100");
  });

  it("an unpaid order expires after its ttl and cannot be paid", async () => {
    const id = await server.createOrder(orderBody({ ttl: 2 }));
    server.clock.advance(2 * 60_000 + 1000);
    try {
      const receipt = await eventually(async () => {
        const r = await server.receipt(id);
        return r.order_status.key === "rejected" ? r : undefined;
      });
      assert.equal(receipt.reject_reason, "expiration");
      assert.equal(receipt.payment_detail.code, "110");
      const paid = await server.pay(id);
      assert.equal(paid.status, 400);
    } finally {
      server.clock.offset = 0;
    }
  });
});

describe("split payments (BOG config.split)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const split = (parts: unknown[], list = "split_payments", overrides: Record<string, unknown> = {}) =>
    orderBody({ purchase_units: { currency: "GEL", total_amount: 100, basket: [{ product_id: "p", quantity: 1, unit_price: 100 }] }, config: { split: { [list]: parts } }, ...overrides });

  it("the capture is split as asked, exactly, and the receipt and callback say so", async () => {
    const receiver = await startReceiver();
    try {
      const id = await server.createOrder(split([{ iban: "GE11TB0000000000000001", amount: 20 }, { iban: "GE11TB0000000000000002", percent: 12.5 }], "split_payments", { callback_url: receiver.url }));
      assert.deepEqual((await server.receipt(id)).split, {
        split_status: "created",
        split_payments: [
          { iban: "GE11TB0000000000000001", amount: "0.0" },
          { iban: "GE11TB0000000000000002", amount: "0.0", percent: "12.5" },
        ],
      });
      await server.pay(id);
      const paid = { split_status: "completed", split_payments: [{ iban: "GE11TB0000000000000001", amount: "20.0" }, { iban: "GE11TB0000000000000002", amount: "12.5", percent: "12.5" }] };
      assert.deepEqual((await server.receipt(id)).split, paid);
      const callback = await eventually(() => receiver.received.find((c) => JSON.parse(c.body).body.order_id === id));
      assert.deepEqual(JSON.parse(callback.body).body.split, paid);
      // A refund does not reverse a split.
      await server.request("POST", refundPath(id), { body: {} });
      assert.deepEqual((await server.receipt(id)).split, paid);
    } finally {
      await receiver.close();
    }
  });

  it("transfers is read as split_payments; a declined payment's split is rejected, a cancelled hold's canceled", async () => {
    const declined = await server.createOrder(split([{ iban: "GE1", amount: 10 }], "transfers"));
    await server.pay(declined, { card_number: "4000000000009995" });
    assert.equal((await server.receipt(declined)).split.split_status, "rejected");
    const held = await server.createOrder(split([{ iban: "GE1", percent: 50 }], "split_payments", { capture: "manual" }));
    await server.pay(held);
    assert.equal((await server.receipt(held)).split.split_status, "created");
    await server.request("POST", cancelPath(held), { body: {} });
    assert.equal((await server.receipt(held)).split.split_status, "canceled");
    assert.equal((await server.receipt(await server.createOrder())).split, undefined, "no split, no split block");
  });

  it("an approve may name the split of what it captures, in place of the order's, checked against the captured amount", async () => {
    const unsplit = orderBody({ purchase_units: { currency: "GEL", total_amount: 100, basket: [{ product_id: "p", quantity: 1, unit_price: 100 }] }, capture: "manual" });
    const held = await server.createOrder(unsplit);
    await server.pay(held);
    const approve = (id: string, body: Record<string, unknown>) => server.request("POST", approvePath(id), { body });
    const parts = (list: unknown[]) => ({ config: { split: { split_payments: list } } });

    // Checked against the 60.00 this approve captures, not the 100.00 held; refused, it changes nothing.
    const beyond = await approve(held, { amount: 60, ...parts([{ iban: "GE1", amount: 61 }]) });
    assert.equal(beyond.status, 400, beyond.text);
    assert.equal(beyond.json.errors[0].field, "split");
    const bad = await approve(held, parts([{ iban: "GE1", amount: 1, percent: 1 }]));
    assert.equal(bad.json.errors[0].field, "config.split.split_payments.0");
    assert.equal((await server.receipt(held)).split, undefined);
    assert.equal((await server.receipt(held)).order_status.key, "blocked");

    const approved = await approve(held, { amount: 60, ...parts([{ iban: "GE1", amount: 10 }, { iban: "GE2", percent: 50 }]) });
    assert.equal(approved.status, 200, approved.text);
    const receipt = await eventually(async () => {
      const now = await server.receipt(held);
      return now.order_status.key === "partial_completed" ? now : undefined;
    });
    assert.deepEqual(receipt.split, {
      split_status: "completed",
      split_payments: [{ iban: "GE1", amount: "10.0" }, { iban: "GE2", amount: "30.0", percent: "50" }],
    });

    // The split of the approve replaces the order's own.
    const splitHeld = await server.createOrder(split([{ iban: "GE9", percent: 10 }], "split_payments", { capture: "manual" }));
    await server.pay(splitHeld);
    assert.equal((await approve(splitHeld, parts([{ iban: "GE8", amount: 5 }]))).status, 200);
    await eventually(async () => ((await server.receipt(splitHeld)).order_status.key === "completed" ? true : undefined));
    assert.deepEqual((await server.receipt(splitHeld)).split.split_payments, [{ iban: "GE8", amount: "5.0" }]);

    // In another currency a split is refused on approve too.
    const usd = await server.createOrder({ ...unsplit, purchase_units: { currency: "USD", total_amount: 100, basket: [{ product_id: "p", quantity: 1, unit_price: 100 }] } });
    await server.pay(usd);
    const foreign = await approve(usd, parts([{ iban: "GE1", amount: 1 }]));
    assert.equal(foreign.status, 400, foreign.text);
    assert.equal(foreign.json.errors[0].field, "config.split");
  });

  it("a split beyond the order, beyond 100%, in another currency, or with both or neither of amount and percent is a 400", async () => {
    const cases: Array<[unknown[], Record<string, unknown>]> = [
      [[{ iban: "GE1", amount: 60 }, { iban: "GE2", amount: 41 }], {}],
      [[{ iban: "GE1", percent: 60 }, { iban: "GE2", percent: 40.01 }], {}],
      [[{ iban: "GE1", amount: 1, percent: 1 }], {}],
      [[{ iban: "GE1" }], {}],
      [[{ iban: "GE1", percent: 1.234 }], {}],
      [[{ iban: "GE1", amount: 1 }], { purchase_units: { currency: "USD", total_amount: 100, basket: [{ product_id: "p", quantity: 1, unit_price: 100 }] } }],
    ];
    for (const [parts, overrides] of cases) {
      const response = await server.request("POST", "/payments/v1/ecommerce/orders", { body: split(parts, "split_payments", overrides) });
      assert.equal(response.status, 400, `${JSON.stringify(parts)}: ${response.text}`);
      assert.match(response.json.errors[0].field, /split/);
    }
  });
});

describe("merchant URLs", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("a Georgian path in a redirect URL is stored percent-encoded, so the redirect after payment works", async () => {
    const id = await server.createOrder(orderBody({ redirect_urls: { success: "https://shop.example/გადახდა/ok" } }));
    const receipt = await server.receipt(id);
    assert.equal(receipt.redirect_links.success, "https://shop.example/%E1%83%92%E1%83%90%E1%83%93%E1%83%90%E1%83%AE%E1%83%93%E1%83%90/ok");
  });
});

describe("refunds", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function paidOrder(total = 25.5): Promise<string> {
    const id = await server.createOrder(orderBody({ purchase_units: { total_amount: total, basket: [{ product_id: "a", quantity: 1, unit_price: total }] } }));
    const paid = await server.pay(id);
    assert.equal(paid.json.outcome, "approved");
    return id;
  }

  it("partial refunds until the paid amount is used up, then a full refund status", async () => {
    const id = await paidOrder(10);
    const first = await server.request("POST", refundPath(id), { body: { amount: 2.5 } });
    assert.equal(first.status, 200);
    assert.equal(first.json.key, "request_received");
    assert.equal(first.json.message, "Refund request received");
    let receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "refunded_partially");
    assert.equal(receipt.purchase_units.refund_amount, "2.5");
    const second = await server.request("POST", refundPath(id), { body: { amount: "7.50" } });
    assert.equal(second.status, 200);
    receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "refunded");
    assert.equal(receipt.purchase_units.refund_amount, "10.0");
    assert.deepEqual(
      receipt.actions.map((a: Record<string, string>) => [a.action_id, a.action, a.status, a.amount, a.request_channel]),
      [
        [first.json.action_id, "partial_refund", "completed", "2.5", "public_api"],
        [second.json.action_id, "partial_refund", "completed", "7.5", "public_api"],
      ],
    );
    const more = await server.request("POST", refundPath(id), { body: { amount: 0.01 } });
    assert.equal(more.status, 400);
    assert.equal(more.json.key, "order_not_refundable");
  });

  it("a refund the issuer declines (card 0168) is a rejected action with code 162; the money stays paid", async () => {
    const id = await server.createOrder();
    assert.equal((await server.pay(id, { card_number: "4000000000000168" })).json.outcome, "approved");
    const refused = await server.request("POST", refundPath(id), { body: { amount: 5 } });
    assert.equal(refused.status, 200, "the request was received; the acquirer then refused it");
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "completed");
    assert.equal(receipt.purchase_units.refund_amount, "0.0");
    assert.deepEqual(
      receipt.actions.map((a: Record<string, string>) => [a.action_id, a.action, a.status, a.code, a.code_description]),
      [[refused.json.action_id, "partial_refund", "rejected", "162", "Issuer declined the refund"]],
    );
  });

  it("no body, an empty object or an empty JSON body refunds everything left", async () => {
    for (const body of [undefined, {}, ""]) {
      const id = await paidOrder(3);
      const response = await server.request("POST", refundPath(id), {
        body,
        headers: body === undefined ? {} : { "content-type": "application/json" },
      });
      assert.equal(response.status, 200, `${JSON.stringify(body)}: ${response.text}`);
      const receipt = await server.receipt(id);
      assert.equal(receipt.order_status.key, "refunded");
      assert.equal(receipt.actions[0].action, "refund");
    }
  });

  it("over-refund, bad amounts and unpaid orders are 400; nothing is recorded", async () => {
    const id = await paidOrder(10);
    const cases: Array<[unknown, string]> = [
      [{ amount: 10.01 }, "refund_exceeds_available"],
      [{ amount: -1 }, "validation"],
      [{ amount: 0 }, "validation"],
      [{ amount: 1.001 }, "validation"],
      [{ amount: "abc" }, "validation"],
      [{ amount: true }, "validation"],
      [{ amount: 1e300 }, "validation"],
    ];
    for (const [body, key] of cases) {
      const response = await server.request("POST", refundPath(id), { body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.json.key, key, JSON.stringify(body));
    }
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "completed");
    assert.deepEqual(receipt.actions, []);

    const unpaid = await server.createOrder();
    const response = await server.request("POST", refundPath(unpaid), { body: {} });
    assert.equal(response.status, 400);
    assert.equal(response.json.key, "order_not_refundable");
  });

  it("an Idempotency-Key replays the refund instead of refunding twice", async () => {
    const id = await paidOrder(10);
    const headers = { "idempotency-key": "refund-once" };
    const first = await server.request("POST", refundPath(id), { body: { amount: 4 }, headers });
    const replay = await server.request("POST", refundPath(id), { body: { amount: 4 }, headers });
    assert.equal(replay.status, 200);
    assert.equal(replay.text, first.text);
    assert.equal((await server.receipt(id)).purchase_units.refund_amount, "4.0");
    const different = await server.request("POST", refundPath(id), { body: { amount: 5 }, headers });
    assert.equal(different.status, 422);
  });

  it("concurrent partial refunds never exceed the paid amount", async () => {
    const id = await paidOrder(10);
    // 40 refunds of 0.37 race for 10.00: exactly 27 fit (9.99); the rest must be refused.
    const responses = await Promise.all(
      Array.from({ length: 40 }, () => server.request("POST", refundPath(id), { body: { amount: 0.37 } })),
    );
    const accepted = responses.filter((r) => r.status === 200).length;
    const refused = responses.filter((r) => r.status === 400 && r.json.key === "refund_exceeds_available").length;
    assert.equal(accepted, 27);
    assert.equal(refused, 13);
    const receipt = await server.receipt(id);
    assert.equal(receipt.purchase_units.refund_amount, "9.99");
    assert.equal(receipt.actions.length, 27);
    assert.equal(receipt.order_status.key, "refunded_partially");
  });
});

describe("pre-authorization (capture: manual)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function blockedOrder(): Promise<string> {
    const id = await server.createOrder(orderBody({ capture: "manual" }));
    await server.pay(id);
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "blocked");
    assert.equal(receipt.payment_detail.code, "200");
    assert.equal(receipt.payment_detail.code_description, "Successful pre-authorization");
    assert.equal(receipt.purchase_units.transfer_amount, "0.0");
    return id;
  }

  it("approve without an amount captures everything", async () => {
    const id = await blockedOrder();
    const response = await server.request("POST", approvePath(id), { body: { description: "shipped" } });
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.json), ["key", "message", "action_id"]);
    assert.equal(response.json.message, "Pre-authorization payment approval request received");
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "completed");
    assert.equal(receipt.purchase_units.transfer_amount, "25.5");
    assert.equal(receipt.actions[0].action, "authorize");
    assert.equal(receipt.actions[0].action_id, response.json.action_id);
    const twice = await server.request("POST", approvePath(id), { body: {} });
    assert.equal(twice.status, 400);
    assert.equal(twice.json.key, "order_not_authorized");
  });

  it("a partial approve captures part and can then be refunded up to that part", async () => {
    const id = await blockedOrder();
    const response = await server.request("POST", approvePath(id), { body: { amount: 10 } });
    assert.equal(response.status, 200);
    let receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "partial_completed");
    assert.equal(receipt.purchase_units.transfer_amount, "10.0");
    assert.equal(receipt.actions[0].action, "partial_authorize");
    const over = await server.request("POST", refundPath(id), { body: { amount: 10.01 } });
    assert.equal(over.status, 400);
    const refund = await server.request("POST", refundPath(id), { body: {} });
    assert.equal(refund.status, 200);
    receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "refunded");
    assert.equal(receipt.purchase_units.refund_amount, "10.0");
  });

  it("approve above the blocked amount is 400", async () => {
    const id = await blockedOrder();
    const response = await server.request("POST", approvePath(id), { body: { amount: 25.51 } });
    assert.equal(response.status, 400);
    assert.equal(response.json.key, "capture_exceeds_authorized");
    assert.equal((await server.receipt(id)).order_status.key, "blocked");
  });

  it("cancel releases the hold: rejected, and it can no longer be approved", async () => {
    const id = await blockedOrder();
    const response = await server.request("POST", cancelPath(id), { body: { description: "out of stock" } });
    assert.equal(response.status, 200);
    assert.equal(response.json.message, "Pre-authorization payment cancellation request received");
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "rejected");
    assert.equal(receipt.actions[0].action, "cancel_authorize");
    // BOG documents no reject_reason for a cancelled hold; the payment itself was a pre-authorization.
    assert.equal(receipt.reject_reason, null);
    assert.equal(receipt.payment_detail.code, "200");
    const approve = await server.request("POST", approvePath(id), { body: {} });
    assert.equal(approve.status, 400);
  });

  it("a hold not approved within 30 days is released by itself: rejected for expiration, called back, and no longer approvable", async () => {
    const receiver = await startReceiver();
    const id = await server.createOrder(orderBody({ capture: "manual" }, receiver.url));
    await server.pay(id);
    try {
      server.clock.advance(30 * 24 * 3600_000 - 60_000);
      assert.equal((await server.receipt(id, await server.tokenFor(DEMO.clientId, DEMO.clientSecret))).order_status.key, "blocked", "still held the day before");
      server.clock.advance(60_000);
      const token = await server.tokenFor(DEMO.clientId, DEMO.clientSecret);
      const late = await server.request("POST", approvePath(id), { token, body: {} });
      assert.equal(late.status, 400);
      const receipt = await eventually(async () => {
        const r = await server.receipt(id, token);
        return r.order_status.key === "rejected" ? r : undefined;
      });
      assert.deepEqual([receipt.reject_reason, receipt.payment_detail.code, receipt.actions.length], ["expiration", "110", 0]);
      const callback = await eventually(() => receiver.received.find((c) => JSON.parse(c.body).body.order_status.key === "rejected"));
      assert.equal(JSON.parse(callback.body).body.order_id, id);
    } finally {
      server.clock.offset = 0;
      await receiver.close();
    }
  });

  it("approve or cancel of an automatic-capture or unpaid order is 400", async () => {
    const automatic = await server.createOrder();
    await server.pay(automatic);
    const unpaid = await server.createOrder(orderBody({ capture: "manual" }));
    for (const id of [automatic, unpaid]) {
      for (const path of [approvePath(id), cancelPath(id)]) {
        const response = await server.request("POST", path, { body: {} });
        assert.equal(response.status, 400, path);
        assert.equal(response.json.key, "order_not_authorized");
      }
    }
  });

  it("concurrent approvals capture once", async () => {
    const id = await blockedOrder();
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => server.request("POST", approvePath(id), { body: { amount: 5 } })),
    );
    assert.equal(responses.filter((r) => r.status === 200).length, 1);
    const receipt = await server.receipt(id);
    assert.equal(receipt.purchase_units.transfer_amount, "5.0");
    assert.equal(receipt.actions.length, 1);
  });
});

describe("isolation between merchants", () => {
  let server: TestServer;
  let other: ShopClient;
  before(async () => {
    server = await startTestServer();
    other = server.as(addMerchant(server, "Other shop"));
  });
  after(() => server.close());

  it("another merchant's order is 404 on every endpoint, exactly like an unknown one", async () => {
    const id = await server.createOrder(orderBody({ capture: "manual" }));
    await server.pay(id);
    const unknown = "3f0b1c9e-7a51-4d0e-9a57-2d1f0c9b8e11";
    for (const [method, path] of [
      ["GET", `/payments/v1/receipt/${id}`],
      ["GET", `/payments/v1/ecommerce/orders/${id}`],
      ["POST", refundPath(id)],
      ["POST", approvePath(id)],
      ["POST", cancelPath(id)],
      ["POST", `/_test/orders/${id}/pay`],
    ] as const) {
      const body = method === "GET" ? undefined : path.startsWith("/_test") ? CARD : {};
      const theirs = await other.request(method, path, { body });
      const missing = await other.request(method, path.replace(id, unknown), { body });
      assert.equal(theirs.status, 404, `${method} ${path}`);
      assert.deepEqual(theirs.json, missing.json, `${method} ${path}`);
    }
    const receipt = await server.receipt(id);
    assert.equal(receipt.order_status.key, "blocked");
  });

  it("a path the router cannot decode answers in the API's error shape", async () => {
    const response = await server.request("GET", "/payments/v1/receipt/%ZZ");
    assert.ok(response.status >= 400 && response.status < 500, String(response.status));
    assert.equal(typeof response.json.key, "string");
    assert.equal(typeof response.json.message, "string");
  });

  it("a malformed order id is 404 too", async () => {
    for (const bad of ["123", "not-a-uuid", "%27%20OR%201%3D1", "00000000-0000-0000-0000-00000000000g"]) {
      const response = await server.request("GET", `/payments/v1/receipt/${bad}`);
      assert.equal(response.status, 404, bad);
      assert.equal(response.json.key, "order_not_found");
    }
  });
});
