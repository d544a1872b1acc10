// Two tetri nodes on one PostgreSQL database, in this process: whatever one node mints, signs
// or reserves holds on the other. Tokens, callback signatures and the hosted page's CSRF
// tokens verify across nodes; one demo merchant comes of two nodes starting together; refunds
// and captures sent to both never exceed what was paid; an idempotency key raced across both
// makes one order. (One SQLite file is one node's, so this runs in the run on PostgreSQL.)

import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { createPostgresDatabase, TEST_CARD_KEY, TEST_DB } from "../helpers/database.ts";
import type { TestPostgresDatabase } from "../helpers/database.ts";
import { orderBody, purchaseOf } from "../helpers/fixtures.ts";
import { startTestServer } from "../helpers/harness.ts";
import type { TestServer } from "../helpers/harness.ts";
import { csrfCookieOf, csrfTokenOf } from "../helpers/hosted-page.ts";
import { startReceiver } from "../helpers/receiver.ts";
import { eventually } from "../helpers/wait.ts";

const skip = TEST_DB === "postgres" ? false : "nodes share a PostgreSQL database: the run on PostgreSQL (TETRI_TEST_DB=postgres) has one";

/**
 * Two nodes started at the same moment on one new database. Both are reached at one public URL,
 * as behind a load balancer (tokens name it as their issuer); each still listens on its own port.
 */
async function twoNodes(env: Record<string, string> = {}): Promise<{ a: TestServer; b: TestServer; database: TestPostgresDatabase }> {
  const database = await createPostgresDatabase();
  const shared = { TETRI_DATABASE_URL: database.url, TETRI_CARD_KEY: TEST_CARD_KEY, TETRI_PUBLIC_URL: "http://pay.tetri.test", ...env };
  const [a, b] = await Promise.all([startTestServer(shared), startTestServer(shared)]);
  return { a, b, database };
}

const refundPath = (id: string) => `/payments/v1/payment/refund/${id}`;
const socketOf = (node: TestServer) => `http://127.0.0.1:${(node.app.server.address() as AddressInfo).port}`;

describe("two nodes on one database", { skip }, () => {
  let a: TestServer;
  let b: TestServer;
  let database: TestPostgresDatabase;
  before(async () => {
    ({ a, b, database } = await twoNodes());
  });
  after(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await database?.remove();
  });

  const paidOn = async (node: TestServer, amount: number, capture: "automatic" | "manual" = "automatic") => {
    const id = await node.createOrder(orderBody({ capture, purchase_units: purchaseOf(amount) }));
    assert.equal((await node.pay(id)).status, 200);
    return id;
  };

  it("starting together, they made one demo merchant: one start created it, the other found it", () => {
    assert.deepEqual([a.demo?.created, b.demo?.created].sort(), [false, true]);
  });

  it("a token minted on one node opens the other, for both bank APIs; both publish the same keys", async () => {
    const id = await a.createOrder();
    assert.equal((await b.request("GET", `/payments/v1/receipt/${id}`, { token: await a.token() })).status, 200);
    const payment = await b.tbcRequest("POST", "/v1/tpay/payments", { body: { amount: { currency: "GEL", total: 1 }, returnurl: "https://shop.example/r" }, token: await a.tbcToken() });
    assert.equal(payment.status, 200, payment.text);
    const [jwksA, jwksB] = await Promise.all([a, b].map((n) => n.request("GET", "/auth/realms/bog/protocol/openid-connect/certs", { token: null })));
    assert.deepEqual(jwksA?.json, jwksB?.json);
    assert.equal(await a.callbackPublicKey(), await b.callbackPublicKey());
  });

  it("every callback verifies with the one published key, whichever node sent it", async () => {
    const key = createPublicKey(await a.callbackPublicKey());
    const receiver = await startReceiver({ publicKey: () => key });
    try {
      const ids = [];
      for (const [creator, payer] of [[a, b], [b, a], [a, a], [b, b]] as const) {
        const id = await creator.createOrder(orderBody({}, receiver.url));
        assert.equal((await payer.pay(id)).status, 200);
        ids.push(id);
      }
      const callbacks = await eventually(() => (receiver.received.length >= ids.length ? receiver.received : undefined), { what: "four callbacks" });
      assert.deepEqual(callbacks.map((c) => c.signatureValid), [true, true, true, true]);
    } finally {
      await receiver.close();
    }
  });

  it("the hosted page's form from one node pays on the other (one CSRF secret)", async () => {
    const id = await a.createOrder(orderBody({ redirect_urls: { success: "https://shop.example/ok", fail: "https://shop.example/fail" } }));
    const page = await fetch(`${socketOf(a)}/?order_id=${id}&lang=en`);
    const cookie = csrfCookieOf(page.headers);
    const token = csrfTokenOf(await page.text());
    assert.ok(cookie && token);
    const form = { order_id: id, csrf: token, lang: "en", card_number: "4242424242424242", expiry: "12/39", cvc: "123", cardholder: "Nino Beridze" };
    const paid = await fetch(`${socketOf(b)}/checkout/pay`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    });
    assert.equal(paid.status, 303);
    assert.equal(paid.headers.get("location"), "https://shop.example/ok");
  });

  it("40 refunds of 0.37 sent to both nodes at once: exactly 27 fit in 10.00, the rest are refused", async () => {
    const id = await paidOn(a, 10);
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).request("POST", refundPath(id), { body: { amount: 0.37 } })));
    const statuses = responses.map((r) => (r.status === 200 ? "ok" : `${r.status} ${r.json?.key}`));
    assert.equal(statuses.filter((s) => s === "ok").length, 27, statuses.join(", "));
    assert.equal(statuses.filter((s) => s === "400 refund_exceeds_available").length, 13, statuses.join(", "));
    const receipt = await b.receipt(id);
    assert.equal(receipt.purchase_units.refund_amount, "9.99");
    assert.equal(receipt.actions.length, 27);
  });

  it("captures and cancels of one pre-authorization sent to both nodes: one of them happens", async () => {
    const id = await paidOn(b, 20, "manual");
    const calls = Array.from({ length: 10 }, (_, i) =>
      (i % 2 ? a : b).request("POST", `/payments/v1/payment/authorization/${i % 3 ? "approve" : "cancel"}/${id}`, { body: i % 3 ? { amount: 5 } : {} }),
    );
    const responses = await Promise.all(calls);
    assert.equal(responses.filter((r) => r.status === 200).length, 1, responses.map((r) => `${r.status} ${r.json?.key}`).join(", "));
    assert.ok(responses.every((r) => r.status === 200 || r.status === 400 || r.status === 409), "refused cleanly, never a 5xx");
    const receipt = await a.receipt(id);
    assert.ok(["partial_completed", "rejected"].includes(receipt.order_status.key), receipt.order_status.key);
    assert.equal(receipt.actions.length, 1);
  });

  it("one Idempotency-Key raced on both nodes makes one order: the others are told it is in flight, or get its response", async () => {
    const body = orderBody({ external_order_id: "raced" });
    const headers = { "idempotency-key": "raced-across-nodes" };
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).request("POST", "/payments/v1/ecommerce/orders", { body, headers })));
    const made = new Set(responses.filter((r) => r.status === 200).map((r) => r.json.id as string));
    const others = responses.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.json?.key}`);
    assert.equal(made.size, 1, `one order, got ${[...made].join(", ")}`);
    assert.deepEqual([...new Set(others)].filter((o) => o !== "409 idempotency_key_in_flight"), []);
    // Once it has committed, either node answers the first response.
    for (const node of [a, b]) {
      const replay = await node.request("POST", "/payments/v1/ecommerce/orders", { body, headers });
      assert.deepEqual([replay.status, replay.json.id], [200, [...made][0]]);
    }
  });
});

describe("two nodes starting together on an empty database, no demo credentials configured", { skip }, () => {
  it("make one demo merchant, and only its start shows it", async () => {
    const { a, b, database } = await twoNodes({ TETRI_DEMO_CLIENT_ID: "", TETRI_DEMO_CLIENT_SECRET: "", TETRI_DEMO_TBC_API_KEY: "" });
    try {
      const demos = [a.demo, b.demo].filter((d) => d !== undefined);
      assert.deepEqual(demos.map((d) => d.created), [true]);
      assert.equal(await a.services.ctx.store.read((tx) => tx.merchants.count()), 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await database.remove();
    }
  });
});
