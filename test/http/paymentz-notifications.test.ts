// Paymentz notifications: JSON to notificationUrl on each final state, carrying the platform's
// checksum md5(paymentId|merchantTransactionId|amount|status|secureKey), delivered through the
// outbox like every callback: retried until the shop takes it, kept across a restart.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { md5, paymentzClient } from "../helpers/paymentz.ts";
import { startReceiver } from "../helpers/receiver.ts";
import type { ReceivedCallback } from "../helpers/receiver.ts";
import { eventually } from "../helpers/wait.ts";

type Notification = { json: Record<string, any> };
const parse = (body: string) => ({ json: JSON.parse(body) as Record<string, any> });

function checksumOf(json: Record<string, any>, secureKey: string): string {
  return md5(json.paymentId, json.merchantTransactionId, json.amount, json.status, secureKey);
}

async function notificationsOf(received: ReceivedCallback<Notification>[], paymentId: string, count: number) {
  return eventually(() => {
    const mine = received.filter((c) => c.json.paymentId === paymentId);
    return mine.length >= count ? mine : undefined;
  }, { what: `${count} notification(s) of ${paymentId}` });
}

describe("Paymentz notifications", () => {
  it("each final state is notified as JSON whose checksum verifies with the merchant's secure key", async () => {
    const server = await startTestServer();
    const receiver = await startReceiver<Notification>({ parse });
    try {
      const pz = paymentzClient(server);
      const paid = await pz.pay("notify-1", "40.00", { notificationUrl: receiver.url });
      const [first] = await notificationsOf(receiver.received, paid.json.paymentId, 1);
      assert.ok(first);
      assert.match(String(first.headers["content-type"]), /^application\/json/);
      const { json } = first;
      assert.deepEqual(
        [json.merchantTransactionId, json.amount, json.currency, json.status, json.transactionStatus, json.paymentType, json.paymentBrand, json.result.code],
        ["notify-1", "40.00", "EUR", "Y", "Y", "DB", "VISA", "00001"],
      );
      assert.deepEqual(json.card, { bin: "424242", last4Digits: "4242" });
      assert.equal(json.checksum, checksumOf(json, pz.member.secureKey));
      assert.notEqual(json.checksum, checksumOf({ ...json, amount: "40.01" }, pz.member.secureKey), "the checksum covers the amount");
      assert.doesNotMatch(first.body, new RegExp(pz.member.secureKey), "the secure key itself is never sent");

      assert.equal((await pz.operate(paid.json.paymentId, "RF", "15.00")).json.result.code, "00005");
      const [, refunded] = await notificationsOf(receiver.received, paid.json.paymentId, 2);
      assert.deepEqual([refunded?.json.status, refunded?.json.refundedAmount], ["Y", "15.00"]);
      assert.equal(refunded?.json.checksum, checksumOf(refunded?.json ?? {}, pz.member.secureKey));

      const declined = await pz.pay("notify-2", "3.00", { notificationUrl: receiver.url, "card.number": "4000000000009995" });
      const [no] = await notificationsOf(receiver.received, declined.json.paymentId, 1);
      assert.deepEqual([no?.json.status, no?.json.result.code], ["N", "20003"]);
      assert.equal(no?.json.checksum, checksumOf(no?.json ?? {}, pz.member.secureKey));

      const held = await pz.pay("notify-3", "9.00", { notificationUrl: receiver.url, paymentType: "PA" });
      await pz.operate(held.json.paymentId, "RV");
      const [authorized, reversed] = await notificationsOf(receiver.received, held.json.paymentId, 2);
      assert.deepEqual([authorized?.json.status, reversed?.json.status], ["Y", "C"]);
    } finally {
      await server.close();
      await receiver.close();
    }
  });

  it("a refused notification is retried with the same body until the shop answers 200", async () => {
    const server = await startTestServer();
    const receiver = await startReceiver<Notification>({ parse, behave: (c) => ({ kind: "answer", status: c.seq < 2 ? 500 : 200 }) });
    try {
      const pz = paymentzClient(server);
      const paid = await pz.pay("retry-1", "11.00", { notificationUrl: receiver.url });
      const attempts = await notificationsOf(receiver.received, paid.json.paymentId, 3);
      assert.deepEqual(attempts.map((a) => a.answer), [500, 500, 200]);
      assert.equal(new Set(attempts.map((a) => a.body)).size, 1, "the same body each time");
      assert.equal(attempts[2]?.json.checksum, checksumOf(attempts[2]?.json ?? {}, pz.member.secureKey));
      // The shop's 200 is recorded just after it is answered: wait for the outbox to say so.
      const orderId = paid.json.paymentId.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
      const outbox = await eventually(async () => {
        const messages = await server.services.ctx.store.read((tx) => tx.outbox.ofOrder(orderId));
        return messages.every((m) => m.status === "delivered") ? messages : undefined;
      }, { what: "the notification recorded as delivered" });
      assert.deepEqual(outbox.map((m) => [m.status, m.attempts]), [["delivered", 3]]);
    } finally {
      await server.close();
      await receiver.close();
    }
  });

  it("a notification still pending when tetri stops is sent after the restart", async () => {
    const down = await startReceiver<Notification>({ parse });
    const port = down.port;
    await down.close();
    const first: TestServer = await startTestServer();
    let second: TestServer | undefined;
    try {
      const pz = paymentzClient(first);
      const paid = await pz.pay("restart-1", "13.00", { notificationUrl: `http://127.0.0.1:${port}/callback` });
      assert.equal(paid.json.transactionStatus, "Y");
      await first.stop();
      const receiver = await startReceiver<Notification>({ parse, port });
      try {
        second = await startTestServer(first.storeEnv, { dataDir: first.dataDir });
        const [notification] = await notificationsOf(receiver.received, paid.json.paymentId, 1);
        assert.equal(notification?.json.checksum, checksumOf(notification?.json ?? {}, pz.member.secureKey));
        assert.equal(notification?.json.merchantTransactionId, "restart-1");
      } finally {
        await receiver.close();
      }
    } finally {
      await second?.close();
      await first.close();
    }
  });
});
