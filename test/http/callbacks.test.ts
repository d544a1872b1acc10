import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { orderBody } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { Misbehaviour, Receiver } from "../helpers/receiver.ts";
import { eventually } from "../helpers/wait.ts";

describe("BOG callbacks", () => {
  let server: TestServer;
  let receiver: Receiver;
  let publicKeyPem: string;

  before(async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    publicKeyPem = await server.callbackPublicKey();
  });
  after(async () => {
    await server.close();
    await receiver.close();
  });

  const callbacksFor = (orderId: string) =>
    receiver.received.filter((c) => (JSON.parse(c.body) as { body: { order_id: string } }).body.order_id === orderId);

  it("a paid order calls back once, signed SHA256withRSA over the raw body", async () => {
    const id = await server.createOrder(orderBody({}, receiver.url));
    const paid = await server.pay(id);
    assert.equal(paid.status, 200, paid.text);
    const [callback] = await eventually(() => (callbacksFor(id).length > 0 ? callbacksFor(id) : undefined));
    assert.ok(callback);
    assert.equal(callback.headers["content-type"], "application/json");
    const signature = String(callback.headers["callback-signature"]);
    assert.ok(verify("sha256", Buffer.from(callback.body), createPublicKey(publicKeyPem), Buffer.from(signature, "base64")));
    const parsed = JSON.parse(callback.body);
    assert.equal(parsed.event, "order_payment");
    assert.match(parsed.zoned_request_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(parsed.body.order_status.key, "completed");
    assert.equal(parsed.body.payment_detail.code, "100");
    // Compact and deterministic: re-serializing the parsed body gives the same bytes.
    assert.equal(JSON.stringify(parsed), callback.body);
  });

  it("a tampered body does not verify", async () => {
    const id = await server.createOrder(orderBody({}, receiver.url));
    await server.pay(id);
    const [callback] = await eventually(() => (callbacksFor(id).length > 0 ? callbacksFor(id) : undefined));
    assert.ok(callback);
    const tampered = callback.body.replace('"completed"', '"rejected"');
    const signature = Buffer.from(String(callback.headers["callback-signature"]), "base64");
    assert.equal(verify("sha256", Buffer.from(tampered), createPublicKey(publicKeyPem), signature), false);
  });
});

describe("callback delivery", () => {
  it("one callback per status change, each showing the receipt at that moment", async () => {
    const server = await startTestServer();
    const receiver = await startReceiver();
    try {
      const id = await server.createOrder(orderBody({ capture: "manual" }, receiver.url));
      await server.pay(id);
      await server.request("POST", `/payments/v1/payment/authorization/approve/${id}`, { body: { amount: 20 } });
      await server.request("POST", `/payments/v1/payment/refund/${id}`, { body: { amount: 5 } });
      await server.request("POST", `/payments/v1/payment/refund/${id}`, { body: {} });
      const statuses = await eventually(() => {
        const keys = receiver.received.map((c) => JSON.parse(c.body).body.order_status.key as string);
        return keys.length >= 4 ? keys : undefined;
      });
      assert.deepEqual(statuses, ["blocked", "partial_completed", "refunded_partially", "refunded"]);
      const last = JSON.parse(receiver.received[3]!.body).body;
      assert.deepEqual(last, await server.receipt(id));
    } finally {
      await server.close();
      await receiver.close();
    }
  });

  it("retries on non-2xx, timeouts and refused connections, recording every attempt", async () => {
    const server = await startTestServer({ TETRI_CALLBACK_TIMEOUT_MS: "300" });
    // A 500, a 200 after the 300 ms timeout, a reset connection, then a 200.
    const answers: Misbehaviour[] = [{ kind: "answer", status: 500 }, { kind: "answer", status: 200, delayMs: 1000 }, { kind: "reset" }];
    const receiver = await startReceiver({ behave: (c) => answers[c.seq] ?? { kind: "answer", status: 200 } });
    try {
      const id = await server.createOrder(orderBody({}, receiver.url));
      await server.pay(id);
      const attempts = await eventually(async () => {
        const rows = await server.services.ctx.store.read(async (tx) => {
          const [message] = await tx.outbox.ofOrder(id as never);
          return message ? { message, attempts: await tx.outbox.attemptsOf(message.id) } : undefined;
        });
        return rows?.message.status === "delivered" ? rows : undefined;
      });
      assert.equal(attempts.message.attempts, 4);
      assert.deepEqual(
        attempts.attempts.map((a) => [a.statusCode, a.error?.split(":")[0] ?? null]),
        [
          [500, "HTTP 500"],
          [null, "timeout"],
          [null, "network"],
          [200, null],
        ],
      );
      assert.equal(receiver.received.length, 4);
      assert.ok(new Set(receiver.received.map((c) => c.body)).size === 1, "every retry sends the same bytes");
    } finally {
      await server.close();
      await receiver.close();
    }
  });

  it("gives up after the configured number of attempts", async () => {
    const server = await startTestServer({ TETRI_CALLBACK_MAX_ATTEMPTS: "3" });
    const receiver = await startReceiver({ behave: () => ({ kind: "answer", status: 503 }) });
    try {
      const id = await server.createOrder(orderBody({}, receiver.url));
      await server.pay(id);
      const message = await eventually(async () => {
        const [row] = await server.services.ctx.store.read((tx) => tx.outbox.ofOrder(id as never));
        return row?.status === "dead" ? row : undefined;
      });
      assert.equal(message.attempts, 3);
      assert.equal(receiver.received.length, 3);
    } finally {
      await server.close();
      await receiver.close();
    }
  });

  it("a refused request causes no callback", async () => {
    const server = await startTestServer();
    const receiver = await startReceiver();
    try {
      const id = await server.createOrder(orderBody({}, receiver.url));
      await server.pay(id);
      await eventually(() => (receiver.received.length === 1 ? true : undefined));
      const refused = await server.request("POST", `/payments/v1/payment/refund/${id}`, { body: { amount: 1000 } });
      assert.equal(refused.status, 400);
      await server.services.worker.deliverDue();
      const outbox = await server.services.ctx.store.read((tx) => tx.outbox.ofOrder(id as never));
      assert.equal(outbox.length, 1);
      assert.equal(receiver.received.length, 1);
    } finally {
      await server.close();
      await receiver.close();
    }
  });
});

describe("callback order", () => {
  it("an order's callbacks arrive in the order of its changes, even when one needs a retry", async () => {
    const server = await startTestServer({ TETRI_CALLBACK_BACKOFF_BASE_MS: "400", TETRI_CALLBACK_BACKOFF_MAX_MS: "400" });
    const receiver = await startReceiver({ behave: (c) => ({ kind: "answer", status: c.seq === 0 ? 503 : 200 }) });
    try {
      const id = await server.createOrder(orderBody({}, receiver.url));
      await server.pay(id);
      await eventually(() => (receiver.received.length === 1 ? true : undefined));
      const refund = await server.request("POST", `/payments/v1/payment/refund/${id}`, { body: {} });
      assert.equal(refund.status, 200);
      const keys = await eventually(() => {
        const seen = receiver.received.map((c) => JSON.parse(c.body).body.order_status.key as string);
        return seen.length >= 3 ? seen : undefined;
      });
      assert.deepEqual(keys, ["completed", "completed", "refunded"]);
    } finally {
      await server.close();
      await receiver.close();
    }
  });
});
