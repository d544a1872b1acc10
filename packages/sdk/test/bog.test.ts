// The SDK's BOG client against a real tetri server: the whole payment story, typed errors,
// and callbacks verified with the published key.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer } from "../../../test/helpers/harness.ts";
import type { TestServer } from "../../../test/helpers/harness.ts";
import { DEMO } from "../../../test/helpers/fixtures.ts";
import { startReceiver } from "../../../test/helpers/receiver.ts";
import type { Receiver } from "../../../test/helpers/receiver.ts";
import { eventually } from "../../../test/helpers/wait.ts";
import { BogClient, TEST_CARDS, TetriApiError } from "../src/index.ts";
import type { BogCallback, BogCreateOrder } from "../src/index.ts";

const order = (callbackUrl: string, amount = 25.5, extra: Partial<BogCreateOrder> = {}): BogCreateOrder => ({
  callback_url: callbackUrl,
  external_order_id: "sdk-1",
  purchase_units: { currency: "GEL", total_amount: amount, basket: [{ product_id: "sku-1", quantity: 1, unit_price: amount }] },
  ...extra,
});

describe("SDK BogClient against tetri", { timeout: 60_000 }, () => {
  let server: TestServer;
  let receiver: Receiver;
  let bog: BogClient;

  before(async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    bog = new BogClient({ clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, baseUrl: server.url });
  });
  after(async () => {
    await receiver.close();
    await server.close();
  });

  it("creates an order, pays it, refunds it in two parts, and reads each state back", async () => {
    const created = await bog.createOrder(order(receiver.url), { language: "en" });
    assert.match(created.id, /^[0-9a-f-]{36}$/);
    assert.ok(created._links.redirect?.href.includes(created.id));
    assert.equal((await bog.getReceipt(created.id)).order_status.key, "created");

    const paid = await bog.payWithTestCard(created.id, TEST_CARDS.approved);
    assert.deepEqual([paid.outcome, paid.status], ["approved", "captured"]);
    const receipt = await bog.getReceipt(created.id);
    assert.equal(receipt.order_status.key, "completed");
    assert.equal(receipt.purchase_units.transfer_amount, "25.5");
    assert.equal(receipt.payment_detail.code, "100");

    const first = await bog.refund(created.id, { amount: "5.50" });
    assert.equal(first.key, "request_received");
    assert.equal((await bog.getReceipt(created.id)).order_status.key, "refunded_partially");
    await bog.refund(created.id);
    const refunded = await bog.getReceipt(created.id);
    assert.equal(refunded.order_status.key, "refunded");
    assert.deepEqual(refunded.actions.map((a) => [a.action, a.amount]), [["partial_refund", "5.5"], ["partial_refund", "20.0"]]);
  });

  it("captures part of a pre-authorization, and cancels another", async () => {
    const held = await bog.createOrder(order(receiver.url, 40, { capture: "manual" }));
    await bog.payWithTestCard(held.id, TEST_CARDS.approved);
    assert.equal((await bog.getReceipt(held.id)).order_status.key, "blocked");
    await bog.approvePreauthorization(held.id, { amount: 30, description: "one item out of stock" });
    assert.equal((await bog.getReceipt(held.id)).order_status.key, "partial_completed");

    const released = await bog.createOrder(order(receiver.url, 40, { capture: "manual" }));
    await bog.payWithTestCard(released.id, TEST_CARDS.approved);
    await bog.cancelPreauthorization(released.id);
    assert.equal((await bog.getReceipt(released.id)).order_status.key, "rejected");
  });

  it("a declined card is an expected outcome, not an error", async () => {
    const created = await bog.createOrder(order(receiver.url));
    const paid = await bog.payWithTestCard(created.id, TEST_CARDS.insufficientFunds);
    assert.equal(paid.outcome, "declined");
    assert.equal((await bog.getReceipt(created.id)).payment_detail.code, "107");
  });

  it("errors carry the HTTP status and the API's error body", async () => {
    const created = await bog.createOrder(order(receiver.url, 10));
    await bog.payWithTestCard(created.id, TEST_CARDS.approved);
    const tooMuch = await bog.refund(created.id, { amount: 11 }).catch((error: unknown) => error);
    assert.ok(tooMuch instanceof TetriApiError);
    assert.equal(tooMuch.status, 400);
    assert.equal(tooMuch.code, "refund_exceeds_available");
    assert.equal((tooMuch.body as { key: string }).key, "refund_exceeds_available");

    const invalid = await bog.createOrder(order(receiver.url, -1)).catch((error: unknown) => error);
    assert.ok(invalid instanceof TetriApiError);
    assert.equal(invalid.status, 400);
    assert.equal(invalid.code, "validation");
    assert.ok((invalid.body as { errors: { field: string }[] }).errors.some((e) => e.field.startsWith("purchase_units")));

    const unknown = await bog.getReceipt("00000000-0000-4000-8000-000000000000").catch((error: unknown) => error);
    assert.ok(unknown instanceof TetriApiError);
    assert.deepEqual([unknown.status, unknown.code], [404, "order_not_found"]);

    const stranger = new BogClient({ clientId: DEMO.clientId, clientSecret: "not-the-secret", baseUrl: server.url });
    const refused = await stranger.getReceipt(created.id).catch((error: unknown) => error);
    assert.ok(refused instanceof TetriApiError);
    assert.deepEqual([refused.status, refused.code], [401, "invalid_client"]);
  });

  it("verifyCallback accepts a real callback and rejects a tampered body or signature", async () => {
    const created = await bog.createOrder(order(receiver.url, 12.34, { external_order_id: "sdk-callback" }));
    await bog.payWithTestCard(created.id, TEST_CARDS.approved);
    const callback = await eventually(() => receiver.received.find((c) => JSON.parse(c.body).body?.order_id === created.id), {
      what: "the order's callback",
    });
    const signature = callback.headers["callback-signature"] as string;
    assert.equal(await bog.verifyCallback(callback.body, signature), true);
    assert.equal(await bog.verifyCallback(Buffer.from(callback.body), signature), true);
    assert.equal((JSON.parse(callback.body) as BogCallback).body.order_status.key, "completed");

    const tampered = callback.body.replace('"12.34"', '"1234"');
    assert.notEqual(tampered, callback.body);
    assert.equal(await bog.verifyCallback(tampered, signature), false);
    const flipped = `${signature.slice(0, 10)}${signature[10] === "A" ? "B" : "A"}${signature.slice(11)}`;
    assert.equal(await bog.verifyCallback(callback.body, flipped), false);
    for (const garbage of ["", "not base64!", undefined, null]) assert.equal(await bog.verifyCallback(callback.body, garbage), false);

    // A key given up front (as for the bank) is used without fetching; another key rejects.
    const pinned = new BogClient({ clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, baseUrl: server.url, callbackPublicKey: await bog.callbackPublicKey() });
    assert.equal(await pinned.verifyCallback(callback.body, signature), true);
    const { generateKeyPairSync } = await import("node:crypto");
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }).toString();
    const wrong = new BogClient({ clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, baseUrl: server.url, callbackPublicKey: otherKey });
    assert.equal(await wrong.verifyCallback(callback.body, signature), false);
  });

  it("saves a card before the buyer pays, charges it without the buyer, makes an order for the page with it, and deletes it", async () => {
    const parent = await bog.createOrder(order(receiver.url, 7, { external_order_id: "sdk-parent" }));
    await bog.saveCard(parent.id, "subscription");
    await bog.payWithTestCard(parent.id, TEST_CARDS.approved);
    assert.equal((await bog.getReceipt(parent.id)).payment_detail.saved_card_type, "subscription");

    const charge = await bog.chargeSavedCard(parent.id, { external_order_id: "sdk-month-2" });
    const charged = await eventually(async () => {
      const receipt = await bog.getReceipt(charge.id);
      return receipt.order_status.key === "completed" ? receipt : undefined;
    });
    assert.equal(charged.payment_detail.payment_option, "subscription");
    assert.equal(charged.payment_detail.parent_order_id, parent.id);
    assert.equal(charged.purchase_units.request_amount, "7.0");

    // A subscription card makes no orders for the page: the API's own error, typed.
    await assert.rejects(bog.createOrderWithSavedCard(parent.id, order(receiver.url)), (error: unknown) => error instanceof TetriApiError && error.status === 400 && error.code === "saved_card_other_use");

    const withBuyer = await bog.createOrder(order(receiver.url, 3));
    await bog.saveCard(withBuyer.id, "recurrent");
    await bog.payWithTestCard(withBuyer.id, TEST_CARDS.approved);
    const again = await bog.createOrderWithSavedCard(withBuyer.id, order(receiver.url, 4), { language: "en" });
    assert.ok(again._links.redirect?.href.includes(again.id));

    await bog.deleteSavedCard(parent.id);
    const refused = await bog.chargeSavedCard(parent.id);
    const rejected = await eventually(async () => {
      const receipt = await bog.getReceipt(refused.id);
      return receipt.order_status.key === "rejected" ? receipt : undefined;
    });
    assert.equal(rejected.payment_detail.code, "102");
  });
});
