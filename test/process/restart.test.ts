// Callbacks survive a crash: the outbox lives in the database, so whatever a killed process
// had not delivered is delivered by the next process on the same data directory, signed with
// the same key, and no order or operation is lost on the way.

import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { after, describe, it } from "node:test";
import { freePort, orderBody, purchaseOf, tempDir } from "../helpers/fixtures.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Receiver } from "../helpers/receiver.ts";
import { eventually } from "../helpers/wait.ts";
import { stopAll, TetriProcess } from "./tetri-process.ts";

type Expected = { orderId: string; status: string };
type OrderPlan = { id: string; amount: number; refunds: { actionId: string; amount: number }[]; declined: boolean };

const statusOf = (body: string) => {
  const parsed = JSON.parse(body) as { body: { order_id: string; order_status: { key: string } } };
  return { orderId: parsed.body.order_id, status: parsed.body.order_status.key };
};

/**
 * Creates orders on `tetri` and moves them through pay/refund/decline. Returns the plan and
 * the callbacks it must cause, one per notifying status change.
 */
async function makeHistory(tetri: TetriProcess, callbackUrl: string, count: number) {
  const { shop } = tetri;
  const orders: OrderPlan[] = [];
  const expected: Expected[] = [];
  for (let i = 0; i < count; i++) {
    const amount = 10 + i;
    const id = await shop.createOrder(orderBody({ purchase_units: purchaseOf(amount) }, callbackUrl));
    const declined = i === count - 1;
    const paid = await shop.pay(id, declined ? { card_number: "4000000000000002" } : {});
    assert.equal(paid.status, 200, paid.text);
    assert.equal(paid.json.outcome, declined ? "declined" : "approved", paid.text);
    orders.push({ id, amount, refunds: [], declined });
    expected.push({ orderId: id, status: declined ? "rejected" : "completed" });
  }
  // Of the paid orders, every third is refunded in full, the one after it in part.
  for (const [index, order] of orders.filter((o) => !o.declined).entries()) {
    if (index % 3 === 2) continue;
    const full = index % 3 === 0;
    const refundAmount = full ? order.amount : 2.5;
    const response = await shop.request("POST", `/payments/v1/payment/refund/${order.id}`, { body: full ? undefined : { amount: refundAmount } });
    assert.equal(response.status, 200, response.text);
    order.refunds.push({ actionId: response.json.action_id as string, amount: refundAmount });
    expected.push({ orderId: order.id, status: full ? "refunded" : "refunded_partially" });
  }
  return { orders, expected };
}

/** Every order reads back exactly as it was left: status, amounts and refund actions. */
async function assertOrdersIntact(tetri: TetriProcess, orders: OrderPlan[]) {
  for (const order of orders) {
    const r = await tetri.shop.receipt(order.id);
    const units = r.purchase_units as Record<string, string>;
    const refunded = order.refunds.reduce((sum, x) => sum + x.amount, 0);
    const status = order.declined ? "rejected" : refunded === 0 ? "completed" : refunded === order.amount ? "refunded" : "refunded_partially";
    assert.equal((r.order_status as { key: string }).key, status, `order ${order.id}`);
    assert.equal(Number(units.request_amount), order.amount);
    assert.equal(Number(units.transfer_amount), order.declined ? 0 : order.amount);
    assert.equal(Number(units.refund_amount), refunded);
    const actions = (r.actions as { action_id: string; action: string; status: string; amount: string }[]).map((a) => ({
      id: a.action_id,
      status: a.status,
      amount: Number(a.amount),
    }));
    assert.deepEqual(
      actions,
      order.refunds.map((x) => ({ id: x.actionId, status: "completed", amount: x.amount })),
      `actions of ${order.id}`,
    );
  }
}

/** Waits until every expected callback arrived with a valid signature, and nothing else did. */
async function assertCallbacksDelivered(tetri: TetriProcess, receiver: Receiver, expected: Expected[], publicKeyPem: string) {
  const key = createPublicKey(publicKeyPem);
  const keyOf = (e: Expected) => `${e.orderId} ${e.status}`;
  const wanted = expected.map(keyOf).sort();
  await eventually(() => (new Set(receiver.received.map((c) => keyOf(statusOf(c.body)))).size >= new Set(wanted).size ? true : undefined), {
    what: () => `${expected.length} callbacks (have ${receiver.received.length})`,
    timeoutMs: 12_000,
  });
  await eventually(async () => ((await tetri.metric("tetri_callbacks_pending")) === 0 ? true : undefined), { what: "the outbox to drain" });
  for (const callback of receiver.received) {
    const signature = Buffer.from(String(callback.headers["callback-signature"]), "base64");
    assert.ok(verify("sha256", Buffer.from(callback.body), key, signature), `signature of ${callback.body.slice(0, 120)}`);
  }
  // Delivery is at least once, but nothing here was ever acknowledged before the restart,
  // so each change arrives exactly once.
  assert.deepEqual(receiver.received.map((c) => keyOf(statusOf(c.body))).sort(), wanted);
}

describe("restart with undelivered callbacks", { timeout: 60_000 }, () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    await stopAll();
    for (const step of cleanup.reverse()) await step();
  });

  it("after SIGKILL, a new process on the same data directory delivers every pending callback", async () => {
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    const receiverPort = await freePort(); // nothing listens there yet: every attempt is refused
    const callbackUrl = `http://127.0.0.1:${receiverPort}/callback`;

    // Retries stay fast, yet 100 attempts take long enough (>20 s) that none goes dead before the crash.
    const env = { TETRI_CALLBACK_BACKOFF_MAX_MS: "500" };
    const first = await TetriProcess.start({ dataDir: dir.path, env });
    const keyBefore = await first.shop.callbackPublicKey();
    const { orders, expected } = await makeHistory(first, callbackUrl, 11);
    assert.equal(expected.length, 18);

    // The worker has tried and failed, and everything is still pending.
    await eventually(
      async () => ((await first.metric('tetri_callback_attempts_total{result="failed"}')) >= expected.length ? true : undefined),
      { what: "failed delivery attempts" },
    );
    assert.equal(await first.metric('tetri_callback_attempts_total{result="delivered"}'), 0);
    assert.equal(await first.metric("tetri_callbacks_pending"), expected.length);

    const crash = await first.kill("SIGKILL");
    assert.equal(crash.signal, "SIGKILL");

    const receiver = await startReceiver({ port: receiverPort });
    cleanup.push(() => receiver.close());
    const second = await TetriProcess.start({ dataDir: dir.path, port: first.port, env });
    const keyAfter = await second.shop.callbackPublicKey();
    assert.equal(keyAfter, keyBefore, "the callback signing key survives the restart");

    await assertCallbacksDelivered(second, receiver, expected, keyAfter);
    await assertOrdersIntact(second, orders);
    assert.doesNotMatch(second.stdout, /Demo merchant created/, "the demo merchant is created only once");

    const stop = await second.kill("SIGTERM");
    assert.equal(stop.code, 0, second.output);
  });

  it("after SIGTERM while the shop answers 500, the next process delivers once the shop recovers", async () => {
    const dir = tempDir();
    cleanup.push(() => dir.remove());
    let shopAnswers = 500;
    const receiver = await startReceiver({ behave: () => ({ kind: "answer", status: shopAnswers }) });
    cleanup.push(() => receiver.close());

    const first = await TetriProcess.start({ dataDir: dir.path });
    const { orders, expected } = await makeHistory(first, receiver.url, 4);
    // An order's later callbacks wait for its first one, so each order shows one refusal.
    await eventually(
      () =>
        new Set(receiver.received.map((c) => (JSON.parse(c.body) as { body: { order_id: string } }).body.order_id)).size >= orders.length
          ? true
          : undefined,
      { what: "each order's first callback to be refused at least once" },
    );
    assert.equal(await first.metric("tetri_callbacks_pending"), expected.length);

    const stop = await first.kill("SIGTERM");
    assert.equal(stop.code, 0, first.output);

    shopAnswers = 200;
    receiver.received.length = 0;
    const second = await TetriProcess.start({ dataDir: dir.path, port: first.port });
    await assertCallbacksDelivered(second, receiver, expected, await second.shop.callbackPublicKey());
    await assertOrdersIntact(second, orders);
    assert.equal((await second.kill("SIGTERM")).code, 0, second.output);
  });
});
