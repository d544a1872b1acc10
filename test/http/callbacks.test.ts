import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { eventually, orderBody, startReceiver, startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";

describe("BOG callbacks", () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let publicKeyPem: string;

  before(async () => {
    server = await startTestServer();
    receiver = await startReceiver();
    const response = await fetch(`${server.url}/payments/v1/callback-public-key`);
    assert.equal(response.status, 200);
    publicKeyPem = await response.text();
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
